"""Frame and message limits with fragmentation, ping/pong, and a slow reader that never delays
the other clients."""

import json

import pytest
import websockets

from gateway_support import (RawClient, fake, gateway, gateway_factory, run)  # noqa


def test_fragmented_message_up_to_128_kb(gateway, fake):
    fake.on("default", lambda e: {"statusCode": 200, "body": str(len(e["body"]))})

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            # 4 frames of exactly 32 KB: the largest message API Gateway takes.
            await ws.send(("a" * (32 * 1024) for _ in range(4)))
            return await ws.recv()
    assert run(go()) == str(128 * 1024)
    (event,) = fake.received("default")
    assert event["body"] == "a" * (128 * 1024)


def test_frame_of_exactly_32_kb(gateway, fake):
    client = RawClient(gateway.port)
    client.send_frame(0x1, b"b" * (32 * 1024))
    opcode, payload = client.read_frame()
    assert opcode == 0x1 and payload.startswith(b"default:bbb")
    client.close()


def test_raw_fragments_with_a_ping_between(gateway, fake):
    client = RawClient(gateway.port)
    client.send_frame(0x1, b'{"action": ', fin=False)
    client.send_frame(0x9, b"are you there")
    client.send_frame(0x0, b'"echo"}', fin=True)
    frames = [client.read_frame(), client.read_frame()]
    assert (0xA, b"are you there") in frames  # the pong
    assert (0x1, b'echo:{"action": "echo"}') in frames
    client.close()


def test_limits_are_flags(gateway_factory, fake):
    g = gateway_factory(args=["--max-frame-bytes", "100", "--max-message-bytes", "150"])
    ok = RawClient(g.port)
    ok.send_frame(0x1, b"x" * 100, fin=False)
    ok.send_frame(0x0, b"y" * 50)
    assert ok.read_frame()[1].startswith(b"default:x")
    ok.send_frame(0x1, b"x" * 101)
    assert ok.read_close()[0] == 1009
    ok.close()
    big = RawClient(g.port)
    big.send_frame(0x1, b"x" * 100, fin=False)
    big.send_frame(0x0, b"y" * 51)
    assert big.read_close()[0] == 1009
    big.close()


def test_a_slow_reader_never_delays_others(gateway_factory, fake):
    g = gateway_factory(args=["--send-queue-bytes", str(256 * 1024)])
    api = g.management()
    # The slow client reads nothing after its handshake, with a small receive buffer.
    slow = RawClient(g.port, rcvbuf=4096)
    slow_id = fake.wait_for(1, "connect")[-1]["requestContext"]["connectionId"]
    chunk = b"z" * (100 * 1024)

    async def go():
        async with websockets.connect(g.url()) as fast:
            fast_id = fake.wait_for(2, "connect")[-1]["requestContext"]["connectionId"]
            received = 0
            gone_after = None
            for i in range(400):  # up to 40 MB for the slow client, more than any buffer
                try:
                    api.post_to_connection(ConnectionId=slow_id, Data=chunk)
                except api.exceptions.GoneException:
                    gone_after = i
                    break
                api.post_to_connection(ConnectionId=fast_id, Data=b"msg %d" % i)
                assert await fast.recv() == "msg %d" % i
                received += 1
            return received, gone_after
    received, gone_after = run(go())
    assert gone_after is not None, "the slow client was never closed"
    # The fast client got every message (checked one by one above) while the slow one backed
    # up; the slow one was closed only after its queue (256 KB, over two messages) was full.
    print("fast client received", received, "messages before the slow one was closed")
    assert received >= 2
    events = fake.wait_for(1, "disconnect", connection_id=slow_id)
    assert events[0]["requestContext"]["disconnectStatusCode"] == 1001
    # Every later post to it is Gone too.
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId=slow_id, Data=b"late")
    slow.close()


def test_json_nested_a_million_deep_is_refused_not_a_crash(gateway, fake):
    """The admin call's body and a message's body are read with a depth check first: 1 MB of
    `[` to /_plane/clock is a 400, 128 KB of them as a message goes to $default (it is not a
    JSON object to route on), and the gateway goes on serving."""
    status, _, body = gateway.http("POST", "/_plane/clock", b"[" * (1024 * 1024))
    assert status == 400, body

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send(("[" * (32 * 1024) for _ in range(4)))
            return await ws.recv()
    assert run(go()) == "default:" + "[" * (128 * 1024)
    assert gateway.proc.poll() is None
    assert gateway.advance(0)["offsetMs"] == 0
