"""chat-fanout, the table's stream consumer, in the whole stack (scripts/launch.py with
schemas/chat.yaml): items written into the table (as the send path writes them) reach the
WebSocket clients of their audience through the stream, the fanout function and @connections."""

import asyncio
import itertools
import time

import pytest

from chat_stack import ChatStack, Client, connections_of, wait_until

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_counter = itertools.count(1)


def ulid():
    """A ULID above the previous one: the time now, then a counter in the random part."""
    value = (int(time.time() * 1000) << 80) | next(_counter)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def group_id():
    return "grp-" + ulid()


def bucket(connection_id):
    h = 14695981039346656037
    for c in connection_id.encode():
        h = ((h ^ c) * 1099511628211) % (1 << 64)
    return h % 16


@pytest.fixture
def stack(tmp_path):
    s = ChatStack(tmp_path)
    yield s
    s.stop()


async def online(stack, *clients):
    """Waits until each client's connection is stored (chat-connect's items)."""
    for c in clients:
        await wait_until(lambda: len(connections_of(stack, c.username)) >= sum(
            1 for o in clients if o.username == c.username), "%s's connection" % c.username)


def test_a_message_reaches_every_connection_of_every_member_once(stack):
    async def go():
        async with Client(stack, "alice") as a1, Client(stack, "alice") as a2, \
                Client(stack, "bob") as b, Client(stack, "carol") as c:
            await online(stack, a1, a2, b, c)
            cid = group_id()
            stack.put_conversation(cid, "group", ["alice", "bob"], "pair")
            first, second = ulid(), ulid()
            stack.put_message(cid, first, "alice", "hello <b>bob</b>")
            stack.put_message(cid, second, "bob", "hi")
            for client in (a1, a2, b):
                frames = await client.wait_for("message", messageId=second)
            # The second arriving means the first was posted before it (one queue per
            # connection, in record order): each connection holds exactly one copy of each.
            for client in (a1, a2, b):
                got = client.of_type("message", conversationId=cid)
                assert [f["messageId"] for f in got] == [first, second], client.frames
            assert got[0] == {"type": "message", "conversationId": cid, "messageId": first,
                              "sender": "alice", "text": "hello <b>bob</b>",
                              "createdAt": 1764590400000, "clientMessageId": "c-" + first}
            # The lobby message goes to carol too: after it, she still has none of the group's.
            lobby = ulid()
            stack.put_message("lobby", lobby, "carol", "anyone?")
            await c.wait_for("message", messageId=lobby)
            assert c.of_type("message", conversationId=cid) == []
    asyncio.run(go())


def test_a_lobby_message_reaches_everyone(stack):
    async def go():
        async with Client(stack, "alice") as a, Client(stack, "bob") as b, \
                Client(stack, "dave") as d:
            await online(stack, a, b, d)
            mid = ulid()
            stack.put_message("lobby", mid, "bob", "hello all")
            for client in (a, b, d):
                got = await client.wait_for("message", messageId=mid)
                assert got[0]["conversationId"] == "lobby" and got[0]["text"] == "hello all"
    asyncio.run(go())


def test_reactions_added_and_removed_and_read_receipts(stack):
    async def go():
        async with Client(stack, "alice") as a, Client(stack, "bob") as b, \
                Client(stack, "carol") as c:
            await online(stack, a, b, c)
            cid = group_id()
            stack.put_conversation(cid, "group", ["alice", "bob"], "pair")
            mid = ulid()
            stack.put_message(cid, mid, "alice", "react to me")
            await b.wait_for("message", messageId=mid)
            key = {"pk": {"S": "CONV#" + cid}, "sk": {"S": "REACT#%s#bob#👍" % mid}}
            stack.put({"pk": "CONV#" + cid, "sk": "REACT#%s#bob#👍" % mid, "type": "reaction",
                       "conversationId": cid, "messageId": mid, "username": "bob",
                       "emoji": "👍", "createdAt": 1764590400001})
            for client in (a, b):
                got = await client.wait_for("reaction", added=True)
                assert got[0] == {"type": "reaction", "conversationId": cid, "messageId": mid,
                                  "username": "bob", "emoji": "👍", "added": True}
            stack.ddb.delete_item(TableName="chat", Key=key)
            for client in (a, b):
                await client.wait_for("reaction", added=False, emoji="👍", messageId=mid)

            receipt = {"pk": "CONV#" + cid, "sk": "READ#bob", "type": "read",
                       "conversationId": cid, "username": "bob", "messageId": mid,
                       "readAt": 1764590400002}
            stack.put(receipt)  # INSERT
            later = ulid()
            stack.put_message(cid, later, "alice", "and this")
            stack.put(dict(receipt, messageId=later, readAt=1764590400003))  # MODIFY
            for client in (a, b):
                await client.wait_for("read", messageId=later, username="bob")
                assert [f["messageId"] for f in client.of_type("read")] == [mid, later]
            # Carol is no member: a lobby message after all that, and she has seen none of it.
            barrier = ulid()
            stack.put_message("lobby", barrier, "alice", "barrier")
            await c.wait_for("message", messageId=barrier)
            assert c.of_type("reaction") == [] and c.of_type("read") == []
    asyncio.run(go())


