#include "lambda/instance.h"

#include <gtest/gtest.h>

#include <map>

namespace lambda {
namespace {

std::map<std::string, std::string> as_map(
    const std::vector<std::pair<std::string, std::string>>& v) {
  return {v.begin(), v.end()};
}

TEST(InstanceEnvironment, SetsLambdasVariablesAndTheLocalEndpoints) {
  FunctionSpec spec;
  spec.name = "chat-send";
  spec.handler = "bootstrap";
  spec.code_uri = "/code";
  spec.memory_mb = 256;
  HostConfig host;
  host.region = "eu-west-1";
  host.dynamodb_endpoint = "http://127.0.0.1:8000";
  host.apigateway_endpoint = "http://127.0.0.1:9000";
  auto env = as_map(instance_environment(spec, host, "127.0.0.1:5555", "stream", nullptr));
  EXPECT_EQ(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:5555");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_NAME"], "chat-send");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/chat-send");
  EXPECT_EQ(env["AWS_REGION"], "eu-west-1");
  EXPECT_EQ(env["AWS_DEFAULT_REGION"], "eu-west-1");
  EXPECT_EQ(env["LAMBDA_TASK_ROOT"], "/code");
  EXPECT_EQ(env["TZ"], ":UTC");
  EXPECT_EQ(env["AWS_ENDPOINT_URL_DYNAMODB"], "http://127.0.0.1:8000");
  // Streams default to the DynamoDB endpoint.
  EXPECT_EQ(env["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"], "http://127.0.0.1:8000");
  EXPECT_EQ(env["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"], "http://127.0.0.1:9000");
  EXPECT_FALSE(env["AWS_ACCESS_KEY_ID"].empty());
  EXPECT_EQ(env.count("AWS_EXECUTION_ENV"), 0u);
}

TEST(ManagedRuntimes, NodeAndPythonVersionsAreOurs) {
  for (const char* r : {"nodejs18.x", "nodejs20.x", "nodejs22.x"})
    EXPECT_EQ(managed_runtime(r), "node");
  for (const char* r : {"python3.9", "python3.12", "python3.13"})
    EXPECT_EQ(managed_runtime(r), "python");
  for (const char* r : {"provided.al2023", "nodejs16.x", "python3.", "python3.x", "java21", ""})
    EXPECT_EQ(managed_runtime(r), "") << r;
}

TEST(ManagedRuntimes, RouteTheStacksHostNamesAndGetLambdasVariables) {
  FunctionSpec spec;
  spec.name = "f";
  spec.code_uri = "/code";
  spec.runtime = "nodejs20.x";
  HostConfig host;
  host.region = "eu-west-1";
  host.runtimes_dir = "/rt";
  host.dynamodb_endpoint = "http://127.0.0.1:8000";
  host.apigateway_endpoint = "http://127.0.0.1:9000";
  host.http_api_endpoint = "http://127.0.0.1:9001";
  host.websocket_api_ids = {"abcdefghij"};
  host.http_api_ids = {"klmnopqrst"};
  // Without the CA the gateway's certificate is not trusted, without a key no TLS for dynamodb.
  EXPECT_EQ(routed_hosts(host), "");
  host.ca_file = "/ca.pem";
  host.tls_cert = "/cert.pem";
  host.tls_key = "/key.pem";
  EXPECT_EQ(routed_hosts(host),
            "abcdefghij.execute-api.eu-west-1.amazonaws.com=https://127.0.0.1:9000,"
            "klmnopqrst.execute-api.eu-west-1.amazonaws.com=https://127.0.0.1:9001,"
            "dynamodb.eu-west-1.amazonaws.com=http://127.0.0.1:8000,"
            "streams.dynamodb.eu-west-1.amazonaws.com=http://127.0.0.1:8000");
  auto env = as_map(instance_environment(spec, host, "127.0.0.1:1", "s", nullptr));
  EXPECT_EQ(env["AWS_EXECUTION_ENV"], "AWS_Lambda_nodejs20.x");
  EXPECT_EQ(env["LAMBDA_RUNTIME_DIR"], "/rt/node");
  EXPECT_EQ(env["NODE_PATH"], "/code");
  EXPECT_EQ(env["_PLANE_AWS_HOSTS"], routed_hosts(host));
  EXPECT_EQ(env["_PLANE_TLS_KEY"], "/key.pem");
  spec.runtime = "python3.12";
  env = as_map(instance_environment(spec, host, "127.0.0.1:1", "s", nullptr));
  EXPECT_EQ(env["LAMBDA_RUNTIME_DIR"], "/rt/python");
  EXPECT_EQ(env.count("NODE_PATH"), 0u);
  // A custom runtime gets none of it.
  spec.runtime = "provided.al2023";
  env = as_map(instance_environment(spec, host, "127.0.0.1:1", "s", nullptr));
  EXPECT_EQ(env.count("_PLANE_AWS_HOSTS"), 0u);
  EXPECT_EQ(env.count("AWS_EXECUTION_ENV"), 0u);
  EXPECT_EQ(env["LAMBDA_RUNTIME_DIR"], "/code");
}

TEST(InstanceEnvironment, FunctionVariablesReplaceOnlyUnreservedKeys) {
  FunctionSpec spec;
  spec.name = "f";
  spec.code_uri = "/code";
  spec.environment = {
      {"TABLE_NAME", "t"}, {"TZ", "Europe/Paris"}, {"AWS_REGION", "xx-1"}, {"_HANDLER", "evil"}};
  HostConfig host;
  std::vector<std::string> warnings;
  auto env = as_map(instance_environment(spec, host, "127.0.0.1:1", "s", &warnings));
  EXPECT_EQ(env["TABLE_NAME"], "t");
  EXPECT_EQ(env["TZ"], "Europe/Paris");
  EXPECT_EQ(env["AWS_REGION"], "us-east-1");
  EXPECT_EQ(env["_HANDLER"], "");
  EXPECT_EQ(warnings, (std::vector<std::string>{"AWS_REGION", "_HANDLER"}));
  // No endpoint flags: no endpoint variables.
  EXPECT_EQ(env.count("AWS_ENDPOINT_URL"), 0u);
  EXPECT_EQ(env.count("SSL_CERT_FILE"), 0u);
}

TEST(InstanceEnvironment, TheCaFileIsGivenToTheSdksOpensslAndNode) {
  FunctionSpec spec;
  spec.name = "f";
  spec.code_uri = "/code";
  spec.environment = {{"NODE_EXTRA_CA_CERTS", "/mine.pem"}};
  HostConfig host;
  host.ca_file = "/data/tls/bundle.pem";
  auto env = as_map(instance_environment(spec, host, "127.0.0.1:1", "s", nullptr));
  EXPECT_EQ(env["AWS_CA_BUNDLE"], "/data/tls/bundle.pem");
  EXPECT_EQ(env["SSL_CERT_FILE"], "/data/tls/bundle.pem");
  // Not reserved: the function's own value wins.
  EXPECT_EQ(env["NODE_EXTRA_CA_CERTS"], "/mine.pem");
}

}  // namespace
}  // namespace lambda

