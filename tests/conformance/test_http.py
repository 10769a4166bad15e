"""The HTTP layer on the wire, spoken through raw sockets.

Covers connection handling (keep-alive over many requests, pipelining,
requests arriving in small pieces, a stalled client not blocking others,
Connection: close, HTTP/1.0 with and without keep-alive, Expect:
100-continue), request framing (Content-Length taken exactly, chunked
bodies with extensions and trailers, empty bodies, case-insensitive header
names), the response header (status line, Content-Type, x-amzn-RequestId,
x-amz-crc32, Content-Length), the plain GET health line, 405 for other
methods, the 16 MB request limit (413, then the connection is closed), CORS
(--cors *, an origin list, the default, --no-cors) and garbage on the wire
(refused without taking the server down).

The emulator does not check signatures, only reads the credential scope, so
requests here carry an unsigned Authorization header of the right shape.
Every test uses an access key of its own unless it needs none, so the
namespaces (and therefore ListTables answers) are predictable.
"""

import json
import re
import socket
import struct
import threading
import time
import zlib

import pytest

import support

TARGET = "DynamoDB_20120810."
TIMEOUT = 5.0
MAX_BODY = 16 * 1024 * 1024
REQUEST_ID_RE = re.compile(r"^[A-Z0-9]{52}$")
JSON_TYPE = "application/x-amz-json-1.0"
TOO_LARGE_TYPE = "com.amazon.coral.service#RequestEntityTooLargeException"
TOO_LARGE_MESSAGE = "Request size exceeds the maximum of 16777216 bytes"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def auth_value(access_key=support.ACCESS_KEY, region=support.REGION):
    """An Authorization header of SigV4 shape (the emulator reads only the scope)."""
    return (f"AWS4-HMAC-SHA256 Credential={access_key}/20250101/{region}/dynamodb/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-target, Signature=" + "0" * 64)


def request(target=None, body=b"{}", method="POST", path="/", version="HTTP/1.1",
            headers=None, access_key=support.ACCESS_KEY, region=support.REGION):
    """The bytes of one request. Defaults: Host, Content-Type, X-Amz-Target (when
    target is given), Authorization and Content-Length (when body is not None).
    headers maps a name to a value, replacing a default of the same name in any
    case; a value of None removes that header."""
    if isinstance(body, str):
        body = body.encode()
    fields = [("Host", "127.0.0.1"), ("Content-Type", JSON_TYPE)]
    if target is not None:
        fields.append(("X-Amz-Target", TARGET + target))
    if access_key is not None:
        fields.append(("Authorization", auth_value(access_key, region)))
    if body is not None:
        fields.append(("Content-Length", str(len(body))))
    for name, value in (headers or {}).items():
        fields = [(n, v) for n, v in fields if n.lower() != name.lower()]
        if value is not None:
            fields.append((name, value))
    head = f"{method} {path} {version}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in fields) + "\r\n"
    return head.encode() + (body or b"")


def chunked(parts, extension=None, trailers=None):
    """A chunked body made of parts (bytes); the first chunk carries the chunk
    extension when given, the trailer fields follow the last chunk."""
    out = b""
    for i, part in enumerate(parts):
        ext = f";{extension}" if extension and i == 0 else ""
        out += f"{len(part):x}{ext}\r\n".encode() + part + b"\r\n"
    out += b"0\r\n"
    for name, value in (trailers or {}).items():
        out += f"{name}: {value}\r\n".encode()
    return out + b"\r\n"


def dumps(doc):
    return json.dumps(doc).encode()


def table_body(name):
    return dumps({"TableName": name,
                  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                  "BillingMode": "PAY_PER_REQUEST"})


class Response:
    def __init__(self, version, status, reason, fields, body, head):
        self.version, self.status, self.reason = version, status, reason
        self.fields = fields  # [(name, value)] in wire order
        self.body = body
        self.head = head      # the raw header block, for messages

    def all(self, name):
        return [v for n, v in self.fields if n.lower() == name.lower()]

    def header(self, name):
        values = self.all(name)
        assert len(values) <= 1, f"{name} appears {len(values)} times:\n{self.head}"
        return values[0] if values else None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.version} {self.status} {self.fields} {self.body[:200]!r}>"


