"""Messages: routing on the route selection expression, $default, the Forbidden and Internal
server error frames, route responses, and the MESSAGE event's fields."""

import json
import re
import time

import websockets

from gateway_support import (API_ID, STAGE, chat_api, fake, gateway, gateway_factory,  # noqa
                             run)

ID_RE = re.compile(r"^[A-Za-z0-9_-]{15}=$")


def test_routes_on_the_action_member(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send('{"action": "echo", "x": 1}')
            assert await ws.recv() == 'echo:{"action": "echo", "x": 1}'
            await ws.send('{"action": "unknown"}')
            assert await ws.recv() == 'default:{"action": "unknown"}'
            await ws.send("not json at all")
            assert await ws.recv() == "default:not json at all"
            await ws.send('{"action": 5}')
            assert await ws.recv() == 'default:{"action": 5}'
    run(go())
    assert len(fake.received("echo")) == 1
    assert len(fake.received("default")) == 3


def test_message_event_fields(gateway, fake):
    body = '{"action": "echo", "text": "h\\u00e9llo \\"q\\""}'

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send(body)
            await ws.recv()
    run(go())
    (event,) = fake.received("echo")
    assert event["body"] == body  # verbatim
    assert event["isBase64Encoded"] is False
    assert "headers" not in event and "queryStringParameters" not in event
    rc = event["requestContext"]
    assert rc["routeKey"] == "echo"
    assert rc["eventType"] == "MESSAGE"
    assert ID_RE.match(rc["messageId"])
    assert ID_RE.match(rc["requestId"]) and rc["extendedRequestId"] == rc["requestId"]
    assert rc["messageDirection"] == "IN"
    assert rc["stage"] == STAGE and rc["apiId"] == API_ID
    assert rc["identity"]["sourceIp"] == "127.0.0.1"
    assert "disconnectStatusCode" not in rc
    connect = fake.received("connect")[0]["requestContext"]
    assert rc["connectionId"] == connect["connectionId"]
    assert rc["connectedAt"] == connect["connectedAt"]


def test_nested_selection_expression(gateway_factory, fake):
    api = chat_api(routeSelectionExpression="$request.body.meta.kind")
    api["routes"] = [{"routeKey": "echo", "function": "echo", "routeResponse": True},
                     {"routeKey": "$default", "function": "default", "routeResponse": True}]
    g = gateway_factory(apis=[api])

    async def go():
        async with websockets.connect(g.url()) as ws:
            await ws.send('{"meta": {"kind": "echo"}}')
            assert (await ws.recv()).startswith("echo:")
            await ws.send('{"action": "echo"}')
            assert (await ws.recv()).startswith("default:")
    run(go())


def test_no_route_and_no_default_is_a_forbidden_frame(gateway_factory, fake):
    api = chat_api()
    api["routes"] = [r for r in api["routes"] if r["routeKey"] != "$default"]
    g = gateway_factory(apis=[api])

    async def go():
        async with websockets.connect(g.url()) as ws:
            await ws.send('{"action": "nothing"}')
            frame = json.loads(await ws.recv())
            # The connection stays open.
            await ws.send('{"action": "echo"}')
            assert (await ws.recv()).startswith("echo:")
            return frame
    frame = run(go())
    connection_id = fake.received("connect")[0]["requestContext"]["connectionId"]
    assert frame["message"] == "Forbidden"
    assert frame["connectionId"] == connection_id
    assert ID_RE.match(frame["requestId"])
    assert fake.received("default") == []


def test_function_error_is_an_internal_server_error_frame(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send('{"action": "boom"}')
            frame = json.loads(await ws.recv())
            await ws.send('{"action": "echo"}')
            assert (await ws.recv()).startswith("echo:")
            return frame
    frame = run(go())
    (event,) = fake.received("boom")
    assert frame == {"message": "Internal server error",
                     "connectionId": event["requestContext"]["connectionId"],
                     "requestId": event["requestContext"]["requestId"]}


def test_lambda_unreachable_is_an_internal_server_error_frame(gateway_factory, fake):
    api = chat_api()
    api["routes"] = [r for r in api["routes"] if r["routeKey"] not in ("$connect",
                                                                       "$disconnect")]
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = "http://127.0.0.1:%d" % s.getsockname()[1]
    s.close()
    g = gateway_factory(apis=[api], lambda_url=dead)

    async def go():
        async with websockets.connect(g.url()) as ws:
            await ws.send('{"action": "echo"}')
            return json.loads(await ws.recv())
    frame = run(go())
    assert frame["message"] == "Internal server error"


def test_a_function_slower_than_the_integration_timeout_is_timed_out(gateway_factory, fake):
    # API Gateway gives up after its integration timeout (29 s; 300 ms here) and tells the
    # caller with its own frame; the connection stays open.
    g = gateway_factory(args=["--integration-timeout-ms", "300"])
    fake.on("quiet", lambda e: (time.sleep(1.5), {"statusCode": 200})[1])

    async def go():
        async with websockets.connect(g.url()) as ws:
            await ws.send('{"action": "quiet"}')
            frame = json.loads(await ws.recv())
            await ws.send('{"action": "echo"}')
            return frame, await ws.recv()
    frame, after = run(go())
    event = fake.received("quiet")[0]
    assert frame == {"message": "Endpoint request timed out",
                     "connectionId": event["requestContext"]["connectionId"],
                     "requestId": event["requestContext"]["requestId"]}
    assert after.startswith("echo:")


def test_integration_timeout_is_refused_outside_api_gateways_range(tmp_path):
    import subprocess
    from gateway_support import GATEWAY_BIN
    for bad in ("49", "29001"):
        r = subprocess.run([GATEWAY_BIN, "--plan", "/dev/null", "--lambda-endpoint",
                            "http://127.0.0.1:1", "--integration-timeout-ms", bad],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 2, r.stderr


def test_route_without_route_response_sends_nothing(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send('{"action": "quiet"}')
            # The next reply is the echo's: nothing came from "quiet" before it.
            await ws.send('{"action": "echo", "after": "quiet"}')
            return await ws.recv()
    fake.on("echo", lambda e: (fake.wait_for(1, "quiet"),
                               {"statusCode": 200, "body": "echo:" + e["body"]})[1])
    assert run(go()) == 'echo:{"action": "echo", "after": "quiet"}'
    assert len(fake.received("quiet")) == 1


def test_route_response_without_string_body_sends_nothing(gateway, fake):
    fake.on("default", lambda e: {"statusCode": 200} if e["body"] == "a" else
            {"statusCode": 200, "body": "second"})

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send("a")
            fake.wait_for(1, "default")
            await ws.send("b")
            return await ws.recv()
    assert run(go()) == "second"
