#include "lambda/invoke_api.h"

#include <gtest/gtest.h>

#include "lambda/http_server.h"

namespace lambda {
namespace {

TEST(ParseFunctionName, AcceptsLambdasThreeForms) {
  auto name = parse_function_name("my-function");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->name, "my-function");
  EXPECT_EQ(name->qualifier, "");

  auto qualified = parse_function_name("my-function:$LATEST");
  ASSERT_TRUE(qualified);
  EXPECT_EQ(qualified->qualifier, "$LATEST");

  auto partial = parse_function_name("123456789012:function:my_fn");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->name, "my_fn");

  auto full = parse_function_name("arn:aws:lambda:us-east-1:123456789012:function:f:prod");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->name, "f");
  EXPECT_EQ(full->qualifier, "prod");
}

TEST(ParseFunctionName, RejectsMalformedNames) {
  EXPECT_FALSE(parse_function_name(""));
  EXPECT_FALSE(parse_function_name("a b"));
  EXPECT_FALSE(parse_function_name("f:"));
  EXPECT_FALSE(parse_function_name("a:b:c"));
  EXPECT_FALSE(parse_function_name("arn:aws:s3:us-east-1:123456789012:function:f"));
  EXPECT_FALSE(parse_function_name(std::string(65, 'a')));
}

}  // namespace
}  // namespace lambda
