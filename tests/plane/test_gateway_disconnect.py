"""$disconnect fires exactly once for every approved connection, however it ends, with the
close code and reason API Gateway reports."""

import json
import signal
import time

import pytest
import websockets

from gateway_support import (RawClient, fake, gateway, gateway_factory, run)  # noqa


def only_disconnect(fake, cid=None):
    """The one $disconnect event (of `cid`), after checking no second one follows."""
    events = fake.wait_for(1, "disconnect", connection_id=cid)
    time.sleep(0.3)  # room for a wrong second event to arrive
    events = [e for e in fake.received("disconnect")
              if cid is None or e["requestContext"]["connectionId"] == cid]
    assert len(events) == 1, events
    return events[0]


def connected_id(fake):
    return fake.wait_for(1, "connect")[-1]["requestContext"]["connectionId"]


def test_client_close_reports_code_and_reason(gateway, fake):
    async def go():
        ws = await websockets.connect(gateway.url())
        await ws.close(code=4001, reason="bye now")
    run(go())
    event = only_disconnect(fake)
    rc = event["requestContext"]
    assert rc["routeKey"] == "$disconnect"
    assert rc["eventType"] == "DISCONNECT"
    assert rc["disconnectStatusCode"] == 4001
    assert rc["disconnectReason"] == "bye now"
    assert rc["connectionId"] == connected_id(fake)
    assert rc["messageDirection"] == "IN"
    assert "messageId" not in rc
    assert event["headers"]["x-api-key"] == ""
    assert event["multiValueHeaders"]["X-Forwarded-For"] == [""]
    assert event["isBase64Encoded"] is False


def test_client_close_without_code_is_1005(gateway, fake):
    client = RawClient(gateway.port)
    client.send_frame(0x8, b"")
    assert client.read_close() == (1005, "")
    client.close()
    rc = only_disconnect(fake)["requestContext"]
    assert rc["disconnectStatusCode"] == 1005
    assert rc["disconnectReason"] == "Client-side close frame status not set"


def test_dropped_tcp_is_1006(gateway, fake):
    client = RawClient(gateway.port)
    assert client.status == 101
    client.close()
    rc = only_disconnect(fake)["requestContext"]
    assert rc["disconnectStatusCode"] == 1006


def test_delete_closes_with_1000(gateway, fake):
    client = RawClient(gateway.port)
    cid = connected_id(fake)
    gateway.management().delete_connection(ConnectionId=cid)
    code, _ = client.read_close()
    assert code == 1000
    client.send_frame(0x8, b"\x03\xe8")  # the client answers the close
    client.close()
    rc = only_disconnect(fake, cid)["requestContext"]
    assert rc["disconnectStatusCode"] == 1000
    assert rc["disconnectReason"] == "Connection Closed Normally"


def test_idle_timeout_through_the_clock(gateway, fake):
    client = RawClient(gateway.port)
    cid = connected_id(fake)
    gateway.advance(590)
    client.send_frame(0x1, b'{"action": "quiet"}')  # activity resets the idle timer
    fake.wait_for(1, "quiet")
    gateway.advance(590)
    # 1180 s since the connection opened, 590 s since the last message: still open.
    gateway.management().get_connection(ConnectionId=cid)
    gateway.advance(15)
    assert client.read_close() == (1001, "Going away")
    client.close()
    rc = only_disconnect(fake, cid)["requestContext"]
    assert rc["disconnectStatusCode"] == 1001
    assert rc["disconnectReason"] == "Going away"
    with pytest.raises(gateway.management().exceptions.GoneException):
        gateway.management().get_connection(ConnectionId=cid)


def test_lifetime_limit_through_the_clock(gateway, fake):
    client = RawClient(gateway.port)
    cid = connected_id(fake)
    api = gateway.management()
    for i in range(12):  # 12 x 590 s = 7080 s, never idle for 10 minutes
        gateway.advance(590)
        client.send_frame(0x1, json.dumps({"action": "quiet", "i": i}).encode())
        fake.wait_for(i + 1, "quiet")
    api.get_connection(ConnectionId=cid)
    gateway.advance(130)  # 7210 s: past the 2 hour lifetime
    assert client.read_close() == (1001, "Going away")
    client.close()
    rc = only_disconnect(fake, cid)["requestContext"]
    assert rc["disconnectStatusCode"] == 1001


def test_oversized_message_is_1009(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url()) as ws:
            # Five fragments of 26 KB: each frame is within 32 KB, the message is not.
            await ws.send(("x" * (26 * 1024 + 300) for _ in range(5)))
            with pytest.raises(websockets.exceptions.ConnectionClosed) as info:
                await ws.recv()
            return info.value.code
    assert run(go()) == 1009
    assert only_disconnect(fake)["requestContext"]["disconnectStatusCode"] == 1009


def test_oversized_frame_is_1009(gateway, fake):
    client = RawClient(gateway.port)
    client.send_frame(0x1, b"x" * (32 * 1024 + 1))
    code, _ = client.read_close()
    assert code == 1009
    client.close()
    assert only_disconnect(fake)["requestContext"]["disconnectStatusCode"] == 1009


def test_binary_frame_is_1003(gateway, fake):
    client = RawClient(gateway.port)
    client.send_frame(0x2, b"\x00\x01")
    code, _ = client.read_close()
    assert code == 1003
    client.close()
    assert only_disconnect(fake)["requestContext"]["disconnectStatusCode"] == 1003
    assert fake.received("default") == []


def test_unmasked_frame_is_a_protocol_error(gateway, fake):
    client = RawClient(gateway.port)
    client.send_frame(0x1, b"hello", mask=False)
    code, _ = client.read_close()
    assert code == 1002
    client.close()
    assert only_disconnect(fake)["requestContext"]["disconnectStatusCode"] == 1002


def test_server_shutdown_closes_with_1001(gateway, fake):
    clients = [RawClient(gateway.port) for _ in range(3)]
    fake.wait_for(3, "connect")
    assert gateway.stop(signal.SIGTERM) == 0
    for c in clients:
        code, reason = c.read_close()
        assert (code, reason) == (1001, "Going away")
        c.close()
    events = fake.wait_for(3, "disconnect")
    assert len(events) == 3
    assert len({e["requestContext"]["connectionId"] for e in events}) == 3
    assert all(e["requestContext"]["disconnectStatusCode"] == 1001 for e in events)


def test_refused_connection_fires_no_disconnect(gateway, fake):
    fake.on("connect", lambda e: {"statusCode": 403})
    client = RawClient(gateway.port)
    assert client.status == 403
    client.close()
    time.sleep(0.3)
    assert fake.received("disconnect") == []
