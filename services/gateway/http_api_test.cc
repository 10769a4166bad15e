#include "gateway/http_api.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace gateway {
namespace {

constexpr const char* kPlan = R"({
  "region": "us-east-1", "accountId": "123456789012",
  "httpApis": [
    {"apiId": "hhhhhhhhhh", "name": "pets", "stage": "$default",
     "cors": {"allowOrigins": ["https://*.example.com"], "allowMethods": ["GET", "POST"],
              "allowHeaders": ["authorization"], "exposeHeaders": ["x-id"], "maxAge": 60,
              "allowCredentials": true},
     "routes": [
       {"routeKey": "GET /pets/dog/1", "function": "exact"},
       {"routeKey": "GET /pets/dog/{id}", "function": "dog"},
       {"routeKey": "GET /pets/{proxy+}", "function": "greedy"},
       {"routeKey": "ANY /pets/{kind}/{id}", "function": "any"},
       {"routeKey": "ANY /{proxy+}", "function": "root"},
       {"routeKey": "GET /items/{id}", "function": "items", "payloadFormatVersion": "1.0",
        "timeoutInMillis": 100}]},
    {"apiId": "nnnnnnnnnn", "name": "named", "stage": "dev",
     "routes": [{"routeKey": "$default", "function": "fallback"},
                {"routeKey": "POST /x", "function": "x"}]}
  ]})";

const Plan& plan() {
  static Plan p = parse_plan(kPlan);
  return p;
}

std::string function_for(std::string_view method, std::string_view path, int api = 0) {
  auto m = match_route(plan().http_apis[api], method, path);
  return m.route ? m.route->function : "<none>";
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

TEST(HttpRoutes, MostSpecificFirst) {
  EXPECT_EQ(function_for("GET", "/pets/dog/1"), "exact");
  EXPECT_EQ(function_for("GET", "/pets/dog/2"), "dog");
  EXPECT_EQ(function_for("GET", "/pets/cat/1"), "any");  // {kind} is before a greedy variable
  EXPECT_EQ(function_for("GET", "/pets/cat/1/2"), "greedy");
  EXPECT_EQ(function_for("POST", "/pets/dog/2"), "any");
  EXPECT_EQ(function_for("POST", "/pets/a/b/c"), "root");
  // A greedy variable needs at least one segment; no $default here.
  EXPECT_EQ(function_for("GET", "/"), "<none>");
  EXPECT_EQ(function_for("DELETE", "/items/1"), "root");
  EXPECT_EQ(function_for("POST", "/x", 1), "x");
  EXPECT_EQ(function_for("GET", "/x", 1), "fallback");
}

TEST(HttpRoutes, PathParametersAreDecoded) {
  auto m = match_route(plan().http_apis[0], "GET", "/pets/a%20b/c/d%2Fe");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->function, "greedy");
  EXPECT_EQ(m.path_parameters, (HeaderList{{"proxy", "a b/c/d/e"}}));
  m = match_route(plan().http_apis[0], "GET", "/pets/dog/7");
  EXPECT_EQ(m.path_parameters, (HeaderList{{"id", "7"}}));
  EXPECT_EQ(plan().http_apis[0].routes[5].timeout_ms, 100);
}

TEST(HttpRoutes, PlanErrors) {
  EXPECT_THROW(parse_plan(R"({"httpApis":[{"apiId":"a","routes":[{"routeKey":"GET"}]}]})"),
               std::invalid_argument);
  EXPECT_THROW(parse_plan(R"({"httpApis":[{"apiId":"a","routes":[
                 {"routeKey":"GET /{p+}/x","function":"f"}]}]})"),
               std::invalid_argument);
  EXPECT_THROW(parse_plan(R"({"httpApis":[{"apiId":"a","routes":[
                 {"routeKey":"GET /x","function":"f","authorizer":"nope"}]}]})"),
               std::invalid_argument);
}

TEST(HttpTargets, StageAndHost) {
  auto t = resolve_http_target(plan(), "127.0.0.1:1", "/dev/x");
  ASSERT_NE(t.api, nullptr);
  EXPECT_EQ(t.api->api_id, "nnnnnnnnnn");
  EXPECT_EQ(t.path, "/x");
  t = resolve_http_target(plan(), "127.0.0.1:1", "/pets/1");
  EXPECT_EQ(t.api->api_id, "hhhhhhhhhh");
  EXPECT_EQ(t.path, "/pets/1");
  // The Host header picks an API; a named stage must then be in the path.
  t = resolve_http_target(plan(), "nnnnnnnnnn.execute-api.us-east-1.amazonaws.com", "/pets");
  EXPECT_EQ(t.api, nullptr);
}

