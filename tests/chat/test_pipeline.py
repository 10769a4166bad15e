"""The chat backend's whole pipeline (scripts/launch.py with schemas/chat.yaml: chat-send, the
table's stream, chat-fanout, @connections) driven by WebSocket clients only: concurrent senders
in every kind of conversation, the inbox's order and unread counts, and what a `kill -9` of any
process of the stack keeps (every acked message) and still delivers once the stack is back.

Deliveries are waited for by bounded polling; a barrier (one more lobby message, sent last)
tells when the stream has been read past everything before it: the fanout handles the stream's
records in order, one batch at a time, and posts to a connection in record order."""

import asyncio
import collections
import itertools
import os
import re
import signal
import time

import pytest

from chat_stack import (ChatStack, Client, alive, connections_of, descendants, instances,
                        stack_process)
from conftest import FUNCTIONS_DIR

SECONDS = 30  # every bounded wait: generous for a loaded 2-core machine
_ids = itertools.count(1)


# Requests and frames.

async def wait_for(client, predicate, what, seconds=SECONDS):
    deadline = time.monotonic() + seconds
    while True:
        for f in client.frames:
            if predicate(f):
                return f
        if time.monotonic() > deadline:
            raise AssertionError("%s: timed out waiting for %s; got %r" % (
                client.username, what, client.frames))
        await asyncio.sleep(0.02)


async def request(client, action, **members):
    """Sends `action` with a fresh requestId; the reply that echoes it."""
    rid = "r%d" % next(_ids)
    await client.send(action=action, requestId=rid, **members)
    return await wait_for(client, lambda f: f.get("requestId") == rid, "the reply to " + rid)


async def send_message(client, cid, text):
    cmid = "c%d" % next(_ids)
    ack = await request(client, "sendMessage", conversationId=cid, text=text,
                        clientMessageId=cmid)
    assert ack["type"] == "ack" and ack["conversationId"] == cid, ack
    assert ack["clientMessageId"] == cmid, ack
    return {"messageId": ack["messageId"], "conversationId": cid, "sender": client.username,
            "text": text, "clientMessageId": cmid, "createdAt": ack["createdAt"]}


async def create(client, kind, members, name=""):
    reply = await request(client, "createConversation", kind=kind, members=members, name=name)
    assert reply["type"] == "conversation" and reply["created"], reply
    return reply["conversationId"]


async def history(client, cid):
    """Every message of the conversation, newest first, through getHistory's pages."""
    messages, cursor = [], None
    while True:
        page = await request(client, "getHistory", conversationId=cid, limit=100, cursor=cursor)
        assert page["type"] == "history" and page["conversationId"] == cid, page
        messages += page["messages"]
        cursor = page["cursor"]
        if cursor is None:
            return messages


async def inbox(client):
    items, cursor = [], None
    while True:
        page = await request(client, "listConversations", limit=100, cursor=cursor)
        assert page["type"] == "conversations", page
        items += page["items"]
        cursor = page["cursor"]
        if cursor is None:
            return items


def delivered(client):
    """The message frames the connection received, in order."""
    return [f for f in client.frames if f.get("type") == "message"]


async def online(stack, clients, stale=None):
    """Waits until each user has as many stored connections as it has clients here (besides
    `stale`: connection ids left in the table by a stack that died)."""
    stale = stale or {}
    need = collections.Counter(c.username for c in clients)
    deadline = time.monotonic() + SECONDS
    for user, count in need.items():
        while True:
            ids = {i["sk"]["S"][5:] for i in connections_of(stack, user)}
            if len(ids - stale.get(user, set())) >= count:
                break
            assert time.monotonic() < deadline, "%s is not online: %r" % (user, ids)
            await asyncio.sleep(0.05)