namespace lambda {
namespace {

TEST(ParseRuntimeRoute, RecognisesTheFourCalls) {
  auto next = parse_runtime_route("GET", "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(next.kind, RuntimeRoute::Kind::Next);
  EXPECT_TRUE(next.method_allowed);
  auto response = parse_runtime_route("POST", "/2018-06-01/runtime/invocation/a%2Db/response");
  EXPECT_EQ(response.kind, RuntimeRoute::Kind::Response);
  EXPECT_EQ(response.request_id, "a-b");
  auto error = parse_runtime_route("POST", "/2018-06-01/runtime/invocation/id/error");
  EXPECT_EQ(error.kind, RuntimeRoute::Kind::Error);
  EXPECT_EQ(parse_runtime_route("POST", "/2018-06-01/runtime/init/error").kind,
            RuntimeRoute::Kind::InitError);
}

TEST(ParseRuntimeRoute, RefusesOtherPathsAndMethods) {
  EXPECT_FALSE(parse_runtime_route("POST", "/2018-06-01/runtime/invocation/next").method_allowed);
  EXPECT_FALSE(parse_runtime_route("GET", "/2018-06-01/runtime/init/error").method_allowed);
  for (const char* path :
       {"/", "/2018-06-01/runtime/", "/2018-06-01/runtime/invocation/x",
        "/2018-06-01/runtime/invocation/x/other", "/2020-01-01/runtime/init/error"}) {
    EXPECT_EQ(parse_runtime_route("POST", path).kind, RuntimeRoute::Kind::Unknown) << path;
  }
}

}  // namespace
}  // namespace lambda
