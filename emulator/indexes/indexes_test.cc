// Secondary indexes: where an item appears in an index and what it holds there, and the
// background fill of a new global index.
#include "indexes/indexes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "model/codec.h"
#include "model/number.h"
#include "storage/keys.h"
#include "storage/testing.h"

namespace ddb {
namespace {

using storage::testing::n;
using storage::testing::run;
using storage::testing::s;
using storage::testing::TempDatabase;

using model::IndexDef;
using model::Item;
using model::Type;
using model::Value;

// pk (S) + sk (N).
model::TableDef table_def() {
  model::TableDef t;
  t.id = 7;
  t.space = "AKID_us-east-1";
  t.name = "events";
  t.hash = {"pk", Type::S};
  t.range = model::KeyAttribute{"sk", Type::N};
  t.attribute_definitions = {{"pk", Type::S}, {"sk", Type::N}, {"g", Type::S}, {"r", Type::N}};
  return t;
}

// g (S) + r (N), with the given projection; INCLUDE names `note` and an attribute no item has.
IndexDef index_def(IndexDef::Projection p) {
  IndexDef ix;
  ix.name = "by_g";
  ix.id = 42;
  ix.hash = {"g", Type::S};
  ix.range = model::KeyAttribute{"r", Type::N};
  ix.projection = p;
  if (p == IndexDef::Projection::Include) ix.non_key_attributes = {"note", "absent"};
  return ix;
}

TEST(IndexEntry, IsIndexKeyThenTableKeyUnderTheIndexPrefix) {
  model::TableDef t = table_def();
  IndexDef ix = index_def(IndexDef::Projection::All);
  Item item = {{"pk", s("a")}, {"sk", n(1)}, {"g", s("x")}, {"r", n(5)}, {"note", s("n")}};
  std::string key = storage::storage_key(t, item);
  auto entry = indexes::entry_key(ix, item, key);
  ASSERT_TRUE(entry);
  std::string expected = storage::table_prefix(42);
  storage::append_key_parts(expected, s("x"), &item.at("r"));
  expected += key.substr(8);  // the table key without the table's prefix
  EXPECT_EQ(*entry, expected);
  EXPECT_TRUE(entry->starts_with(storage::table_prefix(42)));

  // Sparse: no entry without both index key attributes of the declared types.
  for (const char* missing : {"g", "r"}) {
    Item without = item;
    without.erase(missing);
    EXPECT_FALSE(indexes::entry_key(ix, without, key)) << missing;
  }
  Item wrong = item;
  wrong["g"] = n(1);
  EXPECT_FALSE(indexes::entry_key(ix, wrong, key));
  wrong = item;
  wrong["r"] = s("5");
  EXPECT_FALSE(indexes::entry_key(ix, wrong, key));

  // A hash-only index needs only its hash attribute.
  IndexDef hash_only = ix;
  hash_only.range.reset();
  Item no_r = item;
  no_r.erase("r");
  auto e = indexes::entry_key(hash_only, no_r, key);
  ASSERT_TRUE(e);
  std::string hash_expected = storage::table_prefix(42);
  storage::append_key_parts(hash_expected, s("x"), nullptr);
  EXPECT_EQ(*e, hash_expected + key.substr(8));
}

TEST(IndexEntry, StaysWithinLmdbsKeyLimitWithLongKeys) {
  // A local index (hash = the table's) with a 1024-byte sort key, beside table keys of 2048
  // and 1024 bytes: whole, the parts pass 511 bytes, so the table key is kept as a digest.
  model::TableDef t = table_def();
  t.range = model::KeyAttribute{"sk", Type::S};
  IndexDef lsi;
  lsi.id = 43;
  lsi.global = false;
  lsi.hash = {"pk", Type::S};
  lsi.range = model::KeyAttribute{"ls", Type::S};
  auto make = [](char c) {
    return Item{{"pk", s(std::string(2048, 'p'))},
                {"sk", s(std::string(1024, c))},
                {"ls", s(std::string(1024, 'l'))}};
  };
  Item a = make('a'), b = make('b');
  std::string ka = storage::storage_key(t, a), kb = storage::storage_key(t, b);
  auto ea = indexes::entry_key(lsi, a, ka), eb = indexes::entry_key(lsi, b, kb);
  ASSERT_TRUE(ea && eb);
  EXPECT_LE(ea->size(), storage::kMaxKeyBytes);
  EXPECT_NE(*ea, *eb);  // equal index keys, distinct table keys
  EXPECT_EQ(*ea, *indexes::entry_key(lsi, a, ka));
  std::string prefix = storage::table_prefix(43);
  storage::append_key_parts(prefix, a.at("pk"), &a.at("ls"));
  EXPECT_EQ(*ea, prefix + '\x03' + storage::key_digest(ka.substr(8)));

  // Stored and removed again through update().
  TempDatabase db;
  t.indexes = {lsi};
  run(*db, [&](storage::Txn& txn) { indexes::update(txn, *db, t, ka, nullptr, &a); });
  run(*db, [&](storage::Txn& txn) { EXPECT_TRUE(txn.get(db->indexes(), *ea)); });
  run(*db, [&](storage::Txn& txn) { indexes::update(txn, *db, t, ka, &a, nullptr); });
  run(*db, [&](storage::Txn& txn) { EXPECT_FALSE(txn.get(db->indexes(), *ea)); });
}

TEST(IndexEntry, ProjectionHoldsWhatTheIndexDeclares) {
  model::TableDef t = table_def();
  Item item = {{"pk", s("a")}, {"sk", n(1)},     {"g", s("x")},
               {"r", n(5)},    {"note", s("n")}, {"other", s("o")}};
  Item keys = {{"pk", s("a")}, {"sk", n(1)}, {"g", s("x")}, {"r", n(5)}};
  EXPECT_EQ(indexes::projection(t, index_def(IndexDef::Projection::All), item), item);
  EXPECT_EQ(indexes::projection(t, index_def(IndexDef::Projection::KeysOnly), item), keys);
  Item included = keys;
  included["note"] = s("n");
  EXPECT_EQ(indexes::projection(t, index_def(IndexDef::Projection::Include), item), included);

  // An index keyed on the table's own hash key (as an LSI is) holds it once.
  IndexDef lsi = index_def(IndexDef::Projection::KeysOnly);
  lsi.global = false;
  lsi.hash = {"pk", Type::S};
  EXPECT_EQ(indexes::projection(t, lsi, item), (Item{{"pk", s("a")}, {"sk", n(1)}, {"r", n(5)}}));
}

TEST(IndexEntry, EqualIndexKeysOrderByTableKey) {
  model::TableDef t = table_def();
  IndexDef ix = index_def(IndexDef::Projection::KeysOnly);
  struct Row {
    std::string pk;
    int64_t sk;
  };
  std::vector<Row> rows = {{"b", 1}, {"a", 10}, {"a", -3}, {"a", 2}, {"c", 0}, {"ab", -1000}};
  std::vector<std::pair<std::string, std::string>> table_and_entry;
  for (const auto& r : rows) {
    Item item = {{"pk", s(r.pk)}, {"sk", n(r.sk)}, {"g", s("same")}, {"r", n(7)}};
    std::string key = storage::storage_key(t, item);
    table_and_entry.emplace_back(key, *indexes::entry_key(ix, item, key));
  }
  std::sort(table_and_entry.begin(), table_and_entry.end());
  for (size_t i = 0; i + 1 < table_and_entry.size(); ++i)
    EXPECT_LT(table_and_entry[i].second, table_and_entry[i + 1].second) << i;

  // The index key comes first: a smaller index key sorts before, whatever the table key.
  auto entry_of = [&](const std::string& pk, int64_t sk, const std::string& g, int64_t r) {
    Item item = {{"pk", s(pk)}, {"sk", n(sk)}, {"g", s(g)}, {"r", n(r)}};
    return *indexes::entry_key(ix, item, storage::storage_key(t, item));
  };
  std::string first = table_and_entry.front().second, last = table_and_entry.back().second;
  EXPECT_LT(entry_of("zzz", 99, "same", 6), first);
  EXPECT_LT(entry_of("zzz", 99, "samd", 100), first);
  EXPECT_GT(entry_of("", -99, "same", 8), last);
  EXPECT_GT(entry_of("", -99, "samf", -100), last);
}  // What the write path does for an index (items::store calls indexes::update); the item is
// written alongside.
void put(storage::Txn& txn, storage::Database& db, const model::TableDef& t, const Item& item) {
  std::string key = storage::storage_key(t, item);
  std::optional<Item> old;
  if (auto stored = txn.get(db.items(), key))
    old = model::decode_item(storage::read_record(*stored).item);
  txn.put(db.items(), key, storage::make_record(item));
  indexes::update(txn, db, t, key, old ? &*old : nullptr, &item);
}

TEST(Backfill, FillsEveryEntryOverSeveralBatchesAndClearsBackfilling) {
  TempDatabase db;
  model::TableDef def = table_def();
  storage::TablePtr table;
  constexpr int kItems = 2500;  // more than two batches of 1,000
  std::vector<Item> items;
  for (int i = 0; i < kItems; ++i) {
    Item item = {{"pk", s("p" + std::to_string(i % 37))},
                 {"sk", n(i)},
                 {"r", n(i % 11)},
                 {"note", s("note " + std::to_string(i))}};
    if (i % 7 != 0) item["g"] = s("g" + std::to_string(i % 5));  // every 7th is not indexed
    items.push_back(std::move(item));
  }
  run(*db, [&](storage::Txn& txn) {
    table = db->catalog().create(txn, def);
    for (const auto& item : items) put(txn, *db, *table, item);
  });

  // UpdateTable's part: the index, backfilling, in the definition.
  IndexDef ix = index_def(IndexDef::Projection::Include);
  run(*db, [&](storage::Txn& txn) {
    model::TableDef with_index = *table;
    ix.id = db->catalog().allocate_id(txn);
    ix.backfilling = true;
    with_index.indexes.push_back(ix);
    table = db->catalog().replace(txn, std::move(with_index));
  });
  // A write before the fill reaches its item keeps the index itself; the fill must not count
  // that entry twice. Another one moves an item out of the index before the fill gets there.
  run(*db, [&](storage::Txn& txn) {
    items[1]["note"] = s("rewritten");
    put(txn, *db, *table, items[1]);
    items[2].erase("g");
    put(txn, *db, *table, items[2]);
  });
  ASSERT_TRUE(db->catalog().find(def.space, def.name)->indexes.at(0).backfilling);

  indexes::backfill(*db, *table, ix.id);
  bool done = false;
  for (int i = 0; i < 2000 && !done; ++i) {  // up to 10 s
    done = !db->catalog().find(def.space, def.name)->indexes.at(0).backfilling;
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(done) << "the backfill did not finish within 10 s";

  storage::Txn txn = db->read();
  size_t expected = 0;
  uint64_t bytes = 0;
  for (const auto& item : items) {
    std::string key = storage::storage_key(*table, item);
    auto entry = indexes::entry_key(ix, item, key);
    if (!entry) continue;
    ++expected;
    auto stored = txn.get(db->indexes(), *entry);
    ASSERT_TRUE(stored) << "no entry for sk " << item.at("sk").scalar;
    Item projected = indexes::projection(*table, ix, item);
    EXPECT_EQ(model::decode_item(storage::read_record(*stored).item), projected);
    bytes += model::item_size(projected);
  }
  size_t entries = 0;
  {
    storage::Cursor c(txn, db->indexes());
    std::string prefix = storage::table_prefix(ix.id);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) ++entries;
  }
  EXPECT_EQ(expected, static_cast<size_t>(kItems - (kItems + 6) / 7 - 1));
  EXPECT_EQ(entries, expected);
  storage::TableStats st = storage::Catalog::stats(txn, db->meta(), ix.id);
  EXPECT_EQ(st.item_count, expected);
  EXPECT_EQ(st.size_bytes, bytes);
}

}  // namespace
}  // namespace ddb
