#include "eventfilter/filter.h"

#include <gtest/gtest.h>

#include <string>

namespace eventfilter {
namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

bool matches(const std::string& pattern, const std::string& event) {
  return Pattern::parse(pattern).matches(json(event));
}

std::string pattern_error(const std::string& pattern) {
  try {
    Pattern::parse(pattern);
  } catch (const FilterError& e) {
    return e.what();
  }
  return "no error";
}

std::string criteria_error(const std::string& criteria) {
  try {
    Criteria::parse(criteria);
  } catch (const FilterError& e) {
    return e.what();
  }
  return "no error";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << text

TEST(Pattern, ExactStringsOrAcrossValues) {
  EXPECT_TRUE(matches(R"({"a": ["x"]})", R"({"a": "x"})"));
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"({"a": "X"})"));  // no case folding
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"({"a": "x "})"));
  EXPECT_TRUE(matches(R"({"a": ["x", "y"]})", R"({"a": "y"})"));
  EXPECT_FALSE(matches(R"({"a": ["x", "y"]})", R"({"a": "z"})"));
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"({"b": "x"})"));
  EXPECT_FALSE(matches(R"({"a": ["5"]})", R"({"a": 5})"));  // a string is not a number
}

TEST(Pattern, EmptyStringIsAValue) {
  EXPECT_TRUE(matches(R"({"a": [""]})", R"({"a": ""})"));
  EXPECT_FALSE(matches(R"({"a": [""]})", R"({"a": "x"})"));
  EXPECT_FALSE(matches(R"({"a": [""]})", R"({})"));
  EXPECT_FALSE(matches(R"({"a": [""]})", R"({"a": null})"));
}

TEST(Pattern, NumbersMatchByTheirText) {
  EXPECT_TRUE(matches(R"({"a": [5]})", R"({"a": 5})"));
  EXPECT_FALSE(matches(R"({"a": [5]})", R"({"a": "5"})"));
  EXPECT_FALSE(matches(R"({"a": [5]})", R"({"a": 6})"));
  EXPECT_TRUE(matches(R"({"a": [1.5]})", R"({"a": 1.5})"));
  // Lambda: "300, 300.0, and 3.0e2 are not considered equal".
  EXPECT_FALSE(matches(R"({"a": [300]})", R"({"a": 300.0})"));
  EXPECT_FALSE(matches(R"({"a": [300.0]})", R"({"a": 300})"));
  EXPECT_TRUE(matches(R"({"a": [-7]})", R"({"a": -7})"));
}

TEST(Pattern, BooleansAndNull) {
  EXPECT_TRUE(matches(R"({"a": [true]})", R"({"a": true})"));
  EXPECT_FALSE(matches(R"({"a": [true]})", R"({"a": false})"));
  EXPECT_FALSE(matches(R"({"a": [true]})", R"({"a": "true"})"));
  EXPECT_TRUE(matches(R"({"a": [false]})", R"({"a": false})"));
  EXPECT_TRUE(matches(R"({"a": [null]})", R"({"a": null})"));
  EXPECT_FALSE(matches(R"({"a": [null]})", R"({})"));  // null is a value, not absence
  EXPECT_FALSE(matches(R"({"a": [null]})", R"({"a": "null"})"));
  EXPECT_TRUE(matches(R"({"a": [null, "x"]})", R"({"a": "x"})"));
}

