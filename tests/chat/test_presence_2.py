"""Presence changes coalesced by chat-fanout (schemas/chat-protocol.md, `presence`): the changes
of one stream batch are one frame to every connection, listing each user's latest change, posted
after the batch's other frames, instead of one frame per change to every connection."""

import asyncio
import time

from chat_stack import TABLE, ChatStack, Client, wait_until
from test_fanout import online, ulid

import pytest


@pytest.fixture
def stack(tmp_path):
    s = ChatStack(tmp_path)
    yield s
    s.stop()


def presence_put(username):
    now = int(time.time())
    return {"Put": {"TableName": TABLE, "Item": {
        "pk": {"S": "USER#" + username}, "sk": {"S": "PRESENCE"}, "type": {"S": "presence"},
        "username": {"S": username}, "lastSeen": {"N": str(now * 1000)},
        "expiresAt": {"N": str(now + 90)}}}}


def test_the_presence_changes_of_one_batch_are_one_frame_after_its_other_frames(stack):
    async def go():
        async with Client(stack, "alice") as a, Client(stack, "bob") as b:
            await online(stack, a, b)
            await a.wait_for_presence("bob", True)
            await b.wait_for_presence("alice", True)
            # Twenty users appear, bob's presence goes and a lobby message is written, all in
            # one transaction: one batch of the stream.
            users = ["u%02d" % i for i in range(20)]
            mid = ulid()
            before_a, before_b = len(a.of_type("presence")), len(b.of_type("presence"))
            stack.ddb.transact_write_items(TransactItems=[
                *[presence_put(u) for u in users],
                {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "USER#bob"},
                                                        "sk": {"S": "PRESENCE"}}}},
                {"Put": {"TableName": TABLE, "Item": {
                    "pk": {"S": "CONV#lobby"}, "sk": {"S": "MSG#" + mid},
                    "type": {"S": "message"}, "conversationId": {"S": "lobby"},
                    "messageId": {"S": mid}, "sender": {"S": "carol"}, "text": {"S": "hi"},
                    "createdAt": {"N": "1764590400000"}, "clientMessageId": {"S": "c-" + mid},
                    "userPk": {"S": "USERMSG#carol"}, "userSk": {"S": mid}}}}])
            for c, before in ((a, before_a), (b, before_b)):
                await c.wait_for_presence("bob", False)
                await c.wait_for_presence("u19", True)
                await asyncio.sleep(0.5)  # nothing more comes
                frames = c.of_type("presence")[before:]
                assert len(frames) == 1, frames
                assert sorted(u["username"] for u in frames[0]["users"]) == sorted(users + ["bob"])
                assert all(u["online"] == (u["username"] != "bob") for u in frames[0]["users"])
                # The batch's message came first.
                kinds = [f["type"] for f in c.frames if f["type"] in ("message", "presence")]
                assert kinds[-2:] == ["message", "presence"], c.frames
    asyncio.run(go())


def test_a_lobby_of_clients_connecting_gets_fewer_presence_frames_than_changes(stack):
    """Thirty clients connecting at once: the stream's batches hold several of their presence
    records, each batch one frame per connection (one frame per change would be as many frames
    as changes)."""
    async def go():
        clients = [Client(stack, "p%02d" % i) for i in range(30)]
        await asyncio.gather(*(c.__aenter__() for c in clients))
        try:
            await online(stack, *clients)
            # Until no presence frame has come for a second.
            seen, quiet_since = -1, time.monotonic()
            while time.monotonic() - quiet_since < 1:
                now = sum(len(c.of_type("presence")) for c in clients)
                if now != seen:
                    seen, quiet_since = now, time.monotonic()
                await asyncio.sleep(0.05)
            frames = sum(len(c.of_type("presence")) for c in clients)
            told = sum(len(c.presence_changes()) for c in clients)
            print("presence frames %d, changes told %d" % (frames, told))
            assert all(on for c in clients for _, on in c.presence_changes())
            assert told >= 30 and frames < told / 2, (frames, told)
        finally:
            await asyncio.gather(*(c.__aexit__(None, None, None) for c in clients))
    asyncio.run(go())
