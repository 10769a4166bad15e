"""An idle connection costs the gateway a few KB (no read buffer of its own while it waits; issue
16 asks for at most 16 KB), and
what a client sends just before it goes away is still read: a message, then a close frame with
its code, then the TCP FIN, all in one segment."""

import socket
import struct
import time

from gateway_support import (RawClient, fake, gateway, gateway_factory, run)  # noqa


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def masked(opcode, payload):
    key = b"\x01\x02\x03\x04"
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + key + body


def test_idle_connections_cost_under_8_kb_each(gateway, fake):
    fake.on("quiet", lambda e: {"statusCode": 200})
    # Each connection has sent a frame (its read path has run once), then stays idle.
    warm = [RawClient(gateway.port) for _ in range(50)]  # the allocator's first growth
    for c in warm:
        c.send_frame(0x1, b'{"action":"quiet"}')
    fake.wait_for(50, "quiet")
    time.sleep(0.2)
    before = rss_kb(gateway.proc.pid)
    clients = []
    for _ in range(600):
        c = RawClient(gateway.port)
        assert c.status == 101
        c.send_frame(0x1, b'{"action":"quiet"}')
        clients.append(c)
    fake.wait_for(650, "quiet", timeout=60)
    time.sleep(0.3)
    per_connection = (rss_kb(gateway.proc.pid) - before) / len(clients)
    # About 2 KB; it was 13 KB with a 16 KB read buffer in every connection.
    assert per_connection < 8, "%.1f KB per idle connection" % per_connection
    for c in clients + warm:
        c.close()


def test_frames_before_the_fin_are_read(gateway, fake):
    fake.on("quiet", lambda e: {"statusCode": 200})
    client = RawClient(gateway.port)
    assert client.status == 101
    cid = fake.wait_for(1, "connect")[-1]["requestContext"]["connectionId"]
    # One write: a message, the close frame (4002, "last words"), then the FIN.
    client.sock.sendall(masked(0x1, b'{"action":"quiet","n":1}') +
                        masked(0x8, struct.pack("!H", 4002) + b"last words"))
    client.sock.shutdown(socket.SHUT_WR)
    (message,) = fake.wait_for(1, "quiet")
    assert message["body"] == '{"action":"quiet","n":1}'
    events = fake.wait_for(1, "disconnect", connection_id=cid)
    rc = events[0]["requestContext"]
    assert rc["disconnectStatusCode"] == 4002
    assert rc["disconnectReason"] == "last words"
    client.sock.close()