async def receive_all(clients, expected):
    """Waits until every connection holds each message id of expected[username]."""
    deadline = time.monotonic() + SECONDS
    for c in clients:
        want = expected[c.username]
        while not want <= {f["messageId"] for f in delivered(c)}:
            assert time.monotonic() < deadline, "%s lacks %r" % (
                c.username, want - {f["messageId"] for f in delivered(c)})
            await asyncio.sleep(0.02)


async def barrier(sender, clients):
    """A lobby message sent now, once on every connection: every record before it is done."""
    sent = await send_message(sender, "lobby", "barrier %d" % next(_ids))
    await receive_all(clients, collections.defaultdict(lambda: {sent["messageId"]}))
    return sent


async def check_order(clients, members, sent_by_conv, reader):
    """Per conversation, each connection's deliveries are the history's messages oldest first
    (those it was sent), and the history holds exactly the acked messages."""
    for cid, sent in sent_by_conv.items():
        stored = await history(reader[cid], cid)
        assert {m["messageId"] for m in stored} == {m["messageId"] for m in sent}, cid
        oldest_first = [m["messageId"] for m in reversed(stored)]
        for c in clients:
            if c.username not in members[cid]:
                continue
            got = [f["messageId"] for f in delivered(c) if f["conversationId"] == cid]
            assert got == [m for m in oldest_first if m in set(got)], (c.username, cid)


# 1. Concurrent senders.

def test_concurrent_messages_reach_every_connection_once_in_history_order(tmp_path):
    users = ["ann", "ben", "cat", "dan", "eve", "fay"]
    stack = ChatStack(tmp_path)

    async def go():
        clients = [Client(stack, u) for u in users] + [Client(stack, "ann")]
        for c in clients:
            await c.__aenter__()
        try:
            await online(stack, clients)
            first = {c.username: c for c in reversed(clients)}  # ann: her first connection
            members = {"lobby": set(users)}
            directs = await asyncio.gather(*[
                create(first[users[i]], "direct", [users[(i + 1) % 6]]) for i in range(6)])
            for i, cid in enumerate(directs):
                members[cid] = {users[i], users[(i + 1) % 6]}
            groups = [["ann", "ben", "cat"], ["cat", "dan", "eve", "fay"], ["ann", "dan", "fay"]]
            gids = await asyncio.gather(*[
                create(first[g[0]], "group", g[1:], "group %d" % n) for n, g in enumerate(groups)])
            for cid, g in zip(gids, groups):
                members[cid] = set(g)

            # Every user, at once: two messages to each of its conversations (ann's from both of
            # her connections).
            jobs = []
            for cid, who in members.items():
                for user in sorted(who):
                    senders = [c for c in clients if c.username == user]
                    for k in range(2):
                        jobs.append(send_message(senders[k % len(senders)], cid,
                                                 "%s to %s, #%d <b>&amp;</b>" % (user, cid, k)))
            sent = await asyncio.gather(*jobs)
            assert len({m["messageId"] for m in sent}) == len(sent) == 56

            expected = collections.defaultdict(set)
            for m in sent:
                for user in members[m["conversationId"]]:
                    expected[user].add(m["messageId"])
            await receive_all(clients, expected)
            last = await barrier(first["ben"], clients)
            sent.append(last)

            by_id = {m["messageId"]: m for m in sent}
            for c in clients:
                frames = delivered(c)
                counts = collections.Counter(f["messageId"] for f in frames)
                assert set(counts) == expected[c.username] | {last["messageId"]}, c.username
                assert max(counts.values()) == 1, (c.username, counts.most_common(3))
                for f in frames:
                    assert c.username in members[f["conversationId"]], (c.username, f)
                    assert f == dict(by_id[f["messageId"]], type="message"), f

            sent_by_conv = collections.defaultdict(list)
            for m in sent:
                sent_by_conv[m["conversationId"]].append(m)
            reader = {cid: first[sorted(who)[0]] for cid, who in members.items()}
            await check_order(clients, members, sent_by_conv, reader)
            # What history says of each message is what its ack and the deliveries said.
            for cid in members:
                for m in await history(reader[cid], cid):
                    assert m == by_id[m["messageId"]], m
        finally:
            for c in clients:
                await c.__aexit__(None, None, None)

    try:
        asyncio.run(go())
    finally:
        stack.stop()


