"""chat-history, GET /conversations/{id}/messages on the chat stack's HTTP API (the launcher
with schemas/chat.yaml): bearer tokens signed with the template's default TokenSecret, paging
newest first, and the protocol's 401, 403, 404 and 400 answers."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from chat_stack import ChatStack
from test_fanout import group_id, ulid

SECRET = b"local-development-secret-change-me"  # schemas/chat.yaml's TokenSecret default


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def token(sub, secret=SECRET, exp_in=3600):
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"sub": sub, "iat": now, "exp": now + exp_in}).encode())
    signature = b64(hmac.new(secret, header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature).decode()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = ChatStack(tmp_path_factory.mktemp("history"))
    yield s
    s.stop()


def get(stack, cid, auth=None, **query):
    url = "%s/conversations/%s/messages" % (stack.http_url, urllib.parse.quote(cid, safe=""))
    if query:
        url += "?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(url, headers={"Authorization": auth} if auth else {})
    try:
        with urllib.request.urlopen(request, timeout=15) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def conversation(stack):
    cid = group_id()
    stack.put_conversation(cid, "group", ["alice", "bob"], "history")
    ids = [ulid() for _ in range(5)]
    for i, mid in enumerate(ids):
        stack.put_message(cid, mid, "alice" if i % 2 == 0 else "bob", "m%d" % i)
    return cid, ids


def test_pages_newest_first_until_the_cursor_is_null(stack, conversation):
    cid, ids = conversation
    auth = "Bearer " + token("bob")
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
        status, body = get(stack, cid, auth, **query)
        assert status == 200, body
        assert body["conversationId"] == cid
        assert len(body["messages"]) <= 2
        seen += body["messages"]
        pages += 1
        cursor = body["cursor"]
        if cursor is None:
            break
    assert [m["messageId"] for m in seen] == list(reversed(ids))
    assert seen[0] == {"conversationId": cid, "messageId": ids[4], "sender": "alice",
                       "text": "m4", "createdAt": 1764590400000, "clientMessageId": "c-" + ids[4]}
    assert pages == 3
    # The default limit (50) holds them all on one page; "bearer" in any case.
    status, body = get(stack, cid, "bearer " + token("alice"))
    assert status == 200 and len(body["messages"]) == 5 and body["cursor"] is None


def test_the_lobby_is_everyones(stack):
    mid = ulid()
    stack.put_message("lobby", mid, "zed", "in the lobby")
    status, body = get(stack, "lobby", "Bearer " + token("nobody_in_particular"))
    assert status == 200
    assert mid in [m["messageId"] for m in body["messages"]]


def test_401_without_a_valid_token(stack, conversation):
    cid, _ = conversation
    for auth in [None, "Basic YWxpY2U6eA==", "Bearer", "Bearer not-a-token",
                 "Bearer " + token("bob", secret=b"another secret"),
                 "Bearer " + token("bob", exp_in=-10)]:
        status, body = get(stack, cid, auth)
        assert status == 401, auth
        assert body["code"] == "Unauthorized"


def test_403_for_a_non_participant_and_404_for_no_such_conversation(stack, conversation):
    cid, _ = conversation
    assert get(stack, cid, "Bearer " + token("carol")) == (
        403, {"code": "NotAParticipant", "message": "not a participant of this conversation"})
    status, body = get(stack, group_id(), "Bearer " + token("carol"))
    assert (status, body["code"]) == (404, "NotFound")
    status, body = get(stack, "no-such-shape", "Bearer " + token("carol"))
    assert (status, body["code"]) == (404, "NotFound")
    # Without a token nobody learns that much: 401 first.
    assert get(stack, group_id())[0] == 401


def test_400_for_a_bad_limit_or_cursor(stack, conversation):
    cid, _ = conversation
    auth = "Bearer " + token("bob")
    for query in [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"limit": "5x"},
                  {"cursor": "%%%"}, {"cursor": "eyJwayI6MX0"}]:
        status, body = get(stack, cid, auth, **query)
        assert (status, body["code"]) == (400, "BadRequest"), query
    # A cursor of another conversation's pages is refused too.
    other = group_id()
    stack.put_conversation(other, "group", ["bob", "alice"], "other")
    for _ in range(2):
        stack.put_message(other, ulid(), "bob", "x")
    status, body = get(stack, other, auth, limit=1)
    assert status == 200 and body["cursor"]
    status, body = get(stack, cid, auth, cursor=body["cursor"])
    assert (status, body["code"]) == (400, "BadRequest")
