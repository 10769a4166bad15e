#include "awsproto/env.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace awsproto {
namespace {

constexpr const char* kVariables[] = {"AWS_REGION",
                                      "AWS_DEFAULT_REGION",
                                      "AWS_ACCESS_KEY_ID",
                                      "AWS_SECRET_ACCESS_KEY",
                                      "AWS_SESSION_TOKEN",
                                      "AWS_ENDPOINT_URL",
                                      "AWS_ENDPOINT_URL_DYNAMODB",
                                      "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI",
                                      "AWS_ENDPOINT_URL_API_GATEWAY",
                                      "AWS_ENDPOINT_URL_LAMBDA",
                                      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"};

// Each test starts from none of the variables set, and puts back what was there.
class EnvTest : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      if (const char* v = std::getenv(name)) saved_.emplace_back(name, v);
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : kVariables) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(EnvTest, Defaults) {
  Env env = Env::from_environment();
  EXPECT_EQ(env.region, "us-east-1");
  EXPECT_EQ(env.credentials.access_key_id, "");
  EXPECT_EQ(env.credentials.session_token, "");
  EXPECT_EQ(env.endpoint_for("dynamodb"), "https://dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(env.endpoint_for("Lambda"), "https://lambda.us-east-1.amazonaws.com");
  EXPECT_EQ(env.endpoint_for("DynamoDB Streams"),
            "https://streams.dynamodb.us-east-1.amazonaws.com");
  EXPECT_THROW(env.endpoint_for("ApiGatewayManagementApi"), std::invalid_argument);
}

TEST_F(EnvTest, RegionPrefersAwsRegion) {
  setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
  EXPECT_EQ(Env::from_environment().region, "eu-west-1");
  setenv("AWS_REGION", "ap-northeast-1", 1);
  EXPECT_EQ(Env::from_environment().region, "ap-northeast-1");
  setenv("AWS_REGION", "", 1);  // empty is unset
  EXPECT_EQ(Env::from_environment().region, "eu-west-1");
  setenv("AWS_REGION", "cn-north-1", 1);
  EXPECT_EQ(Env::from_environment().endpoint_for("dynamodb"),
            "https://dynamodb.cn-north-1.amazonaws.com.cn");
}

TEST_F(EnvTest, Credentials) {
  setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "SECRET", 1);
  setenv("AWS_SESSION_TOKEN", "TOKEN", 1);
  Env env = Env::from_environment();
  EXPECT_EQ(env.credentials.access_key_id, "AKID");
  EXPECT_EQ(env.credentials.secret_access_key, "SECRET");
  EXPECT_EQ(env.credentials.session_token, "TOKEN");
}

TEST_F(EnvTest, ServiceSpecificEndpointWinsOverGlobal) {
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
  setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000", 1);
  setenv("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", "http://127.0.0.1:3001/prod", 1);
  setenv("AWS_ENDPOINT_URL_API_GATEWAY", "http://127.0.0.1:3002", 1);
  Env env = Env::from_environment();
  EXPECT_EQ(env.endpoint_for("dynamodb"), "http://127.0.0.1:8000");
  EXPECT_EQ(env.endpoint_for("DynamoDB"), "http://127.0.0.1:8000");
  EXPECT_EQ(env.endpoint_for("ApiGatewayManagementApi"), "http://127.0.0.1:3001/prod");
  EXPECT_EQ(env.endpoint_for("API Gateway"), "http://127.0.0.1:3002");
  EXPECT_EQ(env.endpoint_for("lambda"), "http://127.0.0.1:4566");
}

TEST_F(EnvTest, IgnoreConfiguredEndpointUrls) {
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
  setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000", 1);
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE", 1);
  setenv("AWS_REGION", "eu-central-1", 1);
  Env env = Env::from_environment();
  EXPECT_EQ(env.endpoint_for("dynamodb"), "https://dynamodb.eu-central-1.amazonaws.com");
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
  EXPECT_EQ(Env::from_environment().endpoint_for("dynamodb"), "http://127.0.0.1:8000");
}

TEST_F(EnvTest, EmptyServiceEndpointIsUnset) {
  setenv("AWS_ENDPOINT_URL_DYNAMODB", "", 1);
  EXPECT_EQ(Env::from_environment().endpoint_for("dynamodb"),
            "https://dynamodb.us-east-1.amazonaws.com");
}

TEST(EnvSuffix, SpacesBecomeUnderscoresUpperCase) {
  EXPECT_EQ(Env::env_suffix("DynamoDB"), "DYNAMODB");
  EXPECT_EQ(Env::env_suffix("API Gateway"), "API_GATEWAY");
  EXPECT_EQ(Env::env_suffix("ApiGatewayManagementApi"), "APIGATEWAYMANAGEMENTAPI");
  EXPECT_EQ(Env::env_suffix("DynamoDB Streams"), "DYNAMODB_STREAMS");
}

}  // namespace
}  // namespace awsproto