# 2. The inbox.

async def later_than(ms):
    """Until the clock has passed `ms`: the inbox orders by lastActivity in milliseconds."""
    while time.time() * 1000 <= ms + 1:
        await asyncio.sleep(0.002)


def test_the_inbox_reorders_as_messages_arrive_and_counts_unread_for_an_offline_user(tmp_path):
    stack = ChatStack(tmp_path)

    async def go():
        async with Client(stack, "ivy") as ivy, Client(stack, "kim") as kim:
            a = await create(ivy, "direct", ["jon"])  # jon has never connected
            b = await create(ivy, "group", ["jon", "kim"], "plans")

            async def order(client):
                return [i["conversationId"] for i in await inbox(client)]

            m = await send_message(ivy, b, "b1")
            await later_than(m["createdAt"])
            m = await send_message(ivy, a, "a1")
            assert await order(ivy) == [a, b]
            assert await order(kim) == [b]
            await later_than(m["createdAt"])
            b2 = await send_message(kim, b, "b2")
            assert await order(ivy) == [b, a]
            items = {i["conversationId"]: i for i in await inbox(ivy)}
            assert items[b]["unread"] == 1 and items[a]["unread"] == 0
            assert (items[b]["lastSender"], items[b]["lastText"]) == ("kim", "b2")
            assert items[b]["lastMessageId"] == b2["messageId"]
            assert items[b]["members"] == ["ivy", "jon", "kim"] and items[b]["name"] == "plans"
            assert {i["conversationId"]: i["unread"] for i in await inbox(kim)} == {b: 1}

            async with Client(stack, "jon") as jon:
                items = await inbox(jon)
                assert [i["conversationId"] for i in items] == [b, a]
                assert {i["conversationId"]: i["unread"] for i in items} == {a: 1, b: 2}
                assert items[1]["kind"] == "direct" and items[1]["members"] == ["ivy", "jon"]
            # Offline again: three more in a, after which it is first, with 4 unread.
            await later_than(b2["createdAt"])
            for text in ("a2", "a3", "a4"):
                last = await send_message(ivy, a, text)
            async with Client(stack, "jon") as jon:
                items = await inbox(jon)
                assert [i["conversationId"] for i in items] == [a, b]
                assert {i["conversationId"]: i["unread"] for i in items} == {a: 4, b: 2}
                assert items[0]["lastText"] == "a4" and items[0]["lastSender"] == "ivy"
                assert items[0]["lastMessageId"] == last["messageId"]
                # Reading the newest message of a leaves none unread there; b keeps its two.
                await jon.send(action="markRead", conversationId=a, messageId=last["messageId"])
                deadline = time.monotonic() + SECONDS
                while {i["conversationId"]: i["unread"] for i in await inbox(jon)} != {a: 0, b: 2}:
                    assert time.monotonic() < deadline, await inbox(jon)
                    await asyncio.sleep(0.05)
                # The other participants heard of the receipt.
                await wait_for(ivy, lambda f: f.get("type") == "read" and f["username"] == "jon",
                               "jon's receipt")
            assert await order(ivy) == [a, b]

    try:
        asyncio.run(go())
    finally:
        stack.stop()


# 3. kill -9.

def fanout_invocations(stack):
    """(started, ended) chat-fanout invocations, from the host's START and REPORT lines."""
    log = stack.log()
    return (len(re.findall(r"^\[chat-fanout \S+\] START ", log, re.M)),
            len(re.findall(r"^\[chat-fanout \S+\] REPORT ", log, re.M)))


async def until(predicate, what, seconds=SECONDS):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        await asyncio.sleep(0.05)


