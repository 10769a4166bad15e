"""A client that stops reading (a raw socket that never reads again, its TCP window full): the
other participants' deliveries are not delayed while it is stuck, the gateway closes it when
its send queue (--send-queue-bytes, 1 MB) overflows, and its connection items go (its
$disconnect, and the 410 the fanout gets for it)."""

import asyncio
import base64
import os
import re
import socket
import statistics
import time
import urllib.parse

import pytest

from chat_stack import ChatStack, connections_of
from test_faults import SECONDS, Participant, wait

# 1,000 code points of four UTF-8 bytes each: a frame of 4 KB or more.
BIG = "\U0001d11e" * 1000


def stuck_client(stack, username):
    """A WebSocket upgrade over a socket with a small receive buffer that is never read after
    the 101."""
    url = urllib.parse.urlparse(stack.url_for(username))
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((url.hostname, url.port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s?%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % (url.path, url.query, url.netloc, key)).encode())
    head = b""
    s.settimeout(SECONDS)
    while b"\r\n\r\n" not in head:
        head += s.recv(1)  # byte by byte: nothing past the response is taken off the socket
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


@pytest.mark.slow
def test_a_client_that_stops_reading_delays_no_one_and_is_dropped_when_its_queue_is_full(
        tmp_path):
    stack = ChatStack(tmp_path)
    zed = None

    async def go():
        people = {u: Participant(stack, u, ["lobby"]) for u in ("ann", "ben", "cal")}
        tasks = [asyncio.ensure_future(p.run()) for p in people.values()]
        try:
            await asyncio.gather(*[p.ready.wait() for p in people.values()])
            ann = people["ann"]
            zed_id = connections_of(stack, "zed")[0]["sk"]["S"][5:]
            sent = {}
            n = 0
            # Lobby messages from ann, a few in flight at a time, until the gateway has
            # dropped zed and a few more after that.
            dropped_at, dropped_n = None, 0

            async def send_one(i):
                start = time.monotonic()
                ack = await ann.request("sendMessage", conversationId="lobby", text=BIG,
                                        clientMessageId="big-%d" % i)
                assert ack["type"] == "ack", ack
                sent[ack["messageId"]] = start

            deadline = time.monotonic() + 60
            while dropped_at is None or n < dropped_n + 20:
                assert time.monotonic() < deadline, "zed was never dropped:\n" + stack.log()[-3000:]
                await asyncio.gather(*[send_one(n + k) for k in range(4)])
                n += 4
                if dropped_at is None and "gateway: closing %s: send queue full" % zed_id \
                        in stack.log():
                    dropped_at, dropped_n = time.monotonic(), n
            for u in ("ben", "cal"):
                p = people[u]
                deadline = time.monotonic() + SECONDS
                while not set(sent) <= set(p.arrived):
                    assert time.monotonic() < deadline, (u, len(set(sent) - set(p.arrived)))
                    await asyncio.sleep(0.05)
            return people, sent, zed_id, n
        finally:
            for p in people.values():
                p.stopping = True
                if p.ws is not None:
                    await p.ws.close()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        zed = stuck_client(stack, "zed")
        wait(lambda: connections_of(stack, "zed"), "zed's connection items")
        people, sent, zed_id, n = asyncio.run(go())
        # The others' latencies (send to their `message` frame) while zed was stuck.
        for u in ("ben", "cal"):
            latencies = sorted(people[u].arrived[m] - sent[m] for m in sent)
            assert statistics.median(latencies) < 0.25, (u, latencies)
            assert latencies[int(len(latencies) * 0.9)] < 1.0, (u, latencies)
        # zed's socket was closed by the gateway: under what it had buffered, the end.
        zed.settimeout(SECONDS)
        got = b""
        try:
            while True:
                chunk = zed.recv(65536)
                if not chunk:
                    break
                got += chunk
        except ConnectionResetError:
            pass
        # Far less than the n messages reached it: the rest were dropped with its queue.
        assert len(got) < n * len(BIG.encode()), len(got)
        # Its items are gone: its $disconnect (1001), and the fanout's posts answered 410.
        wait(lambda: not connections_of(stack, "zed") and not stack.items("CONN#" + zed_id),
             "zed's connection items deleted")
        log = stack.log()
        assert re.search(r"fanout: connection %s of zed is (gone; its items are deleted|not open)"
                         % re.escape(zed_id), log), log[-3000:]
    finally:
        if zed:
            zed.close()
        stack.stop()
