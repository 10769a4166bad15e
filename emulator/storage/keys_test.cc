// The items database's layout: storage keys order as DynamoDB orders sort keys within a
// partition, very long keys are shortened, and items_batch walks a table in key order.
#include "storage/keys.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "model/codec.h"
#include "model/number.h"
#include "storage/testing.h"

namespace ddb {
namespace {

using storage::testing::n;
using storage::testing::run;
using storage::testing::s;
using storage::testing::TempDatabase;

using model::Item;
using model::Type;
using model::Value;

Value b(std::string v) { return Value::binary(std::move(v)); }

model::TableDef table(Type sort_type) {
  model::TableDef t;
  t.id = 3;
  t.hash = {"pk", Type::S};
  t.range = model::KeyAttribute{"sk", sort_type};
  return t;
}

std::string key(const model::TableDef& t, const Value& pk, const Value& sk) {
  return storage::storage_key(t, Item{{"pk", pk}, {"sk", sk}});
}

// Each value's storage key sorts strictly after the one before, in one partition.
void expect_ascending(const model::TableDef& t, const std::vector<Value>& values) {
  for (size_t i = 0; i + 1 < values.size(); ++i)
    EXPECT_LT(key(t, s("p"), values[i]), key(t, s("p"), values[i + 1]))
        << "item " << i << " (" << values[i].scalar << ") vs (" << values[i + 1].scalar << ")";
}

TEST(StorageKey, NumbersOrderNumerically) {
  const char* texts[] = {"-1e125",
                         "-12345678901234567890",
                         "-1e10",
                         "-100",
                         "-99.5",
                         "-10",
                         "-2",
                         "-1.5",
                         "-1",
                         "-0.001",
                         "-1e-130",
                         "0",
                         "1e-130",
                         "0.000123",
                         "0.5",
                         "1",
                         "1.0000000000000000000000000000000000001",
                         "2",
                         "9.99",
                         "10",
                         "1.5e3",
                         "12345678901234567890",
                         "9.9999999999999999999999999999999999999e125"};
  std::vector<Value> values;
  for (const char* v : texts) values.push_back(n(v));
  expect_ascending(table(Type::N), values);
  model::TableDef t = table(Type::N);
  EXPECT_EQ(key(t, s("p"), n("1.50")), key(t, s("p"), n("15e-1")));
  EXPECT_EQ(key(t, s("p"), n("-0")), key(t, s("p"), n("0")));
}

TEST(StorageKey, StringsAndBinaryOrderByBytes) {
  std::vector<Value> strings = {s(""),
                                s(std::string("\0", 1)),
                                s(std::string("\0\0", 2)),
                                s("A"),
                                s("Z"),
                                s("a"),
                                s("a\x01"),
                                s("ab"),
                                s("abc"),
                                s("b"),
                                s("\x7f"),
                                s("\xc3\xa9"),
                                s("\xe2\x82\xac"),
                                s("\xf0\x9f\x98\x80")};
  expect_ascending(table(Type::S), strings);
  std::vector<Value> binaries = {b(std::string("\0", 1)),
                                 b(std::string("\0\x01", 2)),
                                 b("\x01"),
                                 b("\x7f\xff"),
                                 b("\x80"),
                                 b("\xfe"),
                                 b("\xff"),
                                 b("\xff\xff")};
  expect_ascending(table(Type::B), binaries);
}

TEST(StorageKey, PartitionsAreContiguous) {
  // Every key of a partition sorts apart from every key of another, even when one partition
  // key is a prefix of the other.
  model::TableDef t = table(Type::S);
  std::vector<std::string> partitions = {"a", std::string("a\0", 2), "ab", "b"};
  std::vector<Value> sorts = {s(""), s(std::string("\0", 1)), s("a"), s("zzzz"), s("\xff")};
  std::vector<std::pair<std::string, std::string>> keys;  // storage key, partition
  for (const auto& p : partitions)
    for (const auto& v : sorts) keys.emplace_back(key(t, s(p), v), p);
  std::sort(keys.begin(), keys.end());
  std::set<std::string> finished;
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_FALSE(finished.count(keys[i].second)) << "partition " << keys[i].second << " split";
    if (i + 1 < keys.size() && keys[i + 1].second != keys[i].second)
      finished.insert(keys[i].second);
  }
  EXPECT_TRUE(key(t, s("p"), s("x")).starts_with(storage::table_prefix(3)));
}

TEST(StorageKey, LongPartitionKeysAreShortenedToADigest) {
  // A string's encoding is its bytes (0x00 doubled) and a two-byte terminator: 158 bytes
  // encode to 160, the longest stored whole.
  Value whole = s(std::string(158, 'p'));
  Value longer = s(std::string(159, 'p'));
  EXPECT_TRUE(storage::partition_part_is_whole(whole));
  EXPECT_FALSE(storage::partition_part_is_whole(longer));
  EXPECT_FALSE(storage::partition_part_is_whole(s(std::string(80, '\0'))));  // 162 encoded
  EXPECT_TRUE(storage::partition_part_is_whole(s(std::string(79, '\0'))));   // 160 encoded
  EXPECT_TRUE(storage::partition_part_is_whole(n("-1.2345678901234567890123456789012345678e-130")));

  model::TableDef t = table(Type::N);
  std::string whole_key = key(t, whole, n("1"));
  EXPECT_NE(whole_key.find(std::string(158, 'p')), std::string::npos);
  // The longest partition key (2048 bytes) and sort key (1024) fit LMDB's 511-byte keys, and
  // long partitions that differ only at their end stay apart.
  std::string a(2048, 'x'), c(2048, 'x');
  c.back() = 'y';
  std::string long_a = key(t, s(a), n("1")), long_c = key(t, s(c), n("1"));
  EXPECT_NE(long_a, long_c);
  EXPECT_LT(long_a.size(), 8 + 1 + 16 + 30u);
  model::TableDef ts = table(Type::S);
  EXPECT_LE(key(ts, s(a), s(std::string(1024, 'z'))).size(), 511u);
  // A long partition's items are still one contiguous, ordered range.
  EXPECT_LT(key(t, s(a), n("-5")), key(t, s(a), n("3")));
  std::string prefix_of_a = long_a.substr(0, 8 + 1 + 16);
  EXPECT_TRUE(key(t, s(a), n("12345")).starts_with(prefix_of_a));
}

TEST(StorageKey, LongSortKeysKeepTheirFirst300BytesAndADigest) {
  Value whole = s(std::string(298, 's'));   // 300 encoded
  Value longer = s(std::string(299, 's'));  // 301
  EXPECT_TRUE(storage::sort_part_is_whole(whole));
  EXPECT_FALSE(storage::sort_part_is_whole(longer));
  EXPECT_FALSE(storage::sort_part_is_whole(b(std::string(150, '\0'))));  // 302 encoded
  EXPECT_TRUE(storage::sort_part_is_whole(n("9.9999999999999999999999999999999999999e125")));
  EXPECT_EQ(storage::sort_part(whole).size(), 300u);
  EXPECT_EQ(storage::sort_part(longer).size(), 300u + 16);
  EXPECT_TRUE(storage::sort_part(longer).starts_with(std::string(299, 's')));

  // Values that differ after the first 300 bytes are told apart by the digest...
  std::string base(400, 'm');
  std::string x = base + "x", y = base + "y";
  EXPECT_NE(storage::sort_part(s(x)), storage::sort_part(s(y)));
  // ...and those that differ before keep DynamoDB's order, however long.
  model::TableDef t = table(Type::S);
  std::vector<Value> values = {s(std::string(500, 'a')), s(std::string(299, 'a') + "b"), s("b"),
                               s(std::string(1024, 'b')), s(std::string(299, 'b') + "c")};
  expect_ascending(t, values);
  // The storage key holds the sort part as sort_part() makes it (Query's bounds).
  std::string k = key(t, s("p"), s(x));
  EXPECT_TRUE(k.ends_with(storage::sort_part(s(x))));
}

TEST(StorageKey, SortPrefixPartStartsEverySortPartWithThatPrefix) {
  std::vector<std::string> prefixes = {"",
                                       "a",
                                       "ab",
                                       std::string("a\0", 2),
                                       std::string("\0", 1),
                                       "\xff",
                                       std::string(299, 'q'),
                                       std::string(298, 'q') + std::string("\0", 1),
                                       std::string(400, 'q')};
  std::vector<std::string> suffixes = {"",     std::string("\0", 1), "a", "\x01", "zzz",
                                       "\xff", std::string(700, 'w')};
  for (bool binary : {false, true}) {
    auto make = [&](std::string v) { return binary ? b(std::move(v)) : s(std::move(v)); };
    for (const auto& p : prefixes) {
      std::string part = storage::sort_prefix_part(make(p));
      for (const auto& suffix : suffixes) {
        std::string value = p + suffix;
        EXPECT_TRUE(storage::sort_part(make(value)).starts_with(part))
            << "prefix of " << p.size() << " bytes, suffix of " << suffix.size();
      }
    }
  }
  // Values not starting with a short prefix fall outside it.
  std::string ab = storage::sort_prefix_part(s("ab"));
  for (const char* other : {"a", "aa", "ac", "b", "", "Ab"})
    EXPECT_FALSE(storage::sort_part(s(other)).starts_with(ab)) << other;
  EXPECT_FALSE(storage::sort_part(s("a")).starts_with(storage::sort_prefix_part(s("a\x01"))));
}

TEST(Record, HoldsTheItemsSizeThenTheItem) {
  Item item = {{"pk", s("a")}, {"n", n("1.5")}, {"b", b("\x01\x02")}, {"l", Value{Type::L}}};
  std::string record = storage::make_record(item);
  storage::Record r = storage::read_record(record);
  EXPECT_EQ(r.size, model::item_size(item));
  EXPECT_EQ(model::decode_item(r.item), item);
}
TEST(ItemsBatch, WalksOneTableInBatchesAndEndsWithNothing) {
  TempDatabase db;
  // Tables 4, 5 and 6; 5 is walked, its neighbours must not be.
  model::TableDef t = table(Type::N);
  std::vector<std::string> keys;
  run(*db, [&](storage::Txn& txn) {
    for (uint64_t id : {4, 5, 6}) {
      t.id = id;
      for (int i = 0; i < (id == 5 ? 5 : 3); ++i) {
        Item item = {{"pk", s("p")}, {"sk", n(std::to_string(i * 10 - 20))}};
        std::string k = storage::storage_key(t, item);
        txn.put(db->items(), k, storage::make_record(item));
        if (id == 5) keys.push_back(k);
      }
    }
  });
  std::sort(keys.begin(), keys.end());

  storage::Txn txn = db->read();
  std::vector<std::string> visited;
  auto visit = [&](std::string_view k, std::string_view stored) {
    visited.emplace_back(k);
    EXPECT_EQ(storage::storage_key(t, model::decode_item(storage::read_record(stored).item)), k);
  };
  t.id = 5;
  std::vector<std::optional<std::string>> ends;
  std::string after;
  for (int batch = 0; batch < 10; ++batch) {
    auto next = storage::items_batch(txn, *db, 5, after, 2, visit);
    ends.push_back(next);
    if (!next) break;
    after = *next;
  }
  ASSERT_EQ(ends.size(), 3u);  // 2 + 2 + 1
  EXPECT_EQ(ends[0], keys[1]);
  EXPECT_EQ(ends[1], keys[3]);
  EXPECT_FALSE(ends[2]);
  EXPECT_EQ(visited, keys);

  // A batch that takes the table's last item ends the walk; so does starting after it.
  visited.clear();
  EXPECT_FALSE(storage::items_batch(txn, *db, 5, "", 5, visit));
  EXPECT_EQ(visited, keys);
  visited.clear();
  EXPECT_FALSE(storage::items_batch(txn, *db, 5, keys.back(), 5, visit));
  EXPECT_TRUE(visited.empty());
  // An empty table, and the last table of the database.
  EXPECT_FALSE(storage::items_batch(txn, *db, 9, "", 5, visit));
  EXPECT_TRUE(visited.empty());
  t.id = 6;
  EXPECT_FALSE(storage::items_batch(txn, *db, 6, "", 3, visit));
  EXPECT_EQ(visited.size(), 3u);
}

}  // namespace
}  // namespace ddb
