// The one write path: a write through items::store leaves the item, the table's counters, each
// index's entry and counters, the stream record and the TTL entry in step, in one transaction.
#include "items/write.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

#include "indexes/indexes.h"
#include "model/clock.h"
#include "model/codec.h"
#include "model/json.h"
#include "model/number.h"
#include "storage/keys.h"
#include "storage/testing.h"
#include "streams/stream_log.h"
#include "ttl/ttl.h"

namespace ddb {
namespace {

using storage::testing::n;
using storage::testing::run;
using storage::testing::s;
using storage::testing::TempDatabase;

using model::Item;
using model::Type;
using model::Value;

constexpr const char* kSpace = "AKID_us-east-1";

// pk (S) + sk (N); a GSI on g (S) + sk projecting `note` (INCLUDE) and an LSI on pk + l (N),
// KEYS_ONLY; TTL on `exp`.
model::TableDef orders_def() {
  model::TableDef t;
  t.space = kSpace;
  t.name = "orders";
  t.region = "us-east-1";
  t.hash = {"pk", Type::S};
  t.range = model::KeyAttribute{"sk", Type::N};
  t.attribute_definitions = {{"pk", Type::S}, {"sk", Type::N}, {"g", Type::S}, {"l", Type::N}};
  t.on_demand = true;
  model::IndexDef gsi;
  gsi.name = "by_g";
  gsi.hash = {"g", Type::S};
  gsi.range = model::KeyAttribute{"sk", Type::N};
  gsi.projection = model::IndexDef::Projection::Include;
  gsi.non_key_attributes = {"note"};
  model::IndexDef lsi;
  lsi.name = "by_l";
  lsi.global = false;
  lsi.hash = {"pk", Type::S};
  lsi.range = model::KeyAttribute{"l", Type::N};
  lsi.projection = model::IndexDef::Projection::KeysOnly;
  t.indexes = {gsi, lsi};
  t.ttl_attribute = "exp";
  return t;
}

// Records `def` in the catalog as CreateTable does, with a stream of `view_type` unless empty.
storage::TablePtr create_table(storage::Database& db, const model::TableDef& def,
                               const std::string& view_type) {
  storage::TablePtr out;
  run(db, [&](storage::Txn& txn) {
    out = db.catalog().create(txn, def);
    if (view_type.empty()) return;
    model::TableDef with_stream = *out;
    auto stream = streams::create_stream(txn, db, with_stream, view_type);
    with_stream.stream_id = with_stream.latest_stream_id = stream->id;
    with_stream.latest_stream_label = stream->label;
    with_stream.stream_view_type = view_type;
    out = db.catalog().replace(txn, std::move(with_stream));
  });
  return out;
}

// Writes `item` as PutItem does: reads what it replaces (decoded when upkeep needs it), then
// store().
void put(storage::Database& db, const model::TableDef& t, const Item& item) {
  run(db, [&](storage::Txn& txn) {
    std::string key = storage::storage_key(t, item);
    auto current = items::read_current(txn, db, key, t.needs_old_item());
    items::store(txn, db, t, key, current.existing(), &item, storage::make_record(item));
  });
}

// Deletes the item with the key attributes of `key_item`, as DeleteItem does.
void remove(storage::Database& db, const model::TableDef& t, const Item& key_item) {
  run(db, [&](storage::Txn& txn) {
    std::string key = storage::storage_key(t, key_item);
    auto current = items::read_current(txn, db, key, t.needs_old_item());
    items::store(txn, db, t, key, current.existing(), nullptr, {});
  });
}

struct Stored {
  size_t size;
  Item item;
};
// The record at `key` of the items or the indexes database, decoded.
std::optional<Stored> read_stored(storage::Database& db, MDB_dbi dbi, const std::string& key) {
  storage::Txn txn = db.read();
  auto v = txn.get(dbi, key);
  if (!v) return std::nullopt;
  storage::Record r = storage::read_record(*v);
  return Stored{r.size, model::decode_item(r.item)};
}

std::vector<std::string> keys_under(storage::Database& db, MDB_dbi dbi, const std::string& prefix) {
  std::vector<std::string> out;
  storage::Txn txn = db.read();
  storage::Cursor c(txn, dbi);
  for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next())
    out.emplace_back(c.key());
  return out;
}

storage::TableStats stats(storage::Database& db, uint64_t id) {
  storage::Txn txn = db.read();
  return storage::Catalog::stats(txn, db.meta(), id);
}

void expect_stats(storage::Database& db, uint64_t id, uint64_t count, uint64_t bytes) {
  storage::TableStats st = stats(db, id);
  EXPECT_EQ(st.item_count, count) << "counter " << id;
  EXPECT_EQ(st.size_bytes, bytes) << "counter " << id;
}

// A stream record as GetRecords would return it, read back from the stream log.
struct StreamRecord {
  std::string key;
  uint64_t seq = 0;
  int64_t created_ms = 0;
  std::string event, sequence_number, view_type, region, identity;
  Item keys;
  std::optional<Item> new_image, old_image;
};

std::string member_string(const model::Json& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name) || !obj[name].IsString()) return "";
  return std::string(model::view(obj[name]));
}