TEST(Pattern, PrefixAndSuffix) {
  EXPECT_TRUE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "us-east-1"})"));
  EXPECT_FALSE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "eu-west-1"})"));
  EXPECT_FALSE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "US-east-1"})"));
  EXPECT_FALSE(matches(R"({"r": [{"prefix": "us-"}]})", R"({"r": "us"})"));
  EXPECT_FALSE(matches(R"({"r": [{"prefix": "1"}]})", R"({"r": 12})"));  // strings only
  EXPECT_TRUE(matches(R"({"r": [{"prefix": ""}]})", R"({"r": "anything"})"));
  EXPECT_TRUE(matches(R"({"f": [{"suffix": ".png"}]})", R"({"f": "a/b.png"})"));
  EXPECT_FALSE(matches(R"({"f": [{"suffix": ".png"}]})", R"({"f": "a/b.PNG"})"));
  EXPECT_FALSE(matches(R"({"f": [{"suffix": ".png"}]})", R"({"f": "png"})"));
  EXPECT_TRUE(matches(R"({"f": [{"prefix": {"equals-ignore-case": "EventB"}}]})",
                      R"({"f": "eventbridge"})"));
  EXPECT_TRUE(
      matches(R"({"f": [{"suffix": {"equals-ignore-case": ".PNG"}}]})", R"({"f": "x.png"})"));
  EXPECT_FALSE(
      matches(R"({"f": [{"suffix": {"equals-ignore-case": ".PNG"}}]})", R"({"f": "x.jpg"})"));
}

TEST(Pattern, EqualsIgnoreCase) {
  EXPECT_TRUE(matches(R"({"n": [{"equals-ignore-case": "alice"}]})", R"({"n": "ALICE"})"));
  EXPECT_TRUE(matches(R"({"n": [{"equals-ignore-case": "AliCe"}]})", R"({"n": "aLICE"})"));
  EXPECT_FALSE(matches(R"({"n": [{"equals-ignore-case": "alice"}]})", R"({"n": "alicia"})"));
  EXPECT_FALSE(matches(R"({"n": [{"equals-ignore-case": "1"}]})", R"({"n": 1})"));
}

TEST(Pattern, AnythingBut) {
  const char* one = R"({"w": [{"anything-but": "Raining"}]})";
  EXPECT_TRUE(matches(one, R"({"w": "Sunny"})"));
  EXPECT_FALSE(matches(one, R"({"w": "Raining"})"));
  EXPECT_FALSE(matches(one, R"({})"));  // anything-but needs a value
  EXPECT_TRUE(matches(one, R"({"w": 3})"));
  const char* list = R"({"w": [{"anything-but": ["Raining", "Snowing"]}]})";
  EXPECT_TRUE(matches(list, R"({"w": "Sunny"})"));
  EXPECT_FALSE(matches(list, R"({"w": "Snowing"})"));
  const char* numbers = R"({"x": [{"anything-but": [100, 200]}]})";
  EXPECT_TRUE(matches(numbers, R"({"x": 150})"));
  EXPECT_FALSE(matches(numbers, R"({"x": 200})"));
  EXPECT_FALSE(matches(numbers, R"({"x": 200.0})"));  // numerically equal
  EXPECT_FALSE(matches(R"({"x": [{"anything-but": 123}]})", R"({"x": 123})"));
  const char* prefix = R"({"r": [{"anything-but": {"prefix": "us-"}}]})";
  EXPECT_TRUE(matches(prefix, R"({"r": "eu-west-1"})"));
  EXPECT_FALSE(matches(prefix, R"({"r": "us-east-1"})"));
  const char* suffix = R"({"f": [{"anything-but": {"suffix": ".png"}}]})";
  EXPECT_TRUE(matches(suffix, R"({"f": "a.jpg"})"));
  EXPECT_FALSE(matches(suffix, R"({"f": "a.png"})"));
  const char* ignore_case =
      R"({"s": [{"anything-but": {"equals-ignore-case": ["init", "Done"]}}]})";
  EXPECT_TRUE(matches(ignore_case, R"({"s": "running"})"));
  EXPECT_FALSE(matches(ignore_case, R"({"s": "INIT"})"));
  EXPECT_FALSE(matches(ignore_case, R"({"s": "done"})"));
  EXPECT_FALSE(
      matches(R"({"s": [{"anything-but": {"equals-ignore-case": "x"}}]})", R"({"s": "X"})"));
}

