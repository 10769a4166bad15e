#include "gateway/authorizer.h"
#include "gateway/config.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace gateway {
namespace {

const std::string kArn = "arn:aws:execute-api:us-east-1:123456789012:abc/prod/$connect";

TEST(IdentitySources, MissingOrEmptyIsNullopt) {
  HeaderList headers = {{"Authorization", "Bearer x"}, {"Empty", ""}};
  HeaderList query = {{"token", "t1"}};
  EXPECT_EQ(
      identity_values({"route.request.header.authorization", "route.request.querystring.token"},
                      headers, query),
      (std::vector<std::string>{"Bearer x", "t1"}));
  EXPECT_EQ(identity_values({"$request.header.AUTHORIZATION"}, headers, query),
            (std::vector<std::string>{"Bearer x"}));
  EXPECT_FALSE(identity_values({"route.request.querystring.other"}, headers, query));
  EXPECT_FALSE(identity_values({"$request.header.Empty"}, headers, query));
  // Query string names are case-sensitive.
  EXPECT_FALSE(identity_values({"$request.querystring.TOKEN"}, headers, query));
  EXPECT_TRUE(identity_values({}, headers, query));
}

TEST(IdentitySources, ContextVariablesTakeTheirValues) {
  HeaderList context = {{"routeKey", "GET /pets"}, {"stage", "$default"}};
  EXPECT_EQ(identity_values({"$context.routeKey", "$stageVariables.v", "$context.unknown"}, {}, {},
                            context),
            (std::vector<std::string>{"GET /pets", "", ""}));
}

TEST(AuthorizerCache, HoldsAnswersForTheirTtl) {
  AuthorizerCache cache;
  const std::string k = AuthorizerCache::key("api", "A", {"token-1"});
  EXPECT_FALSE(cache.find(k, 0));
  cache.put(k, "answer", 1'000, 300);
  EXPECT_EQ(cache.find(k, 1'000), "answer");
  EXPECT_EQ(cache.find(k, 300'999), "answer");
  EXPECT_FALSE(cache.find(k, 301'000));  // expired exactly at the TTL, and dropped
  EXPECT_EQ(cache.size(), 0u);
  cache.put(k, "answer", 0, 0);  // TTL 0: nothing held
  EXPECT_FALSE(cache.find(k, 0));
  // A new answer replaces the old one and its expiry.
  cache.put(k, "one", 0, 10);
  cache.put(k, "two", 5'000, 10);
  EXPECT_EQ(cache.find(k, 12'000), "two");
}

TEST(AuthorizerCache, KeysSeparateApisAuthorizersAndValues) {
  using C = AuthorizerCache;
  EXPECT_NE(C::key("api", "A", {"x"}), C::key("api", "B", {"x"}));
  EXPECT_NE(C::key("api", "A", {"x"}), C::key("other", "A", {"x"}));
  EXPECT_NE(C::key("api", "A", {"x"}), C::key("api", "A", {"y"}));
  // Joined values cannot collide with differently split ones.
  EXPECT_NE(C::key("api", "A", {"a,b"}), C::key("api", "A", {"a", "b"}));
  EXPECT_NE(C::key("api", "A", {"ab", ""}), C::key("api", "A", {"a", "b"}));
  EXPECT_EQ(C::key("api", "A", {"a", "b"}), C::key("api", "A", {"a", "b"}));
}

TEST(AuthorizerCache, BoundedExpiredFirstThenSoonest) {
  AuthorizerCache cache(2);
  cache.put("old", "1", 0, 1);     // expires at 1 s
  cache.put("long", "2", 0, 100);  // expires at 100 s
  cache.put("new", "3", 2'000, 10);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.find("old", 2'000));  // the expired one made room
  EXPECT_EQ(cache.find("long", 2'000), "2");
  cache.put("newer", "4", 3'000, 50);  // none expired: the one closest to expiry goes ("new")
  EXPECT_FALSE(cache.find("new", 3'000));
  EXPECT_EQ(cache.find("long", 3'000), "2");
  EXPECT_EQ(cache.find("newer", 3'000), "4");
}

TEST(Arns, Forms) {
  EXPECT_EQ(websocket_method_arn("us-east-1", "123456789012", "abc", "prod", "$connect"), kArn);
  EXPECT_EQ(http_route_arn("us-east-1", "1", "abc", "$default", "GET", "/pets/1"),
            "arn:aws:execute-api:us-east-1:1:abc/$default/GET/pets/1");
  EXPECT_TRUE(wildcard_match("arn:aws:execute-api:*:*:abc/*", kArn));
  EXPECT_TRUE(wildcard_match("*", kArn));
  EXPECT_TRUE(wildcard_match(kArn, kArn));
  EXPECT_FALSE(wildcard_match("arn:aws:execute-api:us-east-1:123456789012:other/*", kArn));
  EXPECT_TRUE(wildcard_match("arn:aws:execute-api:us-east-1:123456789012:abc/pro?/$connect", kArn));
}

std::string policy(const std::string& effect, const std::string& resource,
                   const std::string& extra = "") {
  return R"({"principalId": "user-1", "policyDocument": {"Version": "2012-10-17",
    "Statement": [{"Action": "execute-api:Invoke", "Effect": ")" +
         effect + R"(", "Resource": ")" + resource + "\"}]}" + extra + "}";
}

TEST(AuthorizerResponses, Policies) {
  auto d = parse_authorizer_response(
      policy("Allow", kArn, R"(, "context": {"user": "ann", "n": 1, "ok": true})"), false, kArn);
  ASSERT_EQ(d.kind, AuthDecision::Kind::Allow);
  EXPECT_EQ(d.auth.principal_id, "user-1");
  EXPECT_EQ(d.auth.context, (std::vector<std::pair<std::string, std::string>>{
                                {"user", "\"ann\""}, {"n", "1"}, {"ok", "true"}}));
  EXPECT_EQ(parse_authorizer_response(policy("Deny", kArn), false, kArn).kind,
            AuthDecision::Kind::Deny);
  // An Allow for another resource allows nothing here.
  EXPECT_EQ(
      parse_authorizer_response(policy("Allow", "arn:aws:execute-api:*:*:zzz/*"), false, kArn).kind,
      AuthDecision::Kind::Deny);
  // An explicit Deny wins over an Allow.
  std::string both = R"({"principalId": "p", "policyDocument": {"Statement": [
    {"Action": ["execute-api:Invoke"], "Effect": "Allow", "Resource": ["*"]},
    {"Action": "execute-api:*", "Effect": "Deny", "Resource": ")" +
                     kArn + "\"}]}}";
  EXPECT_EQ(parse_authorizer_response(both, false, kArn).kind, AuthDecision::Kind::Deny);
  EXPECT_EQ(parse_authorizer_response(R"({"principalId": "p"})", false, kArn).kind,
            AuthDecision::Kind::Error);
  EXPECT_EQ(parse_authorizer_response("[]", false, kArn).kind, AuthDecision::Kind::Error);
  EXPECT_EQ(parse_authorizer_response(policy("Allow", kArn, R"(, "context": 5)"), false, kArn).kind,
            AuthDecision::Kind::Error);
}

TEST(AuthorizerResponses, Simple) {
  auto d = parse_authorizer_response(R"({"isAuthorized": true, "context": {"a": "b"}})", true, "");
  ASSERT_EQ(d.kind, AuthDecision::Kind::Allow);
  EXPECT_TRUE(d.auth.has_context);
  EXPECT_FALSE(d.auth.principal_id);
  EXPECT_EQ(parse_authorizer_response(R"({"isAuthorized": false})", true, "").kind,
            AuthDecision::Kind::Deny);
  EXPECT_EQ(parse_authorizer_response(R"({"isAuthorized": "yes"})", true, "").kind,
            AuthDecision::Kind::Error);
  // A policy where a simple response is expected is not one.
  EXPECT_EQ(parse_authorizer_response(policy("Allow", kArn), true, kArn).kind,
            AuthDecision::Kind::Error);
}

TEST(AuthorizerResponses, UnauthorizedError) {
  EXPECT_TRUE(is_unauthorized_error(R"({"errorMessage": "Unauthorized", "errorType": "Error"})"));
  EXPECT_FALSE(is_unauthorized_error(R"({"errorMessage": "unauthorized"})"));
  EXPECT_FALSE(is_unauthorized_error("nope"));
}

}  // namespace
}  // namespace gateway