std::vector<StreamRecord> stream_records(storage::Database& db, uint64_t stream_id) {
  std::vector<StreamRecord> out;
  storage::Txn txn = db.read();
  storage::Cursor c(txn, db.stream_records());
  std::string prefix = model::be64(stream_id);
  for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
    StreamRecord r;
    r.key = c.key();
    r.seq = streams::record_seq(c.key());
    std::string_view value = c.value();
    r.created_ms = static_cast<int64_t>(model::read_be64(value.substr(0, 8)));
    rapidjson::Document doc;
    doc.Parse(value.data() + 8, value.size() - 8);
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("dynamodb")) {
      ADD_FAILURE() << "unreadable stream record: " << value.substr(8);
      continue;
    }
    r.event = member_string(doc, "eventName");
    r.region = member_string(doc, "awsRegion");
    const model::Json& d = doc["dynamodb"];
    r.sequence_number = member_string(d, "SequenceNumber");
    r.view_type = member_string(d, "StreamViewType");
    if (d.HasMember("Keys")) r.keys = model::item_from_json(d["Keys"]);
    if (d.HasMember("NewImage")) r.new_image = model::item_from_json(d["NewImage"]);
    if (d.HasMember("OldImage")) r.old_image = model::item_from_json(d["OldImage"]);
    if (doc.HasMember("userIdentity"))
      r.identity = member_string(doc["userIdentity"], "PrincipalId") + "/" +
                   member_string(doc["userIdentity"], "Type");
    out.push_back(std::move(r));
  }
  return out;
}

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = create_table(*db_, orders_def(), "NEW_AND_OLD_IMAGES");
    ASSERT_NE(table_->stream_id, 0u);
    now_s_ = model::Clock::now_ms() / 1000;
  }
  const model::IndexDef& gsi() const { return table_->indexes.at(0); }
  const model::IndexDef& lsi() const { return table_->indexes.at(1); }
  std::string key_of(const Item& item) const { return storage::storage_key(*table_, item); }
  std::string gsi_key(const Item& item) const {
    return *indexes::entry_key(gsi(), item, key_of(item));
  }
  // The TTL index's entries of the table.
  std::vector<std::string> ttl_entries() {
    return keys_under(*db_, db_->ttl(), model::be64(table_->id));
  }

  TempDatabase db_;
  storage::TablePtr table_;
  int64_t now_s_ = 0;
};

