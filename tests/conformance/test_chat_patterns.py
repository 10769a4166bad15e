"""Acceptance tests for the chat service's access patterns.

1. A conversation's history: the last 50 messages newest first (Query with
   ScanIndexForward=False, Limit=50), then a cursor back through history
   page by page until the first message, every message exactly once, also
   while new messages keep arriving.
2. A user's inbox: a GSI whose sort key is "<LastTimestamp>#<conversation_id>"
   read newest first and paged while other threads post messages (moving
   conversations to the top between and during pages): no conversation twice
   within a page, pages in order, and the final state read in one pass
   correctly ordered.
"""

import base64
import concurrent.futures
import json
import random
import threading
import time

import pytest

import support
from values import S, N

PAGE = 50


def uid(prefix):
    return support.unique_name(prefix)


def batch_put(ddb, table, items, threads=4):
    chunks = [items[i:i + 25] for i in range(0, len(items), 25)]

    def send(chunk):
        req = {table: [{"PutRequest": {"Item": it}} for it in chunk]}
        for _ in range(20):
            req = ddb.batch_write_item(RequestItems=req).get("UnprocessedItems") or {}
            if not req:
                return
        raise AssertionError("UnprocessedItems never drained")

    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as ex:
        for f in [ex.submit(send, c) for c in chunks]:
            f.result()


def encode_cursor(key):
    """What an API hands a client: LastEvaluatedKey as an opaque string."""
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def decode_cursor(cursor):
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


# --------------------------------------------------------------------------
# 1. conversation history
# --------------------------------------------------------------------------

def message_id(ts, seq):
    return f"{ts:013d}#{seq:06d}"


@pytest.fixture(scope="module")
def messages(ddb):
    """The Messages table as the service declares it (schemas/messages.json),
    with 1,000 messages in one conversation and decoys around it."""
    spec = json.loads((support.REPO / "schemas" / "messages.json").read_text())
    spec["TableName"] = uid("Messages")
    ddb.create_table(**spec)
    table = spec["TableName"]
    conv = uid("conv")
    base = 1_700_000_000_000
    rng = random.Random(3)
    items, ids = [], []
    ts = base
    for seq in range(1000):
        ts += rng.randint(0, 3)  # equal timestamps happen; seq breaks ties
        mid = message_id(ts, seq)
        ids.append(mid)
        items.append({"conversationId": S(conv), "messageId": S(mid), "senderId": S(f"u{seq % 4}"),
                      "body": S(f"message {seq}")})
    # Neighbours of the conversation id: one differing in its last
    # character, one extending it, one sorting just before it.
    for other in (conv[:-1] + chr(ord(conv[-1]) ^ 1), conv + "x", "a" + conv):
        for seq in range(100):
            items.append({"conversationId": S(other), "messageId": S(message_id(base + seq, seq)),
                          "body": S("decoy")})
    rng.shuffle(items)
    batch_put(ddb, table, items)
    return {"table": table, "conv": conv, "ids": ids, "last_ts": ts}


def history_page(ddb, table, conv, cursor=None, limit=PAGE):
    kw = dict(TableName=table, KeyConditionExpression="conversationId = :c",
              ExpressionAttributeValues={":c": S(conv)}, ScanIndexForward=False, Limit=limit)
    if cursor:
        kw["ExclusiveStartKey"] = decode_cursor(cursor)
    resp = ddb.query(**kw)
    lek = resp.get("LastEvaluatedKey")
    return resp["Items"], (encode_cursor(lek) if lek else None)


def test_latest_50_newest_first(ddb, messages):
    items, cursor = history_page(ddb, messages["table"], messages["conv"])
    want = messages["ids"][::-1][:PAGE]
    assert [it["messageId"]["S"] for it in items] == want
    assert all(it["conversationId"] == S(messages["conv"]) for it in items)
    assert cursor is not None
    assert decode_cursor(cursor) == {"conversationId": S(messages["conv"]), "messageId": S(want[-1])}


