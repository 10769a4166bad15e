// The TTL sweep: items::expire deletes what the expiry index says is due (by the emulator's
// clock) through the one write path, with the service's identity on the REMOVE records.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "items/write.h"
#include "model/clock.h"
#include "model/codec.h"
#include "model/json.h"
#include "model/number.h"
#include "storage/keys.h"
#include "storage/testing.h"
#include "streams/stream_log.h"

namespace ddb {
namespace {

using storage::testing::n;
using storage::testing::run;
using storage::testing::s;
using storage::testing::TempDatabase;

using model::Item;
using model::Type;
using model::Value;

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kYear = 365 * kDay;
// Moves the emulator's clock for one test and puts it back afterwards.
class ClockOffset {
 public:
  explicit ClockOffset(int64_t ms) : saved_(model::Clock::offset_ms()) {
    model::Clock::advance_ms(ms);
  }
  ~ClockOffset() { model::Clock::advance_ms(saved_ - model::Clock::offset_ms()); }

 private:
  int64_t saved_;
};
size_t expire(storage::Database& db, size_t budget) {
  size_t handled = 0;
  run(db, [&](storage::Txn& txn) { handled = items::expire(txn, db, budget); });
  return handled;
}

std::vector<std::string> keys_under(storage::Database& db, MDB_dbi dbi, const std::string& prefix) {
  std::vector<std::string> out;
  storage::Txn txn = db.read();
  storage::Cursor c(txn, dbi);
  for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next())
    out.emplace_back(c.key());
  return out;
}

struct Removal {
  int64_t created_ms = 0;
  std::string event, identity;
  Item keys;
  std::optional<Item> old_image;
};

// The stream's records after the first `skip`.
std::vector<Removal> stream_records(storage::Database& db, uint64_t stream_id, size_t skip) {
  std::vector<Removal> out;
  storage::Txn txn = db.read();
  storage::Cursor c(txn, db.stream_records());
  std::string prefix = model::be64(stream_id);
  size_t seen = 0;
  for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
    if (seen++ < skip) continue;
    std::string_view value = c.value().substr(8);
    rapidjson::Document doc;
    doc.Parse(value.data(), value.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("dynamodb")) {
      ADD_FAILURE() << "unreadable stream record: " << value;
      continue;
    }
    Removal r;
    r.created_ms = static_cast<int64_t>(model::read_be64(c.value().substr(0, 8)));
    r.event = model::view(doc["eventName"]);
    if (doc.HasMember("userIdentity"))
      r.identity = std::string(model::view(doc["userIdentity"]["PrincipalId"])) + "/" +
                   std::string(model::view(doc["userIdentity"]["Type"]));
    const model::Json& d = doc["dynamodb"];
    r.keys = model::item_from_json(d["Keys"]);
    if (d.HasMember("OldImage")) r.old_image = model::item_from_json(d["OldImage"]);
    out.push_back(std::move(r));
  }
  return out;
}

class ExpireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // id (S), a GSI on g (S, ALL), a stream, TTL on exp.
    model::TableDef def;
    def.space = "AKID_us-east-1";
    def.name = "sessions";
    def.region = "us-east-1";
    def.hash = {"id", Type::S};
    def.attribute_definitions = {{"id", Type::S}, {"g", Type::S}};
    model::IndexDef gsi;
    gsi.name = "by_g";
    gsi.hash = {"g", Type::S};
    def.indexes = {gsi};
    def.ttl_attribute = "exp";
    run(*db_, [&](storage::Txn& txn) {
      auto created = db_->catalog().create(txn, def);
      model::TableDef with_stream = *created;
      auto stream = streams::create_stream(txn, *db_, with_stream, "NEW_AND_OLD_IMAGES");
      with_stream.stream_id = with_stream.latest_stream_id = stream->id;
      with_stream.stream_view_type = "NEW_AND_OLD_IMAGES";
      table_ = db_->catalog().replace(txn, std::move(with_stream));
    });
    now_s_ = model::Clock::now_ms() / 1000;
  }

  Item item(const std::string& id, std::optional<int64_t> expiry) {
    Item i = {{"id", s(id)}, {"g", s("group")}};
    if (expiry) i["exp"] = n(*expiry);
    return i;
  }
  std::string key(const std::string& id) { return storage::storage_key(*table_, {{"id", s(id)}}); }
  void put(const Item& i) {
    run(*db_, [&](storage::Txn& txn) {
      std::string k = storage::storage_key(*table_, i);
      auto current = items::read_current(txn, *db_, k, true);
      items::store(txn, *db_, *table_, k, current.existing(), &i, storage::make_record(i));
    });
  }
  bool exists(const std::string& id) {
    storage::Txn txn = db_->read();
    return txn.get(db_->items(), key(id)).has_value();
  }
  size_t item_count() {
    storage::Txn txn = db_->read();
    return storage::Catalog::stats(txn, db_->meta(), table_->id).item_count;
  }
  size_t index_entries() {
    return keys_under(*db_, db_->indexes(), storage::table_prefix(table_->indexes[0].id)).size();
  }
  size_t ttl_entries() { return keys_under(*db_, db_->ttl(), model::be64(table_->id)).size(); }

  TempDatabase db_;
  storage::TablePtr table_;
  int64_t now_s_ = 0;
};

