"""awsproto's clients end to end (services/awsproto: http_client, json_client, connections),
through awsproto_call (services/awsproto/call_tool.cc):

* https with OpenSSL against small Python TLS servers: keep-alive, the resend on a stale
  connection, certificates from plane-ca and from the openssl CLI, an untrusted CA and a
  certificate for another name failing with a clear error;
* DynamoDB's JSON protocol against the real emulator: PutItem, GetItem, a condition failure with
  its old item, TransactWriteItems cancelled with its reasons, error types, DynamoDB Streams;
* @connections against the real gateway over TLS: post, get, delete, then Gone.

Binaries: $AWSPROTO_CALL_BIN, $EMULATOR_BIN, $GATEWAY_BIN, $PLANE_CA_BIN (default
<repo>/build/bin/...). Run: /usr/bin/python3 -m pytest tests/services -q
"""

import asyncio
import json
import os
import pathlib
import re
import socket
import ssl
import subprocess
import sys
import threading
import time

import boto3
import pytest
import websockets

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "plane"))

from fake_lambda import FakeLambda  # noqa: E402
from gateway_support import GATEWAY_BIN, STAGE, start_gateway  # noqa: E402

BIN = REPO / "build" / "bin"
CALL_BIN = os.environ.get("AWSPROTO_CALL_BIN", str(BIN / "awsproto_call"))
EMULATOR_BIN = os.environ.get("EMULATOR_BIN", str(BIN / "emulator"))
PLANE_CA_BIN = os.environ.get("PLANE_CA_BIN", str(BIN / "plane-ca"))
REGION = "us-east-1"


