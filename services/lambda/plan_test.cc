#include "lambda/plan.h"

#include <gtest/gtest.h>

namespace lambda {
namespace {

TEST(ParsePlan, ReadsFunctionsWithLambdaDefaults) {
  Plan plan = parse_plan(R"({"region":"eu-west-1","accountId":"111122223333",
    "tables":[{"ignored":true}],
    "functions":[{"name":"a","codeUri":"/code/a","environment":{"K":"V","A":"B"}},
                 {"name":"b","codeUri":"/code/b","timeout":30,"memorySize":512,
                  "reservedConcurrency":2,"runtime":"provided.al2","handler":"h",
                  "arn":"arn:aws:lambda:eu-west-1:111122223333:function:b"}]})");
  EXPECT_EQ(plan.region, "eu-west-1");
  EXPECT_EQ(plan.account_id, "111122223333");
  ASSERT_EQ(plan.functions.size(), 2u);
  const FunctionSpec& a = plan.functions[0];
  EXPECT_EQ(a.timeout_seconds, 3);
  EXPECT_EQ(a.memory_mb, 128);
  EXPECT_FALSE(a.reserved_concurrency.has_value());
  EXPECT_EQ(a.arn, "arn:aws:lambda:eu-west-1:111122223333:function:a");
  ASSERT_EQ(a.environment.size(), 2u);
  EXPECT_EQ(a.environment[0].first, "K");
  EXPECT_EQ(a.environment[1].second, "B");
  const FunctionSpec& b = plan.functions[1];
  EXPECT_EQ(b.timeout_seconds, 30);
  EXPECT_EQ(b.memory_mb, 512);
  EXPECT_EQ(b.reserved_concurrency, 2);
  EXPECT_EQ(b.runtime, "provided.al2");
  EXPECT_EQ(b.handler, "h");
}

TEST(ParsePlan, NullReservedConcurrencyIsUnset) {
  Plan plan =
      parse_plan(R"({"functions":[{"name":"a","codeUri":"/c","reservedConcurrency":null}]})");
  EXPECT_FALSE(plan.functions[0].reserved_concurrency.has_value());
  EXPECT_EQ(plan.region, "us-east-1");
}

TEST(ParsePlan, RejectsBadMembersNamingThem) {
  auto message = [](const char* json) {
    try {
      parse_plan(json);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(message(R"({"functions":[{"codeUri":"/c"}]})").find("functions[0].name"),
            std::string::npos);
  EXPECT_NE(message(R"({"functions":[{"name":"a","codeUri":"/c","timeout":0}]})")
                .find("functions[0].timeout"),
            std::string::npos);
  EXPECT_NE(message(R"({"functions":[{"name":"a","codeUri":"/c","environment":{"K":1}}]})")
                .find("environment.K"),
            std::string::npos);
  EXPECT_NE(message(R"({"functions":[{"name":"a","codeUri":"/c"},{"name":"a","codeUri":"/d"}]})")
                .find("duplicate"),
            std::string::npos);
  EXPECT_NE(message(R"({"functions":{}})").find("not an array"), std::string::npos);
}

}  // namespace
}  // namespace lambda