TEST(Pattern, Numeric) {
  const char* range = R"({"p": [{"numeric": [">", 10, "<=", 20]}]})";
  EXPECT_FALSE(matches(range, R"({"p": 10})"));
  EXPECT_TRUE(matches(range, R"({"p": 10.5})"));
  EXPECT_TRUE(matches(range, R"({"p": 20})"));
  EXPECT_FALSE(matches(range, R"({"p": 20.01})"));
  EXPECT_FALSE(matches(range, R"({"p": "15"})"));  // numeric needs a JSON number
  EXPECT_FALSE(matches(range, R"({})"));
  const char* closed = R"({"p": [{"numeric": [">=", 0, "<", 5]}]})";
  EXPECT_TRUE(matches(closed, R"({"p": 0})"));
  EXPECT_FALSE(matches(closed, R"({"p": 5})"));
  EXPECT_FALSE(matches(closed, R"({"p": -1})"));
  EXPECT_TRUE(matches(R"({"p": [{"numeric": ["=", 100]}]})", R"({"p": 100})"));
  EXPECT_TRUE(matches(R"({"p": [{"numeric": ["=", 100]}]})", R"({"p": 100.0})"));
  EXPECT_TRUE(matches(R"({"p": [{"numeric": ["=", 3.0e2]}]})", R"({"p": 300})"));
  EXPECT_FALSE(matches(R"({"p": [{"numeric": ["=", 100]}]})", R"({"p": 101})"));
  EXPECT_TRUE(matches(R"({"p": [{"numeric": ["<", 0]}]})", R"({"p": -0.5})"));
  EXPECT_FALSE(matches(R"({"p": [{"numeric": ["<", 0]}]})", R"({"p": 0})"));
  EXPECT_TRUE(matches(R"({"p": [{"numeric": ["<=", 0]}]})", R"({"p": 0})"));
  EXPECT_TRUE(matches(R"({"p": [{"numeric": [">", 1e9]}]})", R"({"p": 12345678901})"));
}

TEST(Pattern, Exists) {
  const char* yes = R"({"p": [{"exists": true}]})";
  const char* no = R"({"p": [{"exists": false}]})";
  EXPECT_TRUE(matches(yes, R"({"p": "x"})"));
  EXPECT_TRUE(matches(yes, R"({"p": null})"));
  EXPECT_TRUE(matches(yes, R"({"p": [1]})"));
  EXPECT_FALSE(matches(yes, R"({"q": 1})"));
  EXPECT_FALSE(matches(yes, R"({"p": {"a": 1}})"));  // leaves only
  EXPECT_FALSE(matches(yes, R"({"p": []})"));
  EXPECT_TRUE(matches(no, R"({"q": 1})"));
  EXPECT_FALSE(matches(no, R"({"p": 0})"));
  EXPECT_TRUE(matches(no, R"({"p": []})"));
  EXPECT_TRUE(matches(R"({"a": {"b": [{"exists": false}]}})", R"({})"));
  EXPECT_TRUE(matches(R"({"a": {"b": [{"exists": false}]}})", R"({"a": "scalar"})"));
  EXPECT_FALSE(matches(R"({"a": {"b": [{"exists": true}]}})", R"({"a": "scalar"})"));
  // Another value in the same array still matches a present field.
  EXPECT_TRUE(matches(R"({"p": [{"exists": false}, "x"]})", R"({"p": "x"})"));
}

TEST(Pattern, AndAcrossKeysAndNesting) {
  const char* p = R"({"Location": ["New York"], "Day": ["Monday"], "d": {"e": {"f": [1]}}})";
  EXPECT_TRUE(matches(p, R"({"Location": "New York", "Day": "Monday", "d": {"e": {"f": 1}}})"));
  EXPECT_FALSE(matches(p, R"({"Location": "New York", "Day": "Friday", "d": {"e": {"f": 1}}})"));
  EXPECT_FALSE(matches(p, R"({"Location": "New York", "Day": "Monday", "d": {"e": {"f": 2}}})"));
  EXPECT_FALSE(matches(p, R"({"Location": "New York", "Day": "Monday"})"));
  EXPECT_FALSE(matches(p, R"({"Location": "New York", "Day": "Monday", "d": {"e": 1}})"));
  // Keys the pattern does not name are ignored.
  EXPECT_TRUE(matches(R"({"a": ["x"]})", R"({"a": "x", "b": {"c": [1, 2]}})"));
  // A nested level in the pattern is not a leaf value in the record.
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"({"a": {"b": "x"}})"));
}

