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

TEST(ParsePlan, ReadsTheApisIds) {
  Plan plan = parse_plan(R"({"functions":[],
    "websocketApis":[{"apiId":"aaaaaaaaaa","stage":"dev"},{"apiId":"bbbbbbbbbb"}],
    "httpApis":[{"apiId":"cccccccccc"}]})");
  EXPECT_EQ(plan.websocket_api_ids, (std::vector<std::string>{"aaaaaaaaaa", "bbbbbbbbbb"}));
  EXPECT_EQ(plan.http_api_ids, (std::vector<std::string>{"cccccccccc"}));
  EXPECT_THROW(parse_plan(R"({"websocketApis":{}})"), std::invalid_argument);
  EXPECT_THROW(parse_plan(R"({"httpApis":[1]})"), std::invalid_argument);
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

TEST(ParsePlan, ReadsStreamMappingsWithLambdaDefaults) {
  Plan plan = parse_plan(R"({"functions":[{"name":"f","codeUri":"/c"}],
    "eventSourceMappings":[
      {"logicalId":"FStream","function":"f","tableLogicalId":"T","tableName":"t",
       "eventSourceArn":"arn:aws:dynamodb:us-east-1:1:table/t/stream/1970-01-01T00:00:00.000",
       "startingPosition":"TRIM_HORIZON","batchSize":10,"maximumBatchingWindowInSeconds":2,
       "maximumRetryAttempts":3,"maximumRecordAgeInSeconds":60,
       "bisectBatchOnFunctionError":true,"functionResponseTypes":["ReportBatchItemFailures"],
       "filterCriteria":{"Filters":[{"Pattern":"{\"eventName\":[\"INSERT\"]}"}]},
       "enabled":false,"parallelizationFactor":4},
      {"logicalId":"Other","function":"f","tableName":"t","startingPosition":"LATEST"}]})");
  ASSERT_EQ(plan.mappings.size(), 2u);
  const triggers::MappingConfig& m = plan.mappings[0];
  EXPECT_EQ(m.logical_id, "FStream");
  EXPECT_EQ(m.function, "f");
  EXPECT_EQ(m.table_name, "t");
  EXPECT_EQ(m.starting_position, "TRIM_HORIZON");
  EXPECT_EQ(m.batch_size, 10);
  EXPECT_EQ(m.maximum_batching_window_in_seconds, 2);
  EXPECT_EQ(m.maximum_retry_attempts, 3);
  EXPECT_EQ(m.maximum_record_age_in_seconds, 60);
  EXPECT_TRUE(m.bisect_batch_on_function_error);
  EXPECT_TRUE(m.report_batch_item_failures);
  EXPECT_EQ(m.filter_criteria, R"({"Filters":[{"Pattern":"{\"eventName\":[\"INSERT\"]}"}]})");
  EXPECT_FALSE(m.enabled);
  EXPECT_EQ(m.parallelization_factor, 4);
  const triggers::MappingConfig& d = plan.mappings[1];
  EXPECT_EQ(d.batch_size, 100);
  EXPECT_EQ(d.maximum_retry_attempts, -1);
  EXPECT_EQ(d.maximum_record_age_in_seconds, -1);
  EXPECT_FALSE(d.report_batch_item_failures);
  EXPECT_EQ(d.filter_criteria, "null");
  EXPECT_TRUE(d.enabled);
}

TEST(ParsePlan, StreamMappingErrorsNameTheMember) {
  auto error = [](const std::string& mapping) {
    try {
      parse_plan(R"({"functions":[{"name":"f","codeUri":"/c"}],"eventSourceMappings":[)" + mapping +
                 "]}");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string base =
      R"("logicalId":"M","function":"f","tableName":"t","startingPosition":"LATEST")";
  EXPECT_EQ(error("{" + base + R"(,"batchSize":0})"),
            "plan: eventSourceMappings[0].batchSize: out of range [1, 10000]");
  EXPECT_EQ(error("{" + base + R"(,"maximumRecordAgeInSeconds":59})"),
            "plan: eventSourceMappings[0].maximumRecordAgeInSeconds: neither -1 nor in [60, "
            "604800]");
  EXPECT_EQ(error("{" + base + R"(,"parallelizationFactor":11})"),
            "plan: eventSourceMappings[0].parallelizationFactor: out of range [1, 10]");
  EXPECT_EQ(
      error(R"({"logicalId":"M","function":"g","tableName":"t","startingPosition":"LATEST"})"),
      "plan: eventSourceMappings[0].function: names no function of the plan: g");
  EXPECT_EQ(error(R"({"logicalId":"M","function":"f","tableName":"t","startingPosition":"AT"})"),
            "plan: eventSourceMappings[0].startingPosition: not TRIM_HORIZON or LATEST");
  EXPECT_EQ(error("{" + base + "},{" + base + "}"),
            "plan: eventSourceMappings[1].logicalId: duplicate M");
  EXPECT_EQ(error("{" + base + R"(,"functionResponseTypes":["X"]})"),
            "plan: eventSourceMappings[0].functionResponseTypes: only ReportBatchItemFailures is "
            "known");
}

}  // namespace
}  // namespace lambda