TEST_F(WriteTest, InsertKeepsItemCountersIndexesStreamAndTtlInStep) {
  int64_t expiry = now_s_ + 3600;
  Item item = {{"pk", s("p1")},   {"sk", n(1)},      {"g", s("red")},   {"l", n(7)},
               {"note", s("hi")}, {"other", s("x")}, {"exp", n(expiry)}};
  put(*db_, *table_, item);

  // The item, at its storage key, with its DynamoDB size in front.
  std::string key = key_of(item);
  auto stored = read_stored(*db_, db_->items(), key);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->item, item);
  EXPECT_EQ(stored->size, model::item_size(item));
  expect_stats(*db_, table_->id, 1, model::item_size(item));

  // Each index holds exactly its projection, under its entry key.
  Item in_gsi = {{"pk", s("p1")}, {"sk", n(1)}, {"g", s("red")}, {"note", s("hi")}};
  Item in_lsi = {{"pk", s("p1")}, {"sk", n(1)}, {"l", n(7)}};
  auto g = indexes::entry_key(gsi(), item, key);
  auto l = indexes::entry_key(lsi(), item, key);
  ASSERT_TRUE(g && l);
  auto g_stored = read_stored(*db_, db_->indexes(), *g);
  auto l_stored = read_stored(*db_, db_->indexes(), *l);
  ASSERT_TRUE(g_stored && l_stored);
  EXPECT_EQ(g_stored->item, in_gsi);
  EXPECT_EQ(l_stored->item, in_lsi);
  EXPECT_EQ(keys_under(*db_, db_->indexes(), storage::table_prefix(gsi().id)).size(), 1u);
  expect_stats(*db_, gsi().id, 1, model::item_size(in_gsi));
  expect_stats(*db_, lsi().id, 1, model::item_size(in_lsi));

  // One INSERT record with the keys and the new image.
  auto records = stream_records(*db_, table_->stream_id);
  ASSERT_EQ(records.size(), 1u);
  const StreamRecord& r = records[0];
  EXPECT_EQ(r.key, streams::record_key(table_->stream_id, r.seq));
  EXPECT_EQ(r.event, "INSERT");
  EXPECT_EQ(r.sequence_number, streams::sequence_text(r.seq));
  EXPECT_EQ(r.view_type, "NEW_AND_OLD_IMAGES");
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.keys, (Item{{"pk", s("p1")}, {"sk", n(1)}}));
  ASSERT_TRUE(r.new_image);
  EXPECT_EQ(*r.new_image, item);
  EXPECT_FALSE(r.old_image);
  EXPECT_EQ(r.identity, "");  // a caller's change carries no userIdentity
  EXPECT_NEAR(r.created_ms, model::Clock::now_ms(), 10'000);

  // The TTL entry: due at its expiry, not a second before, and the only one.
  storage::Txn txn = db_->read();
  EXPECT_FALSE(ttl::DueEntries(*table_, expiry - 1).next(txn, *db_, ""));
  auto entry = ttl::DueEntries(*table_, expiry).next(txn, *db_, "");
  ASSERT_TRUE(entry);
  EXPECT_EQ(ttl::entry_item_key(*entry), key);
  EXPECT_EQ(ttl::entry_expiry(*entry), expiry);
  EXPECT_FALSE(ttl::DueEntries(*table_, expiry + 3600).next(txn, *db_, *entry));
  EXPECT_TRUE(ttl::DueEntries(*table_, expiry + 3600).next(txn, *db_, ""));
}