def gated_functions(tmp_path, gate):
    """The chat functions, chat-fanout's cold start held until the file `gate` exists (it gives
    up when the host that started it is gone)."""
    folder = tmp_path / "functions-gated"
    folder.mkdir()
    for f in FUNCTIONS_DIR.iterdir():
        if f.name != "chat-fanout":
            (folder / f.name).symlink_to(f)
    (folder / "chat-fanout").mkdir()
    bootstrap = folder / "chat-fanout" / "bootstrap"
    bootstrap.write_text(
        "#!/bin/sh\n"
        "while [ ! -e '%s' ]; do\n"
        "  kill -0 \"$PPID\" 2>/dev/null || exit 1\n"
        "  sleep 0.02\n"
        "done\n"
        "exec '%s'\n" % (gate, FUNCTIONS_DIR / "chat-fanout" / "bootstrap"))
    bootstrap.chmod(0o755)
    return folder


USERS = ["amy", "bob", "cal"]


async def connect_all(stack):
    clients = [Client(stack, u) for u in USERS] + [Client(stack, "amy")]
    for c in clients:
        await c.__aenter__()
    return clients


async def close_all(clients):
    for c in clients:
        await c.__aexit__(None, None, None)


async def send_round(clients, members, round_):
    """Every user, at once: one message to each of its conversations."""
    first = {c.username: c for c in reversed(clients)}
    return await asyncio.gather(*[
        send_message(first[u], cid, "%s in %s, round %d" % (u, cid, round_))
        for cid, who in members.items() for u in sorted(who)])


def audience(sent, members):
    out = collections.defaultdict(set)
    for m in sent:
        for u in members[m["conversationId"]]:
            out[u].add(m["messageId"])
    return out


@pytest.mark.parametrize("victim", ["emulator", "lambda-host", "gateway"])
def test_an_acked_message_survives_kill_9_and_is_delivered_once_the_stack_is_back(tmp_path,
                                                                                 victim):
    """Messages acked while chat-fanout is held (its instance stopped, so the stream mapping has
    a batch in flight and its checkpoint stands after the messages before) survive a kill -9 of
    `victim`; after the restart over the same data (chat-fanout's cold start held until the
    clients are back), the reconnected clients get each of them exactly once, in history order,
    and none of the messages delivered before the crash (the checkpoint)."""
    # The launcher would start the victim again at once: this test restarts the whole stack.
    stack = ChatStack(tmp_path, durable=True, extra_args=["--no-restart"])
    members = {"lobby": set(USERS)}
    state = {}

    async def before():
        clients = await connect_all(stack)
        try:
            await online(stack, clients)
            amy = clients[0]
            dm = await create(amy, "direct", ["bob"])
            grp = await create(amy, "group", ["bob", "cal"], "trio")
            members.update({dm: {"amy", "bob"}, grp: {"amy", "bob", "cal"}})
            # Delivered before the crash, and the fanout idle: their records are checkpointed.
            state["delivered"] = await send_round(clients, members, 1)
            await receive_all(clients, audience(state["delivered"], members))
            await until(lambda: fanout_invocations(stack)[0] == fanout_invocations(stack)[1],
                        "chat-fanout to be idle")
            held = state["stopped"] = instances(stack, "chat-fanout")
            assert held, stack.log()
            for pid in held:
                os.kill(pid, signal.SIGSTOP)
            started = fanout_invocations(stack)[0]
            # Acked while the fanout is held: stored, not delivered.
            state["held"] = await send_round(clients, members, 2)
            await until(lambda: fanout_invocations(stack)[0] > started,
                        "a chat-fanout batch in flight")
            ids = {m["messageId"] for m in state["held"]}
            assert not any(f["messageId"] in ids for c in clients for f in delivered(c))

            pids = [stack.proc.pid] + descendants(stack.proc.pid)
            os.kill(stack_process(stack, victim), signal.SIGKILL)
            for pid in held:  # its batch fails (or has no host to return to)
                os.kill(pid, signal.SIGKILL)
            assert stack.proc.wait(SECONDS) == 1
            assert "launch: %s exited with status -9; stopping" % victim in stack.log()
            await until(lambda: not any(alive(p) for p in pids), "the old stack to be gone",
                        seconds=15)
            for c in clients:  # the gateway is gone: so is every connection
                await asyncio.wait_for(c.reader, SECONDS)
        finally:
            for pid in state.get("stopped", []):  # never left stopped, whatever failed
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
            await close_all(clients)

    try:
        asyncio.run(before())
    finally:
        stack.stop()

    gate = tmp_path / "fanout-gate"
    stack = ChatStack(tmp_path, durable=True, functions_dir=gated_functions(tmp_path, gate),
                      log_name="launch-again.log")

    async def after():
        # The connections the dead stack left in the table: chat-fanout finds them gone (410).
        stale = {u: {i["sk"]["S"][5:] for i in connections_of(stack, u)} for u in USERS}
        clients = await connect_all(stack)
        try:
            await online(stack, clients, stale)
            assert not any(delivered(c) for c in clients)  # the fanout is held: nothing yet
            gate.touch()
            await receive_all(clients, audience(state["held"], members))
            last = await barrier(clients[1], clients)
            for c in clients:
                counts = collections.Counter(f["messageId"] for f in delivered(c))
                assert set(counts) == audience(state["held"], members)[c.username] | {
                    last["messageId"]}, (c.username, counts)
                assert max(counts.values()) == 1, (c.username, counts.most_common(3))
            by_conv = collections.defaultdict(list)
            for m in state["delivered"] + state["held"] + [last]:
                by_conv[m["conversationId"]].append(m)
            # Every acked message is in history (amy is in every conversation), before the crash
            # or after, and the deliveries came in its order.
            await check_order(clients, members, by_conv, {cid: clients[0] for cid in members})
        finally:
            await close_all(clients)

    try:
        asyncio.run(after())
    finally:
        stack.stop()


