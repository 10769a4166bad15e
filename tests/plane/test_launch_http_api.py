"""The launcher with an HTTP API and authorizers (templates/http_authorized.yaml): the `ready:
http` line, a SAM HttpApi route behind its default Lambda authorizer (simple responses) and one
that opts out, CORS, and a WebSocket $connect authorizer whose context the real functions read,
all through the real Lambda host and Python functions."""

import asyncio
import http.client
import json
import pathlib
import urllib.parse

import pytest
import websockets

import test_launch

TEMPLATE = pathlib.Path(__file__).resolve().parent / "templates" / "http_authorized.yaml"


@pytest.fixture
def stack(tmp_path, monkeypatch):
    monkeypatch.setattr(test_launch, "TEMPLATE", TEMPLATE)
    s = test_launch.Stack(tmp_path, "--stack-name", "authz")
    yield s
    s.stop()


def call(url, path, headers=None, method="GET"):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    conn.request(method, u.path.rstrip("/") + path, headers=headers or {})
    r = conn.getresponse()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    conn.close()
    return out


def test_http_api_behind_its_authorizer(stack):
    url = stack.ready["http authz-http"]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
    assert list(stack.ready)[-1] == "lambda"  # still the last line
    assert stack.outputs["HttpUrl"].endswith("(here: %s)" % url)
    status, headers, body = call(url, "/items/42?q=x", {"Authorization": "let-me-in"})
    assert status == 200, (body, stack.log())
    event = json.loads(body)
    assert event == {"routeKey": "GET /items/{id}", "rawPath": "/v1/items/42",
                     "pathParameters": {"id": "42"}, "query": {"q": "x"}, "method": "GET",
                     "stage": "v1", "authorizer": {"lambda": {"user": "bob"}}}
    assert headers["set-cookie"] == "seen=1"
    assert call(url, "/items/42", {"Authorization": "wrong"})[0] == 403
    assert call(url, "/items/42")[:1] == (401,)
    # Auth: {Authorizer: NONE}; a result without statusCode is JSON with 200.
    status, headers, body = call(url, "/plain")
    assert (status, json.loads(body)) == (200, {"plain": True})
    assert headers["content-type"] == "application/json"
    assert call(url, "/nowhere")[:1] == (404,)
    # The CORS preflight is the gateway's.
    status, headers, _ = call(url, "/items/1", {"Origin": "https://app.example.com",
                                               "Access-Control-Request-Method": "GET"}, "OPTIONS")
    assert status == 204 and headers["access-control-max-age"] == "600"


def test_websocket_connect_authorizer(stack):
    url = stack.ready["websocket authz-chat"]

    async def talk():
        async with websockets.connect(url + "?token=good") as ws:
            await ws.send("who am I?")
            return json.loads(await asyncio.wait_for(ws.recv(), 20))

    # The context reached $connect (which checks it) and the later message.
    assert asyncio.run(talk()) == {"level": 3, "principalId": "user-good", "user": "ann"}

    async def status(query):
        try:
            async with websockets.connect(url + query):
                return 101
        except websockets.exceptions.InvalidStatusCode as e:
            return e.status_code

    assert asyncio.run(status("?token=bad")) == 403
    assert asyncio.run(status("?token=unauthorized")) == 401
    assert asyncio.run(status("")) == 401
