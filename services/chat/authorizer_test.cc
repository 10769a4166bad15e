#include "chat/authorizer.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "runtime/runtime.h"

namespace chat {
namespace {

constexpr const char* kArn = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/chat/$connect";

std::string event(const std::string& query_json) {
  return std::string(R"({"type":"REQUEST","methodArn":")") + kArn +
         R"(","queryStringParameters":)" + query_json +
         R"(,"requestContext":{"routeKey":"$connect","eventType":"CONNECT"}})";
}

TEST(Authorizer, AllowsAValidNameWithItAsPrincipalAndContext) {
  std::string answer = authorize_connect(event(R"({"username":"mary jane"})"));
  rapidjson::Document d;
  d.Parse(answer.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["principalId"].GetString(), "mary jane");
  EXPECT_STREQ(d["context"]["username"].GetString(), "mary jane");
  const auto& statement = d["policyDocument"]["Statement"][0];
  EXPECT_STREQ(d["policyDocument"]["Version"].GetString(), "2012-10-17");
  EXPECT_STREQ(statement["Action"].GetString(), "execute-api:Invoke");
  EXPECT_STREQ(statement["Effect"].GetString(), "Allow");
  EXPECT_STREQ(statement["Resource"].GetString(), kArn);
}

TEST(Authorizer, AnythingElseIsUnauthorized) {
  for (const std::string& e :
       {event(R"({"username":"<script>"})"), event(R"({"username":"a"})"),
        event(R"({"username":"123456789012345678901"})"), event(R"({"username":"bob!"})"),
        event(R"({"username":7})"), event(R"({"user":"bob"})"), event("null"),
        std::string(R"({"queryStringParameters":{"username":"bob"}})"), std::string("nope")}) {
    try {
      authorize_connect(e);
      ADD_FAILURE() << "allowed: " << e;
    } catch (const runtime::FunctionError& error) {
      EXPECT_STREQ(error.what(), "Unauthorized");
      EXPECT_EQ(error.type(), "Unauthorized");
    }
  }
}

}  // namespace
}  // namespace chat