def test_presence_online_on_connect_and_offline_when_its_ttl_expires(stack):
    async def go():
        async with Client(stack, "alice") as a:
            await online(stack, a)
            async with Client(stack, "bob") as b:
                await online(stack, b)
                await a.wait_for_presence("bob", True)
                assert a.presence_changes("bob") == [("bob", True)]
                # No heartbeats: 100 s later (presence lives 90 s) the emulator's TTL sweep
                # removes both presence items, and the stream's REMOVE says so to everyone.
                stack.advance_emulator_clock(100)
                await a.wait_for_presence("bob", False)
                await b.wait_for_presence("alice", False)
                await wait_until(lambda: not [i for i in stack.items("USER#bob")
                                              if i["sk"]["S"] == "PRESENCE"], "no presence")
                # The connections are still there (3 hours): nothing else was removed.
                assert len(connections_of(stack, "bob")) == 1
    asyncio.run(go())


def test_a_gone_connection_loses_its_items_on_the_first_410(stack):
    async def go():
        async with Client(stack, "alice") as a, Client(stack, "bob") as b:
            await online(stack, a, b)
            real = connections_of(stack, "bob")[0]
            # A connection that dropped without its $disconnect reaching the table: its items
            # name an id the gateway no longer knows.
            ghost = "Z2hvc3QtY29ubmVjdGlvbg="
            common = {"domainName": real["domainName"]["S"], "stage": real["stage"]["S"],
                      "expiresAt": int(time.time()) + 3600}
            # The user's item first: the fanout finds the connection through its META item (a
            # presence broadcast still in flight may post to it at once), and a 410 deletes the
            # user's item only if it is there by then.
            stack.put(dict(common, pk="USER#dave", sk="CONN#" + ghost, type="userconn",
                           connectionId=ghost))
            stack.put(dict(common, pk="CONN#" + ghost, sk="META", type="connection",
                           connectionId=ghost, username="dave", connectedAt=1764590400000,
                           connBucket="CONNS#%d" % bucket(ghost), connSk=ghost))
            # Bob's client drops abruptly too (no close frame).
            b.ws.transport.abort()
            mid = ulid()
            stack.put_message("lobby", mid, "alice", "who is there?")
            await a.wait_for("message", messageId=mid)
            await wait_until(lambda: not stack.items("CONN#" + ghost) and
                             not connections_of(stack, "dave"), "the ghost's items deleted")
            await wait_until(lambda: not connections_of(stack, "bob"), "bob's items deleted")
            assert "connection %s of dave is gone" % ghost in stack.log()
            # Alice's connection still gets the next one.
            again = ulid()
            stack.put_message("lobby", again, "alice", "still here")
            await a.wait_for("message", messageId=again)
    asyncio.run(go())


def test_a_client_that_stops_reading_does_not_hold_up_the_others(stack):
    import base64
    import os
    import socket
    import urllib.parse

    # A client that completes the upgrade and then never reads, with a small receive buffer:
    # the frames meant for it pile up in the gateway until its send queue is full.
    ws = urllib.parse.urlsplit(stack.url_for("slowpoke"))
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: the window
    raw.settimeout(10)
    raw.connect((ws.hostname, ws.port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(("GET %s?%s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                 "\r\n" % (ws.path, ws.query, ws.hostname, ws.port, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += raw.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head

    async def go():
        async with Client(stack, "alice") as a:
            await wait_until(lambda: connections_of(stack, "slowpoke"), "slowpoke's connection")
            await online(stack, a)
            # About 2 MB of lobby messages, far more than the client that stopped reading
            # takes: the posts to it are queued (the gateway closes it once its queue is
            # full: tests/plane/test_gateway_limits.py) and never wait for it.
            text = "x" * 1000
            ids = [ulid() for _ in range(1500)]
            for i in range(0, len(ids), 25):
                stack.ddb.batch_write_item(RequestItems={"chat": [{"PutRequest": {"Item": {
                    "pk": {"S": "CONV#lobby"}, "sk": {"S": "MSG#" + mid},
                    "type": {"S": "message"}, "conversationId": {"S": "lobby"},
                    "messageId": {"S": mid}, "sender": {"S": "bob"}, "text": {"S": text},
                    "createdAt": {"N": "1764590400000"}, "clientMessageId": {"S": "c-" + mid},
                    "userPk": {"S": "USERMSG#bob"}, "userSk": {"S": mid}}}}
                    for mid in ids[i:i + 25]]})
            deadline = time.monotonic() + 60
            while len(a.of_type("message", sender="bob")) < len(ids) and \
                    time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            got = [f["messageId"] for f in a.of_type("message", sender="bob")]
            missing = sorted(set(ids) - set(got))
            assert not missing and got == ids, "%d of %d delivered, %d missing (first %s)" % (
                len(got), len(ids), len(missing), missing[:3])
    try:
        asyncio.run(go())
    finally:
        raw.close()
