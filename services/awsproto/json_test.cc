#include "awsproto/json.h"

#include <gtest/gtest.h>

namespace awsproto {
namespace {

using AV = AttributeValue;

TEST(AttributeValueJson, WritesEveryType) {
  AttributeMap item = {
      {"pk", AV::s("room#1")},
      {"n", AV::n(int64_t{-42})},
      {"big", AV::n("12345678901234567890123456789012345678")},
      {"ok", AV::boolean(true)},
      {"gone", AV::null()},
      {"m", AV::m({{"inner", AV::s("x")}, {"z", AV::boolean(false)}})},
      {"l", AV::l({AV::s("a"), AV::n("1.5"), AV::l({})})},
      {"ss", AV::ss({"b", "a"})},
  };
  EXPECT_EQ(to_json(item),
            R"({"pk":{"S":"room#1"},"n":{"N":"-42"},)"
            R"("big":{"N":"12345678901234567890123456789012345678"},"ok":{"BOOL":true},)"
            R"("gone":{"NULL":true},"m":{"M":{"inner":{"S":"x"},"z":{"BOOL":false}}},)"
            R"("l":{"L":[{"S":"a"},{"N":"1.5"},{"L":[]}]},"ss":{"SS":["b","a"]}})");
}

TEST(AttributeValueJson, EscapesStringsAndKeepsEmbeddedNul) {
  AttributeMap item = {{"q\"k", AV::s(std::string("a\"b\\c\n\0d", 8))}};
  EXPECT_EQ(to_json(item), R"({"q\"k":{"S":"a\"b\\c\n\u0000d"}})");
  EXPECT_EQ(to_json({}), "{}");
}

TEST(AttributeValueJson, WritesIntoARequestBody) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("TableName");
  w.String("Connections");
  w.Key("Item");
  write_item(w, {{"connectionId", AV::s("abc123=")}});
  w.EndObject();
  EXPECT_STREQ(buffer.GetString(),
               R"({"TableName":"Connections","Item":{"connectionId":{"S":"abc123="}}})");
}

TEST(AttributeValueJson, ReadsTypedAttributes) {
  rapidjson::Document doc;
  doc.Parse(R"({"Item":{"pk":{"S":"p"},"n":{"N":"17"},"f":{"N":"1.5"},"huge":{"N":"1E+40"},
               "neg":{"N":"-9223372036854775808"},"over":{"N":"9223372036854775808"},
               "b":{"BOOL":false},"bad":"notanobject"}})");
  ASSERT_FALSE(doc.HasParseError());
  const rapidjson::Value& item = doc["Item"];
  EXPECT_EQ(get_string(item, "pk"), "p");
  EXPECT_EQ(get_string(item, "n"), std::nullopt);  // an N is not an S
  EXPECT_EQ(get_string(item, "missing"), std::nullopt);
  EXPECT_EQ(get_string(item, "bad"), std::nullopt);
  EXPECT_EQ(get_number(item, "n"), "17");
  EXPECT_EQ(get_number(item, "f"), "1.5");
  EXPECT_EQ(get_int(item, "n"), 17);
  EXPECT_EQ(get_int(item, "f"), std::nullopt);
  EXPECT_EQ(get_int(item, "huge"), std::nullopt);
  EXPECT_EQ(get_int(item, "neg"), INT64_MIN);
  EXPECT_EQ(get_int(item, "over"), std::nullopt);
  EXPECT_EQ(get_bool(item, "b"), false);
  EXPECT_EQ(get_bool(item, "pk"), std::nullopt);
  EXPECT_EQ(get_string(doc, "Item"), std::nullopt);  // {"Item":{...}} is not {"S":...}
  rapidjson::Value not_object(5);
  EXPECT_EQ(get_string(not_object, "pk"), std::nullopt);
}

TEST(AwsErrorParse, StripsNamespaceAndReadsEitherMessageCase) {
  AwsError e = parse_aws_error(
      400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
           R"("message":"Requested resource not found"})");
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.type(), "ResourceNotFoundException");
  EXPECT_EQ(e.message(), "Requested resource not found");
  EXPECT_STREQ(e.what(), "ResourceNotFoundException: Requested resource not found (HTTP 400)");

  AwsError coral = parse_aws_error(
      400, R"({"__type":"com.amazon.coral.validate#ValidationException","Message":"bad"})");
  EXPECT_EQ(coral.type(), "ValidationException");
  EXPECT_EQ(coral.message(), "bad");

  AwsError bare = parse_aws_error(410, R"({"__type":"GoneException","message":"x"})");
  EXPECT_EQ(bare.type(), "GoneException");
}

TEST(AwsErrorParse, HeaderTypeAndUrlSuffix) {
  AwsError e = parse_aws_error(
      404, R"({"Type":"User","message":"Function not found"})",
      "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.lambda/");
  EXPECT_EQ(e.type(), "ResourceNotFoundException");
  EXPECT_EQ(e.message(), "Function not found");
  AwsError body = parse_aws_error(
      400,
      R"({"__type":"aws.protocoltests#FooError:http://internal.amazon.com/x/","message":"m"})");
  EXPECT_EQ(body.type(), "FooError");
  AwsError code = parse_aws_error(403, R"({"code":"AccessDenied"})");
  EXPECT_EQ(code.type(), "AccessDenied");
  EXPECT_EQ(code.message(), "");
}

TEST(AwsErrorParse, NotJson) {
  AwsError e = parse_aws_error(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(e.type(), "");
  EXPECT_EQ(e.message(), "<html>Bad Gateway</html>");
  EXPECT_STREQ(e.what(), "HTTP error: <html>Bad Gateway</html> (HTTP 502)");
  EXPECT_EQ(parse_aws_error(500, std::string(2000, 'x')).message().size(), 512u);
  EXPECT_EQ(parse_aws_error(500, "").message(), "");
  EXPECT_EQ(parse_aws_error(500, "[1]").type(), "");
}

}  // namespace
}  // namespace awsproto