HttpRequestInput request() {
  HttpRequestInput in;
  in.method = "POST";
  in.raw_path = "/dev/pets/7";
  in.raw_query = "a=1&a=2&b=x%20y";
  in.headers = {{"Host", "h"},
                {"X-Multi", "1"},
                {"x-multi", "2"},
                {"Cookie", "s=1; t=2"},
                {"Content-Type", "application/json"}};
  in.body = "{\"k\":1}";
  in.source_ip = "127.0.0.1";
  in.user_agent = "ua";
  in.request_id = "id";
  in.time_ms = 1796126400042;
  in.account_id = "123456789012";
  in.api_id = "nnnnnnnnnn";
  in.domain_name = "nnnnnnnnnn.execute-api.us-east-1.amazonaws.com";
  in.stage = "dev";
  in.route_key = "POST /pets/{id}";
  in.resource_path = "/pets/{id}";
  in.path_parameters = {{"id", "7"}};
  return in;
}

TEST(HttpEvents, PayloadFormat2) {
  auto doc = parse(build_http_event_v2(request()));
  EXPECT_STREQ(doc["version"].GetString(), "2.0");
  EXPECT_STREQ(doc["routeKey"].GetString(), "POST /pets/{id}");
  EXPECT_STREQ(doc["rawPath"].GetString(), "/dev/pets/7");
  EXPECT_STREQ(doc["rawQueryString"].GetString(), "a=1&a=2&b=x%20y");
  ASSERT_EQ(doc["cookies"].Size(), 2u);
  EXPECT_STREQ(doc["cookies"][1].GetString(), "t=2");
  EXPECT_FALSE(doc["headers"].HasMember("cookie"));
  EXPECT_STREQ(doc["headers"]["x-multi"].GetString(), "1,2");
  EXPECT_STREQ(doc["headers"]["host"].GetString(), "h");
  EXPECT_STREQ(doc["queryStringParameters"]["a"].GetString(), "1,2");
  EXPECT_STREQ(doc["queryStringParameters"]["b"].GetString(), "x y");
  EXPECT_STREQ(doc["pathParameters"]["id"].GetString(), "7");
  const auto& rc = doc["requestContext"];
  EXPECT_STREQ(rc["http"]["method"].GetString(), "POST");
  EXPECT_STREQ(rc["http"]["path"].GetString(), "/dev/pets/7");
  EXPECT_STREQ(rc["http"]["sourceIp"].GetString(), "127.0.0.1");
  EXPECT_STREQ(rc["domainPrefix"].GetString(), "nnnnnnnnnn");
  EXPECT_STREQ(rc["stage"].GetString(), "dev");
  EXPECT_STREQ(rc["time"].GetString(), "01/Dec/2026:12:00:00 +0000");
  EXPECT_EQ(rc["timeEpoch"].GetInt64(), 1796126400042);
  EXPECT_FALSE(rc.HasMember("authorizer"));
  EXPECT_STREQ(doc["body"].GetString(), "{\"k\":1}");
  EXPECT_FALSE(doc["isBase64Encoded"].GetBool());
}

TEST(HttpEvents, BinaryBodiesAreBase64AndEmptyOnesAbsent) {
  auto in = request();
  in.headers = {{"content-type", "application/octet-stream"}};
  in.body = std::string("\x00\xff", 2);
  auto doc = parse(build_http_event_v2(in));
  EXPECT_STREQ(doc["body"].GetString(), "AP8=");
  EXPECT_TRUE(doc["isBase64Encoded"].GetBool());
  EXPECT_FALSE(doc.HasMember("cookies"));
  in.body.clear();
  in.raw_query.clear();
  in.path_parameters.clear();
  doc = parse(build_http_event_v2(in));
  EXPECT_FALSE(doc.HasMember("body"));
  EXPECT_FALSE(doc.HasMember("queryStringParameters"));
  EXPECT_FALSE(doc.HasMember("pathParameters"));
}

TEST(HttpEvents, AuthorizerContextAndAuthorizerEvent) {
  auto in = request();
  in.authorizer = AuthContext{std::nullopt, {{"user", "\"ann\""}, {"n", "1"}}, true};
  auto doc = parse(build_http_event_v2(in));
  EXPECT_STREQ(doc["requestContext"]["authorizer"]["lambda"]["user"].GetString(), "ann");
  EXPECT_EQ(doc["requestContext"]["authorizer"]["lambda"]["n"].GetInt(), 1);
  AuthorizerEventInput a{"arn:x", {"tok"}};
  in.authorizer.reset();
  doc = parse(build_http_event_v2(in, &a));
  EXPECT_STREQ(doc["type"].GetString(), "REQUEST");
  EXPECT_STREQ(doc["routeArn"].GetString(), "arn:x");
  EXPECT_STREQ(doc["identitySource"][0].GetString(), "tok");
  EXPECT_FALSE(doc.HasMember("body"));
  doc = parse(build_http_event_v1(in, &a));
  EXPECT_STREQ(doc["methodArn"].GetString(), "arn:x");
  EXPECT_STREQ(doc["identitySource"].GetString(), "tok");
}

