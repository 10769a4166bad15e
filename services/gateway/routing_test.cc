#include "gateway/routing.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

Api api_with(std::vector<std::string> keys, std::string expression = "$request.body.action") {
  Api api;
  api.api_id = "a";
  api.stage = "s";
  api.route_selection_expression = std::move(expression);
  for (auto& k : keys) api.routes.push_back({k, "fn-" + k, false});
  return api;
}

TEST(SelectionExpression, Forms) {
  EXPECT_EQ(*parse_selection_expression("$request.body.action"),
            std::vector<std::string>{"action"});
  EXPECT_EQ(*parse_selection_expression("${request.body.a.b}"),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(parse_selection_expression("$request.header.x"));
  EXPECT_FALSE(parse_selection_expression("$request.body."));
  EXPECT_FALSE(parse_selection_expression("action"));
}

TEST(SelectValue, StringifiesMembers) {
  std::vector<std::string> action{"action"};
  EXPECT_EQ(*select_value(action, R"({"action":"send"})"), "send");
  EXPECT_EQ(*select_value(action, R"({"action":5})"), "5");
  EXPECT_EQ(*select_value(action, R"({"action":true})"), "true");
  EXPECT_EQ(*select_value(action, R"({"action":{"x":1}})"), R"({"x":1})");
  EXPECT_FALSE(select_value(action, R"({"action":null})"));
  EXPECT_FALSE(select_value(action, R"({"other":"send"})"));
  EXPECT_FALSE(select_value(action, "not json"));
  EXPECT_FALSE(select_value(action, R"(["send"])"));
  EXPECT_EQ(*select_value({"a", "b"}, R"({"a":{"b":"deep"}})"), "deep");
  EXPECT_FALSE(select_value({"a", "b"}, R"({"a":"flat"})"));
}

TEST(SelectRoute, MatchThenDefaultThenNothing) {
  Api api = api_with({"$connect", "send", "$default"});
  auto s = select_route(api, R"({"action":"send"})");
  EXPECT_EQ(s.route_key, "send");
  EXPECT_EQ(s.route->function, "fn-send");
  s = select_route(api, R"({"action":"unknown"})");
  EXPECT_EQ(s.route_key, "$default");
  EXPECT_EQ(s.route->function, "fn-$default");
  EXPECT_EQ(select_route(api, "plain text").route_key, "$default");
  // A message cannot select $connect.
  EXPECT_EQ(select_route(api, R"({"action":"$connect"})").route_key, "$default");
  Api strict = api_with({"send"});
  EXPECT_EQ(select_route(strict, "hello").route, nullptr);
  EXPECT_NE(select_route(strict, R"({"action":"send"})").route, nullptr);
}

TEST(SelectRoute, NestedExpression) {
  Api api = api_with({"deep"}, "$request.body.a.b");
  EXPECT_EQ(select_route(api, R"({"a":{"b":"deep"}})").route_key, "deep");
  EXPECT_EQ(select_route(api, R"({"a":{"b":"other"}})").route, nullptr);
}

// A body nested a million deep is not JSON to the router (no stack overflow); one nested a few
// hundred deep is read.
TEST(SelectValue, ABodyNestedAMillionDeepIsNotJson) {
  EXPECT_FALSE(select_value({"action"}, std::string(1000000, '[')));
  EXPECT_FALSE(select_value({"action"}, R"({"action":"x","a":)" + std::string(500000, '[') +
                                            std::string(500000, ']') + "}"));
  EXPECT_TRUE(json_too_deep(std::string(1001, '[')));
  EXPECT_FALSE(json_too_deep(std::string(1000, '[') + std::string(1000, ']')));
  EXPECT_EQ(select_value({"action"}, R"({"action":"x","a":)" + std::string(900, '[') +
                                         std::string(900, ']') + "}"),
            "x");
}

}  // namespace
}  // namespace gateway