TEST_F(ExpireTest, DeletesDueItemsWithTheirIndexEntriesAndRemoveRecords) {
  Item soon = item("soon", now_s_ + 100);
  Item four_years = item("four-years", now_s_ - 4 * kYear);
  put(soon);
  put(four_years);
  put(item("ancient", now_s_ - 6 * kYear));  // expired more than five years ago: left alone
  put(item("tomorrow", now_s_ + kDay));
  put(item("forever", std::nullopt));
  Item text_expiry = {{"id", s("text")}, {"g", s("group")}, {"exp", s("0")}};  // not a Number
  put(text_expiry);
  ASSERT_EQ(index_entries(), 6u);

  EXPECT_EQ(expire(*db_, 100), 1u) << "only four-years is due before the clock moves";
  EXPECT_FALSE(exists("four-years"));
  EXPECT_TRUE(exists("soon"));

  ClockOffset later(1000 * 1000);  // 1,000 s on
  EXPECT_EQ(expire(*db_, 100), 1u);
  EXPECT_FALSE(exists("soon"));
  for (const char* id : {"ancient", "tomorrow", "forever", "text"}) EXPECT_TRUE(exists(id)) << id;
  EXPECT_EQ(item_count(), 4u);
  EXPECT_EQ(index_entries(), 4u);
  EXPECT_EQ(ttl_entries(), 2u);  // ancient's and tomorrow's
  EXPECT_EQ(expire(*db_, 100), 0u);

  // A REMOVE record for each, in the order they went, from the service.
  auto records = stream_records(*db_, table_->stream_id, 6);
  ASSERT_EQ(records.size(), 2u);
  const Item* gone[] = {&four_years, &soon};
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(records[i].event, "REMOVE");
    EXPECT_EQ(records[i].identity, "dynamodb.amazonaws.com/Service");
    EXPECT_EQ(records[i].keys, (Item{{"id", gone[i]->at("id")}}));
    ASSERT_TRUE(records[i].old_image);
    EXPECT_EQ(*records[i].old_image, *gone[i]);
  }
  // Records are stamped by the emulator's clock: the second one after it moved.
  EXPECT_LT(records[0].created_ms, now_s_ * 1000 + 500 * 1000);
  EXPECT_GE(records[1].created_ms, now_s_ * 1000 + 1000 * 1000);
}

TEST_F(ExpireTest, DropsStaleAndMismatchedEntriesAndKeepsTheItems) {
  put(item("deleted", now_s_ - 10));
  put(item("changed", now_s_ - 10));
  // Behind the write path's back: one item vanishes, the other gets another expiry, so that
  // their entries no longer match.
  Item changed = item("changed", now_s_ + kDay);
  run(*db_, [&](storage::Txn& txn) {
    txn.del(db_->items(), key("deleted"));
    txn.put(db_->items(), key("changed"), storage::make_record(changed));
  });
  ASSERT_EQ(ttl_entries(), 2u);

  EXPECT_EQ(expire(*db_, 100), 2u);
  EXPECT_EQ(ttl_entries(), 0u);
  EXPECT_TRUE(exists("changed"));
  EXPECT_TRUE(stream_records(*db_, table_->stream_id, 2).empty());
  EXPECT_EQ(expire(*db_, 100), 0u);
}

TEST_F(ExpireTest, HandlesAtMostBudgetEntries) {
  for (int i = 0; i < 5; ++i) put(item("due" + std::to_string(i), now_s_ - 100 - i));
  EXPECT_EQ(expire(*db_, 2), 2u);
  EXPECT_EQ(item_count(), 3u);
  EXPECT_EQ(expire(*db_, 2), 2u);
  EXPECT_EQ(item_count(), 1u);
  EXPECT_EQ(expire(*db_, 2), 1u);
  EXPECT_EQ(item_count(), 0u);
  EXPECT_EQ(expire(*db_, 2), 0u);
  EXPECT_EQ(ttl_entries(), 0u);
  EXPECT_EQ(index_entries(), 0u);
  EXPECT_EQ(stream_records(*db_, table_->stream_id, 5).size(), 5u);
}

}  // namespace
}  // namespace ddb
