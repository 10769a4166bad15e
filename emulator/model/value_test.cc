// AttributeValue validation and DynamoDB's item size rules.
#include <gtest/gtest.h>

#include "model/error.h"
#include "model/json.h"

namespace ddb {
namespace {

struct Outcome {
  Code code;
  std::string message;
};

std::optional<Outcome> parse_error(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  EXPECT_FALSE(d.HasParseError()) << json;
  try {
    model::value_from_json(d);
  } catch (const ApiError& e) {
    return Outcome{e.code, e.message};
  }
  return std::nullopt;
}

model::Item item(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  return model::item_from_json(d);
}

TEST(AttributeValue, ValidationMessagesMatchDynamoDb) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({})",
       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"S":"a","N":"1"})",
       "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
       "supported datatypes"},
      {R"({"SS":[]})",
       "One or more parameter values were invalid: An string set  may not be empty"},
      {R"({"NS":[]})",
       "One or more parameter values were invalid: An number set  may not be empty"},
      {R"({"BS":[]})",
       "One or more parameter values were invalid: Binary sets should not be empty"},
      {R"({"SS":["a","a"]})",
       "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
      {R"({"NS":["1","1.0"]})", "Input collection contains duplicates"},
      {R"({"BS":["Yg==","Yg=="]})",
       "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS "
       "contains duplicates."},
      {R"({"N":"x1"})", "The parameter cannot be converted to a numeric value: x1"},
  };
  for (const auto& [json, message] : cases) {
    auto e = parse_error(json);
    ASSERT_TRUE(e) << json;
    EXPECT_EQ(e->code, Code::Validation) << json;
    EXPECT_EQ(e->message, message) << json;
  }
}

TEST(AttributeValue, WrongJsonKindsAreSerializationErrors) {
  for (const char* json : {R"({"S":1})", R"({"BOOL":"yes"})", R"({"B":"abc"})", R"({"B":"a*c="})",
                           R"({"L":{}})", R"({"M":[]})", R"({"SS":"a"})", R"("text")"}) {
    auto e = parse_error(json);
    ASSERT_TRUE(e) << json;
    EXPECT_EQ(e->code, Code::Serialization) << json;
  }
}

TEST(AttributeValue, AcceptsEmptyStringsAndBinaryOutsideKeys) {
  EXPECT_FALSE(parse_error(R"({"S":""})"));
  EXPECT_FALSE(parse_error(R"({"B":""})"));
  EXPECT_FALSE(parse_error(R"({"L":[]})"));
  EXPECT_FALSE(parse_error(R"({"M":{}})"));
}

TEST(AttributeValue, NestingDepthIsLimitedTo32) {
  auto nested = [](int levels) {
    std::string s;
    for (int i = 0; i < levels; ++i) s += R"({"L":[)";
    s += R"({"S":"x"})";
    for (int i = 0; i < levels; ++i) s += "]}";
    return s;
  };
  // The value is level 1: a leaf inside 31 lists is at level 32, the deepest allowed.
  EXPECT_FALSE(parse_error(nested(31).c_str()));
  auto e = parse_error(nested(32).c_str());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
            "levels beyond supported limit");
  EXPECT_EQ(model::item_depth(item(("{\"a\":" + nested(31) + "}").c_str())), 32);
  EXPECT_EQ(model::item_depth(item(R"({"a":{"S":"x"},"b":{"M":{"c":{"L":[]}}}})")), 2);
  EXPECT_EQ(model::item_depth({}), 0);
}

TEST(ItemSize, FollowsDynamoDbRules) {
  // Names count in UTF-8 bytes, strings and binary by their bytes.
  EXPECT_EQ(model::item_size(item(R"({"ab":{"S":"cde"}})")), 5u);
  EXPECT_EQ(model::item_size(item(R"({"é":{"S":"é"}})")), 4u);
  EXPECT_EQ(model::item_size(item(R"({"b":{"B":"AAEC"}})")), 4u);
  // Numbers: one byte per two significant digits, plus one.
  EXPECT_EQ(model::item_size(item(R"({"n":{"N":"1"}})")), 1u + 2u);
  EXPECT_EQ(model::item_size(item(R"({"n":{"N":"12345"}})")), 1u + 4u);
  EXPECT_EQ(model::item_size(item(R"({"n":{"N":"1000000"}})")), 1u + 2u);
  EXPECT_EQ(model::item_size(item(R"({"n":{"N":"0.0012"}})")), 1u + 2u);
  // BOOL and NULL one byte; lists and maps 3 bytes plus 1 per element.
  EXPECT_EQ(model::item_size(item(R"({"t":{"BOOL":true},"z":{"NULL":true}})")), 4u);
  EXPECT_EQ(model::item_size(item(R"({"l":{"L":[{"S":"ab"},{"NULL":true}]}})")), 1u + 3u + 3u + 2u);
  EXPECT_EQ(model::item_size(item(R"({"m":{"M":{"k":{"S":"ab"}}}})")), 1u + 3u + 1u + 1u + 2u);
  // Sets: the sum of their members.
  EXPECT_EQ(model::item_size(item(R"({"s":{"SS":["ab","c"]}})")), 1u + 3u);
}

}  // namespace
}  // namespace ddb
