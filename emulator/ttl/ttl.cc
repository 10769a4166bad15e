#include "ttl/ttl.h"

#include <cmath>

#include "actions/common/items.h"
#include "model/clock.h"
#include "model/codec.h"
#include "model/number.h"
#include "streams/stream_log.h"

namespace ttl {
namespace {

constexpr int64_t kFiveYears = 5LL * 365 * 24 * 3600;
constexpr int kIndexBatch = 1000;  // items per group commit when indexing existing items

// table id | expiry (seconds, biased so negative times sort first) | table key suffix
std::string entry_key(uint64_t table_id, int64_t expiry, std::string_view key) {
  return model::be64(table_id) + model::be64(static_cast<uint64_t>(expiry) ^ (1ULL << 63)) +
         std::string(key.substr(8));
}

int64_t entry_expiry(std::string_view entry) {
  return static_cast<int64_t>(model::read_be64(entry.substr(8, 8)) ^ (1ULL << 63));
}

}  // namespace

std::optional<int64_t> expiry(const model::TableDef& t, const model::Item& item) {
  if (t.ttl_attribute.empty()) return std::nullopt;
  auto it = item.find(t.ttl_attribute);
  if (it == item.end() || it->second.type != model::Type::N) return std::nullopt;
  double v = std::strtod(it->second.scalar.c_str(), nullptr);
  if (!std::isfinite(v) || v > 9.2e18 || v < -9.2e18) return std::nullopt;
  return static_cast<int64_t>(std::floor(v));
}

void track(storage::Txn& txn, const storage::Database& db, const model::TableDef& t,
           const std::string& key, const model::Item* old, const model::Item* next) {
  if (t.ttl_attribute.empty()) return;
  auto before = old ? expiry(t, *old) : std::nullopt;
  auto after = next ? expiry(t, *next) : std::nullopt;
  if (before == after) return;
  if (before) txn.del(db.ttl(), entry_key(t.id, *before, key));
  if (after) txn.put(db.ttl(), entry_key(t.id, *after, key), {});
}

void index_existing(storage::Database& db, const model::TableDef& table) {
  // The run belongs to this table (not one created later under its name) and to this enable
  // (not one after a disable, which has a run of its own).
  std::string space = table.space, name = table.name;
  uint64_t id = table.id, generation = table.ttl_generation;
  db.write_in_batches(
      "indexing expiry times of " + name,
      [&db, space, name, id, generation](storage::Txn& txn,
                                         const std::string& after) -> std::optional<std::string> {
        auto t = db.catalog().find(space, name);
        if (!t || t->id != id || !t->ttl_indexing || t->ttl_generation != generation)
          return std::nullopt;
        auto next = actions::items_batch(
            txn, db, t->id, after, kIndexBatch, [&](std::string_view key, std::string_view stored) {
              model::Item item = model::decode_item(actions::read_record(stored).item);
              if (auto e = expiry(*t, item)) txn.put(db.ttl(), entry_key(t->id, *e, key), {});
            });
        if (next) return next;
        model::TableDef def = *t;
        def.ttl_indexing = false;
        db.catalog().replace(txn, std::move(def));
        return std::nullopt;
      });
}

void resume_indexing(storage::Database& db) {
  for (const auto& t : db.catalog().all())
    if (t->ttl_indexing) index_existing(db, *t);
}

size_t sweep(storage::Txn& txn, storage::Database& db, size_t budget) {
  int64_t now = model::Clock::now_ms() / 1000;
  size_t handled = 0;  // items deleted and stale entries dropped
  for (const auto& t : db.catalog().all()) {
    if (t->ttl_attribute.empty()) continue;
    std::string from = model::be64(t->id) + model::be64(static_cast<uint64_t>(now - kFiveYears) ^ (1ULL << 63));
    std::string to = model::be64(t->id) + model::be64(static_cast<uint64_t>(now) ^ (1ULL << 63));  // inclusive
    std::string last_seen;
    while (handled < budget) {
      std::string entry, item_key;
      {
        storage::Cursor c(txn, db.ttl());
        if (!c.seek(last_seen.empty() ? from : last_seen)) break;
        if (!last_seen.empty() && c.key() == last_seen && !c.next()) break;
        if (c.key().substr(0, 16) > std::string_view(to)) break;
        entry = c.key();
      }
      last_seen = entry;
      item_key = actions::table_prefix(t->id) + entry.substr(16);
      auto stored = txn.get(db.items(), item_key);
      ++handled;
      if (!stored) {
        txn.del(db.ttl(), entry);  // stale entry
        continue;
      }
      actions::Record r = actions::read_record(*stored);
      model::Item item = model::decode_item(r.item);
      auto e = expiry(*t, item);
      // An entry that no longer matches its item (left by an earlier enable, since TTL was
      // disabled and enabled again) is dropped; the item's own entry, if any, stands.
      if (!e || *e != entry_expiry(entry)) {
        txn.del(db.ttl(), entry);
        continue;
      }
      actions::Existing old{true, r.size, &item};
      actions::store_item(txn, db, *t, item_key, old, nullptr, {}, streams::Origin::Ttl);
    }
  }
  return handled;
}

}  // namespace ttl