TEST(Pattern, ArraysInTheRecord) {
  EXPECT_TRUE(matches(R"({"tags": ["red"]})", R"({"tags": ["blue", "red"]})"));
  EXPECT_FALSE(matches(R"({"tags": ["red"]})", R"({"tags": ["blue", "green"]})"));
  EXPECT_FALSE(matches(R"({"tags": ["red"]})", R"({"tags": []})"));
  EXPECT_TRUE(matches(R"({"tags": ["red"]})", R"({"tags": [["blue"], ["red"]]})"));
  EXPECT_TRUE(matches(R"({"n": [{"numeric": [">", 5]}]})", R"({"n": [1, 2, 9]})"));
  // anything-but holds when one element differs (EventBridge's any-element rule).
  EXPECT_TRUE(matches(R"({"t": [{"anything-but": "red"}]})", R"({"t": ["red", "blue"]})"));
  EXPECT_FALSE(matches(R"({"t": [{"anything-but": "red"}]})", R"({"t": ["red"]})"));
  // Objects in an array: one element must match the whole nested pattern.
  const char* p = R"({"items": {"kind": ["book"], "price": [{"numeric": ["<", 10]}]}})";
  EXPECT_TRUE(
      matches(p, R"({"items": [{"kind": "pen", "price": 2}, {"kind": "book", "price": 5}]})"));
  EXPECT_FALSE(
      matches(p, R"({"items": [{"kind": "pen", "price": 5}, {"kind": "book", "price": 50}]})"));
  EXPECT_FALSE(matches(p, R"({"items": []})"));
}

TEST(Pattern, OrAcrossFields) {
  const char* p =
      R"({"source": ["app"], "$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]})";
  EXPECT_TRUE(matches(p, R"({"source": "app", "Location": "New York"})"));
  EXPECT_TRUE(matches(p, R"({"source": "app", "Day": "Monday"})"));
  EXPECT_FALSE(matches(p, R"({"source": "app", "Day": "Friday"})"));
  EXPECT_FALSE(matches(p, R"({"source": "web", "Day": "Monday"})"));
  const char* nested = R"({"d": {"$or": [{"c": [{"numeric": [">", 0]}]}, {"x": ["y"]}]}})";
  EXPECT_TRUE(matches(nested, R"({"d": {"c": 1}})"));
  EXPECT_TRUE(matches(nested, R"({"d": {"x": "y"}})"));
  EXPECT_FALSE(matches(nested, R"({"d": {"c": 0, "x": "z"}})"));
}

TEST(Pattern, RepeatedKeyKeepsTheLast) {
  EXPECT_TRUE(matches(R"({"a": ["x"], "a": ["y"]})", R"({"a": "y"})"));
  EXPECT_FALSE(matches(R"({"a": ["x"], "a": ["y"]})", R"({"a": "x"})"));
}

TEST(Pattern, RecordThatIsNotAnObjectMatchesNothingButAbsence) {
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"("x")"));
  EXPECT_FALSE(matches(R"({"a": ["x"]})", R"(["x"])"));
  EXPECT_TRUE(matches(R"({"a": [{"exists": false}]})", R"(5)"));
}

// A DynamoDB stream record as Lambda delivers it to the function (Records[] element).
std::string ddb_record(const std::string& event_name, const std::string& images) {
  return R"({"eventID":"c4ca4238a0b923820dcc509a6f75849b","eventName":")" + event_name +
         R"(","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
    "dynamodb":{"ApproximateCreationDateTime":1678831218,
      "Keys":{"pk":{"S":"room#1"},"sk":{"N":"101"}},)" +
         images + R"(,
      "SequenceNumber":"4421584500000000017450439091","SizeBytes":59,
      "StreamViewType":"NEW_AND_OLD_IMAGES"},
    "eventSourceARN":"arn:aws:dynamodb:us-east-1:123456789012:table/Messages/stream/2024-01-01T00:00:00.000"})";
}

