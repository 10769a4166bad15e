"""HTTP APIs on the gateway's HTTP port: route matching (path parameters, greedy variables, ANY,
$default), the payload format 2.0 event and 1.0 beside it, both response forms, API Gateway's
own 404 / 500 / 503 answers, and CORS (preflights answered by the gateway, headers added)."""

import base64
import http.client
import json
import time

import pytest

from gateway_support import fake, gateway_factory  # noqa: F401

API_ID = "h1h2h3h4h5"


def http_api(**overrides):
    api = {
        "logicalId": "PetsApi", "name": "pets", "apiId": API_ID, "stage": "$default",
        "endpoint": "https://%s.execute-api.us-east-1.amazonaws.com" % API_ID,
        "cors": None, "authorizers": [],
        "routes": [
            {"routeKey": "GET /pets/{id}", "function": "pet"},
            {"routeKey": "GET /pets/dog/1", "function": "exact"},
            {"routeKey": "ANY /files/{proxy+}", "function": "files"},
            {"routeKey": "POST /echo", "function": "echo"},
            {"routeKey": "GET /any-json", "function": "anyjson"},
            {"routeKey": "GET /boom", "function": "boom"},
            {"routeKey": "GET /slow", "function": "slow", "timeoutInMillis": 300},
            {"routeKey": "GET /bad", "function": "bad"},
            {"routeKey": "GET /v1/{id}", "function": "v1", "payloadFormatVersion": "1.0"},
        ],
    }
    api.update(overrides)
    return api


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, data, r.getheaders()
    conn.close()
    return out


@pytest.fixture
def api(gateway_factory, fake):  # noqa: F811
    fake.on("pet", lambda e: {"statusCode": 200, "body": "pet " + e["pathParameters"]["id"]})
    fake.on("exact", lambda e: {"statusCode": 200, "body": "exact"})
    fake.on("files", lambda e: {"statusCode": 200, "body": e["pathParameters"]["proxy"]})
    fake.on("echo", lambda e: {"statusCode": 201, "headers": {"X-Echo": "yes"},
                               "cookies": ["a=1; Path=/", "b=2"],
                               "body": base64.b64encode(b"\x00raw").decode(),
                               "isBase64Encoded": True})
    fake.on("anyjson", lambda e: {"hello": "world"})
    fake.on("v1", lambda e: {"statusCode": 202, "multiValueHeaders": {"x-v": ["1", "2"]},
                             "body": "v1 " + e["pathParameters"]["id"]})
    fake.on("bad", lambda e: {"statusCode": "nope"})

    def boom(e):
        raise RuntimeError("boom")
    fake.on("boom", boom)

    def slow(e):
        time.sleep(1.5)
        return {"statusCode": 200, "body": "late"}
    fake.on("slow", slow)
    g = gateway_factory(http_apis=[http_api()])
    assert g.http_port
    return g


def test_routes_with_path_parameters_most_specific_first(api, fake):
    status, headers, body, _ = request(api.http_port, "GET", "/pets/7")
    assert (status, body) == (200, b"pet 7")
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert len(headers["apigw-requestid"]) == 16
    assert request(api.http_port, "GET", "/pets/dog/1")[2] == b"exact"
    assert request(api.http_port, "GET", "/pets/a%20b")[2] == b"pet a b"
    # A greedy variable takes the rest of the path; ANY takes every method.
    assert request(api.http_port, "DELETE", "/files/a/b/c.txt")[2] == b"a/b/c.txt"


def test_no_route_is_404_not_found(api, fake):
    for method, path in [("GET", "/nothing"), ("POST", "/pets/7"), ("GET", "/files")]:
        status, headers, body, _ = request(api.http_port, method, path)
        assert status == 404 and json.loads(body) == {"message": "Not Found"}, (method, path)
        assert headers["content-type"] == "application/json"
    assert fake.received("pet") == []


def test_default_route_and_named_stage_in_raw_path(gateway_factory, fake):  # noqa: F811
    fake.on("fallback", lambda e: {"statusCode": 200, "body": e["rawPath"]})
    fake.on("x", lambda e: {"statusCode": 200, "body": "x"})
    g = gateway_factory(http_apis=[http_api(stage="dev", routes=[
        {"routeKey": "$default", "function": "fallback"},
        {"routeKey": "GET /x", "function": "x"}])])
    assert request(g.http_port, "GET", "/dev/x")[2] == b"x"
    assert request(g.http_port, "POST", "/dev/some/where?q=1")[2] == b"/dev/some/where"
    (event,) = fake.received("fallback")
    assert event["routeKey"] == "$default" and event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["http"]["path"] == "/dev/some/where"
    # Another stage is no stage of the API.
    assert request(g.http_port, "GET", "/prod/x")[0] == 404