# A connection in its $connect.

def test_a_connection_still_in_its_connect_keeps_its_items_when_a_post_gets_410(tmp_path):
    """chat-connect writes the items before API Gateway opens the connection, which answers 410
    until then: a frame posted in between (presence, the lobby) must not delete them. A
    connection item stored just now, of an id the gateway does not know, stands for one."""
    stack = ChatStack(tmp_path)

    async def go():
        async with Client(stack, "ann") as ann:
            await online(stack, [ann])
            real = connections_of(stack, "ann")[0]
            common = {"domainName": real["domainName"]["S"], "stage": real["stage"]["S"],
                      "expiresAt": int(time.time()) + 3600}
            for ident, user, at in (("Y29ubmVjdGluZw==", "ben", int(time.time() * 1000)),
                                    ("b2xkLWdob3N0", "cat", int(time.time() * 1000) - 60000)):
                stack.put(dict(common, pk="CONN#" + ident, sk="META", type="connection",
                               connectionId=ident, username=user, connectedAt=at,
                               connBucket="CONNS#%d" % bucket(ident), connSk=ident))
                stack.put(dict(common, pk="USER#" + user, sk="CONN#" + ident, type="userconn",
                               connectionId=ident))
            await barrier(ann, [ann])  # a lobby message: posted to all three
            await until(lambda: "connection Y29ubmVjdGluZw== of ben is not open (yet)" in
                        stack.log(), "the young connection's 410")
            await until(lambda: not stack.items("CONN#b2xkLWdob3N0"), "the old ghost deleted")
            assert not connections_of(stack, "cat")
            assert stack.items("CONN#Y29ubmVjdGluZw==") and connections_of(stack, "ben")

    try:
        asyncio.run(go())
    finally:
        stack.stop()


def bucket(connection_id):
    """chat::connection_bucket: FNV-1a (64 bits) of the id, modulo 16."""
    h = 14695981039346656037
    for c in connection_id.encode():
        h = ((h ^ c) * 1099511628211) % (1 << 64)
    return h % 16