const std::string kInsert = ddb_record("INSERT", R"("NewImage":{"pk":{"S":"room#1"},
  "sk":{"N":"101"},"body":{"S":"hello"},"n":{"N":"5"},"urgent":{"BOOL":true},
  "tags":{"SS":["a","b"]},"meta":{"M":{"lang":{"S":"en"}}},"gone":{"NULL":true}})");
const std::string kModify = ddb_record("MODIFY", R"("OldImage":{"pk":{"S":"room#1"},
  "sk":{"N":"101"},"body":{"S":"hello"}},"NewImage":{"pk":{"S":"room#1"},"sk":{"N":"101"},
  "body":{"S":"edited"}})");
const std::string kRemove = ddb_record("REMOVE", R"("OldImage":{"pk":{"S":"room#1"},
  "sk":{"N":"101"},"body":{"S":"edited"}})");

TEST(DynamoDBRecord, EventNameAndKeys) {
  const char* inserts = R"({"eventName": ["INSERT"]})";
  EXPECT_TRUE(matches(inserts, kInsert));
  EXPECT_FALSE(matches(inserts, kModify));
  EXPECT_FALSE(matches(inserts, kRemove));
  const char* keys = R"({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "room#"}]},
                                               "sk": {"N": ["101"]}}}})";
  EXPECT_TRUE(matches(keys, kInsert));
  EXPECT_TRUE(matches(keys, kRemove));
  EXPECT_FALSE(matches(R"({"dynamodb": {"Keys": {"sk": {"N": [101]}}}})", kInsert));
}

TEST(DynamoDBRecord, ImagesAndAttributeTypes) {
  EXPECT_TRUE(matches(R"({"dynamodb": {"NewImage": {"urgent": {"BOOL": [true]}}}})", kInsert));
  EXPECT_TRUE(matches(R"({"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}})", kInsert));
  EXPECT_TRUE(
      matches(R"({"dynamodb": {"NewImage": {"meta": {"M": {"lang": {"S": ["en"]}}}}}})", kInsert));
  EXPECT_TRUE(matches(R"({"dynamodb": {"NewImage": {"gone": {"NULL": [true]}}}})", kInsert));
  const char* edited = R"({"eventName": ["MODIFY"],
    "dynamodb": {"OldImage": {"body": {"S": ["hello"]}}, "NewImage": {"body": {"S": [{"anything-but": "hello"}]}}}})";
  EXPECT_TRUE(matches(edited, kModify));
  EXPECT_FALSE(matches(edited, kInsert));
  // A REMOVE has no NewImage.
  const char* removed = R"({"dynamodb": {"NewImage": {"body": {"S": [{"exists": false}]}}}})";
  EXPECT_TRUE(matches(removed, kRemove));
  EXPECT_FALSE(matches(removed, kModify));
  EXPECT_TRUE(
      matches(R"({"dynamodb": {"NewImage": {"body": {"S": [{"exists": true}]}}}})", kModify));
}

TEST(DynamoDBRecord, NumericFilterOnANumberAttributeDoesNotMatch) {
  // "N" is a JSON string in the record; "numeric" compares JSON numbers only.
  EXPECT_FALSE(matches(
      R"({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 0, "<=", 5]}]}}}})", kInsert));
  EXPECT_TRUE(matches(R"({"dynamodb": {"NewImage": {"n": {"N": ["5"]}}}})", kInsert));
  // The record's own JSON numbers do compare.
  EXPECT_TRUE(matches(R"({"dynamodb": {"SizeBytes": [{"numeric": [">", 10]}]}})", kInsert));
}

TEST(Criteria, AnyFilterMatches) {
  Criteria c = Criteria::parse(R"({"Filters": [
      {"Pattern": "{\"eventName\": [\"INSERT\"]}"},
      {"Pattern": "{\"eventName\": [\"REMOVE\"]}"}]})");
  EXPECT_FALSE(c.empty());
  EXPECT_EQ(c.size(), 2u);
  EXPECT_TRUE(c.matches(json(kInsert)));
  EXPECT_TRUE(c.matches(json(kRemove)));
  EXPECT_FALSE(c.matches(json(kModify)));
}