TEST(HttpEvents, PayloadFormat1) {
  auto doc = parse(build_http_event_v1(request()));
  EXPECT_STREQ(doc["version"].GetString(), "1.0");
  EXPECT_STREQ(doc["resource"].GetString(), "/pets/{id}");
  EXPECT_STREQ(doc["path"].GetString(), "/dev/pets/7");
  EXPECT_STREQ(doc["httpMethod"].GetString(), "POST");
  EXPECT_STREQ(doc["headers"]["x-multi"].GetString(), "2");
  EXPECT_EQ(doc["multiValueHeaders"]["x-multi"].Size(), 2u);
  EXPECT_STREQ(doc["queryStringParameters"]["a"].GetString(), "2");
  EXPECT_EQ(doc["multiValueQueryStringParameters"]["a"].Size(), 2u);
  EXPECT_TRUE(doc["stageVariables"].IsNull());
  auto in = request();
  in.raw_query.clear();
  in.body.clear();
  doc = parse(build_http_event_v1(in));
  EXPECT_TRUE(doc["queryStringParameters"].IsNull());
  EXPECT_TRUE(doc["body"].IsNull());
}

TEST(HttpResponses, Format2BothForms) {
  auto r = map_response_v2(R"({"statusCode": 201, "headers": {"X-A": "1", "n": 2},
    "cookies": ["a=1", "b=2"], "body": "aGk=", "isBase64Encoded": true})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "hi");
  EXPECT_EQ(r.headers, (HeaderList{{"x-a", "1"},
                                   {"n", "2"},
                                   {"set-cookie", "a=1"},
                                   {"set-cookie", "b=2"},
                                   {"content-type", "text/plain; charset=utf-8"}}));
  r = map_response_v2(R"({"hello": "world"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"hello": "world"})");
  EXPECT_EQ(r.headers, (HeaderList{{"content-type", "application/json"}}));
  r = map_response_v2(R"("just text")");
  EXPECT_EQ(r.body, R"("just text")");
  EXPECT_FALSE(map_response_v2("not json").ok);
  EXPECT_FALSE(map_response_v2(R"({"statusCode": "abc"})").ok);
  EXPECT_FALSE(map_response_v2(R"({"statusCode": 42})").ok);
  EXPECT_FALSE(map_response_v2(R"({"statusCode": 200, "body": "!", "isBase64Encoded": true})").ok);
}

TEST(HttpResponses, Format1NeedsStatusCode) {
  EXPECT_FALSE(map_response_v1(R"({"hello": "world"})").ok);
  auto r = map_response_v1(R"({"statusCode": 404, "headers": {"a": "1"},
    "multiValueHeaders": {"b": ["1", "2"]}, "body": "x"})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers,
            (HeaderList{{"a", "1"}, {"b", "1"}, {"b", "2"}, {"content-type", "application/json"}}));
}

TEST(Cors, PreflightAndResponses) {
  const Cors& cors = *plan().http_apis[0].cors;
  HeaderList pre = {{"Origin", "https://app.example.com"},
                    {"Access-Control-Request-Method", "POST"}};
  EXPECT_TRUE(is_preflight("OPTIONS", pre));
  EXPECT_FALSE(is_preflight("GET", pre));
  EXPECT_FALSE(is_preflight("OPTIONS", {{"Origin", "x"}}));
  EXPECT_EQ(cors_preflight_headers(cors, pre),
            (HeaderList{{"access-control-allow-origin", "https://app.example.com"},
                        {"access-control-allow-methods", "GET,POST"},
                        {"access-control-allow-headers", "authorization"},
                        {"access-control-expose-headers", "x-id"},
                        {"access-control-max-age", "60"},
                        {"access-control-allow-credentials", "true"}}));
  EXPECT_TRUE(cors_preflight_headers(cors, {{"Origin", "https://evil.test"},
                                            {"Access-Control-Request-Method", "POST"}})
                  .empty());
  EXPECT_TRUE(cors_preflight_headers(cors, {{"Origin", "https://app.example.com"},
                                            {"Access-Control-Request-Method", "DELETE"}})
                  .empty());
  EXPECT_EQ(cors_response_headers(cors, {{"origin", "https://a.example.com"}}),
            (HeaderList{{"access-control-allow-origin", "https://a.example.com"},
                        {"access-control-expose-headers", "x-id"},
                        {"access-control-allow-credentials", "true"}}));
  EXPECT_TRUE(cors_response_headers(cors, {}).empty());
  Cors any;
  any.allow_origins = {"*"};
  EXPECT_EQ(cors_response_headers(any, {{"origin", "https://x"}}),
            (HeaderList{{"access-control-allow-origin", "*"}}));
}

}  // namespace
}  // namespace gateway
