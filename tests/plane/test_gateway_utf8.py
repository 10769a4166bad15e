"""Text frames must carry UTF-8 (RFC 6455 5.6): a text message that is not, once its fragments
are joined, fails the connection with 1007 "Invalid frame payload data" and $disconnect reports
it, once; multi-byte text split across fragments inside a code point reaches its route whole.
API Gateway documents nothing here; the gateway follows the RFC (services/gateway/README.md)."""

import time

from gateway_support import RawClient, fake, gateway, gateway_factory  # noqa: F401


def only_disconnect(fake):  # noqa: F811
    fake.wait_for(1, "disconnect")
    time.sleep(0.3)  # room for a wrong second event to arrive
    events = fake.received("disconnect")
    assert len(events) == 1, events
    return events[0]["requestContext"]


def test_invalid_utf8_text_closes_with_1007(gateway, fake):  # noqa: F811
    client = RawClient(gateway.port)
    assert client.status == 101
    client.send_frame(0x1, b'{"action": "echo", "x": "\xc3\x28"}')
    assert client.read_close() == (1007, "Invalid frame payload data")
    client.send_frame(0x8, b"\x03\xef")  # the client answers the close
    client.close()
    rc = only_disconnect(fake)
    assert rc["disconnectStatusCode"] == 1007
    assert rc["disconnectReason"] == "Invalid frame payload data"
    assert fake.received("echo") == []


def test_a_message_ending_inside_a_code_point_closes_with_1007(gateway, fake):  # noqa: F811
    client = RawClient(gateway.port)
    client.send_frame(0x1, b'{"action": "echo", "x": "', fin=False)
    client.send_frame(0x0, b'\xe2\x82"}')  # the euro sign without its last byte
    assert client.read_close() == (1007, "Invalid frame payload data")
    client.close()
    assert only_disconnect(fake)["disconnectStatusCode"] == 1007
    assert fake.received("echo") == []


def test_multibyte_text_split_across_fragments_passes(gateway, fake):  # noqa: F811
    client = RawClient(gateway.port)
    body = '{"action": "echo", "x": "caf\u00e9 \u20ac \U0001F600"}'.encode()
    cut1 = body.index(b"\xc3") + 1  # inside é
    cut2 = body.index(b"\xf0") + 2  # inside the emoji
    client.send_frame(0x1, body[:cut1], fin=False)
    client.send_frame(0x9, b"ping between fragments")
    client.send_frame(0x0, body[cut1:cut2], fin=False)
    client.send_frame(0x0, body[cut2:])
    frames = [client.read_frame(), client.read_frame()]
    assert (0xA, b"ping between fragments") in frames
    assert (0x1, b"echo:" + body) in frames
    (event,) = fake.received("echo")
    assert event["body"] == body.decode()
    client.send_frame(0x8, b"\x03\xe8")
    assert client.read_close() == (1000, "")
    client.close()
    assert only_disconnect(fake)["disconnectStatusCode"] == 1000