TEST(Criteria, NoFiltersLetsEverythingThrough) {
  for (const char* text : {"", "  ", "null", "{}", R"({"Filters": []})", R"({"Filters": null})"}) {
    Criteria c = Criteria::parse(text);
    EXPECT_TRUE(c.empty()) << text;
    EXPECT_TRUE(c.matches(json(kModify))) << text;
  }
}

TEST(Criteria, AtMostFiveFilters) {
  std::string five = R"({"Filters": [)";
  for (int i = 0; i < 5; ++i) five += std::string(i ? "," : "") + R"({"Pattern": "{\"a\": [1]}"})";
  EXPECT_EQ(Criteria::parse(five + "]}").size(), 5u);
  std::string six = five + R"(,{"Pattern": "{\"a\": [1]}"}]})";
  EXPECT_CONTAINS(criteria_error(six), "6 filters, more than the 5");
  EXPECT_EQ(Criteria::parse(six, 10).size(), 6u);  // a raised quota
}

TEST(Criteria, ErrorsNameTheFilter) {
  EXPECT_CONTAINS(
      criteria_error(R"({"Filters": [{"Pattern": "{\"a\": [1]}"}, {"Pattern": "{\"a\": 1}"}]})"),
      "Filters[1].Pattern: Invalid filter pattern definition.");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [{"Pattern": "{\"a\": 1}"}]})"),
                  R"("a" must be an object or an array)");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [{"Pattern": "{"}]})"), "Filters[0].Pattern");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [{}]})"), "Filters[0].Pattern");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [{"Pattern": ""}]})"), "the pattern is empty");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [{"Pattern": {"a": [1]}}]})"), "must be a string");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": ["x"]})"), "Filters[0]: must be an object");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [{"Pattern": "{\"a\":[1]}", "X": 1}]})"),
                  "unknown member X");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": {}})"), "must be an array");
  EXPECT_CONTAINS(criteria_error(R"({"Filter": []})"), "unknown member Filter");
  EXPECT_CONTAINS(criteria_error(R"([])"), "must be an object");
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [)"), "not valid JSON");
  std::string long_pattern = "{\\\"a\\\": [\\\"" + std::string(4100, 'x') + "\\\"]}";
  EXPECT_CONTAINS(criteria_error(R"({"Filters": [{"Pattern": ")" + long_pattern + "\"}]}"),
                  "less than or equal to 4096");
}

TEST(PatternErrors, Structure) {
  EXPECT_CONTAINS(pattern_error(""), "Invalid filter pattern definition.");
  EXPECT_CONTAINS(pattern_error("{"), "not valid JSON");
  EXPECT_CONTAINS(pattern_error(R"({"a": ["x"]} trailing)"), "not valid JSON");
  EXPECT_CONTAINS(pattern_error(R"(["a"])"), "Filter is not an object");
  EXPECT_CONTAINS(pattern_error("{}"), "Empty objects are not allowed");
  EXPECT_CONTAINS(pattern_error(R"({"a": {}})"), "Empty objects are not allowed (at a)");
  EXPECT_CONTAINS(pattern_error(R"({"a": []})"), "Empty arrays are not allowed (at a)");
  EXPECT_CONTAINS(pattern_error(R"({"a": "x"})"), R"("a" must be an object or an array)");
  EXPECT_CONTAINS(pattern_error(R"({"a": {"b": 5}})"), "(at a.b)");
  EXPECT_CONTAINS(pattern_error(R"({"a": [["x"]]})"),
                  "Match value must be String, number, true, false, or null");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{}]})"), "Match expression name not found");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"prefix": "x", "suffix": "y"}]})"),
                  "Only one key allowed in match expression");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"wildcard": "x*"}]})"),
                  "Unrecognized match type wildcard");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"cidr": "10.0.0.0/24"}]})"),
                  "Unrecognized match type cidr");
  std::string nested = "{";
  for (int i = 0; i < 70; ++i) nested += "\"a\":{";
  nested += "\"b\":[1]" + std::string(71, '}');
  EXPECT_CONTAINS(pattern_error(nested), "nests more than 64 levels");
  EXPECT_CONTAINS(pattern_error(std::string(100000, '[')), "not valid JSON");  // no stack overflow
}

