"""Fixtures and helpers for the gateway's end-to-end tests (tests/plane/test_gateway_*.py).

The gateway binary comes from $GATEWAY_BIN (default <repo>/build/bin/gateway); functions
are answered by fake_lambda.FakeLambda. Test modules import the fixtures from here.
"""

import asyncio
import base64
import json
import os
import pathlib
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.request

import boto3
import botocore.config
import pytest

from fake_lambda import FakeLambda

GATEWAY_BIN = os.environ.get(
    "GATEWAY_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "bin" / "gateway"))
API_ID = "a1b2c3d4e5"
STAGE = "prod"


def chat_api(**overrides):
    """A WebSocket API whose routes name functions the tests register on the fake."""
    api = {
        "logicalId": "ChatApi", "name": "chat", "apiId": API_ID, "stage": STAGE,
        "routeSelectionExpression": "$request.body.action",
        "routes": [
            {"routeKey": "$connect", "function": "connect", "authorizer": None,
             "routeResponse": False},
            {"routeKey": "$disconnect", "function": "disconnect", "routeResponse": False},
            {"routeKey": "echo", "function": "echo", "routeResponse": True},
            {"routeKey": "quiet", "function": "quiet", "routeResponse": False},
            {"routeKey": "boom", "function": "boom", "routeResponse": True},
            {"routeKey": "$default", "function": "default", "routeResponse": True},
        ],
    }
    api.update(overrides)
    return api


class Gateway:
    def __init__(self, proc, port, log, http_port=None):
        self.proc, self.port, self.log, self.http_port = proc, port, log, http_port

    def url(self, path="/" + STAGE):
        return "ws://127.0.0.1:%d%s" % (self.port, path)

    def http(self, method, path, body=None, headers=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path),
                                     data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def advance(self, seconds):
        status, _, body = self.http("POST", "/_plane/clock",
                                    json.dumps({"advanceSeconds": seconds}).encode())
        assert status == 200, body
        return json.loads(body)

    def management(self, stage=STAGE, prefix=""):
        return boto3.client(
            "apigatewaymanagementapi",
            endpoint_url="http://127.0.0.1:%d%s/%s" % (self.port, prefix, stage),
            region_name="us-east-1", aws_access_key_id="AKIDTEST",
            aws_secret_access_key="secret",
            config=botocore.config.Config(retries={"max_attempts": 1}))

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_gateway(tmp_path, lambda_url, apis=None, args=(), http_apis=None):
    plan = {"stackName": "chat", "region": "us-east-1", "accountId": "123456789012",
            "websocketApis": apis if apis is not None else [chat_api()],
            "httpApis": http_apis or []}
    plan_file = tmp_path / ("plan-%d.json" % time.monotonic_ns())
    plan_file.write_text(json.dumps(plan))
    proc = subprocess.Popen(
        [GATEWAY_BIN, "--plan", str(plan_file), "--port", "0",
         "--lambda-endpoint", lambda_url, *args],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    log = []
    port = http_port = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        log.append(line)
        if "gateway: HTTP APIs on" in line:
            http_port = int(line.strip().rsplit(":", 1)[1])
        if "gateway: listening on" in line:
            port = int(line.strip().rsplit(":", 1)[1])
            break
    if port is None:
        proc.kill()
        raise RuntimeError("gateway did not start: " + "".join(log))

    def drain():
        for line in proc.stderr:
            log.append(line)
    threading.Thread(target=drain, daemon=True).start()
    return Gateway(proc, port, log, http_port)


@pytest.fixture
def fake():
    f = FakeLambda()
    f.on("connect", lambda e: {"statusCode": 200})
    f.on("disconnect", lambda e: {"statusCode": 200})
    f.on("echo", lambda e: {"statusCode": 200, "body": "echo:" + e["body"]})
    f.on("quiet", lambda e: {"statusCode": 200, "body": "never sent"})
    f.on("default", lambda e: {"statusCode": 200, "body": "default:" + e["body"]})

    def boom(e):
        raise RuntimeError("boom")
    f.on("boom", boom)
    yield f
    f.close()


@pytest.fixture
def gateway_factory(tmp_path, fake):
    started = []

    def start(apis=None, args=(), lambda_url=None, http_apis=None):
        g = start_gateway(tmp_path, lambda_url or fake.url, apis, args, http_apis)
        started.append(g)
        return g
    yield start
    for g in started:
        g.stop()


@pytest.fixture
def gateway(gateway_factory):
    return gateway_factory()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


async def connection_id_of(fake, ws_send, ws_recv):
    """The connection id, learned by asking the echo function (its event carries it)."""
    await ws_send(json.dumps({"action": "echo", "who": "me"}))
    await ws_recv()
    return fake.received("echo")[-1]["requestContext"]["connectionId"]


# A raw client for what websockets will not send (binary and oversized frames, no close frame,
# a client that stops reading).
class RawClient:
    def __init__(self, port, path="/" + STAGE, rcvbuf=None, headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        key = base64.b64encode(os.urandom(16)).decode()
        extra = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n%s\r\n"
                           % (path, port, key, extra)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                break
            head += chunk
        self.status = int(head.split(b" ")[1]) if head else 0
        self.head = head.decode(errors="replace")
        self.buffer = b""

    def send_frame(self, opcode, payload, fin=True, mask=True):
        header = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        m = 0x80 if mask else 0
        if n < 126:
            header += bytes([m | n])
        elif n <= 0xFFFF:
            header += bytes([m | 126]) + struct.pack("!H", n)
        else:
            header += bytes([m | 127]) + struct.pack("!Q", n)
        if mask:
            key = os.urandom(4)
            header += key
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + payload)

    def read_frame(self):
        """(opcode, payload), or None at end of stream."""
        def need(k):
            while len(self.buffer) < k:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return False
                self.buffer += chunk
            return True
        if not need(2):
            return None
        opcode, n = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F
        at = 2
        if n == 126:
            need(4)
            n, at = struct.unpack("!H", self.buffer[2:4])[0], 4
        elif n == 127:
            need(10)
            n, at = struct.unpack("!Q", self.buffer[2:10])[0], 10
        if not need(at + n):
            return None
        payload = self.buffer[at:at + n]
        self.buffer = self.buffer[at + n:]
        return opcode, payload

    def read_close(self):
        """The close frame's (code, reason), skipping data frames; None if none came."""
        while True:
            frame = self.read_frame()
            if frame is None:
                return None
            if frame[0] == 0x8:
                code = struct.unpack("!H", frame[1][:2])[0] if len(frame[1]) >= 2 else 1005
                return code, frame[1][2:].decode()

    def close(self):
        self.sock.close()
