"""The WebSocket handshake: completed only when $connect approves, with the status the
function chose otherwise, 502 when the invocation fails; and the $connect event's fields."""

import json
import re
import threading

import pytest
import websockets

from gateway_support import (API_ID, STAGE, RawClient, chat_api, connection_id_of, fake,  # noqa
                             gateway, gateway_factory, run)

ID_RE = re.compile(r"^[A-Za-z0-9_-]{15}=$")
CLF_RE = re.compile(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")


def test_connect_event_has_every_field(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url() + "?token=abc&tag=1&tag=2",
                                      extra_headers={"X-Custom": "v"}) as ws:
            await ws.send(json.dumps({"action": "echo"}))
            assert await ws.recv() == 'echo:{"action": "echo"}'
    run(go())
    (event,) = fake.received("connect")
    rc = event["requestContext"]
    assert rc["routeKey"] == "$connect"
    assert rc["eventType"] == "CONNECT"
    assert "messageId" not in rc
    assert ID_RE.match(rc["connectionId"]) and ID_RE.match(rc["requestId"])
    assert rc["extendedRequestId"] == rc["requestId"]
    assert CLF_RE.match(rc["requestTime"])
    assert isinstance(rc["requestTimeEpoch"], int) and isinstance(rc["connectedAt"], int)
    assert rc["requestTimeEpoch"] >= rc["connectedAt"]
    assert rc["messageDirection"] == "IN"
    assert rc["stage"] == STAGE and rc["apiId"] == API_ID
    assert rc["domainName"] == API_ID + ".execute-api.us-east-1.amazonaws.com"
    assert rc["identity"]["sourceIp"] == "127.0.0.1"
    assert "websockets" in rc["identity"]["userAgent"]
    assert event["headers"]["X-Custom"] == "v"
    assert event["headers"]["Sec-WebSocket-Version"] == "13"
    assert event["multiValueHeaders"]["X-Custom"] == ["v"]
    assert event["queryStringParameters"] == {"token": "abc", "tag": "2"}
    assert event["multiValueQueryStringParameters"] == {"token": ["abc"], "tag": ["1", "2"]}
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    # connectedAt is the same on every event of the connection.
    (message,) = fake.received("echo")
    assert message["requestContext"]["connectedAt"] == rc["connectedAt"]
    assert message["requestContext"]["connectionId"] == rc["connectionId"]
    (disconnect,) = fake.wait_for(1, "disconnect")
    assert disconnect["requestContext"]["connectedAt"] == rc["connectedAt"]


def test_connect_without_query_has_no_query_members(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url()):
            pass
    run(go())
    (event,) = fake.received("connect")
    assert "queryStringParameters" not in event
    assert "multiValueQueryStringParameters" not in event


@pytest.mark.parametrize("status", [401, 403, 500])
def test_connect_refused_with_the_functions_status(gateway, fake, status):
    fake.on("connect", lambda e: {"statusCode": status, "body": "no"})

    async def go():
        with pytest.raises(websockets.exceptions.InvalidStatusCode) as info:
            async with websockets.connect(gateway.url()):
                pass
        return info.value.status_code
    assert run(go()) == status
    # A refused connection never existed: no $disconnect.
    assert fake.received("disconnect") == []


def test_connect_function_error_is_502(gateway, fake):
    def fail(e):
        raise ValueError("nope")
    fake.on("connect", fail)
    client = RawClient(gateway.port)
    assert client.status == 502
    client.close()
    assert fake.received("disconnect") == []


def test_lambda_unreachable_is_502(gateway_factory, fake):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = "http://127.0.0.1:%d" % s.getsockname()[1]
    s.close()
    g = gateway_factory(lambda_url=dead)
    client = RawClient(g.port)
    assert client.status == 502
    client.close()


def test_no_connect_route_accepts(gateway_factory, fake):
    api = chat_api()
    api["routes"] = [r for r in api["routes"] if r["routeKey"] != "$connect"]
    g = gateway_factory(apis=[api])

    async def go():
        async with websockets.connect(g.url()) as ws:
            await ws.send(json.dumps({"action": "echo", "n": 1}))
            return await ws.recv()
    assert run(go()) == 'echo:{"action": "echo", "n": 1}'


def test_no_frame_flows_before_approval(gateway, fake):
    # The upgrade's 101 comes only after $connect returned: while the function runs, the
    # client has no WebSocket yet.
    release = threading.Event()
    entered = threading.Event()

    def slow(e):
        entered.set()
        release.wait(10)
        return {"statusCode": 200}
    fake.on("connect", slow)
    result = {}

    def connect():
        result["client"] = RawClient(gateway.port)
    t = threading.Thread(target=connect)
    t.start()
    assert entered.wait(10)
    t.join(0.3)
    assert t.is_alive(), "the handshake completed before $connect returned"
    release.set()
    t.join(10)
    assert result["client"].status == 101
    result["client"].close()


def test_unknown_stage_is_forbidden(gateway):
    client = RawClient(gateway.port, path="/nosuchstage")
    assert client.status == 403
    client.close()


def test_two_apis_on_one_stage_told_apart(gateway_factory, fake):
    other = chat_api(apiId="zzzzzzzzzz", logicalId="Other")
    g = gateway_factory(apis=[chat_api(), other])
    # Ambiguous without an API id or Host.
    c = RawClient(g.port)
    assert c.status == 403
    c.close()
    c = RawClient(g.port, path="/zzzzzzzzzz/" + STAGE)
    assert c.status == 101
    c.close()
    fake.wait_for(1, "connect")
    assert fake.received("connect")[-1]["requestContext"]["apiId"] == "zzzzzzzzzz"
