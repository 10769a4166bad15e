// The stack-plan tool: the plan on stdout, or one error line on stderr and exit status 2.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct ToolRun {
  int status = -1;
  std::string out, err;
};

ToolRun stack_plan(const std::string& args) {
  std::string base = ::testing::TempDir() + "stack_plan_" + std::to_string(::getpid());
  std::string command =
      std::string(STACK_PLAN_BIN) + " " + args + " >" + base + ".out 2>" + base + ".err";
  ToolRun run;
  int raw = std::system(command.c_str());
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  run.out = slurp(base + ".out");
  run.err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return run;
}

TEST(StackPlanTool, PrintsThePlan) {
  ToolRun r = stack_plan("--template " TEMPLATE_TEST_DIR
                         "/websocket_echo.yaml --stack-name cli "
                         "--region ap-south-1 --account-id 111122223333 "
                         "--parameter-overrides StageName=prod ConnectionTtlSeconds=60");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["stackName"].GetString(), "cli");
  EXPECT_STREQ(doc["region"].GetString(), "ap-south-1");
  EXPECT_STREQ(doc["accountId"].GetString(), "111122223333");
  EXPECT_STREQ(doc["parameters"]["StageName"].GetString(), "prod");
  EXPECT_STREQ(doc["functions"][0]["arn"].GetString(),
               "arn:aws:lambda:ap-south-1:111122223333:function:cli-connect");
  EXPECT_STREQ(doc["functions"][0]["environment"]["CONNECTION_TTL_SECONDS"].GetString(), "60");
  EXPECT_STREQ(doc["websocketApis"][0]["stage"].GetString(), "prod");
  EXPECT_EQ(doc["websocketApis"][0]["routes"].Size(), 4u);
  EXPECT_TRUE(doc["websocketApis"][0]["routes"][3]["routeResponse"].GetBool());
  EXPECT_TRUE(doc["tables"][0]["createTable"]["StreamSpecification"]["StreamEnabled"].GetBool());
  EXPECT_TRUE(doc["notices"].IsArray());
}

TEST(StackPlanTool, DefaultStackNameIsTheTemplateFolder) {
  ToolRun r = stack_plan("--template " TEMPLATE_TEST_DIR "/websocket_echo.yaml");
  ASSERT_EQ(r.status, 0) << r.err;
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["stackName"].GetString(), "templates");
  EXPECT_STREQ(doc["tables"][0]["tableName"].GetString(), "templates-connections");
}

TEST(StackPlanTool, ATemplateAtFaultIsOneLineAndExitStatus2) {
  ToolRun r = stack_plan("--template " TEMPLATE_TEST_DIR "/template_bad_timeout.yaml");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "template: Resources.SendFunction.Properties.Timeout: expected a number, got "
            "\"abc\"\n");
  r = stack_plan("--template " TEMPLATE_TEST_DIR
                 "/websocket_echo.yaml --parameter-overrides "
                 "StageName=staging");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "template: Parameters.StageName: Parameter 'StageName' must be one of "
            "AllowedValues\n");
  r = stack_plan("--template /nonexistent/t.yaml");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "template: /nonexistent/t.yaml: cannot be read\n");
}

TEST(StackPlanTool, BadArgumentsAreAUsageError) {
  EXPECT_EQ(stack_plan("").status, 64);
  EXPECT_EQ(stack_plan("--template").status, 64);
  EXPECT_EQ(stack_plan("--bogus x").status, 64);
}

}  // namespace
