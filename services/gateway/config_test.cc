#include "gateway/config.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

constexpr const char* kPlan = R"({
  "region": "eu-west-1", "accountId": "111122223333",
  "websocketApis": [
    {"apiId": "aaaaaaaaaa", "name": "chat", "stage": "prod",
     "routeSelectionExpression": "$request.body.action",
     "routes": [{"routeKey": "$connect", "function": "connect-fn", "authorizer": null},
                {"routeKey": "send", "function": "send-fn", "routeResponse": true}]},
    {"apiId": "bbbbbbbbbb", "stage": "prod", "routes": []},
    {"apiId": "cccccccccc", "stage": "dev", "routes": []}
  ]})";

TEST(ParsePlan, ReadsApisAndRoutes) {
  Plan plan = parse_plan(kPlan);
  EXPECT_EQ(plan.region, "eu-west-1");
  EXPECT_EQ(plan.account_id, "111122223333");
  ASSERT_EQ(plan.apis.size(), 3u);
  const Api& api = plan.apis[0];
  EXPECT_EQ(api.api_id, "aaaaaaaaaa");
  ASSERT_NE(api.find_route("send"), nullptr);
  EXPECT_TRUE(api.find_route("send")->route_response);
  EXPECT_FALSE(api.find_route("$connect")->route_response);
  EXPECT_EQ(api.find_route("$default"), nullptr);
  EXPECT_EQ(plan.apis[1].route_selection_expression, "$request.body.action");
  EXPECT_EQ(api.domain_name(plan.region), "aaaaaaaaaa.execute-api.eu-west-1.amazonaws.com");
}

TEST(ParsePlan, ErrorsNameTheMember) {
  EXPECT_THROW(parse_plan("not json"), std::invalid_argument);
  try {
    parse_plan(R"({"websocketApis": [{"apiId": "x"}]})");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("websocketApis[0].stage"), std::string::npos);
  }
  EXPECT_THROW(parse_plan(R"({"websocketApis": [{"apiId": "x", "stage": "s", "routes": [{}]}]})"),
               std::invalid_argument);
  EXPECT_TRUE(parse_plan(R"({"stackName": "s"})").apis.empty());
}

TEST(ParsePlan, Authorizers) {
  Plan plan = parse_plan(R"({"websocketApis": [{"apiId": "x", "stage": "s",
      "authorizers": [{"name": "A", "function": "auth", "identitySource":
                       ["route.request.querystring.token"]}],
      "routes": [{"routeKey": "$connect", "function": "f", "authorizer": "A"},
                 {"routeKey": "send", "function": "f", "authorizer": "A"}]}]})");
  const Api& api = plan.apis.at(0);
  EXPECT_EQ(api.routes[0].authorizer, "A");
  ASSERT_NE(api.find_authorizer("A"), nullptr);
  EXPECT_EQ(api.find_authorizer("A")->identity_source,
            std::vector<std::string>{"route.request.querystring.token"});
  // API Gateway runs WebSocket authorizers on $connect only.
  EXPECT_EQ(api.routes[1].authorizer, "");
  ASSERT_EQ(plan.notices.size(), 1u);
  EXPECT_NE(plan.notices[0].find("$connect only"), std::string::npos);
  EXPECT_THROW(parse_plan(R"({"websocketApis": [{"apiId": "x", "stage": "s", "routes": [
      {"routeKey": "$connect", "function": "f", "authorizer": "missing"}]}]})"),
               std::invalid_argument);
}

TEST(ParsePlan, AuthorizerResultTtl) {
  Plan plan = parse_plan(R"({"httpApis": [{"apiId": "h", "routes": [], "authorizers": [
      {"name": "A", "function": "f", "resultTtlInSeconds": 3600},
      {"name": "B", "function": "f"}]}]})");
  EXPECT_EQ(plan.http_apis.at(0).find_authorizer("A")->result_ttl_s, 3600);
  EXPECT_EQ(plan.http_apis.at(0).find_authorizer("B")->result_ttl_s, 0);  // absent: no caching
  for (const char* bad : {"-1", "3601", "\"300\"", "1.5"}) {
    EXPECT_THROW(parse_plan(std::string(R"({"httpApis": [{"apiId": "h", "routes": [],
        "authorizers": [{"name": "A", "function": "f", "resultTtlInSeconds": )") +
                            bad + "}]}]}"),
                 std::invalid_argument)
        << bad;
  }
}

TEST(ResolveTarget, StageAndConnections) {
  Plan plan = parse_plan(kPlan);
  auto t = resolve_target(plan, "127.0.0.1:9", "/dev");
  EXPECT_EQ(t.kind, Target::Kind::WebSocket);
  EXPECT_EQ(t.api->api_id, "cccccccccc");
  t = resolve_target(plan, "127.0.0.1:9", "/dev/@connections/abc%3D?x=1");
  EXPECT_EQ(t.kind, Target::Kind::Connection);
  EXPECT_EQ(t.connection_id, "abc=");
  EXPECT_EQ(resolve_target(plan, "h", "/dev/@connections").kind, Target::Kind::None);
  EXPECT_EQ(resolve_target(plan, "h", "/dev/@connections/a/b").kind, Target::Kind::None);
  EXPECT_EQ(resolve_target(plan, "h", "/dev/other/a").kind, Target::Kind::None);
  EXPECT_EQ(resolve_target(plan, "h", "/nope").kind, Target::Kind::None);
  EXPECT_EQ(resolve_target(plan, "h", "/").kind, Target::Kind::None);
  EXPECT_EQ(resolve_target(plan, "h", "/_plane/clock").kind, Target::Kind::Clock);
}

TEST(ResolveTarget, SharedStageNeedsHostOrApiId) {
  Plan plan = parse_plan(kPlan);
  EXPECT_EQ(resolve_target(plan, "127.0.0.1:9", "/prod").kind, Target::Kind::None);
  auto t = resolve_target(plan, "bbbbbbbbbb.execute-api.eu-west-1.amazonaws.com", "/prod");
  ASSERT_EQ(t.kind, Target::Kind::WebSocket);
  EXPECT_EQ(t.api->api_id, "bbbbbbbbbb");
  t = resolve_target(plan, "aaaaaaaaaa.execute-api.eu-west-1.amazonaws.com:443",
                     "/prod/@connections/x");
  ASSERT_EQ(t.kind, Target::Kind::Connection);
  EXPECT_EQ(t.api->api_id, "aaaaaaaaaa");
  t = resolve_target(plan, "127.0.0.1:9", "/aaaaaaaaaa/prod/@connections/x");
  ASSERT_EQ(t.kind, Target::Kind::Connection);
  EXPECT_EQ(t.api->api_id, "aaaaaaaaaa");
  EXPECT_EQ(resolve_target(plan, "127.0.0.1:9", "/bbbbbbbbbb/prod").api->api_id, "bbbbbbbbbb");
}

TEST(Query, DecodesPairs) {
  auto q = parse_query("a=1&b=x%20y&a=2&flag&&c=%zz+");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[1].second, "x y");
  EXPECT_EQ(q[2].second, "2");
  EXPECT_EQ(q[3].first, "flag");
  EXPECT_EQ(q[3].second, "");
  EXPECT_EQ(q[4].second, "%zz+");
  EXPECT_EQ(percent_decode("%3d%3D%"), "==%");
}

}  // namespace
}  // namespace gateway