def call(*args, env=None, stdin=""):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_SESSION_TOKEN": "token"}
    base.update(env or {})
    out = subprocess.run([CALL_BIN, *args], input=stdin, capture_output=True, text=True,
                         env=base, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ---------------------------------------------------------------------------------------------
# TLS


@pytest.fixture(scope="module")
def plane_certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plane-tls")
    out = subprocess.run([PLANE_CA_BIN, "--dir", str(folder)], check=True, capture_output=True,
                         text=True).stdout
    return dict(line.split(": ", 1) for line in out.splitlines())  # ca, cert, key, bundle


@pytest.fixture(scope="module")
def other_name_cert(tmp_path_factory):
    """A self-signed certificate (its own CA) for other.example only, from the openssl CLI."""
    folder = tmp_path_factory.mktemp("other-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=other.example", "-addext", "subjectAltName=DNS:other.example",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return {"cert": str(cert), "key": str(key), "ca": str(cert)}


class TlsServer:
    """HTTP/1.1 over TLS on 127.0.0.1, one connection at a time. mode 'keep-alive' answers every
    request of a connection; 'one-then-drop' answers the first request of each connection,
    then reads the next one and closes without a byte of reply; 'first-500' answers the first
    request of all 500, the others 200; 'gone' answers every request 410 GoneException. `log`:
    each request's target and body, in order."""

    def __init__(self, cert, key, mode="keep-alive"):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepts = 0
        self.requests = 0
        self.log = []
        self.handshake_errors = []
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            if self.stopping:
                raw.close()
                return
            self.accepts += 1
            raw.settimeout(10)
            try:
                conn = self.context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.handshake_errors.append(str(e))
                raw.close()
                continue
            try:
                self.handle(conn)
            except OSError:
                pass
            finally:
                conn.close()

    def read_request(self, conn, buffered):
        while b"\r\n\r\n" not in buffered[0]:
            chunk = conn.recv(4096)
            if not chunk:
                return False
            buffered[0] += chunk
        head, buffered[0] = buffered[0].split(b"\r\n\r\n", 1)
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        need = int(length.group(1)) if length else 0
        while len(buffered[0]) < need:
            buffered[0] += conn.recv(4096)
        body, buffered[0] = buffered[0][:need], buffered[0][need:]
        self.requests += 1
        self.log.append((head.split(b" ")[1].decode(), body.decode()))
        return True

    def handle(self, conn):
        buffered = [b""]
        served = 0
        while self.read_request(conn, buffered):
            if self.mode == "one-then-drop" and served == 1:
                return
            if self.mode == "gone":
                conn.sendall(b"HTTP/1.1 410 Gone\r\nx-amzn-ErrorType: GoneException\r\n"
                             b"Content-Length: 2\r\n\r\n{}")
                served += 1
                continue
            if self.mode == "first-500" and self.requests == 1:
                body = b'{"message":"Internal server error"}'
                conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                served += 1
                continue
            body = b"answer %d on connection %d" % (self.requests, self.accepts)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            served += 1

    def close(self):
        self.stopping = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=10)


@pytest.fixture
def tls_server(plane_certs):
    servers = []

    def start(mode="keep-alive", certs=None):
        certs = certs or plane_certs
        s = TlsServer(certs["cert"], certs["key"], mode)
        servers.append(s)
        return s
    yield start
    for s in servers:
        s.close()


def test_https_keeps_one_connection_for_a_name_and_for_an_address(tls_server, plane_certs):
    server = tls_server()
    for host in ("localhost", "127.0.0.1"):
        out = call("get", "https://%s:%d/" % (host, server.port), "3",
                   env={"AWS_CA_BUNDLE": plane_certs["ca"]})
        assert [r.get("status") for r in out["responses"]] == [200, 200, 200], out
        assert out["responses"][2]["body"].startswith("answer")
        assert out["connections"] == 1
    assert server.accepts == 2 and server.requests == 6


def test_https_resends_once_when_a_reused_connection_is_dropped(tls_server, plane_certs):
    server = tls_server("one-then-drop")
    out = call("get", "https://localhost:%d/" % server.port, "3",
               env={"AWS_CA_BUNDLE": plane_certs["ca"]})
    assert [r.get("status") for r in out["responses"]] == [200, 200, 200], out
    assert out["connections"] == 3
    # Each of the second and third requests went out twice: once on the dropped connection.
    assert server.requests == 5


def test_an_untrusted_ca_is_a_clear_tls_error(tls_server, plane_certs, tmp_path):
    server = tls_server()
    # The system's store (no AWS_CA_BUNDLE) does not hold the plane's CA.
    out = call("get", "https://localhost:%d/" % server.port, "1")
    error = out["responses"][0]
    assert error["kind"] == "Tls", out
    assert "TLS with localhost:%d failed: the server's certificate is not trusted" % server.port \
        in error["error"], error
    assert out["connections"] == 0
    # A bundle that cannot be read is refused before any connection.
    missing = subprocess.run([CALL_BIN, "get", "https://localhost:%d/" % server.port, "1"],
                             capture_output=True, text=True,
                             env={"AWS_CA_BUNDLE": str(tmp_path / "none.pem")})
    assert missing.returncode == 1
    assert "cannot load the CA bundle" in missing.stderr


def test_posts_over_https_to_one_connection_keep_their_order_through_a_retry(tls_server,
                                                                             plane_certs):
    # Over TLS post_to_connections sends one post after another, each with its retries before
    # the next: the first post, answered 500, is posted again before the second goes out.
    server = tls_server("first-500")
    out = call("connections", "--endpoint", "https://localhost:%d/prod" % server.port,
               "post-many", "a=1", "a=2", "b=3", env={"AWS_CA_BUNDLE": plane_certs["ca"]})
    assert [r["status"] for r in out["results"]] == ["Ok", "Ok", "Ok"], out
    assert server.log == [("/prod/@connections/a", "1"), ("/prod/@connections/a", "1"),
                          ("/prod/@connections/a", "2"), ("/prod/@connections/b", "3")]


def test_posts_over_https_stop_at_a_connection_answered_gone(tls_server, plane_certs):
    server = tls_server("gone")
    out = call("connections", "--endpoint", "https://localhost:%d/prod" % server.port,
               "post-many", "a=1", "a=2", "b=3", "a=4", env={"AWS_CA_BUNDLE": plane_certs["ca"]})
    assert [r["status"] for r in out["results"]] == ["Gone"] * 4, out
    assert [r["httpStatus"] for r in out["results"]] == [410] * 4
    assert server.log == [("/prod/@connections/a", "1"), ("/prod/@connections/b", "3")]


def test_a_certificate_for_another_name_is_refused(tls_server, other_name_cert):
    server = tls_server(certs=other_name_cert)
    env = {"AWS_CA_BUNDLE": other_name_cert["ca"]}
    for host, what in (("localhost", "hostname mismatch"), ("127.0.0.1", "IP address mismatch")):
        out = call("get", "https://%s:%d/" % (host, server.port), "1", env=env)
        error = out["responses"][0]
        assert error["kind"] == "Tls", out
        assert what in error["error"] and "not valid for %s" % host in error["error"], error
    assert server.requests == 0


def test_https_to_a_plain_text_port_is_a_tls_error():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer():
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        conn.close()
    t = threading.Thread(target=answer, daemon=True)
    t.start()
    out = call("get", "https://127.0.0.1:%d/" % port, "1")
    assert out["responses"][0]["kind"] == "Tls", out
    t.join(timeout=10)
    listener.close()


# ---------------------------------------------------------------------------------------------
# DynamoDB against the emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    if not os.path.exists(EMULATOR_BIN):
        pytest.skip("the emulator is not built")
    log_path = tmp_path_factory.mktemp("emulator") / "emulator.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([EMULATOR_BIN, "--port", "0", "--in-memory", "--shared-db"],
                            stdout=log, stderr=log)
    deadline = time.time() + 10
    while True:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", log_path.read_text())
        if match:
            break
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("emulator did not start: " + log_path.read_text())
        time.sleep(0.02)
    endpoint = "http://127.0.0.1:" + match.group(1)
    ddb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint,
                       aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    ddb.create_table(TableName="chat", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    yield endpoint, ddb
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def ddb(endpoint, op, body):
    return call("dynamodb", "DynamoDB_20120810." + op, stdin=json.dumps(body),
                env={"AWS_ENDPOINT_URL_DYNAMODB": endpoint})


def test_put_and_get_item(emulator):
    endpoint, boto = emulator
    out = ddb(endpoint, "PutItem", {"TableName": "chat",
                                    "Item": {"pk": {"S": "room#1"}, "n": {"N": "1"}}})
    assert out == {"attempts": 1, "result": {}}
    got = ddb(endpoint, "GetItem", {"TableName": "chat", "Key": {"pk": {"S": "room#1"}}})
    assert got["result"]["Item"] == {"pk": {"S": "room#1"}, "n": {"N": "1"}}
    # The same table boto3 sees: the access key and region name it.
    assert boto.get_item(TableName="chat", Key={"pk": {"S": "room#1"}})["Item"]["n"] == {"N": "1"}


def test_a_condition_failure_carries_the_old_item(emulator):
    endpoint, _ = emulator
    ddb(endpoint, "PutItem", {"TableName": "chat", "Item": {"pk": {"S": "c"}, "v": {"N": "7"}}})
    out = ddb(endpoint, "PutItem", {"TableName": "chat", "Item": {"pk": {"S": "c"}},
                                    "ConditionExpression": "attribute_not_exists(pk)",
                                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert out["attempts"] == 1  # never retried
    assert out["error"]["status"] == 400
    assert out["error"]["type"] == "ConditionalCheckFailedException"
    assert out["error"]["message"] == "The conditional request failed"
    assert out["error"]["item"] == {"pk": {"S": "c"}, "v": {"N": "7"}}


def test_transact_write_items_cancelled_with_its_reasons(emulator):
    endpoint, boto = emulator
    ddb(endpoint, "PutItem", {"TableName": "chat", "Item": {"pk": {"S": "t1"}, "v": {"N": "1"}}})
    out = ddb(endpoint, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "chat", "Item": {"pk": {"S": "t2"}}}},
        {"ConditionCheck": {"TableName": "chat", "Key": {"pk": {"S": "t1"}},
                            "ConditionExpression": "v = :two",
                            "ExpressionAttributeValues": {":two": {"N": "2"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Update": {"TableName": "chat", "Key": {"pk": {"S": "t3"}},
                    "UpdateExpression": "SET v = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ]})
    assert out["attempts"] == 1
    error = out["error"]
    assert error["type"] == "TransactionCanceledException"
    assert "[None, ConditionalCheckFailed, None]" in error["message"]
    codes = [r["code"] for r in error["reasons"]]
    assert codes == ["None", "ConditionalCheckFailed", "None"]
    assert error["reasons"][1]["message"] == "The conditional request failed"
    assert error["reasons"][1]["item"] == {"pk": {"S": "t1"}, "v": {"N": "1"}}
    assert error["reasons"][0]["item"] is None
    assert "Item" not in boto.get_item(TableName="chat", Key={"pk": {"S": "t2"}})


def test_error_types(emulator):
    endpoint, _ = emulator
    missing = ddb(endpoint, "GetItem", {"TableName": "nope", "Key": {"pk": {"S": "a"}}})
    assert missing["error"]["type"] == "ResourceNotFoundException"
    assert missing["attempts"] == 1
    invalid = ddb(endpoint, "GetItem", {"TableName": "chat", "Key": {"pk": {"N": "1"}}})
    assert invalid["error"]["type"] == "ValidationException"
    unknown = ddb(endpoint, "NoSuchOperation", {})
    assert unknown["error"]["status"] == 400 and unknown["error"]["type"]
    assert unknown["attempts"] == 1


def test_dynamodb_streams_through_its_own_variable(emulator):
    endpoint, boto = emulator
    arn = boto.describe_table(TableName="chat")["Table"]["LatestStreamArn"]
    out = call("streams", "DynamoDBStreams_20120810.DescribeStream",
               stdin=json.dumps({"StreamArn": arn}),
               env={"AWS_ENDPOINT_URL_DYNAMODB_STREAMS": endpoint,
                    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1"})
    assert out["result"]["StreamDescription"]["StreamArn"] == arn


def test_no_answer_is_retried_then_an_http_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = call("dynamodb", "DynamoDB_20120810.ListTables", stdin="{}",
               env={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:%d" % port,
                    "AWS_MAX_ATTEMPTS": "2"})
    assert out["attempts"] == 2
    assert out["httpError"]["kind"] == "Connect"


# ---------------------------------------------------------------------------------------------
# @connections against the gateway, over TLS


@pytest.fixture
def tls_gateway(tmp_path, plane_certs):
    fake = FakeLambda()
    for name in ("connect", "disconnect"):
        fake.on(name, lambda e: {"statusCode": 200})
    gateway = start_gateway(tmp_path, fake.url, args=["--tls-cert", plane_certs["cert"],
                                                      "--tls-key", plane_certs["key"]])
    yield gateway, fake
    gateway.stop()
    fake.close()


def test_post_get_delete_then_gone_over_https(tls_gateway, plane_certs):
    gateway, fake = tls_gateway
    env = {"AWS_CA_BUNDLE": plane_certs["ca"]}

    async def go():
        context = ssl.create_default_context(cafile=plane_certs["ca"])
        url = "wss://localhost:%d/%s" % (gateway.port, STAGE)
        async with websockets.connect(url, ssl=context, user_agent_header="chat-test/1") as ws:
            cid = fake.received("connect")[0]["requestContext"]["connectionId"]
            event = json.dumps({"requestContext": {"domainName": "localhost:%d" % gateway.port,
                                                   "stage": STAGE, "connectionId": cid}})
            posted = call("connections", "--event", event, "post", cid, "hello over https",
                          env=env)
            assert posted["endpoint"] == "https://localhost:%d/%s" % (gateway.port, STAGE)
            assert posted["status"] == "Ok" and posted["httpStatus"] == 200, posted
            assert await asyncio.wait_for(ws.recv(), 10) == "hello over https"

            got = call("connections", "--event", event, "get", cid, env=env)
            assert got["status"] == "Ok", got
            assert got["info"]["sourceIp"] == "127.0.0.1"
            assert got["info"]["userAgent"] == "chat-test/1"
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                                got["info"]["connectedAt"]), got
            assert got["info"]["lastActiveAt"] >= got["info"]["connectedAt"]

            deleted = call("connections", "--event", event, "delete", cid, env=env)
            assert deleted["status"] == "Ok" and deleted["httpStatus"] == 204, deleted
            gone = call("connections", "--event", event, "post", cid, "late", env=env)
            assert gone["status"] == "Gone" and gone["httpStatus"] == 410, gone
            assert gone["type"] == "GoneException"
            return cid
    cid = asyncio.run(asyncio.wait_for(go(), 60))
    assert cid.endswith("=") or cid  # ids are opaque; the encoded path worked either way


def test_the_variable_wins_over_the_event_and_errors_have_a_type(tls_gateway, plane_certs):
    gateway, _ = tls_gateway
    # An event that names AWS's host; the variable (no path: it stands for the domain) sends
    # the call to the plane's gateway, the stage from the event.
    event = json.dumps({"requestContext": {
        "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "stage": STAGE}})
    env = {"AWS_CA_BUNDLE": plane_certs["ca"],
           "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": "https://127.0.0.1:%d" % gateway.port}
    out = call("connections", "--event", event, "post", "neverSeen=", "x", env=env)
    assert out["endpoint"] == "https://127.0.0.1:%d/%s" % (gateway.port, STAGE)
    assert out["status"] == "Gone", out
    # Another stage: ForbiddenException, with its type from x-amzn-ErrorType.
    wrong = call("connections", "--endpoint", "https://127.0.0.1:%d/nostage" % gateway.port,
                 "get", "abc=", env=env)
    assert wrong["status"] == "Error" and wrong["httpStatus"] == 403, wrong
    assert wrong["type"] == "ForbiddenException"
    # Without the plane's CA: no answer, a TLS error as the message.
    untrusted = call("connections", "--endpoint", "https://127.0.0.1:%d/%s" % (gateway.port, STAGE),
                     "get", "abc=")
    assert untrusted["status"] == "Error" and untrusted["httpStatus"] == 0
    assert "not trusted" in untrusted["message"], untrusted
