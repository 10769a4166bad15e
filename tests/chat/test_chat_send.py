"""chat-connect, chat-disconnect and chat-send in schemas/chat.yaml's whole stack (the launcher:
emulator, Lambda host, gateway), driven by WebSocket clients, with the table checked through
boto3 against the stack's emulator. The frames are schemas/chat-protocol.md's, the items
schemas/chat-table.md's. Deliveries of `message` frames are chat-fanout's and not checked here:
the clients skip every frame that is not the reply they wait for."""

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse

import pytest
import websockets

from chat_stack import ChatStack

SECRET = "local-development-secret-change-me"  # the template's TokenSecret default
TABLE = "chat"
_ids = itertools.count(1)


def unique(prefix):
    """A username (2 to 20 characters) no other test uses."""
    return "%s%d" % (prefix, next(_ids))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = ChatStack(tmp_path_factory.mktemp("chat-send"))
    yield s
    s.stop()


class Client:
    """One WebSocket connection; request() sends a frame with a fresh requestId and returns the
    reply that echoes it; other frames (deliveries) are kept in `frames`."""

    def __init__(self, ws, username):
        self.ws, self.username = ws, username
        self.frames = []
        self.arrived = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            async for text in self.ws:
                self.frames.append(json.loads(text))
                self.arrived.set()
        except websockets.ConnectionClosed:
            pass

    async def wait_for(self, predicate, seconds=10):
        deadline = time.monotonic() + seconds
        while True:
            for f in self.frames:
                if predicate(f):
                    self.frames.remove(f)
                    return f
            left = deadline - time.monotonic()
            assert left > 0, "no such frame; got %r" % self.frames
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def send_raw(self, text):
        await self.ws.send(text)

    async def request(self, action, **members):
        rid = "r%d" % next(_ids)
        frame = {"action": action, "requestId": rid, **members}
        await self.ws.send(json.dumps(frame))
        return await self.wait_for(lambda f: f.get("requestId") == rid)

    async def close(self):
        await self.ws.close()
        self.reader.cancel()


async def connect(stack, username):
    ws = await websockets.connect(stack.ws_url + "?username=" + urllib.parse.quote(username))
    return Client(ws, username)


def run(coro):
    return asyncio.run(coro)


def error_code(frame):
    assert frame["type"] == "error", frame
    return frame["code"]