def test_the_2_0_event(api, fake):
    request(api.http_port, "POST", "/echo?a=1&a=2&b=x%20y", body=b'{"k": 1}',
            headers={"Content-Type": "application/json", "X-Custom": "v", "User-Agent": "ua/1",
                     "Cookie": "s=1; t=2"})
    (e,) = fake.received("echo")
    assert e["version"] == "2.0"
    assert e["routeKey"] == "POST /echo"
    assert e["rawPath"] == "/echo" and e["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert e["cookies"] == ["s=1", "t=2"]
    assert e["headers"]["x-custom"] == "v" and "cookie" not in e["headers"]
    assert all(k == k.lower() for k in e["headers"])
    assert e["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert e["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    assert e["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert "pathParameters" not in e
    assert e["body"] == '{"k": 1}' and e["isBase64Encoded"] is False
    rc = e["requestContext"]
    assert rc["apiId"] == API_ID and rc["accountId"] == "123456789012"
    assert rc["domainName"] == API_ID + ".execute-api.us-east-1.amazonaws.com"
    assert rc["domainPrefix"] == API_ID and rc["stage"] == "$default"
    assert rc["http"] == {"method": "POST", "path": "/echo", "protocol": "HTTP/1.1",
                          "sourceIp": "127.0.0.1", "userAgent": "ua/1"}
    assert rc["routeKey"] == "POST /echo" and isinstance(rc["timeEpoch"], int)


def test_binary_bodies_reach_the_function_base64_encoded(api, fake):
    request(api.http_port, "POST", "/echo", body=b"\x00\x01",
            headers={"Content-Type": "application/octet-stream"})
    (e,) = fake.received("echo")
    assert e["isBase64Encoded"] is True and base64.b64decode(e["body"]) == b"\x00\x01"


def test_both_response_forms(api, fake):
    status, headers, body, raw = request(api.http_port, "POST", "/echo", body=b"x")
    assert status == 201 and body == b"\x00raw" and headers["x-echo"] == "yes"
    assert [v for k, v in raw if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2"]
    # Any JSON without a statusCode is the body of a 200, as JSON.
    status, headers, body, _ = request(api.http_port, "GET", "/any-json")
    assert status == 200 and json.loads(body) == {"hello": "world"}
    assert headers["content-type"] == "application/json"


def test_payload_format_1_0(api, fake):
    status, headers, body, raw = request(api.http_port, "GET", "/v1/9?x=1&x=2")
    assert (status, body) == (202, b"v1 9")
    assert [v for k, v in raw if k.lower() == "x-v"] == ["1", "2"]
    (e,) = fake.received("v1")
    assert e["version"] == "1.0" and e["httpMethod"] == "GET"
    assert e["resource"] == "/v1/{id}" and e["path"] == "/v1/9"
    assert e["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert e["body"] is None


def test_a_failing_function_is_500_and_a_slow_one_503(api, fake):
    for path in ["/boom", "/bad"]:
        status, headers, body, _ = request(api.http_port, "GET", path)
        assert status == 500 and json.loads(body) == {"message": "Internal Server Error"}, path
    started = time.monotonic()
    status, _, body, _ = request(api.http_port, "GET", "/slow")
    assert status == 503 and json.loads(body) == {"message": "Service Unavailable"}
    assert time.monotonic() - started < 1.4  # the route's 300 ms, not the function's 1.5 s


def test_keep_alive_serves_several_requests(api, fake):
    conn = http.client.HTTPConnection("127.0.0.1", api.http_port, timeout=10)
    for i in range(3):
        conn.request("GET", "/pets/%d" % i)
        assert conn.getresponse().read() == b"pet %d" % i
    conn.close()


CORS = {"allowOrigins": ["https://app.example.com"], "allowMethods": ["GET", "POST"],
        "allowHeaders": ["authorization", "content-type"], "exposeHeaders": ["x-echo"],
        "maxAge": 300, "allowCredentials": True}


def test_cors_preflight_is_answered_without_a_route(gateway_factory, fake):  # noqa: F811
    fake.on("pet", lambda e: {"statusCode": 200, "body": "pet",
                              "headers": {"Access-Control-Allow-Origin": "https://evil.test"}})
    g = gateway_factory(http_apis=[http_api(cors=CORS)])
    status, headers, body, _ = request(g.http_port, "OPTIONS", "/pets/1", headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert status == 204 and body == b""
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-allow-methods"] == "GET,POST"
    assert headers["access-control-allow-headers"] == "authorization,content-type"
    assert headers["access-control-max-age"] == "300"
    assert headers["access-control-allow-credentials"] == "true"
    # An origin that is not allowed gets no CORS headers.
    status, headers, _, _ = request(g.http_port, "OPTIONS", "/pets/1", headers={
        "Origin": "https://evil.test", "Access-Control-Request-Method": "GET"})
    assert status == 204 and "access-control-allow-origin" not in headers
    assert fake.received("pet") == []
    # A CORS request gets the configured headers, not the function's.
    status, headers, body, _ = request(g.http_port, "GET", "/pets/1",
                                       headers={"Origin": "https://app.example.com"})
    assert body == b"pet"
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-expose-headers"] == "x-echo"
    # API Gateway's own answers carry them too.
    status, headers, _, _ = request(g.http_port, "GET", "/nothing",
                                    headers={"Origin": "https://app.example.com"})
    assert status == 404 and headers["access-control-allow-origin"] == "https://app.example.com"


def test_without_cors_options_is_an_ordinary_request(api, fake):
    status, headers, _, _ = request(api.http_port, "OPTIONS", "/pets/1", headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert status == 404 and "access-control-allow-origin" not in headers