TEST(PatternErrors, Rules) {
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"prefix": 5}]})"),
                  "prefix match pattern must be a string");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"suffix": null}]})"),
                  "suffix match pattern must be a string");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"prefix": {"nope": "x"}}]})"),
                  "Unsupported prefix pattern");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"equals-ignore-case": 1}]})"),
                  "equals-ignore-case match pattern must be a string");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"exists": "yes"}]})"),
                  "exists match pattern must be either true or false.");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": true}]})"),
                  "Value of anything-but must be an array or single string/number value.");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": ["x", 1]}]})"),
                  "mixed type is not supported");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": []}]})"), "mixed type is not supported");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": [null]}]})"),
                  "start|null|boolean is not supported");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": {"prefix": ""}}]})"),
                  "Null prefix/suffix not allowed");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": {"prefix": 1}}]})"),
                  "prefix/suffix match pattern must be a string");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": {"wildcard": "x"}}]})"),
                  "Unsupported anything-but pattern: wildcard");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": {"equals-ignore-case": [1]}}]})"),
                  "anything-but/equals-ignore-case list");
  EXPECT_CONTAINS(pattern_error(R"({"a": [{"anything-but": {"equals-ignore-case": 1}}]})"),
                  "must be a string or an array of strings");
}

TEST(PatternErrors, Numeric) {
  auto numeric = [](const std::string& body) {
    return pattern_error(R"({"a": [{"numeric": )" + body + "}]}");
  };
  EXPECT_CONTAINS(numeric(R"(">")"), "Value of numeric must be an array.");
  EXPECT_CONTAINS(numeric("[]"), "Invalid member in numeric match");
  EXPECT_CONTAINS(numeric("[5]"), "Invalid member in numeric match");
  EXPECT_CONTAINS(numeric(R"(["!=", 5])"), "Unrecognized numeric range operator: !=");
  EXPECT_CONTAINS(numeric(R"(["=", "5"])"), "Value of equals must be numeric");
  EXPECT_CONTAINS(numeric(R"([">"])"), "Value of > must be numeric");
  EXPECT_CONTAINS(numeric(R"(["=", 5, "<", 6])"), "Too many elements in numeric expression");
  EXPECT_CONTAINS(numeric(R"(["<", 5, ">", 1])"), "Too many elements in numeric expression");
  EXPECT_CONTAINS(numeric(R"([">", 5, 6])"), "Bad value in numeric range");
  EXPECT_CONTAINS(numeric(R"([">", 5, ">", 6])"), "Bad numeric range operator: >");
  EXPECT_CONTAINS(numeric(R"([">", 5, "<", "6"])"), "Value of < must be numeric");
  EXPECT_CONTAINS(numeric(R"([">", 5, "<", 6, 7])"), "Too many terms in numeric range expression");
  EXPECT_CONTAINS(numeric(R"([">", 5, "<=", 5])"), "Bottom must be less than top");
}

TEST(PatternErrors, Or) {
  EXPECT_CONTAINS(pattern_error(R"({"$or": {"a": [1]}})"),
                  "It must be an Array followed with $or.");
  EXPECT_CONTAINS(pattern_error(R"({"$or": [{"a": [1]}]})"), "at least 2 Objects in $or");
  EXPECT_CONTAINS(pattern_error(R"({"$or": [{"a": [1]}, "b"]})"), "Only JSON object is allowed");
  EXPECT_CONTAINS(pattern_error(R"({"$or": [{"a": [1]}, {}]})"), "Empty objects are not allowed");
}

TEST(Pattern, CopiesShareTheParsedRules) {
  Pattern p = Pattern::parse(R"({"a": ["x"]})");
  Pattern copy = p;
  EXPECT_TRUE(copy.matches(json(R"({"a": "x"})")));
}

}  // namespace
}  // namespace eventfilter
