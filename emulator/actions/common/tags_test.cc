#include "actions/common/tags.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace ddb::actions {
namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, Code::Validation);
    return e.message;
  }
  return "(no error)";
}

TEST(TagCharacters, LettersOfEveryScriptDigitsSpacesAndTheListedPunctuation) {
  EXPECT_TRUE(tag_characters_ok("Env"));
  EXPECT_TRUE(tag_characters_ok("a b+c-d=e.f_g:h/i@j"));
  EXPECT_TRUE(tag_characters_ok("\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87"));  // ключ
  EXPECT_TRUE(tag_characters_ok("caf\xC3\xA9"));                       // café
  EXPECT_TRUE(tag_characters_ok("\xE8\xA1\xA8"));                      // 表
  EXPECT_TRUE(
      tag_characters_ok("a\xC2\xA0"
                        "b"));  // no-break space
  EXPECT_TRUE(
      tag_characters_ok("a\xE3\x80\x80"
                        "b"));                 // ideographic space
  EXPECT_TRUE(tag_characters_ok("\xD9\xA0"));  // Arabic-Indic zero
  EXPECT_TRUE(tag_characters_ok(""));
}

TEST(TagCharacters, OtherPunctuationSymbolsControlsAndBrokenUtf8Refused) {
  for (const char* bad : {"100%",
                          "a,b",
                          "it's",
                          "\"q\"",
                          "(x)",
                          "[y]",
                          "{z}",
                          "a&b",
                          "a*b",
                          "a;b",
                          "a?b",
                          "a|b",
                          "a\\b",
                          "<a>",
                          "~a",
                          "#",
                          "!",
                          "a\tb",
                          "a\nb",
                          "\xF0\x9F\x94\x91",  // emoji
                          "\xC3",
                          "\xFF"})
    EXPECT_FALSE(tag_characters_ok(bad)) << bad;
}

TEST(TagLength, CountsUtf16CodeUnits) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xD7\x90\xD7\x90"), 2u);  // two Hebrew letters, four bytes
  EXPECT_EQ(utf16_length("\xF0\xA0\x80\x80"), 2u);  // outside the BMP: a surrogate pair
}

TEST(TagKey, LengthCharactersAndTheReservedPrefix) {
  check_tag_key(std::string(128, 'k'));
  check_tag_key(std::string(128, 'k').replace(0, 1, "\xD7\x90"));  // 128 letters, 129 bytes
  check_tag_key("myaws:foo");
  EXPECT_EQ(message_of([] { check_tag_key(std::string(129, 'k')); }),
            "The Tag Key provided is invalid, Key: " + std::string(129, 'k'));
  EXPECT_EQ(message_of([] { check_tag_key(""); }), "The Tag Key provided is invalid, Key: ");
  EXPECT_EQ(message_of([] { check_tag_key("bad#char"); }),
            "The Tag Key provided is invalid, Key: bad#char");
  EXPECT_EQ(message_of([] { check_tag_key("aws:foo"); }),
            "Tag Key cannot be prefixed with aws:, Key: aws:foo");
  EXPECT_EQ(message_of([] { check_tag_key("AWS:foo"); }),
            "Tag Key cannot be prefixed with aws:, Key: AWS:foo");
}

TEST(TagValue, EmptyAllowedLengthAndCharactersChecked) {
  check_tag_value("");
  check_tag_value(std::string(256, 'v'));
  EXPECT_EQ(message_of([] { check_tag_value(std::string(257, 'v')); }),
            "The Tag Value provided is invalid, Value: " + std::string(257, 'v'));
  EXPECT_EQ(message_of([] { check_tag_value("bad#char"); }),
            "The Tag Value provided is invalid, Value: bad#char");
}

Tags parse(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  return read_tags(d);
}