class Conn:
    """One client TCP connection with a read buffer and a response parser."""

    def __init__(self, emu, timeout=TIMEOUT):
        self.sock = socket.create_connection(("127.0.0.1", emu.port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise EOFError(f"connection closed; unparsed bytes: {self.buf[:200]!r}")
        self.buf += data

    def read_response(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        text = head.decode("latin-1")
        lines = text.split("\r\n")
        m = re.match(r"^(HTTP/1\.[01]) (\d{3}) ?(.*)$", lines[0])
        assert m, f"bad status line: {lines[0]!r}"
        fields = []
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            assert sep and name and name == name.strip(), f"bad header line {line!r}"
            fields.append((name, value.strip()))
        resp = Response(m.group(1), int(m.group(2)), m.group(3), fields, b"", text)
        if 100 <= resp.status < 200:
            return resp
        length = resp.header("Content-Length")
        assert length is not None and length.isdigit(), f"no Content-Length:\n{text}"
        length = int(length)
        while len(self.buf) < length:
            self._fill()
        resp.body, self.buf = self.buf[:length], self.buf[length:]
        return resp

    def final_response(self):
        """The next response that is not an interim 1xx."""
        while True:
            resp = self.read_response()
            if resp.status >= 200:
                return resp

    def call(self, target, body=b"{}", **kwargs):
        self.send(request(target, body, **kwargs))
        return self.read_response()

    def closed_by_peer(self, timeout=TIMEOUT):
        """True when the server has closed (EOF or reset) within timeout with
        nothing more to read, False when it is still open and quiet then.
        Bytes that arrive instead fail the test."""
        assert not self.buf, f"unexpected bytes after the response: {self.buf[:200]!r}"
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        assert not data, f"unexpected bytes after the response: {data[:200]!r}"
        return True

    def assert_closed(self):
        assert self.closed_by_peer(), "server kept the connection open"

    def assert_open(self, wait=0.3):
        assert not self.closed_by_peer(wait), "server closed the connection"
        self.sock.settimeout(TIMEOUT)


def check_json_response(resp, status=200):
    """What every JSON response carries."""
    assert resp.status == status, resp
    assert resp.header("Content-Type") == JSON_TYPE, resp
    assert int(resp.header("Content-Length")) == len(resp.body)
    rid = resp.header("x-amzn-RequestId")
    assert rid and REQUEST_ID_RE.match(rid), f"request id {rid!r}"
    crc = resp.header("x-amz-crc32")
    assert crc is not None and crc.isdigit(), f"x-amz-crc32 {crc!r}"
    assert int(crc) == zlib.crc32(resp.body) & 0xFFFFFFFF
    return resp.json()


def list_tables(conn, key, **kwargs):
    resp = conn.call("ListTables", b"{}", access_key=key, **kwargs)
    return check_json_response(resp)["TableNames"]


def cors_fields(resp):
    return {n.lower(): v for n, v in resp.fields if n.lower().startswith("access-control-")}


@pytest.fixture
def key():
    """An access key (namespace) of this test's own."""
    return support.unique_key("AKIDHTTP")


# --------------------------------------------------------------------------
# keep-alive and pipelining
# --------------------------------------------------------------------------

def test_keep_alive_fifty_requests_on_one_connection(emulator, key):
    with Conn(emulator) as c:
        check_json_response(c.call("CreateTable", table_body("keepalive"), access_key=key))
        for i in range(24):
            item = {"id": {"S": f"k{i}"}, "v": {"S": "x" * (i * 37)}}
            put = c.call("PutItem", dumps({"TableName": "keepalive", "Item": item}), access_key=key)
            assert check_json_response(put) == {}
            assert put.header("Connection") is None, put
            get = c.call("GetItem", dumps({"TableName": "keepalive", "Key": {"id": {"S": f"k{i}"}}}),
                         access_key=key)
            assert check_json_response(get) == {"Item": item}
        assert list_tables(c, key) == ["keepalive"]
        # 50 responses, each taken exactly by its Content-Length, and nothing else.
        c.assert_open()


def test_keep_alive_survives_error_responses(emulator, key):
    with Conn(emulator) as c:
        bad = [
            c.call("MakeCoffee", b"{}", access_key=key),
            c.call("ListTables", b"not json", access_key=key),
            c.call("ListTables", b"{}", access_key=None),
            c.call("DescribeTable", dumps({"TableName": "nope"}), access_key=key),
        ]
        for resp in bad:
            check_json_response(resp, 400)
            assert resp.header("Connection") is None, resp
        assert list_tables(c, key) == []
        c.assert_open()


def test_pipelined_requests_in_one_send(emulator, key):
    with Conn(emulator) as c:
        c.send(request("ListTables", b'{"Limit": 5}', access_key=key)
               + request("DescribeTable", dumps({"TableName": "missing"}), access_key=key))
        first, second = c.read_response(), c.read_response()
        assert check_json_response(first) == {"TableNames": []}
        doc = check_json_response(second, 400)
        assert doc["__type"].endswith("#ResourceNotFoundException"), doc
        assert first.header("x-amzn-RequestId") != second.header("x-amzn-RequestId")
        c.assert_open()


def test_pipelined_writes_then_reads_answer_in_order(emulator, key):
    with Conn(emulator) as c:
        check_json_response(c.call("CreateTable", table_body("pipe"), access_key=key))
        items = [{"id": {"S": f"p{i}"}, "n": {"N": str(i)}} for i in range(10)]
        burst = b"".join(request("PutItem", dumps({"TableName": "pipe", "Item": it}), access_key=key)
                         for it in items)
        burst += b"".join(request("GetItem", dumps({"TableName": "pipe", "Key": {"id": it["id"]}}),
                                  access_key=key) for it in items)
        c.send(burst)
        for _ in items:
            assert check_json_response(c.read_response()) == {}
        for it in items:
            assert check_json_response(c.read_response()) == {"Item": it}
        c.assert_open()


def test_pipelined_request_split_across_sends(emulator, key):
    second = request("ListTables", b'{"Limit": 3}', access_key=key)
    with Conn(emulator) as c:
        c.send(request("ListTables", b"{}", access_key=key) + second[:25])
        assert check_json_response(c.read_response()) == {"TableNames": []}
        time.sleep(0.1)
        c.send(second[25:])
        assert check_json_response(c.read_response()) == {"TableNames": []}


def test_content_length_bounds_the_body(emulator, key):
    # Content-Length says 2: the body is "{}" and the next bytes are a new request.
    body_then_next = b"{}" + request("ListTables", b'{"Limit": 1}', access_key=key)
    raw = request("ListTables", body_then_next, access_key=key,
                  headers={"Content-Length": "2"})
    with Conn(emulator) as c:
        c.send(raw)
        assert check_json_response(c.read_response()) == {"TableNames": []}
        assert check_json_response(c.read_response()) == {"TableNames": []}
        c.assert_open()


# --------------------------------------------------------------------------
# requests arriving slowly
# --------------------------------------------------------------------------

def test_request_sent_byte_by_byte(emulator, key):
    raw = request("CreateTable", table_body("slow"), access_key=key)
    with Conn(emulator) as c:
        for i in range(len(raw)):
            c.send(raw[i:i + 1])
            if i % 64 == 0:
                time.sleep(0.002)
        doc = check_json_response(c.read_response())
        assert doc["TableDescription"]["TableName"] == "slow"
        assert list_tables(c, key) == ["slow"]


def test_request_split_at_awkward_points(emulator, key):
    raw = request("ListTables", b'{"Limit": 7}', access_key=key)
    head_end = raw.index(b"\r\n\r\n")
    cuts = [3,                        # inside the method
            raw.index(b"X-Amz-Target") + 5,   # inside a header name
            head_end + 1,             # between the CR and LF of the blank line
            head_end + 3,
            head_end + 4 + 1]         # inside the body
    with Conn(emulator) as c:
        start = 0
        for cut in cuts + [len(raw)]:
            c.send(raw[start:cut])
            start = cut
            time.sleep(0.05)
        assert check_json_response(c.read_response()) == {"TableNames": []}


def test_stalled_connection_does_not_block_others(emulator, key):
    raw = request("ListTables", b"{}", access_key=key)
    with Conn(emulator) as stalled:
        stalled.send(raw[:len(raw) // 2])
        with Conn(emulator) as other:
            assert list_tables(other, key) == []
        stalled.send(raw[len(raw) // 2:])
        assert check_json_response(stalled.read_response()) == {"TableNames": []}


def test_many_connections_interleaved(emulator, key):
    raw = request("ListTables", b"{}", access_key=key)
    conns = [Conn(emulator) for _ in range(32)]
    try:
        for c in conns:
            c.send(raw[:40])
        for c in reversed(conns):
            c.send(raw[40:])
        for c in conns:
            assert check_json_response(c.read_response()) == {"TableNames": []}
    finally:
        for c in conns:
            c.close()


def test_expect_100_continue(emulator, key):
    # RFC 9110 10.1.1: on a complete header with "Expect: 100-continue" and a body to
    # follow, the server sends either a final status at once or "100 Continue".
    # Clients that send it (curl for large bodies, .NET, Java SDKs when enabled) stall
    # until their own timeout otherwise.
    raw = request("ListTables", b'{"Limit": 2}', access_key=key,
                  headers={"Expect": "100-continue"})
    head_end = raw.index(b"\r\n\r\n") + 4
    with Conn(emulator) as c:
        c.send(raw[:head_end])
        c.sock.settimeout(1.0)
        try:
            interim = c.read_response()
        except socket.timeout:
            interim = None
        c.sock.settimeout(TIMEOUT)
        c.send(raw[head_end:])  # as a client does once it stops waiting
        assert check_json_response(c.final_response()) == {"TableNames": []}
        assert list_tables(c, key) == []
        assert interim is not None, \
            "no 100 Continue (nor a final response) within 1 s of a header with Expect: 100-continue"
        assert interim.status == 100 and interim.version == "HTTP/1.1", interim


def test_http10_expect_100_continue_gets_no_interim_response(emulator, key):
    # RFC 9110 10.1.1: a server ignores Expect: 100-continue from an HTTP/1.0 client.
    raw = request("ListTables", b'{"Limit": 2}', access_key=key, version="HTTP/1.0",
                  headers={"Expect": "100-continue"})
    head_end = raw.index(b"\r\n\r\n") + 4
    with Conn(emulator) as c:
        c.send(raw[:head_end])
        c.assert_open(wait=0.3)  # nothing sent: the server waits for the body
        c.send(raw[head_end:])
        resp = c.read_response()
        assert resp.status == 200 and resp.version == "HTTP/1.0", resp
        assert check_json_response(resp) == {"TableNames": []}


# --------------------------------------------------------------------------
# chunked request bodies
# --------------------------------------------------------------------------

def test_chunked_request_bodies(emulator, key):
    te = {"Content-Length": None, "Transfer-Encoding": "chunked"}
    create = table_body("chunky")
    with Conn(emulator) as c:
        # CreateTable with its JSON cut into three chunks, mid-string.
        parts = [create[:10], create[10:57], create[57:]]
        c.send(request("CreateTable", chunked(parts), access_key=key, headers=te))
        doc = check_json_response(c.read_response())
        assert doc["TableDescription"]["TableName"] == "chunky"

        # PutItem in one-byte chunks, sent in pieces.
        item = {"id": {"S": "c1"}, "v": {"S": "chunked \u00e9"}}
        put = dumps({"TableName": "chunky", "Item": item})
        raw = request("PutItem", chunked([put[i:i + 1] for i in range(len(put))]),
                      access_key=key, headers=te)
        for i in range(0, len(raw), 100):
            c.send(raw[i:i + 100])
            time.sleep(0.005)
        assert check_json_response(c.read_response()) == {}

        # A chunk extension and a trailer field are allowed.
        get = dumps({"TableName": "chunky", "Key": {"id": {"S": "c1"}}})
        c.send(request("GetItem", chunked([get[:5], get[5:]], extension="name=value",
                                          trailers={"X-Trailer": "t"}),
                       access_key=key, headers=te))
        assert check_json_response(c.read_response()) == {"Item": item}

        # The last chunk ended the body: the connection carries on.
        assert list_tables(c, key) == ["chunky"]
        c.assert_open()


def test_chunked_empty_body_is_empty_object(emulator, key):
    with Conn(emulator) as c:
        c.send(request("ListTables", b"0\r\n\r\n", access_key=key,
                       headers={"Content-Length": None, "Transfer-Encoding": "chunked"}))
        assert check_json_response(c.read_response()) == {"TableNames": []}


# --------------------------------------------------------------------------
# Connection: close and HTTP/1.0
# --------------------------------------------------------------------------

def test_connection_close_request(emulator, key):
    with Conn(emulator) as c:
        resp = c.call("ListTables", b"{}", access_key=key, headers={"Connection": "close"})
        assert check_json_response(resp) == {"TableNames": []}
        assert resp.version == "HTTP/1.1"
        assert resp.header("Connection").lower() == "close", resp
        c.assert_closed()


def test_connection_close_pipelined_request_is_the_last(emulator, key):
    with Conn(emulator) as c:
        c.send(request("ListTables", b"{}", access_key=key, headers={"Connection": "close"})
               + request("ListTables", b"{}", access_key=key))
        resp = c.read_response()
        assert check_json_response(resp) == {"TableNames": []}
        assert resp.header("Connection").lower() == "close"
        c.assert_closed()


def test_http10_without_keep_alive_is_closed(emulator, key):
    with Conn(emulator) as c:
        resp = c.call("ListTables", b"{}", access_key=key, version="HTTP/1.0")
        assert resp.version == "HTTP/1.0", resp
        assert resp.reason == "OK"
        assert check_json_response(resp) == {"TableNames": []}
        assert (resp.header("Connection") or "close").lower() == "close", resp
        c.assert_closed()


def test_http10_keep_alive(emulator, key):
    with Conn(emulator) as c:
        ka = {"Connection": "keep-alive"}
        first = c.call("ListTables", b"{}", access_key=key, version="HTTP/1.0", headers=ka)
        assert first.version == "HTTP/1.0"
        assert check_json_response(first) == {"TableNames": []}
        assert first.header("Connection").lower() == "keep-alive", first
        c.assert_open()
        second = c.call("ListTables", b'{"Limit": 1}', access_key=key, version="HTTP/1.0",
                        headers=ka)
        assert check_json_response(second) == {"TableNames": []}
        assert second.header("Connection").lower() == "keep-alive"
        # A request without keep-alive ends it.
        third = c.call("ListTables", b"{}", access_key=key, version="HTTP/1.0")
        assert check_json_response(third) == {"TableNames": []}
        c.assert_closed()


# --------------------------------------------------------------------------
# response header
# --------------------------------------------------------------------------

def test_json_response_header(emulator, key):
    with Conn(emulator) as c:
        ok = c.call("ListTables", b"{}", access_key=key)
        assert ok.version == "HTTP/1.1" and ok.reason == "OK"
        assert check_json_response(ok) == {"TableNames": []}
        err = c.call("DescribeTable", dumps({"TableName": "none"}), access_key=key)
        assert err.reason == "Bad Request"
        check_json_response(err, 400)
        for resp in (ok, err):
            for name in ("Content-Type", "Content-Length", "x-amzn-RequestId", "x-amz-crc32"):
                assert len(resp.all(name)) == 1, f"{name}: {resp.all(name)}"


def test_request_ids_are_distinct(emulator, key):
    ids = []
    for _ in range(4):
        with Conn(emulator) as c:
            c.send(request("ListTables", b"{}", access_key=key) * 50)
            for _ in range(50):
                resp = c.read_response()
                check_json_response(resp)
                ids.append(resp.header("x-amzn-RequestId"))
    assert len(set(ids)) == len(ids) == 200


# --------------------------------------------------------------------------
# GET, other methods, empty bodies, header case
# --------------------------------------------------------------------------

def test_get_health_line_default_region(emulator):
    with Conn(emulator) as c:
        resp = c.call(None, None, method="GET", access_key=None)
        assert resp.status == 200, resp
        assert resp.header("Content-Type").startswith("text/plain"), resp
        text = resp.body.decode()
        assert text.startswith("healthy: dynamodb."), text
        assert text.strip() == "healthy: dynamodb.us-east-1.amazonaws.com", text
        c.assert_open()


def test_get_health_line_region_from_credential(emulator, key):
    with Conn(emulator) as c:
        resp = c.call(None, None, method="GET", access_key=key, region="eu-west-3")
        assert resp.status == 200, resp
        text = resp.body.decode()
        assert text.startswith("healthy: dynamodb."), text
        assert "eu-west-3" in text and "us-east-1" not in text, text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "BREW"])
def test_other_methods_get_404(emulator, key, method):
    # DynamoDB's answer (test_http_wire.py checks its body and headers).
    with Conn(emulator) as c:
        resp = c.call("ListTables", b'{"x": 1}', method=method, access_key=key)
        assert resp.status == 404, resp
        assert resp.reason == "Not Found", resp
        # The refused request's body was consumed: the connection still works.
        assert list_tables(c, key) == []


@pytest.mark.parametrize("framing", ["content_length_0", "no_length"])
def test_empty_body_is_empty_object(emulator, key, framing):
    headers = {"Content-Length": "0"} if framing == "content_length_0" else {"Content-Length": None}
    with Conn(emulator) as c:
        resp = c.call("ListTables", b"", access_key=key, headers=headers)
        assert check_json_response(resp) == {"TableNames": []}
        c.assert_open()


@pytest.mark.parametrize("case", ["lower", "upper"])
def test_header_names_are_case_insensitive(emulator, key, case):
    def recase(raw):
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        out = [lines[0]]
        for line in lines[1:]:
            name, value = line.split(b":", 1)
            out.append((name.lower() if case == "lower" else name.upper()) + b":" + value)
        return b"\r\n".join(out) + b"\r\n\r\n" + body

    with Conn(emulator) as c:
        c.send(recase(request("CreateTable", table_body("cased"), access_key=key)))
        doc = check_json_response(c.read_response())
        assert doc["TableDescription"]["TableName"] == "cased"
        # The table went into the namespace of the lower/upper-case authorization.
        assert list_tables(c, key) == ["cased"]
        c.send(recase(request("ListTables", b"{}", access_key=key)))
        assert check_json_response(c.read_response()) == {"TableNames": ["cased"]}


def test_header_values_are_trimmed(emulator, key):
    with Conn(emulator) as c:
        resp = c.call("ListTables", b"{}", access_key=None,
                      headers={"X-Amz-Target": f"  {TARGET}ListTables \t",
                               "Authorization": "  " + auth_value(key) + "  "})
        assert check_json_response(resp) == {"TableNames": []}


# --------------------------------------------------------------------------
# request size limit
# --------------------------------------------------------------------------

def check_too_large(resp):
    doc = check_json_response(resp, 413)
    assert doc["__type"] == TOO_LARGE_TYPE, doc
    assert doc["message"] == TOO_LARGE_MESSAGE, doc
    assert resp.header("Connection").lower() == "close", resp


def test_body_over_16mb_is_refused_and_closed(emulator, key):
    raw = request("BatchWriteItem", b"", access_key=key,
                  headers={"Content-Length": str(MAX_BODY + 1)})
    with Conn(emulator) as c:
        c.send(raw)  # the header only: the refusal must not wait for the body
        check_too_large(c.read_response())
        c.assert_closed()
    with Conn(emulator) as c:
        assert list_tables(c, key) == []


def test_body_over_16mb_refused_while_the_client_is_still_sending(emulator, key):
    # A client (an SDK) that streams its body without waiting: the server must read and drop
    # what arrives after its 413, or closing the socket with unread data resets the
    # connection and can destroy the 413 before the client reads it.
    raw = request("BatchWriteItem", b"", access_key=key,
                  headers={"Content-Length": str(MAX_BODY + 1)})
    with Conn(emulator) as c:
        c.send(raw)
        chunk = b"x" * 65536
        try:
            for _ in range(64):  # 4 MB of the body, sent before reading anything
                c.sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError) as e:
            pytest.fail(f"the server reset the connection while the body was arriving: {e!r}")
        check_too_large(c.read_response())
        c.sock.shutdown(socket.SHUT_WR)
        c.assert_closed()


def test_chunk_over_16mb_is_refused_and_closed(emulator, key):
    raw = request("BatchWriteItem", f"{MAX_BODY + 1:x}\r\n".encode() + b'{"Req', access_key=key,
                  headers={"Content-Length": None, "Transfer-Encoding": "chunked"})
    with Conn(emulator) as c:
        c.send(raw)
        check_too_large(c.read_response())
        c.assert_closed()


def test_body_of_exactly_16mb_is_not_refused_up_front(emulator, key):
    raw = request("BatchWriteItem", b"", access_key=key, headers={"Content-Length": str(MAX_BODY)})
    with Conn(emulator) as c:
        c.send(raw)
        # The server waits for the body instead of answering 413 at once.
        c.assert_open(wait=0.5)


def test_megabyte_body_is_accepted(emulator, key):
    with Conn(emulator) as c:
        check_json_response(c.call("CreateTable", table_body("big"), access_key=key))
        items = [{"id": {"S": f"b{i}"}, "blob": {"S": chr(ord("a") + i) * 300_000}}
                 for i in range(4)]
        body = dumps({"RequestItems": {"big": [{"PutRequest": {"Item": it}} for it in items]}})
        assert len(body) > 1_200_000
        resp = c.call("BatchWriteItem", body, access_key=key)
        assert check_json_response(resp) == {"UnprocessedItems": {}}
        got = c.call("GetItem", dumps({"TableName": "big", "Key": {"id": {"S": "b3"}}}),
                     access_key=key)
        assert check_json_response(got) == {"Item": items[3]}


# --------------------------------------------------------------------------
# CORS
# --------------------------------------------------------------------------

def preflight(conn, origin, asked=None):
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST",
               "Content-Type": None}
    if asked is not None:
        headers["Access-Control-Request-Headers"] = asked
    return conn.call(None, None, method="OPTIONS", access_key=None, headers=headers)


ASKED = "authorization,content-type,x-amz-date,x-amz-target,x-amz-user-agent"


def check_preflight(resp, origin, allow_headers=ASKED):
    assert resp.status == 200, resp
    assert resp.body == b"" and resp.header("Content-Length") == "0", resp
    cors = cors_fields(resp)
    assert cors.get("access-control-allow-origin") == origin, resp
    assert cors.get("access-control-allow-methods") == "GET, POST, OPTIONS", resp
    assert cors.get("access-control-allow-headers") == allow_headers, resp
    assert cors.get("access-control-max-age") == "172800", resp


def check_cors_post(resp, origin, status=200):
    check_json_response(resp, status)
    cors = cors_fields(resp)
    assert cors.get("access-control-allow-origin") == origin, resp
    exposed = [h.strip().lower() for h in cors.get("access-control-expose-headers", "").split(",")]
    assert "x-amzn-requestid" in exposed and "x-amz-crc32" in exposed, resp


def test_cors_any_origin(emulator_factory, key):
    emu = emulator_factory(in_memory=True, extra_args=["--cors", "*"])
    origin = "https://app.example.com"
    with Conn(emu) as c:
        check_preflight(preflight(c, origin, ASKED), origin)
        # Without Access-Control-Request-Headers any header is allowed.
        check_preflight(preflight(c, origin), origin, allow_headers="*")
        check_cors_post(c.call("ListTables", b"{}", access_key=key, headers={"Origin": origin}),
                        origin)
        # Errors carry it too, or a browser could not read them.
        check_cors_post(c.call("ListTables", b"{}", access_key=None, headers={"Origin": origin}),
                        origin, status=400)
        # No Origin, no CORS fields.
        resp = c.call("ListTables", b"{}", access_key=key)
        check_json_response(resp)
        assert cors_fields(resp) == {}, resp
        # CORS state does not leak from one request to the next on a connection.
        c.call("ListTables", b"{}", access_key=key, headers={"Origin": origin})
        resp = preflight(c, "")
        assert "access-control-allow-origin" not in cors_fields(resp), resp


def test_cors_origin_list(emulator_factory, key):
    emu = emulator_factory(in_memory=True, flag_style="short",
                           extra_args=["-cors", "https://a.example, https://c.example"])
    with Conn(emu) as c:
        for origin in ("https://a.example", "https://c.example"):
            check_preflight(preflight(c, origin, ASKED), origin)
            check_cors_post(c.call("ListTables", b"{}", access_key=key,
                                   headers={"Origin": origin}), origin)
        for origin in ("https://b.example", "https://a.example.evil", "http://a.example"):
            resp = preflight(c, origin, ASKED)
            assert "access-control-allow-origin" not in cors_fields(resp), resp
            resp = c.call("ListTables", b"{}", access_key=key, headers={"Origin": origin})
            assert check_json_response(resp) == {"TableNames": []}
            assert cors_fields(resp) == {}, resp


def test_cors_default_allows_any_origin(emulator, key):
    # Like DynamoDB Local, CORS is on for every origin unless told otherwise
    # (config.h: cors = "*"); the shared emulator runs without --cors.
    origin = "http://localhost:3000"
    with Conn(emulator) as c:
        check_preflight(preflight(c, origin, ASKED), origin)
        check_cors_post(c.call("ListTables", b"{}", access_key=key, headers={"Origin": origin}),
                        origin)


def test_no_cors_flag_sends_no_cors_fields(emulator_factory, key):
    emu = emulator_factory(in_memory=True, extra_args=["--no-cors"])
    origin = "https://app.example.com"
    with Conn(emu) as c:
        resp = preflight(c, origin, ASKED)
        assert resp.status == 200 and cors_fields(resp) == {}, resp
        resp = c.call("ListTables", b"{}", access_key=key, headers={"Origin": origin})
        assert check_json_response(resp) == {"TableNames": []}
        assert cors_fields(resp) == {}, resp


# --------------------------------------------------------------------------
# garbage on the wire
# --------------------------------------------------------------------------

GARBAGE = {
    "not_http": b"NOT HTTP\r\n\r\n",
    "tls_client_hello": bytes.fromhex("16030100a5010000a10303") + bytes(range(32)) + b"\x00" * 40,
    "bad_content_length": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    "header_without_colon": b"POST / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    "bad_chunk_size": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n",
    "huge_header": b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
    "nul_bytes": b"\x00" * 64,
    # Ambiguous framing (request smuggling material) must not be guessed at.
    "two_content_lengths": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                           b"Content-Length: 5\r\n\r\n{}",
    "content_length_and_chunked": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                  b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "unknown_transfer_coding": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}",
    "negative_content_length": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
    "space_before_colon": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n{}",
}


def refuse_garbage(conn, data):
    """Send data; the server must answer with a 4xx or nothing, and close."""
    try:
        conn.send(data)
    except (BrokenPipeError, ConnectionResetError):
        return
    try:
        while b"\r\n\r\n" not in conn.buf:
            conn._fill()
    except (EOFError, ConnectionResetError):
        assert not conn.buf or conn.buf.startswith(b"HTTP/1."), conn.buf[:200]
        return
    except socket.timeout:
        pytest.fail(f"no answer and no close within {TIMEOUT} s")
    resp = conn.read_response()
    assert 400 <= resp.status < 500, resp
    assert conn.closed_by_peer(), "connection left open after a framing error"


@pytest.mark.parametrize("data", list(GARBAGE.values()), ids=list(GARBAGE))
def test_garbage_is_refused_and_server_survives(emulator, key, data):
    with Conn(emulator) as c:
        refuse_garbage(c, data)
    with Conn(emulator) as c:
        assert list_tables(c, key) == []


def test_garbage_after_a_good_request(emulator, key):
    with Conn(emulator) as c:
        c.send(request("ListTables", b"{}", access_key=key) + b"\x01\x02 garbage\r\n\r\n")
        assert check_json_response(c.read_response()) == {"TableNames": []}
        refuse_garbage(c, b"")
    with Conn(emulator) as c:
        assert list_tables(c, key) == []


def test_client_vanishing_mid_request_is_harmless(emulator, key):
    raw = request("ListTables", b'{"Limit": 1}', access_key=key)
    for cut in (10, raw.index(b"\r\n\r\n") + 4, len(raw) - 1):
        c = Conn(emulator)
        c.send(raw[:cut])
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()  # with SO_LINGER 0: a reset
    errors = []

    def worker():
        try:
            with Conn(emulator) as c:
                for _ in range(5):
                    assert list_tables(c, key) == []
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not errors, errors
