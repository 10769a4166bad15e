// Storage encodings: binary items round-trip; key encodings order as DynamoDB orders.
#include "model/codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "model/number.h"

namespace ddb {
namespace {

using model::Type;
using model::Value;

std::string key_of(const Value& v) {
  std::string out;
  model::encode_key_part(v, out);
  return out;
}

Value num(const std::string& s) { return Value::number(model::Number::parse(s).to_string()); }

TEST(KeyCodec, NumbersSortNumerically) {
  std::vector<std::string> texts = {"-1e125",  "-1000",
                                    "-999.99", "-10",
                                    "-9",      "-1.5",
                                    "-1",      "-0.5",
                                    "-1e-130", "0",
                                    "1e-130",  "0.01",
                                    "0.1",     "0.11",
                                    "1",       "1.01",
                                    "2",       "10",
                                    "11",      "100",
                                    "1e100",   "9.9999999999999999999999999999999999999e125"};
  std::vector<std::string> keys;
  for (const auto& t : texts) keys.push_back(key_of(num(t)));
  for (size_t i = 0; i + 1 < keys.size(); ++i)
    EXPECT_LT(keys[i], keys[i + 1]) << texts[i] << " vs " << texts[i + 1];
  EXPECT_EQ(key_of(num("1.0")), key_of(num("1")));
}

TEST(KeyCodec, RandomNumbersMatchNumberOrder) {
  std::mt19937 rng(7);
  std::vector<model::Number> nums;
  for (int i = 0; i < 2000; ++i) {
    std::string s = (rng() % 2 ? "-" : "") + std::to_string(rng() % 100000) + "." +
                    std::to_string(rng() % 1000) + "e" + std::to_string(int(rng() % 40) - 20);
    nums.push_back(model::Number::parse(s));
  }
  std::sort(nums.begin(), nums.end());
  for (size_t i = 0; i + 1 < nums.size(); ++i) {
    std::string a = key_of(Value::number(nums[i].to_string()));
    std::string b = key_of(Value::number(nums[i + 1].to_string()));
    if (nums[i] == nums[i + 1])
      EXPECT_EQ(a, b);
    else
      EXPECT_LT(a, b) << nums[i].to_string() << " vs " << nums[i + 1].to_string();
  }
}

TEST(KeyCodec, StringsAndBinarySortByBytesAndAreSelfDelimiting) {
  std::vector<std::string> raw = {std::string(""),
                                  std::string("\0", 1),
                                  std::string("\0\0", 2),
                                  std::string("\0a", 2),
                                  "A",
                                  "B",
                                  "a",
                                  "a\x01",
                                  "ab",
                                  "b",
                                  "\xc3\xa9",
                                  "\xff",
                                  "\xff\xff"};
  for (size_t i = 0; i + 1 < raw.size(); ++i) {
    EXPECT_LT(key_of(Value::string(raw[i])), key_of(Value::string(raw[i + 1])));
    EXPECT_LT(key_of(Value::binary(raw[i])), key_of(Value::binary(raw[i + 1])));
  }
  // A partition key followed by any sort key stays inside its partition: "a"+anything sorts
  // before "a\0"+anything and "ab"+anything.
  std::string a_hi = key_of(Value::string("a")) + "\xff\xff\xff";
  std::string a0_lo = key_of(Value::string(std::string("a\0", 2)));
  std::string ab_lo = key_of(Value::string("ab"));
  EXPECT_LT(a_hi, a0_lo);
  EXPECT_LT(a_hi, ab_lo);
}

TEST(ItemCodec, RoundTripsEveryType) {
  model::Item item;
  item["s"] = Value::string("héllo");
  item["empty"] = Value::string("");
  item["n"] = num("-12.5");
  item["b"] = Value::binary(std::string("\0\x01\xff", 3));
  Value t;
  t.type = Type::BOOL;
  t.boolean = true;
  item["t"] = t;
  Value nul;
  nul.type = Type::NUL;
  item["nul"] = nul;
  Value ss;
  ss.type = Type::SS;
  ss.set = {"x", "y"};
  item["ss"] = ss;
  Value ns;
  ns.type = Type::NS;
  ns.set = {"1", "2.5"};
  item["ns"] = ns;
  Value bs;
  bs.type = Type::BS;
  bs.set = {std::string("\0", 1), "z"};
  item["bs"] = bs;
  Value l;
  l.type = Type::L;
  l.list = {Value::string("a"), ns, t};
  Value m;
  m.type = Type::M;
  m.map["inner"] = l;
  m.map["deep"] = m;
  item["m"] = m;

  std::string bytes;
  model::encode_item(item, bytes);
  EXPECT_EQ(model::decode_item(bytes), item);

  rapidjson::StringBuffer a, b;
  model::JsonWriter wa(a), wb(b);
  model::write_item_json(wa, bytes);
  model::write_item(wb, item);
  EXPECT_STREQ(a.GetString(), b.GetString());
}

TEST(ItemCodec, CorruptRecordsThrowInsteadOfCrashing) {
  model::Item item;
  item["a"] = Value::string("hello");
  std::string bytes;
  model::encode_item(item, bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_THROW(model::decode_item(std::string_view(bytes).substr(0, cut)), std::exception);
}

}  // namespace
}  // namespace ddb