def test_cursor_back_through_history(ddb, messages):
    seen, cursor, pages = [], None, 0
    while True:
        items, cursor = history_page(ddb, messages["table"], messages["conv"], cursor)
        pages += 1
        assert len(items) <= PAGE
        seen.extend(it["messageId"]["S"] for it in items)
        if cursor is None:
            break
        assert pages < 100
    assert len(seen) == len(set(seen)), "a message was returned twice"
    assert seen == messages["ids"][::-1]
    assert pages in (20, 21)


def test_history_while_new_messages_arrive(ddb, messages):
    """Paging back from a cursor is unaffected by messages posted meanwhile;
    a fresh "latest 50" shows them first."""
    table, conv = messages["table"], messages["conv"]
    stop = threading.Event()
    posted, errors = [], []

    def poster():
        ts = messages["last_ts"] + 1000
        seq = 10_000
        try:
            while not stop.is_set() and seq < 10_400:
                mid = message_id(ts, seq)
                ddb.put_item(TableName=table, Item={"conversationId": S(conv), "messageId": S(mid),
                                                    "body": S("new")})
                posted.append(mid)
                ts += 1
                seq += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    first, cursor = history_page(ddb, table, conv)
    assert [it["messageId"]["S"] for it in first] == messages["ids"][::-1][:PAGE]
    t = threading.Thread(target=poster)
    t.start()
    try:
        seen = [it["messageId"]["S"] for it in first]
        while cursor:
            items, cursor = history_page(ddb, table, conv, cursor)
            seen.extend(it["messageId"]["S"] for it in items)
            time.sleep(0.002)
    finally:
        stop.set()
        t.join(timeout=30)
    assert not errors, errors
    assert seen == messages["ids"][::-1]
    latest, _ = history_page(ddb, table, conv)
    want = (messages["ids"] + posted)[::-1][:PAGE]
    assert [it["messageId"]["S"] for it in latest] == want
    # Leave the conversation as the other tests expect it.
    for chunk in range(0, len(posted), 25):
        ddb.batch_write_item(RequestItems={table: [
            {"DeleteRequest": {"Key": {"conversationId": S(conv), "messageId": S(m)}}}
            for m in posted[chunk:chunk + 25]]})


def test_history_of_empty_conversation(ddb, messages):
    items, cursor = history_page(ddb, messages["table"], uid("empty"))
    assert items == [] and cursor is None


def test_history_between_two_cursors_does_not_leak_other_conversations(ddb, messages):
    table, conv = messages["table"], messages["conv"]
    items, cursor = history_page(ddb, table, conv, limit=PAGE)
    for _ in range(25):
        if cursor is None:
            break
        items, cursor = history_page(ddb, table, conv, cursor, limit=PAGE)
        assert all(it["conversationId"] == S(conv) for it in items)
        assert all(it["body"]["S"] != "decoy" for it in items)


# --------------------------------------------------------------------------
# 2. the inbox
# --------------------------------------------------------------------------

CONVERSATIONS = 120
INBOX_PAGE = 10


def last_key(ts, conv):
    return f"{ts:013d}#{conv}"


@pytest.fixture
def inbox(ddb):
    """UserConversations: one row per (user, conversation) with the time of
    its last message; GSI byLast on (userId, lastKey) with lastKey =
    "<LastTimestamp>#<conversationId>"."""
    table = uid("UserConversations")
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"},
                              {"AttributeName": "conversationId", "AttributeType": "S"},
                              {"AttributeName": "lastKey", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"},
                   {"AttributeName": "conversationId", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "byLast",
            "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"},
                          {"AttributeName": "lastKey", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE",
                           "NonKeyAttributes": ["LastTimestamp", "preview"]}}])
    user = uid("user")
    base = 1_700_000_000_000
    rng = random.Random(9)
    convs = [f"c{i:04d}-{uid('x')[-6:]}" for i in range(CONVERSATIONS)]
    items = []
    state = {}
    for c in convs:
        ts = base + rng.randint(0, 50) * 1000  # equal timestamps: the id breaks the tie
        state[c] = ts
        items.append({"userId": S(user), "conversationId": S(c), "LastTimestamp": N(ts),
                      "lastKey": S(last_key(ts, c)), "preview": S("hello")})
    for i in range(30):
        items.append({"userId": S(user + "-other"), "conversationId": S(f"o{i}"),
                      "LastTimestamp": N(base), "lastKey": S(last_key(base, f"o{i}"))})
    batch_put(ddb, table, items)
    return {"table": table, "user": user, "convs": convs, "state": state, "base": base}


