"""The HTTP front end as DynamoDB's: what is not a POST of a DynamoDB request, the headers
every response carries, the order in which a bad request's faults are reported, and request
bodies with a Content-Encoding (gzip, deflate), raw over a socket.

DynamoDB's answers: dynalite's index.js (recorded from the service) for methods, content types,
the order of the checks and the 404 body; ScyllaDB's test/alternator/test_compressed_request.py
(run against DynamoDB) for encoded bodies."""

import email.utils
import gzip
import json
import time
import zlib

import pytest

import support
from test_http import (JSON_TYPE, REQUEST_ID_RE, TOO_LARGE_MESSAGE, TOO_LARGE_TYPE, Conn,
                       check_json_response, dumps, list_tables, request, table_body)

NOT_AN_OPERATION = b"<UnknownOperationException/>\n"


@pytest.fixture
def key():
    return support.unique_key("AKIDWIRE")


def check_common_headers(resp):
    """x-amzn-RequestId, x-amz-crc32 (of the body) and Date on every response."""
    rid = resp.header("x-amzn-RequestId")
    assert rid and REQUEST_ID_RE.match(rid), resp
    assert int(resp.header("x-amz-crc32")) == zlib.crc32(resp.body), resp
    date = email.utils.parsedate_to_datetime(resp.header("Date"))
    assert abs(date.timestamp() - time.time()) < 120, resp.header("Date")
    assert resp.header("Date").endswith(" GMT")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "BREW"])
def test_other_methods_are_not_operations(emulator, key, method):
    with Conn(emulator) as c:
        resp = c.call("ListTables", b'{"x": 1}', method=method, access_key=key)
        assert resp.status == 404, resp
        assert resp.reason == "Not Found"
        assert resp.body == NOT_AN_OPERATION
        assert resp.header("x-amz-crc32") == "3552371480"  # what DynamoDB sends with it
        check_common_headers(resp)
        # The refused request's body was consumed: the connection still works.
        assert list_tables(c, key) == []


def test_head_gets_the_header_without_the_body(emulator, key):
    with Conn(emulator) as c:
        c.send(request(None, None, method="HEAD", access_key=None))
        while b"\r\n\r\n" not in c.buf:
            c._fill()
        head, c.buf = c.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 404 Not Found\r\n"), head
        assert head.endswith(b"\r\nContent-Length: 29") or b"\r\nContent-Length: 29\r\n" in head, head
        assert list_tables(c, key) == []  # no body bytes came before this answer


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-amz-json-1.1",
                                          "application/xml", "application/x-www-form-urlencoded"])
def test_foreign_or_missing_content_type_is_not_an_operation(emulator, key, content_type):
    with Conn(emulator) as c:
        resp = c.call("ListTables", b"{}", access_key=key, headers={"Content-Type": content_type})
        assert resp.status == 404, resp
        assert resp.body == NOT_AN_OPERATION
        check_common_headers(resp)
        # Without a body there is no content to type.
        resp = c.call("ListTables", b"", access_key=key, headers={"Content-Type": content_type})
        assert check_json_response(resp) == {"TableNames": []}


def test_application_json_is_answered_in_application_json(emulator, key):
    with Conn(emulator) as c:
        resp = c.call("ListTables", b"{}", access_key=key,
                      headers={"Content-Type": "application/json; charset=utf-8"})
        assert resp.status == 200, resp
        assert resp.header("Content-Type") == "application/json"
        assert resp.json() == {"TableNames": []}
        resp = c.call("ListTables", b"{}", access_key=key,
                      headers={"Content-Type": JSON_TYPE + "; charset=UTF-8"})
        assert check_json_response(resp) == {"TableNames": []}


def test_unknown_operation_body_is_dynamodbs(emulator, key):
    with Conn(emulator) as c:
        for target in ("MakeCoffee", None):
            resp = c.call(target, b"{}", access_key=key)
            assert check_json_response(resp, 400) == {
                "__type": "com.amazon.coral.service#UnknownOperationException"}