def wait_until(predicate, what, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


async def direct(client, other):
    reply = await client.request("createConversation", kind="direct", members=[other])
    assert reply["type"] == "conversation", reply
    return reply["conversationId"]


async def group(client, others, name="team"):
    reply = await client.request("createConversation", kind="group", members=others, name=name)
    assert reply["type"] == "conversation", reply
    return reply["conversationId"]


async def send(client, cid, text, cmid=None):
    return await client.request("sendMessage", conversationId=cid, text=text,
                                clientMessageId=cmid or "c%d" % next(_ids))


# Connect and disconnect.

def test_connect_stores_the_connection_and_presence_and_disconnect_removes_them(stack):
    name = unique("conn")

    async def go():
        a = await connect(stack, name)
        b = await connect(stack, name)
        conns = stack.items("USER#" + name, "CONN#")
        assert len(conns) == 2
        ids = {c["connectionId"]["S"] for c in conns}
        now = time.time()
        for cid in ids:
            item = stack.item("CONN#" + cid, "META")
            assert item["type"]["S"] == "connection" and item["username"]["S"] == name
            assert item["connBucket"]["S"].startswith("CONNS#") and item["connSk"]["S"] == cid
            assert abs(int(item["expiresAt"]["N"]) - (now + 3 * 3600)) < 60
            assert item["stage"]["S"] == "chat" and item["domainName"]["S"]
        presence = stack.item("USER#" + name, "PRESENCE")
        assert presence["type"]["S"] == "presence"
        assert abs(int(presence["expiresAt"]["N"]) - (now + 90)) < 30
        # The first of two connections goes: the presence stays.
        await a.close()
        wait_until(lambda: len(stack.items("USER#" + name, "CONN#")) == 1, "one connection")
        assert stack.item("USER#" + name, "PRESENCE") is not None
        await b.close()
        wait_until(lambda: stack.item("USER#" + name, "PRESENCE") is None, "presence removed")
        assert stack.items("USER#" + name, "CONN#") == []
        for cid in ids:
            assert stack.item("CONN#" + cid, "META") is None

    run(go())


# sendMessage.

def test_send_message_acks_and_stores_the_message(stack):
    name = unique("send")

    async def go():
        c = await connect(stack, name)
        ack = await send(c, "lobby", "  hello there  ", "cm-1")
        assert ack["type"] == "ack"
        assert ack["clientMessageId"] == "cm-1" and ack["conversationId"] == "lobby"
        assert abs(ack["createdAt"] - time.time() * 1000) < 60000
        mid = ack["messageId"]
        item = stack.item("CONV#lobby", "MSG#" + mid)
        assert item["text"]["S"] == "hello there" and item["sender"]["S"] == name
        assert item["userPk"]["S"] == "USERMSG#" + name and item["userSk"]["S"] == mid
        assert int(item["createdAt"]["N"]) == ack["createdAt"]
        meta = stack.item("CONV#lobby", "META")
        assert meta["kind"]["S"] == "lobby" and meta["lastMessageId"]["S"] >= mid
        claim = stack.item("CONV#lobby", "CLIENT#%s#cm-1" % name)
        assert claim["messageId"]["S"] == mid
        await c.close()

    run(go())


def test_a_repeated_client_message_id_returns_the_first_ack_and_stores_nothing(stack):
    name = unique("rep")

    async def go():
        c = await connect(stack, name)
        first = await send(c, "lobby", "once", "same-id")
        before = len(stack.items("CONV#lobby", "MSG#"))
        again = await send(c, "lobby", "twice?", "same-id")
        assert again["type"] == "ack"
        for k in ("messageId", "createdAt", "clientMessageId", "conversationId"):
            assert again[k] == first[k]
        assert len(stack.items("CONV#lobby", "MSG#")) == before
        assert stack.item("CONV#lobby", "MSG#" + first["messageId"])["text"]["S"] == "once"
        await c.close()

    run(go())


def test_bad_text_is_refused_and_nothing_is_stored(stack):
    name = unique("txt")

    async def go():
        c = await connect(stack, name)
        cid = await group(c, [unique("peer")])
        assert error_code(await send(c, cid, "")) == "BadRequest"
        assert error_code(await send(c, cid, " \t\n\u3000 ")) == "BadRequest"
        too_long = await send(c, cid, "\U0001F600" * 1001)
        assert error_code(too_long) == "MessageTooLong"
        assert stack.items("CONV#" + cid, "MSG#") == []
        assert "lastMessageId" not in stack.item("CONV#" + cid, "META")
        ok = await send(c, cid, "\U0001F600" * 1000)
        assert ok["type"] == "ack"
        assert len(stack.items("CONV#" + cid, "MSG#")) == 1
        await c.close()

    run(go())


def test_malformed_frames_are_bad_requests_and_the_connection_stays_open(stack):
    name = unique("bad")

    async def go():
        c = await connect(stack, name)
        for text in ["not json", "[1, 2]", '"x"', '{"requestId": "x"}',
                     '{"action": "sendMessage", "conversationId": "lobby"}',
                     '{"action": "getHistory", "conversationId": 7}']:
            await c.send_raw(text)
            frame = await c.wait_for(lambda f: f.get("type") == "error")
            assert frame["code"] == "BadRequest", (text, frame)
        reply = await c.request("sendMessage", conversationId="lobby", text="x",
                                clientMessageId="y" * 65)
        assert error_code(reply) == "BadRequest"
        assert (await c.request("heartbeat"))["type"] == "pong"
        await c.close()

    run(go())


def test_an_unknown_action_is_unknown_action(stack):
    async def go():
        c = await connect(stack, unique("unk"))
        reply = await c.request("oops")
        assert error_code(reply) == "UnknownAction" and "oops" in reply["message"]
        await c.close()

    run(go())


# getHistory.

def test_history_is_newest_first_and_paged_with_the_cursor(stack):
    name = unique("hist")

    async def go():
        c = await connect(stack, name)
        cid = await group(c, [unique("peer")])
        acks = [await send(c, cid, "m%d" % i) for i in range(5)]
        seen, cursor, pages = [], None, 0
        while True:
            page = await c.request("getHistory", conversationId=cid, limit=2, cursor=cursor)
            assert page["type"] == "history" and page["conversationId"] == cid
            assert len(page["messages"]) <= 2
            seen += page["messages"]
            pages += 1
            cursor = page["cursor"]
            if cursor is None:
                break
        assert pages >= 3
        assert [m["messageId"] for m in seen] == [a["messageId"] for a in reversed(acks)]
        assert [m["text"] for m in seen] == ["m4", "m3", "m2", "m1", "m0"]
        assert all(m["sender"] == name and "type" not in m for m in seen)
        # A cursor of another conversation is refused.
        other = await group(c, [unique("peer")])
        first = await c.request("getHistory", conversationId=cid, limit=1)
        reply = await c.request("getHistory", conversationId=other, cursor=first["cursor"])
        assert error_code(reply) == "BadRequest"
        await c.close()

    run(go())


# createConversation.

def test_create_direct_twice_finds_the_first_and_groups_have_members(stack):
    a_name, b_name, c_name = unique("ann"), unique("ben"), unique("cat")

    async def go():
        a = await connect(stack, a_name)
        first = await a.request("createConversation", kind="direct", members=[b_name])
        assert first["created"] is True and first["kind"] == "direct"
        assert first["members"] == sorted([a_name, b_name])
        b = await connect(stack, b_name)
        again = await b.request("createConversation", kind="direct", members=[a_name])
        assert again["created"] is False
        assert again["conversationId"] == first["conversationId"]
        assert again["createdAt"] == first["createdAt"]
        digest = hashlib.sha256("\0".join(sorted([a_name, b_name])).encode()).hexdigest()
        assert first["conversationId"] == "dm-" + digest[:24]

        g = await a.request("createConversation", kind="group", members=[b_name, c_name],
                            name=" the team ")
        assert g["created"] is True and g["conversationId"].startswith("grp-")
        assert g["name"] == "the team" and g["members"] == sorted([a_name, b_name, c_name])
        for member in (a_name, b_name, c_name):
            entry = stack.item("USER#" + member, "CONV#" + g["conversationId"])
            assert entry["type"]["S"] == "inbox" and entry["members"]["L"] == [
                {"S": m} for m in sorted([a_name, b_name, c_name])]
            # A send never writes the members' entries: they hold no message fields.
            assert not {"unread", "lastMessageId", "inboxSk"} & set(entry)
        meta = stack.item("CONV#" + g["conversationId"], "META")
        assert meta["createdBy"]["S"] == a_name and meta["kind"]["S"] == "group"

        bad = await a.request("createConversation", kind="group", members=["<b>"], name="x")
        assert error_code(bad) == "InvalidUsername"
        many = ["u%03d" % i for i in range(99)]
        assert error_code(await a.request("createConversation", kind="group", members=many,
                                          name="x")) == "TooManyMembers"
        ok = await a.request("createConversation", kind="group", members=many[:98], name="big")
        assert ok["type"] == "conversation" and len(ok["members"]) == 99
        alone = await a.request("createConversation", kind="direct", members=[a_name])
        assert error_code(alone) == "BadRequest"
        await a.close()
        await b.close()

    run(go())


def test_a_non_participant_cannot_send_or_read_and_unknown_ids_are_not_found(stack):
    a_name, b_name, out_name = unique("own"), unique("mem"), unique("out")

    async def go():
        a = await connect(stack, a_name)
        cid = await direct(a, b_name)
        assert (await send(a, cid, "private"))["type"] == "ack"
        x = await connect(stack, out_name)
        assert error_code(await send(x, cid, "let me in")) == "NotAParticipant"
        reply = await x.request("getHistory", conversationId=cid)
        assert error_code(reply) == "NotAParticipant"
        assert len(stack.items("CONV#" + cid, "MSG#")) == 1
        missing = "grp-01KBCWHCG0Z7Y8KX2N3H4P5R6S"
        assert error_code(await send(x, missing, "hi")) == "NotFound"
        assert error_code(await x.request("getHistory", conversationId=missing)) == "NotFound"
        assert error_code(await x.request("getHistory", conversationId="nope")) == "NotFound"
        await a.close()
        await x.close()

    run(go())


# listConversations, unread counts and markRead.

async def unread(client, cid):
    """The unread count listConversations gives `client` for `cid`."""
    page = await client.request("listConversations", limit=100)
    return {i["conversationId"]: i["unread"] for i in page["items"]}[cid]


def test_list_conversations_by_last_activity_paged_with_unread_counts(stack):
    me, peers = unique("lst"), [unique("p") for _ in range(3)]

    async def go():
        c = await connect(stack, me)
        cids = [await direct(c, p) for p in peers]
        # Activity: the first conversation last.
        # Activity is in milliseconds (ties order by conversation id): keep the sends apart.
        p1 = await connect(stack, peers[1])
        await send(p1, cids[1], "from p1")
        await asyncio.sleep(0.01)
        await send(c, cids[2], "to p2")
        await asyncio.sleep(0.01)
        p0 = await connect(stack, peers[0])
        await send(p0, cids[0], "one")
        await send(p0, cids[0], "two")
        items, cursor = [], None
        while True:
            page = await c.request("listConversations", limit=2, cursor=cursor)
            assert page["type"] == "conversations" and len(page["items"]) <= 2
            items += page["items"]
            cursor = page["cursor"]
            if cursor is None:
                break
        assert [i["conversationId"] for i in items] == [cids[0], cids[2], cids[1]]
        by_id = {i["conversationId"]: i for i in items}
        assert by_id[cids[0]]["unread"] == 2 and by_id[cids[0]]["lastText"] == "two"
        assert by_id[cids[0]]["lastSender"] == peers[0]
        assert by_id[cids[1]]["unread"] == 1
        assert by_id[cids[2]]["unread"] == 0 and by_id[cids[2]]["lastSender"] == me
        for p in (p0, p1, c):
            await p.close()

    run(go())


def test_mark_read_sets_the_exact_unread_count_and_stores_the_receipt(stack):
    me, peer = unique("rd"), unique("pr")

    async def go():
        c = await connect(stack, me)
        cid = await direct(c, peer)
        p = await connect(stack, peer)
        acks = [await send(p, cid, "n%d" % i) for i in range(4)]
        assert await unread(c, cid) == 4

        async def mark(mid):
            await c.send_raw(json.dumps({"action": "markRead", "conversationId": cid,
                                         "messageId": mid}))

        await mark(acks[1]["messageId"])
        wait_until(lambda: "lastReadMessageId" in stack.item("USER#" + me, "CONV#" + cid),
                   "marked read")
        assert await unread(c, cid) == 2
        entry = stack.item("USER#" + me, "CONV#" + cid)
        assert entry["lastReadMessageId"]["S"] == acks[1]["messageId"]
        receipt = stack.item("CONV#" + cid, "READ#" + me)
        assert receipt["type"]["S"] == "read" and receipt["messageId"]["S"] == acks[1]["messageId"]
        # An older message changes nothing; the newest leaves none unread.
        await mark(acks[0]["messageId"])
        await mark(acks[3]["messageId"])
        wait_until(lambda: stack.item("USER#" + me, "CONV#" + cid)["lastReadMessageId"]["S"]
                   == acks[3]["messageId"], "the newest read")
        assert await unread(c, cid) == 0
        assert stack.item("CONV#" + cid, "READ#" + me)["messageId"]["S"] == acks[3]["messageId"]
        # A message that does not exist is NotFound (markRead has no route response: the
        # error is not sent, and nothing changes).
        await mark("01KBCWHCG0Z7Y8KX2N3H4P5R6S")
        await send(p, cid, "n4")
        assert await unread(c, cid) == 1
        # The reader's own messages are never unread to it.
        await send(c, cid, "mine")
        assert await unread(c, cid) == 1 and await unread(p, cid) == 1
        await c.close()
        await p.close()

    run(go())


# react.

def test_react_toggles_the_reaction_item(stack):
    me = unique("rx")

    async def go():
        c = await connect(stack, me)
        cid = await group(c, [unique("peer")])
        mid = (await send(c, cid, "react to me"))["messageId"]
        sk = "REACT#%s#%s#\U0001F44D" % (mid, me)

        async def react():
            await c.send_raw(json.dumps({"action": "react", "conversationId": cid,
                                         "messageId": mid, "emoji": "\U0001F44D"}))

        await react()
        wait_until(lambda: stack.item("CONV#" + cid, sk) is not None, "the reaction")
        item = stack.item("CONV#" + cid, sk)
        assert item["type"]["S"] == "reaction" and item["username"]["S"] == me
        await react()
        wait_until(lambda: stack.item("CONV#" + cid, sk) is None, "the reaction removed")
        await react()
        wait_until(lambda: stack.item("CONV#" + cid, sk) is not None, "the reaction again")
        await c.close()

    run(go())


# typing, heartbeat, getToken.

def test_typing_reaches_the_other_participants_and_a_gone_connection_is_removed(stack):
    me, peer = unique("ty"), unique("tp")

    async def go():
        c = await connect(stack, me)
        cid = await direct(c, peer)
        p = await connect(stack, peer)
        # A connection of the peer that the gateway no longer has (410 on post).
        stale = "c3RhbGUxMjM0NTY3OA="
        stack.ddb.put_item(TableName=TABLE, Item={
            "pk": {"S": "USER#" + peer}, "sk": {"S": "CONN#" + stale}, "type": {"S": "userconn"},
            "connectionId": {"S": stale}, "domainName": {"S": "x"}, "stage": {"S": "chat"},
            "expiresAt": {"N": str(int(time.time()) + 3600)}})
        stack.ddb.put_item(TableName=TABLE, Item={
            "pk": {"S": "CONN#" + stale}, "sk": {"S": "META"}, "type": {"S": "connection"},
            "connectionId": {"S": stale}, "username": {"S": peer},
            # Connected a minute ago: a connection younger than 30 s may still be in its
            # $connect, and keeps its items on a 410.
            "connectedAt": {"N": str(int(time.time() * 1000) - 60_000)},
            "connBucket": {"S": "CONNS#0"}, "connSk": {"S": stale}})
        # ...and its entry in the user's CONNS item, which is what audiences are read from.
        stack.ddb.update_item(TableName=TABLE, Key={"pk": {"S": "USER#" + peer},
                                                    "sk": {"S": "CONNS"}},
                              UpdateExpression="ADD conns :c",
                              ExpressionAttributeValues={":c": {"SS": [stale + " x chat"]}})
        await c.send_raw(json.dumps({"action": "typing", "conversationId": cid}))
        frame = await p.wait_for(lambda f: f.get("type") == "typing")
        assert frame == {"type": "typing", "conversationId": cid, "username": me}
        wait_until(lambda: stack.item("USER#" + peer, "CONN#" + stale) is None, "stale removed")
        assert stack.item("CONN#" + stale, "META") is None
        entries = stack.item("USER#" + peer, "CONNS")["conns"]["SS"]
        assert len(entries) == 1 and not entries[0].startswith(stale)  # the live one stays
        assert stack.item("USER#" + peer, "PRESENCE") is not None
        assert not any(f.get("type") == "typing" for f in c.frames)
        await c.close()
        await p.close()

    run(go())


def test_heartbeat_answers_pong_and_moves_the_presence(stack):
    me = unique("hb")

    async def go():
        c = await connect(stack, me)
        stack.ddb.update_item(TableName=TABLE, Key={"pk": {"S": "USER#" + me},
                                                    "sk": {"S": "PRESENCE"}},
                              UpdateExpression="SET expiresAt = :e, lastSeen = :e",
                              ExpressionAttributeValues={":e": {"N": "1000"}})
        pong = await c.request("heartbeat")
        assert pong["type"] == "pong" and pong["requestId"].startswith("r")
        presence = stack.item("USER#" + me, "PRESENCE")
        assert abs(int(presence["expiresAt"]["N"]) - (time.time() + 90)) < 30
        assert int(presence["lastSeen"]["N"]) > 1000
        await c.close()

    run(go())


def test_get_presence_says_who_is_online_now(stack):
    me, peer, gone, never = unique("pa"), unique("pb"), unique("pc"), unique("pd")

    async def go():
        c = await connect(stack, me)
        p = await connect(stack, peer)
        g = await connect(stack, gone)
        # gone's presence outlived its heartbeats: expired, but TTL has not removed it yet.
        stack.ddb.update_item(TableName=TABLE, Key={"pk": {"S": "USER#" + gone},
                                                    "sk": {"S": "PRESENCE"}},
                              UpdateExpression="SET expiresAt = :e",
                              ExpressionAttributeValues={":e": {"N": str(int(time.time()) - 5)}})
        reply = await c.request("getPresence", usernames=[peer, gone, never, peer])
        assert reply["type"] == "presenceList" and reply["requestId"].startswith("r")
        users = reply["users"]
        assert [u["username"] for u in users] == [peer, gone, never]
        assert [u["online"] for u in users] == [True, False, False]
        assert users[0]["lastSeen"] > 0 and users[1]["lastSeen"] > 0
        assert users[2]["lastSeen"] is None
        await p.close()  # the last connection of peer: its presence goes
        wait_until(lambda: stack.item("USER#" + peer, "PRESENCE") is None, "presence gone")
        again = await c.request("getPresence", usernames=[peer])
        assert again["users"] == [{"username": peer, "online": False, "lastSeen": None}]
        bad = await c.request("getPresence", usernames=["<b>"])
        assert bad["type"] == "error" and bad["code"] == "InvalidUsername"
        await g.close()
        await c.close()

    run(go())


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_get_token_gives_a_token_that_verifies(stack):
    me = unique("tk")

    async def go():
        c = await connect(stack, me)
        reply = await c.request("getToken")
        assert reply["type"] == "token"
        header, payload, signature = reply["token"].split(".")
        expected = hmac.new(SECRET.encode(), (header + "." + payload).encode(),
                            hashlib.sha256).digest()
        assert hmac.compare_digest(b64url_decode(signature), expected)
        assert json.loads(b64url_decode(header))["alg"] == "HS256"
        claims = json.loads(b64url_decode(payload))
        assert claims["sub"] == me and claims["exp"] == reply["expiresAt"]
        assert claims["exp"] - claims["iat"] == 3600
        await c.close()

    run(go())


# Concurrency.

def test_concurrent_sends_commit_in_id_order(stack):
    names = [unique("cc") for _ in range(4)]

    async def go():
        clients = [await connect(stack, n) for n in names]
        cid = await group(clients[0], names[1:])

        async def burst(client):
            return [await send(client, cid, "%s-%d" % (client.username, i)) for i in range(6)]

        results = await asyncio.gather(*(burst(c) for c in clients))
        acks = [a for r in results for a in r]
        assert all(a["type"] == "ack" for a in acks), acks
        history, cursor = [], None
        while True:
            page = await clients[0].request("getHistory", conversationId=cid, limit=100,
                                            cursor=cursor)
            history += page["messages"]
            cursor = page["cursor"]
            if cursor is None:
                break
        ids = [m["messageId"] for m in reversed(history)]
        assert ids == sorted(set(ids)) and len(ids) == len(acks)
        assert {a["messageId"] for a in acks} == set(ids)
        assert stack.item("CONV#" + cid, "META")["lastMessageId"]["S"] == ids[-1]
        # Every member's inbox knows the newest message; its unread count is the messages the
        # others sent.
        for c in clients:
            page = await c.request("listConversations", limit=100)
            entry = {i["conversationId"]: i for i in page["items"]}[cid]
            assert entry["lastMessageId"] == ids[-1] and entry["unread"] == 18
        for c in clients:
            await c.close()

    run(go())


def test_a_users_recent_messages_across_conversations_come_from_the_by_user_index(stack):
    me, peer = unique("um"), unique("up")

    async def go():
        c = await connect(stack, me)
        cid = await direct(c, peer)
        sent = [await send(c, "lobby", "in the lobby"), await send(c, cid, "direct one"),
                await send(c, "lobby", "lobby again")]
        p = await connect(stack, peer)
        await send(p, cid, "not mine")
        for x in (c, p):
            await x.close()
        return cid, sent
    cid, sent = run(go())
    page = stack.ddb.query(TableName=TABLE, IndexName="byUser",
                           KeyConditionExpression="userPk = :u",
                           ExpressionAttributeValues={":u": {"S": "USERMSG#" + me}},
                           ScanIndexForward=False)["Items"]
    # Newest first, across both conversations, only this user's.
    assert [i["messageId"]["S"] for i in page] == [a["messageId"] for a in reversed(sent)]
    assert [i["conversationId"]["S"] for i in page] == ["lobby", cid, "lobby"]
    assert {i["sender"]["S"] for i in page} == {me}