def inbox_page(ddb, inbox, start=None, limit=INBOX_PAGE):
    kw = dict(TableName=inbox["table"], IndexName="byLast", KeyConditionExpression="userId = :u",
              ExpressionAttributeValues={":u": S(inbox["user"])}, ScanIndexForward=False)
    if limit:
        kw["Limit"] = limit
    if start:
        kw["ExclusiveStartKey"] = start
    return ddb.query(**kw)


def expected_inbox(state):
    return [c for c, _ in sorted(state.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)]


def post_message(ddb, inbox, conv, ts):
    ddb.update_item(TableName=inbox["table"], Key={"userId": S(inbox["user"]), "conversationId": S(conv)},
                    UpdateExpression="SET LastTimestamp = :t, lastKey = :k, preview = :p",
                    ExpressionAttributeValues={":t": N(ts), ":k": S(last_key(ts, conv)),
                                               ":p": S(f"at {ts}")})


def check_page(items):
    convs = [it["conversationId"]["S"] for it in items]
    assert len(convs) == len(set(convs)), f"a conversation appears twice in one page: {convs}"
    keys = [it["lastKey"]["S"] for it in items]
    assert keys == sorted(keys, reverse=True), "page not newest first"
    for it in items:
        assert it["lastKey"]["S"] == last_key(int(it["LastTimestamp"]["N"]), it["conversationId"]["S"])
        assert set(it) == {"userId", "conversationId", "lastKey", "LastTimestamp", "preview"}


def test_inbox_newest_first(ddb, inbox):
    resp = inbox_page(ddb, inbox, limit=None)
    check_page(resp["Items"])
    assert [it["conversationId"]["S"] for it in resp["Items"]] == expected_inbox(inbox["state"])
    first = inbox_page(ddb, inbox)
    assert [it["conversationId"]["S"] for it in first["Items"]] == \
        expected_inbox(inbox["state"])[:INBOX_PAGE]
    last = first["Items"][-1]
    assert first["LastEvaluatedKey"] == {a: last[a] for a in ("userId", "conversationId", "lastKey")}