def test_faults_reported_in_dynamodbs_order(emulator, key):
    with Conn(emulator) as c:
        # A body that is not JSON, before the target and the credentials.
        resp = c.call("MakeCoffee", b"not json", access_key=None)
        doc = check_json_response(resp, 400)
        assert doc["__type"] == "com.amazon.coral.service#SerializationException", doc
        # An unknown target before the missing credentials.
        resp = c.call("MakeCoffee", b"{}", access_key=None)
        assert check_json_response(resp, 400)["__type"].endswith("#UnknownOperationException")
        resp = c.call("ListTables", b"{}", access_key=None)
        assert check_json_response(resp, 400) == {
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token"}


def test_every_response_has_request_id_crc_and_date(emulator, key):
    with Conn(emulator) as c:
        responses = [
            c.call("ListTables", b"{}", access_key=key),                        # 200
            c.call("DescribeTable", dumps({"TableName": "no"}), access_key=key),  # 400
            c.call("ListTables", b"{}", method="PUT", access_key=key),           # 404
            c.call(None, None, method="GET", access_key=None),                   # health
            c.call("ListTables", b"", method="OPTIONS", access_key=None,
                   headers={"Origin": "http://localhost"}),                       # preflight
            c.call("ListTables", b"x", access_key=key,
                   headers={"Content-Encoding": "gzip"}),                         # 500
        ]
        assert [r.status for r in responses] == [200, 400, 404, 200, 200, 500]
        for r in responses:
            check_common_headers(r)
    with Conn(emulator) as c:
        c.send(request("BatchWriteItem", b"", access_key=key,
                       headers={"Content-Length": str(16 * 1024 * 1024 + 1)}))
        resp = c.read_response()
        assert resp.status == 413
        check_common_headers(resp)


# --------------------------------------------------------------------------
# Content-Encoding
# --------------------------------------------------------------------------

def put_body(table, pk, **attrs):
    item = {"id": {"S": pk}}
    item.update({k: {"S": v} for k, v in attrs.items()})
    return dumps({"TableName": table, "Item": item})


def get_item(c, key, table, pk):
    resp = c.call("GetItem", dumps({"TableName": table, "Key": {"id": {"S": pk}},
                                    "ConsistentRead": True}), access_key=key)
    return check_json_response(resp).get("Item")


@pytest.fixture
def table(emulator, key):
    name = support.unique_name("enc")
    with Conn(emulator) as c:
        check_json_response(c.call("CreateTable", table_body(name), access_key=key))
    return name


def encoded_put(c, key, body, encoding):
    return c.call("PutItem", body, access_key=key, headers={"Content-Encoding": encoding})


@pytest.mark.parametrize("encoding, encode", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("GZIP", gzip.compress),
    ("identity", lambda b: b),
    ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ("deflate, gzip", lambda b: gzip.compress(zlib.compress(b))),
], ids=["gzip", "deflate", "upper_case", "identity", "gzip_twice", "deflate_then_gzip"])
def test_encoded_bodies_are_decoded(emulator, key, table, encoding, encode):
    with Conn(emulator) as c:
        resp = encoded_put(c, key, encode(put_body(table, "a", v="x" * 5000)), encoding)
        assert check_json_response(resp) == {}
        assert get_item(c, key, table, "a") == {"id": {"S": "a"}, "v": {"S": "x" * 5000}}
        c.assert_open()


def test_concatenated_gzip_members_are_one_body(emulator, key, table):
    body = put_body(table, "two")
    with Conn(emulator) as c:
        resp = encoded_put(c, key, gzip.compress(body[:10]) + gzip.compress(body[10:]), "gzip")
        assert check_json_response(resp) == {}
        assert get_item(c, key, table, "two") == {"id": {"S": "two"}}


def bad_encodings(table):
    body = put_body(table, "bad")
    gz, z = gzip.compress(body), zlib.compress(body)
    return {
        "not_gzip": ("gzip", body),
        "not_deflate": ("deflate", body),
        "empty_gzip": ("gzip", b""),
        "empty_deflate": ("deflate", b""),
        "truncated": ("gzip", gz[:-1]),
        "trailing_junk": ("gzip", gz + b"junk"),
        "two_deflate_streams": ("deflate", z + z),
        "unknown": ("br", gz),
        "garbage_name": ("garbage", body),
        "gzip_twice_but_once": ("gzip, gzip", gz),
    }