TEST_F(WriteTest, ReplacingMovesIndexEntryAndTtlEntryAndAppendsModify) {
  int64_t expiry = now_s_ + 3600;
  Item first = {{"pk", s("p1")}, {"sk", n(1)},      {"g", s("red")},
                {"l", n(7)},     {"note", s("hi")}, {"exp", n(expiry)}};
  Item second = {{"pk", s("p1")}, {"sk", n(1)},         {"g", s("blue")},
                 {"l", n(7)},     {"note", s("there")}, {"exp", n(expiry + 100)}};
  put(*db_, *table_, first);
  put(*db_, *table_, second);

  expect_stats(*db_, table_->id, 1, model::item_size(second));
  EXPECT_EQ(read_stored(*db_, db_->items(), key_of(second))->item, second);

  // The GSI entry moved to the new index key; the LSI's key did not change.
  EXPECT_FALSE(read_stored(*db_, db_->indexes(), gsi_key(first)));
  auto moved = read_stored(*db_, db_->indexes(), gsi_key(second));
  ASSERT_TRUE(moved);
  Item in_gsi = {{"pk", s("p1")}, {"sk", n(1)}, {"g", s("blue")}, {"note", s("there")}};
  EXPECT_EQ(moved->item, in_gsi);
  EXPECT_EQ(keys_under(*db_, db_->indexes(), storage::table_prefix(gsi().id)).size(), 1u);
  expect_stats(*db_, gsi().id, 1, model::item_size(in_gsi));
  EXPECT_EQ(keys_under(*db_, db_->indexes(), storage::table_prefix(lsi().id)).size(), 1u);
  expect_stats(*db_, lsi().id, 1,
               model::item_size(Item{{"pk", s("p1")}, {"sk", n(1)}, {"l", n(7)}}));

  // One TTL entry, at the new expiry.
  auto entries = ttl_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(ttl::entry_expiry(entries[0]), expiry + 100);
  storage::Txn txn = db_->read();
  EXPECT_FALSE(ttl::DueEntries(*table_, expiry).next(txn, *db_, ""));

  auto records = stream_records(*db_, table_->stream_id);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_LT(records[0].seq, records[1].seq);
  EXPECT_EQ(records[1].event, "MODIFY");
  ASSERT_TRUE(records[1].old_image && records[1].new_image);
  EXPECT_EQ(*records[1].old_image, first);
  EXPECT_EQ(*records[1].new_image, second);
}

TEST_F(WriteTest, ItemWithoutIndexKeyHasNoEntryInThatIndex) {
  // No g: not in the GSI, but in the LSI (indexes are sparse, each for its own key).
  Item item = {{"pk", s("p2")}, {"sk", n(2)}, {"l", n(1)}, {"note", s("n")}};
  put(*db_, *table_, item);
  EXPECT_FALSE(indexes::entry_key(gsi(), item, key_of(item)));
  EXPECT_TRUE(keys_under(*db_, db_->indexes(), storage::table_prefix(gsi().id)).empty());
  expect_stats(*db_, gsi().id, 0, 0);
  expect_stats(*db_, lsi().id, 1,
               model::item_size(Item{{"pk", s("p2")}, {"sk", n(2)}, {"l", n(1)}}));
  EXPECT_TRUE(ttl_entries().empty());  // no exp either

  // Gaining the GSI key adds the entry; losing it again removes it.
  Item with_g = item;
  with_g["g"] = s("red");
  put(*db_, *table_, with_g);
  EXPECT_EQ(keys_under(*db_, db_->indexes(), storage::table_prefix(gsi().id)).size(), 1u);
  put(*db_, *table_, item);
  EXPECT_TRUE(keys_under(*db_, db_->indexes(), storage::table_prefix(gsi().id)).empty());
  expect_stats(*db_, gsi().id, 0, 0);

  // An index key of the wrong type is no index key either.
  Item wrong_type = item;
  wrong_type["g"] = n(5);
  put(*db_, *table_, wrong_type);
  EXPECT_TRUE(keys_under(*db_, db_->indexes(), storage::table_prefix(gsi().id)).empty());
}

TEST_F(WriteTest, DeleteRemovesItemEntriesAndCountersAndAppendsRemove) {
  Item item = {{"pk", s("p1")}, {"sk", n(1)},      {"g", s("red")},
               {"l", n(7)},     {"note", s("hi")}, {"exp", n(now_s_ + 60)}};
  put(*db_, *table_, item);
  remove(*db_, *table_, {{"pk", s("p1")}, {"sk", n(1)}});

  EXPECT_FALSE(read_stored(*db_, db_->items(), key_of(item)));
  expect_stats(*db_, table_->id, 0, 0);
  for (const auto& ix : table_->indexes) {
    EXPECT_TRUE(keys_under(*db_, db_->indexes(), storage::table_prefix(ix.id)).empty()) << ix.name;
    expect_stats(*db_, ix.id, 0, 0);
  }
  EXPECT_TRUE(ttl_entries().empty());

  auto records = stream_records(*db_, table_->stream_id);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].event, "REMOVE");
  EXPECT_EQ(records[1].keys, (Item{{"pk", s("p1")}, {"sk", n(1)}}));
  ASSERT_TRUE(records[1].old_image);
  EXPECT_EQ(*records[1].old_image, item);
  EXPECT_FALSE(records[1].new_image);

  // Deleting what is not there changes nothing and records nothing.
  remove(*db_, *table_, {{"pk", s("p1")}, {"sk", n(1)}});
  expect_stats(*db_, table_->id, 0, 0);
  EXPECT_EQ(stream_records(*db_, table_->stream_id).size(), 2u);
}