def test_inbox_paged_without_writes(ddb, inbox):
    seen, start = [], None
    while True:
        resp = inbox_page(ddb, inbox, start)
        check_page(resp["Items"])
        seen.extend(it["conversationId"]["S"] for it in resp["Items"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == expected_inbox(inbox["state"])


def test_inbox_post_moves_conversation_to_top(ddb, inbox):
    conv = expected_inbox(inbox["state"])[-1]
    ts = inbox["base"] + 10**6
    post_message(ddb, inbox, conv, ts)
    inbox["state"][conv] = ts
    top = inbox_page(ddb, inbox, limit=3)["Items"]
    assert top[0]["conversationId"]["S"] == conv
    assert top[0]["preview"] == S(f"at {ts}")
    whole = inbox_page(ddb, inbox, limit=None)["Items"]
    assert [it["conversationId"]["S"] for it in whole] == expected_inbox(inbox["state"])


def test_inbox_paged_while_messages_arrive(ddb, inbox):
    """Writers post to random conversations (each post moves the
    conversation to the top) between and during the reader's pages."""
    lock = threading.Lock()
    clock = [inbox["base"] + 10**6]
    updated = set()   # conversations posted to since the current walk began
    inflight = [None, None]  # the post each writer has under way
    posts = [0]
    stop = threading.Event()
    errors = []

    def writer(seed):
        # Each writer owns half of the conversations, so a conversation's
        # posts are applied in the order of their timestamps.
        rng = random.Random(seed)
        mine = inbox["convs"][seed::2]
        try:
            for _ in range(2000):
                if stop.is_set():
                    return
                conv = rng.choice(mine)
                with lock:
                    clock[0] += rng.randint(1, 3)
                    ts = clock[0]
                    updated.add(conv)  # before the post: the reader may see it at once
                    inflight[seed] = conv
                post_message(ddb, inbox, conv, ts)
                with lock:
                    inbox["state"][conv] = ts
                    inflight[seed] = None
                    posts[0] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    walks = 0
    writers = [threading.Thread(target=writer, args=(s,)) for s in (0, 1)]
    for t in writers:
        t.start()
    try:
        for walks in range(1, 4):
            with lock:
                updated.clear()
                updated.update(c for c in inflight if c)
                start_posts = posts[0]
            seen, start, pages = [], None, 0
            while True:
                resp = inbox_page(ddb, inbox, start)
                pages += 1
                check_page(resp["Items"])
                seen.extend(it["lastKey"]["S"] for it in resp["Items"])
                start = resp.get("LastEvaluatedKey")
                if not start:
                    break
                # Let the writers move some conversations before the next page.
                deadline = time.monotonic() + 2
                while posts[0] < start_posts + 2 * pages and time.monotonic() < deadline:
                    time.sleep(0.001)
                assert pages < 200
            # Posts only move conversations up, above the cursor: one walk
            # never goes back up, so it never shows a conversation twice.
            convs = [k.split("#", 1)[1] for k in seen]
            assert seen == sorted(seen, reverse=True)
            assert len(convs) == len(set(convs))
            # A conversation is missing from the walk only if a post moved it
            # above the cursor while the walk was under way.
            with lock:
                missing = set(inbox["convs"]) - set(convs)
                assert missing <= updated, missing - updated
    finally:
        stop.set()
        for t in writers:
            t.join(timeout=60)
    assert not errors, errors
    assert posts[0] > 0
    # The final state read in one pass.
    whole = inbox_page(ddb, inbox, limit=None)
    check_page(whole["Items"])
    got = [it["conversationId"]["S"] for it in whole["Items"]]
    assert got == expected_inbox(inbox["state"])
    assert "LastEvaluatedKey" not in whole
    # The index agrees with the table, row by row.
    table_rows = ddb.query(TableName=inbox["table"], KeyConditionExpression="userId = :u",
                           ExpressionAttributeValues={":u": S(inbox["user"])}, ConsistentRead=True)["Items"]
    assert len(table_rows) == CONVERSATIONS
    by_conv = {it["conversationId"]["S"]: it for it in whole["Items"]}
    for row in table_rows:
        c = row["conversationId"]["S"]
        assert int(row["LastTimestamp"]["N"]) == inbox["state"][c]
        assert by_conv[c]["lastKey"] == row["lastKey"]
        assert by_conv[c]["preview"] == row["preview"]
    # The other user's inbox is untouched.
    other = ddb.query(TableName=inbox["table"], IndexName="byLast", KeyConditionExpression="userId = :u",
                      ExpressionAttributeValues={":u": S(inbox["user"] + "-other")})
    assert other["Count"] == 30


def test_inbox_of_new_user_is_empty(ddb, inbox):
    resp = ddb.query(TableName=inbox["table"], IndexName="byLast", KeyConditionExpression="userId = :u",
                     ExpressionAttributeValues={":u": S(uid("nobody"))}, ScanIndexForward=False, Limit=10)
    assert resp["Items"] == [] and resp["Count"] == 0 and "LastEvaluatedKey" not in resp