@pytest.mark.parametrize("case", list(bad_encodings("t")))
def test_broken_empty_or_unknown_encodings_are_internal_errors(emulator, key, table, case):
    encoding, data = bad_encodings(table)[case]
    with Conn(emulator) as c:
        resp = encoded_put(c, key, data, encoding)
        doc = check_json_response(resp, 500)
        assert doc["__type"] == "com.amazonaws.dynamodb.v20120810#InternalServerError", doc
        assert get_item(c, key, table, "bad") is None  # nothing was written
        c.assert_open()


def test_a_decompression_bomb_stops_at_the_limit(emulator, key, table):
    # 64 MB of spaces inside a valid request, 64 KB compressed: refused as too large, at once.
    body = put_body(table, "bomb")
    big = body[:-1] + b" " * (64 * 1024 * 1024) + body[-1:]
    bomb = gzip.compress(big, compresslevel=9)
    assert len(bomb) < 100 * 1024
    with Conn(emulator) as c:
        start = time.monotonic()
        resp = encoded_put(c, key, bomb, "gzip")
        assert time.monotonic() - start < 5
        doc = check_json_response(resp, 413)
        assert doc == {"__type": TOO_LARGE_TYPE, "message": TOO_LARGE_MESSAGE}
        assert get_item(c, key, table, "bomb") is None
    # Exactly at the limit is fine: 16 MB decoded.
    pad = 16 * 1024 * 1024 - len(body)
    exact = body[:-1] + b" " * pad + body[-1:]
    assert len(exact) == 16 * 1024 * 1024
    with Conn(emulator) as c:
        assert check_json_response(encoded_put(c, key, gzip.compress(exact), "gzip")) == {}


def gzip_requests(client):
    """Make a boto3 client send every request body gzip-compressed, as SDKs with request
    compression do (botocore's own option is newer than Debian's): compressed before signing,
    so that the signature covers the bytes sent."""
    def compress(request, **kwargs):
        request.data = gzip.compress(request.body if isinstance(request.body, bytes)
                                     else request.body.encode())
        request.headers["Content-Encoding"] = "gzip"
    client.meta.events.register("before-sign.dynamodb", compress)
    return client


def test_boto3_with_gzip_request_bodies(emulator, key, table):
    client = gzip_requests(support.make_client(emulator.endpoint, access_key=key))
    sent = []
    client.meta.events.register(
        "before-send.dynamodb",
        lambda request, **kw: sent.append((request.headers.get("Content-Encoding"),
                                           request.body[:2])))
    client.put_item(TableName=table, Item={"id": {"S": "boto"}, "v": {"S": "y" * 100}})
    item = client.get_item(TableName=table, Key={"id": {"S": "boto"}}, ConsistentRead=True)
    assert item["Item"] == {"id": {"S": "boto"}, "v": {"S": "y" * 100}}
    assert len(sent) == 2
    assert all(enc in (b"gzip", "gzip") and body == b"\x1f\x8b" for enc, body in sent), sent


# --------------------------------------------------------------------------
# Oversized request line and headers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["url", "header", "many_headers"])
def test_oversized_request_line_or_headers_is_a_bare_400(emulator, key, where):
    """DynamoDB refuses a 17,000-character URL with 400 Bad Request (no JSON error body, no
    InvalidSignatureException: it is not read); so are headers past 16 KB."""
    if where == "url":
        raw = request("ListTables", b"{}", path="/" + "x" * 17000, access_key=key)
    elif where == "header":
        raw = request("ListTables", b"{}", access_key=key, headers={"X-Big": "a" * 17000})
    else:
        raw = request("ListTables", b"{}", access_key=key,
                      headers={f"X-H{i}": "v" * 100 for i in range(200)})
    with Conn(emulator) as c:
        c.send(raw)
        resp = c.read_response()
        assert resp.status == 400 and resp.reason == "Bad Request", resp
        assert resp.body == b""
        assert resp.header("Connection").lower() == "close"
        check_common_headers(resp)
        c.assert_closed()
    # Big, but within the limit: served.
    with Conn(emulator) as c:
        resp = c.call("ListTables", b"{}", access_key=key, headers={"X-Big": "a" * 8000})
        assert check_json_response(resp) == {"TableNames": []}