TEST_F(WriteTest, IdenticalWriteAppendsNoStreamRecord) {
  Item item = {{"pk", s("p1")}, {"sk", n(1)}, {"g", s("red")}, {"exp", n(now_s_ + 60)}};
  put(*db_, *table_, item);
  put(*db_, *table_, item);
  EXPECT_EQ(stream_records(*db_, table_->stream_id).size(), 1u);
  expect_stats(*db_, table_->id, 1, model::item_size(item));
  expect_stats(*db_, gsi().id, 1,
               model::item_size(Item{{"pk", s("p1")}, {"sk", n(1)}, {"g", s("red")}}));
  EXPECT_EQ(ttl_entries().size(), 1u);

  // Sets are equal whatever their order (model::items_equal): rewriting a set in another
  // order changes nothing either.
  Item with_set = item;
  with_set["tags"] = Value{Type::SS, "", false, {"a", "b"}};
  put(*db_, *table_, with_set);
  EXPECT_EQ(stream_records(*db_, table_->stream_id).size(), 2u);  // adding it did
  with_set["tags"].set = {"b", "a"};
  put(*db_, *table_, with_set);
  EXPECT_EQ(stream_records(*db_, table_->stream_id).size(), 2u);

  // A real change does append one.
  Item changed = item;
  changed["note"] = s("new");
  put(*db_, *table_, changed);
  EXPECT_EQ(stream_records(*db_, table_->stream_id).size(), 3u);
}

TEST_F(WriteTest, ReplacedItemRequiredButMissingIsALogicError) {
  Item item = {{"pk", s("p1")}, {"sk", n(1)}, {"g", s("red")}};
  put(*db_, *table_, item);
  Item next = item;
  next["g"] = s("blue");
  std::string key = key_of(item);
  EXPECT_THROW(run(*db_,
                   [&](storage::Txn& txn) {
                     auto current = items::read_current(txn, *db_, key, /*decode=*/false);
                     ASSERT_TRUE(current.exists());
                     items::store(txn, *db_, *table_, key, current.existing(), &next,
                                  storage::make_record(next));
                   }),
               std::logic_error);
  // The failed change left nothing behind.
  EXPECT_EQ(read_stored(*db_, db_->items(), key)->item, item);
  expect_stats(*db_, table_->id, 1, model::item_size(item));
  EXPECT_EQ(stream_records(*db_, table_->stream_id).size(), 1u);
}

TEST(WriteWithoutUpkeep, NeedsNoDecodedOldItemAndKeepsCounters) {
  TempDatabase db;
  model::TableDef def;
  def.space = kSpace;
  def.name = "plain";
  def.hash = {"id", Type::S};
  def.attribute_definitions = {{"id", Type::S}};
  auto t = create_table(*db, def, "");
  ASSERT_FALSE(t->needs_old_item());
  Item small = {{"id", s("a")}, {"v", s("x")}};
  Item large = {{"id", s("a")}, {"v", s(std::string(1000, 'y'))}};
  put(*db, *t, small);
  put(*db, *t, {{"id", s("b")}});
  expect_stats(*db, t->id, 2, model::item_size(small) + model::item_size(Item{{"id", s("b")}}));
  put(*db, *t, large);  // replaces without decoding: the size comes from the record
  expect_stats(*db, t->id, 2, model::item_size(large) + model::item_size(Item{{"id", s("b")}}));
  remove(*db, *t, {{"id", s("a")}});
  remove(*db, *t, {{"id", s("b")}});
  expect_stats(*db, t->id, 0, 0);
}

}  // namespace
}  // namespace ddb
