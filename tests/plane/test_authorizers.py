"""Lambda authorizers of type REQUEST: on a WebSocket API's $connect (its policy decides the
handshake; its principalId and context reach every later event of the connection) and on HTTP
API routes (simple responses and policies); a request without an identity source is 401 before
the authorizer runs, Deny 403, an "Unauthorized" error 401, any other failure 500. HTTP APIs
hold answers for resultTtlInSeconds per identity on the plane's clock; WebSocket APIs never do."""

import http.client
import json

import pytest
import websockets

from gateway_support import API_ID, STAGE, chat_api, fake, gateway_factory, run  # noqa: F401

CONNECT_ARN = "arn:aws:execute-api:us-east-1:123456789012:%s/%s/$connect" % (API_ID, STAGE)
HTTP_ID = "h1h2h3h4h5"


def policy(effect, resource, principal="user-1", context=None):
    out = {"principalId": principal,
           "policyDocument": {"Version": "2012-10-17", "Statement": [
               {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
    if context is not None:
        out["context"] = context
    return out


def ws_authorizer(event):
    token = event["queryStringParameters"]["token"]
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "crash":
        raise RuntimeError("authorizer bug")
    if token == "deny":
        return policy("Deny", event["methodArn"])
    return policy("Allow", event["methodArn"], context={"user": "ann", "level": 3, "vip": True})


@pytest.fixture
def ws(gateway_factory, fake):  # noqa: F811
    fake.on("auth", ws_authorizer)
    api = chat_api(authorizers=[{"name": "Token", "function": "auth",
                                 "identitySource": ["route.request.querystring.token"]}])
    api["routes"][0]["authorizer"] = "Token"
    return gateway_factory(apis=[api])


def connect_status(url):
    async def go():
        try:
            async with websockets.connect(url):
                return 101
        except websockets.exceptions.InvalidStatusCode as e:
            return e.status_code
    return run(go())


def test_connect_allowed_passes_principal_and_context_to_every_event(ws, fake):
    async def go():
        async with websockets.connect(ws.url() + "?token=good") as c:
            await c.send(json.dumps({"action": "echo"}))
            await c.recv()
    run(go())
    (auth,) = fake.received("auth")
    assert auth["type"] == "REQUEST" and auth["methodArn"] == CONNECT_ARN
    assert auth["queryStringParameters"] == {"token": "good"}
    assert auth["requestContext"]["routeKey"] == "$connect"
    assert auth["requestContext"]["eventType"] == "CONNECT"
    expected = {"principalId": "user-1", "user": "ann", "level": 3, "vip": True}
    (connect,) = fake.received("connect")
    assert connect["requestContext"]["authorizer"] == expected
    assert connect["requestContext"]["connectionId"] == auth["requestContext"]["connectionId"]
    (message,) = fake.received("echo")
    assert message["requestContext"]["authorizer"] == expected
    (disconnect,) = fake.wait_for(1, "disconnect")
    assert disconnect["requestContext"]["authorizer"] == expected


def test_connect_denied_is_403(ws, fake):
    assert connect_status(ws.url() + "?token=deny") == 403
    assert fake.received("connect") == []


def test_connect_unauthorized_error_is_401_and_other_errors_500(ws, fake):
    assert connect_status(ws.url() + "?token=unauthorized") == 401
    assert connect_status(ws.url() + "?token=crash") == 500
    assert fake.received("connect") == []


def test_connect_without_the_identity_source_is_401_without_calling_the_authorizer(ws, fake):
    assert connect_status(ws.url()) == 401
    assert connect_status(ws.url() + "?token=") == 401
    assert fake.received("auth") == []
    assert fake.received("connect") == []


def test_an_allow_for_another_resource_denies(gateway_factory, fake):  # noqa: F811
    fake.on("auth", lambda e: policy("Allow", "arn:aws:execute-api:*:*:otherapi/*"))
    api = chat_api(authorizers=[{"name": "Token", "function": "auth", "identitySource": []}])
    api["routes"][0]["authorizer"] = "Token"
    g = gateway_factory(apis=[api])
    assert connect_status(g.url()) == 403


def http_api(authorizer):
    return {"apiId": HTTP_ID, "name": "guarded", "stage": "$default", "cors": None,
            "authorizers": [authorizer],
            "routes": [{"routeKey": "GET /me", "function": "me", "authorizer": authorizer["name"]},
                       {"routeKey": "GET /open", "function": "me"}]}


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    out = r.status, r.read()
    conn.close()
    return out


def simple_authorizer(event):
    token = event["headers"].get("authorization")
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "crash":
        raise RuntimeError("bug")
    return {"isAuthorized": token == "good", "context": {"user": "bob", "n": 1}}


@pytest.fixture
def guarded(gateway_factory, fake):  # noqa: F811
    fake.on("auth", simple_authorizer)
    fake.on("me", lambda e: {"statusCode": 200,
                             "body": json.dumps(e["requestContext"].get("authorizer"))})
    return gateway_factory(apis=[], http_apis=[http_api({
        "name": "Simple", "function": "auth", "payloadFormatVersion": "2.0",
        "enableSimpleResponses": True, "identitySource": ["$request.header.Authorization"]})])


def test_http_simple_response_allows_with_context(guarded, fake):
    status, body = get(guarded.http_port, "/me?x=1", {"Authorization": "good"})
    assert status == 200
    assert json.loads(body) == {"lambda": {"user": "bob", "n": 1}}
    (auth,) = fake.received("auth")
    assert auth["version"] == "2.0" and auth["type"] == "REQUEST"
    assert auth["routeArn"] == "arn:aws:execute-api:us-east-1:123456789012:%s/$default/GET/me" \
        % HTTP_ID
    assert auth["identitySource"] == ["good"]
    assert auth["routeKey"] == "GET /me" and auth["rawQueryString"] == "x=1"
    assert "body" not in auth
    # A route without an authorizer does not call it.
    assert get(guarded.http_port, "/open")[0] == 200
    assert len(fake.received("auth")) == 1


def test_http_authorizer_refusals(guarded, fake):
    assert get(guarded.http_port, "/me", {"Authorization": "bad"}) == \
        (403, b'{"message":"Forbidden"}')
    assert get(guarded.http_port, "/me", {"Authorization": "unauthorized"}) == \
        (401, b'{"message":"Unauthorized"}')
    assert get(guarded.http_port, "/me", {"Authorization": "crash"}) == \
        (500, b'{"message":"Internal Server Error"}')
    calls = len(fake.received("auth"))
    assert get(guarded.http_port, "/me") == (401, b'{"message":"Unauthorized"}')
    assert len(fake.received("auth")) == calls  # not called without its identity source
    assert fake.received("me") == []


def test_http_policy_response_format_1_0(gateway_factory, fake):  # noqa: F811
    def auth(event):
        allow = event["queryStringParameters"].get("key") == "k"
        return policy("Allow" if allow else "Deny", event["methodArn"], "p-9", {"role": "admin"})
    fake.on("auth", auth)
    fake.on("me", lambda e: {"statusCode": 200,
                             "body": json.dumps(e["requestContext"].get("authorizer"))})
    g = gateway_factory(apis=[], http_apis=[http_api({
        "name": "Policy", "function": "auth", "payloadFormatVersion": "1.0",
        "enableSimpleResponses": False, "identitySource": ["$request.querystring.key"]})])
    status, body = get(g.http_port, "/me?key=k")
    assert status == 200 and json.loads(body) == {"lambda": {"role": "admin"}}
    (event,) = fake.received("auth")
    assert event["version"] == "1.0" and event["identitySource"] == "k"
    assert event["methodArn"].endswith("/$default/GET/me")
    assert get(g.http_port, "/me?key=other")[0] == 403


# Caching (HTTP APIs only): the identity sources' values are the key, the TTL runs on the
# plane's clock; a policy answer is evaluated again for each route's ARN, a simple answer
# decides every route alike; WebSocket $connect authorizers are never cached.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.caching

def cached_api(authorizer, ttl):
    authorizer = dict(authorizer, resultTtlInSeconds=ttl)
    return {"apiId": HTTP_ID, "name": "cached", "stage": "$default", "cors": None,
            "authorizers": [authorizer],
            "routes": [{"routeKey": "GET /me", "function": "me", "authorizer": authorizer["name"]},
                       {"routeKey": "GET /other", "function": "me",
                        "authorizer": authorizer["name"]}]}


SIMPLE = {"name": "Simple", "function": "auth", "payloadFormatVersion": "2.0",
          "enableSimpleResponses": True, "identitySource": ["$request.header.Authorization"]}


@pytest.fixture
def echo_me(fake):  # noqa: F811
    fake.on("auth", simple_authorizer)
    fake.on("me", lambda e: {"statusCode": 200,
                             "body": json.dumps(e["requestContext"].get("authorizer"))})


def test_http_cache_holds_a_simple_answer_per_identity_for_its_ttl(gateway_factory, fake,  # noqa
                                                                   echo_me):
    g = gateway_factory(apis=[], http_apis=[cached_api(SIMPLE, 300)])
    good = {"Authorization": "good"}
    allowed = (200, {"lambda": {"user": "bob", "n": 1}})
    status, body = get(g.http_port, "/me", good)
    assert (status, json.loads(body)) == allowed
    # The same identity, on the same or another route: held, the authorizer is not called.
    status, body = get(g.http_port, "/me", good)
    assert (status, json.loads(body)) == allowed
    assert get(g.http_port, "/other", good)[0] == 200
    assert len(fake.received("auth")) == 1
    assert len(fake.received("me")) == 3
    # Another identity calls it; its Deny is held too.
    assert get(g.http_port, "/me", {"Authorization": "bad"})[0] == 403
    assert get(g.http_port, "/me", {"Authorization": "bad"})[0] == 403
    assert len(fake.received("auth")) == 2
    # After the TTL on the plane's clock, the next request calls the authorizer again.
    g.advance(299)
    assert get(g.http_port, "/me", good)[0] == 200
    assert len(fake.received("auth")) == 2
    g.advance(2)
    assert get(g.http_port, "/me", good)[0] == 200
    assert len(fake.received("auth")) == 3
    assert get(g.http_port, "/me", good)[0] == 200
    assert len(fake.received("auth")) == 3


def test_http_ttl_0_never_caches(gateway_factory, fake, echo_me):  # noqa: F811
    g = gateway_factory(apis=[], http_apis=[cached_api(SIMPLE, 0)])
    for _ in range(3):
        assert get(g.http_port, "/me", {"Authorization": "good"})[0] == 200
    assert len(fake.received("auth")) == 3


def test_http_cache_does_not_hold_failures(gateway_factory, fake, echo_me):  # noqa: F811
    g = gateway_factory(apis=[], http_apis=[cached_api(SIMPLE, 300)])
    for token, status in (("crash", 500), ("unauthorized", 401)):
        assert get(g.http_port, "/me", {"Authorization": token})[0] == status
        assert get(g.http_port, "/me", {"Authorization": token})[0] == status
    assert len(fake.received("auth")) == 4


def test_http_cached_policy_is_evaluated_for_each_route(gateway_factory, fake):  # noqa: F811
    # The policy allows the route it was asked about, and only that one.
    fake.on("auth", lambda e: policy("Allow", e["routeArn"], "p-1", {"role": "admin"}))
    fake.on("me", lambda e: {"statusCode": 200,
                             "body": json.dumps(e["requestContext"].get("authorizer"))})
    g = gateway_factory(apis=[], http_apis=[cached_api(
        {"name": "Policy", "function": "auth", "payloadFormatVersion": "2.0",
         "enableSimpleResponses": False, "identitySource": ["$request.header.Authorization"]},
        300)])
    key = {"Authorization": "k"}
    status, body = get(g.http_port, "/me", key)
    assert (status, json.loads(body)) == (200, {"lambda": {"role": "admin"}})
    assert get(g.http_port, "/me", key)[0] == 200
    # The held policy does not allow GET /other: denied without calling the authorizer.
    assert get(g.http_port, "/other", key) == (403, b'{"message":"Forbidden"}')
    assert len(fake.received("auth")) == 1


def test_http_route_key_in_the_identity_sources_caches_per_route(gateway_factory, fake,  # noqa
                                                                 echo_me):
    g = gateway_factory(apis=[], http_apis=[cached_api(
        dict(SIMPLE, identitySource=["$request.header.Authorization", "$context.routeKey"]),
        300)])
    good = {"Authorization": "good"}
    for path in ("/me", "/other", "/me", "/other"):
        assert get(g.http_port, path, good)[0] == 200
    events = fake.received("auth")
    assert [e["identitySource"] for e in events] == [["good", "GET /me"], ["good", "GET /other"]]


def test_websocket_connect_authorizer_is_never_cached(gateway_factory, fake):  # noqa: F811
    fake.on("auth", ws_authorizer)
    api = chat_api(authorizers=[{"name": "Token", "function": "auth",
                                 "identitySource": ["route.request.querystring.token"],
                                 "resultTtlInSeconds": 300}])
    api["routes"][0]["authorizer"] = "Token"
    g = gateway_factory(apis=[api])
    assert connect_status(g.url() + "?token=good") == 101
    assert connect_status(g.url() + "?token=good") == 101
    assert len(fake.received("auth")) == 2