TEST(ReadTags, InOrderWithDynamoDBsMessages) {
  EXPECT_EQ(parse(R"([{"Key":"a","Value":"1"},{"Key":"b","Value":""}])"),
            (Tags{{"a", "1"}, {"b", ""}}));
  EXPECT_EQ(message_of([] { parse(R"([{"Value":"1"}])"); }),
            "The Tag Key provided is invalid, Key: null");
  EXPECT_EQ(message_of([] { parse(R"([{"Key":"k"}])"); }),
            "The Tag Value provided is invalid, Value: null");
  EXPECT_EQ(message_of([] { parse(R"([{"Key":"dup","Value":"1"},{"Key":"dup","Value":"2"}])"); }),
            "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup");
  std::string many = "[";
  for (int i = 0; i < 51; ++i)
    many += (i ? "," : "") + std::string(R"({"Key":"k)") + std::to_string(i) + R"(","Value":"v"})";
  many += "]";
  EXPECT_EQ(message_of([&] { parse(many.c_str()); }),
            "Number of Tags exceed the current limit for the provided ResourceArn");
}

TEST(ReadTags, ATypeErrorAnywhereWinsOverAnInvalidTag) {
  try {
    parse(R"([{"Key":"bad#","Value":"1"},{"Key":1,"Value":"2"}])");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, Code::Serialization);
  }
}

TEST(MergeTags, ReplacesInPlaceAndCountsTheResult) {
  Tags merged = merge_tags({{"a", "1"}, {"b", "2"}}, {{"b", "3"}, {"c", "4"}});
  EXPECT_EQ(merged, (Tags{{"a", "1"}, {"b", "3"}, {"c", "4"}}));
  Tags fifty;
  for (int i = 0; i < 50; ++i) fifty.emplace_back("k" + std::to_string(i), "v");
  EXPECT_EQ(merge_tags(fifty, {{"k0", "new"}}).front().second, "new");
  EXPECT_EQ(message_of([&] {
              merge_tags(fifty, {{"k50", "v"}});
            }),
            "Number of Tags exceed the current limit for the provided ResourceArn");
}

TEST(ResourceArn, TablesAndStreamsOfDynamoDB) {
  auto t = parse_resource_arn("arn:aws:dynamodb:eu-west-1:000000000000:table/users");
  EXPECT_EQ(t.region, "eu-west-1");
  EXPECT_EQ(t.account, "000000000000");
  EXPECT_EQ(t.table, "users");
  EXPECT_EQ(t.stream_label, "");
  auto s = parse_resource_arn(
      "arn:aws:dynamodb:us-east-1:000000000000:table/users/stream/2026-01-01T00:00:00.000");
  EXPECT_EQ(s.table, "users");
  EXPECT_EQ(s.stream_label, "2026-01-01T00:00:00.000");
}

TEST(ResourceArn, MalformedOnesRefusedWithDynamoDBsWords) {
  const std::string invalid = "One or more parameter values were invalid: ";
  EXPECT_EQ(message_of([] { parse_resource_arn("I_do_not_exist"); }),
            invalid + "ARNs must start with 'arn:': I_do_not_exist");
  EXPECT_EQ(message_of([] { parse_resource_arn(""); }), invalid + "ARNs must start with 'arn:': ");
  EXPECT_EQ(message_of([] { parse_resource_arn("arn:aws:s3:::bucket/x"); }),
            invalid + "Provided Arn is not a DynamoDB resource arn: arn:aws:s3:::bucket/x");
  EXPECT_EQ(message_of([] { parse_resource_arn("arn:not/a/good/format"); }),
            invalid + "Provided Arn is not a DynamoDB resource arn: arn:not/a/good/format");
  const char* backup = "arn:aws:dynamodb:us-east-1:000000000000:table/users/backup/01";
  EXPECT_EQ(message_of([&] { parse_resource_arn(backup); }),
            invalid + "Provided Arn is not a DynamoDB resource arn: " + backup);
  const char* index = "arn:aws:dynamodb:us-east-1:000000000000:table/users/index/by_name";
  EXPECT_EQ(message_of([&] { parse_resource_arn(index); }),
            invalid +
                "Invalid resource arn provided, only table or stream is accepted. Provided "
                "resource arn: " +
                index);
  for (const char* bad : {"arn:aws:dynamodb:us-east-1:000000000000:table/ab",
                          "arn:aws:dynamodb:us-east-1:000000000000:table/",
                          "arn:aws:dynamodb:us-east-1:000000000000:table/bad name",
                          "arn:aws-cn:dynamodb:us-east-1:000000000000:table/users"})
    EXPECT_EQ(message_of([&] { parse_resource_arn(bad); }),
              std::string("Invalid TableArn: Invalid ResourceArn provided as input ") + bad);
}

}  // namespace
}  // namespace ddb::actions
