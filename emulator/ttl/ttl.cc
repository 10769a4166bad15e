#include "ttl/ttl.h"

#include <cmath>

#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::ttl {
namespace {

constexpr int64_t kFiveYears = 5LL * 365 * 24 * 3600;
constexpr int kIndexBatch = 1000;  // items per group commit when indexing existing items

// table id | expiry (seconds, biased so negative times sort first) | table key suffix
std::string entry_key(uint64_t table_id, int64_t expiry, std::string_view key) {
  return model::be64(table_id) + model::be64(static_cast<uint64_t>(expiry) ^ (1ULL << 63)) +
         std::string(key.substr(8));
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
        auto next = storage::items_batch(
            txn, db, t->id, after, kIndexBatch, [&](std::string_view key, std::string_view stored) {
              model::Item item = model::decode_item(storage::read_record(stored).item);
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

int64_t entry_expiry(std::string_view entry) {
  return static_cast<int64_t>(model::read_be64(entry.substr(8, 8)) ^ (1ULL << 63));
}

DueEntries::DueEntries(const model::TableDef& t, int64_t now)
    : from_(model::be64(t.id) +
            model::be64(static_cast<uint64_t>(now - kFiveYears) ^ (1ULL << 63))),
      to_(model::be64(t.id) + model::be64(static_cast<uint64_t>(now) ^ (1ULL << 63))) {}

std::optional<std::string> DueEntries::next(const storage::Txn& txn, const storage::Database& db,
                                            const std::string& after) const {
  storage::Cursor c(txn, db.ttl());
  if (!c.seek(after.empty() ? from_ : after)) return std::nullopt;
  if (!after.empty() && c.key() == after && !c.next()) return std::nullopt;
  if (c.key().substr(0, 16) > std::string_view(to_)) return std::nullopt;  // `to_` is inclusive
  return std::string(c.key());
}

std::string entry_item_key(std::string_view entry) {
  return storage::table_prefix(model::read_be64(entry.substr(0, 8))) +
         std::string(entry.substr(16));
}

}  // namespace ddb::ttl
