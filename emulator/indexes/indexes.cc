#include "indexes/indexes.h"

#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::indexes {
namespace {

constexpr int kBackfillBatch = 1000;  // items per group commit

// Whether an item a backfill meets may enter the index: writes refuse index key values that
// are empty or too long, but an item stored before the index existed may hold one, and
// DynamoDB leaves such an item out of the new index (an index key violation).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.ViolationDetection.html
bool within_limits(const model::IndexDef& ix, const model::Item& item) {
  auto fits = [&](const model::KeyAttribute& k, size_t max) {
    const model::Value& v = item.at(k.name);
    return v.type == model::Type::N || (!v.scalar.empty() && v.scalar.size() <= max);
  };
  return fits(ix.hash, 2048) && (!ix.range || fits(*ix.range, 1024));
}

void add_entry(storage::Txn& txn, const storage::Database& db, const model::TableDef& t,
               const model::IndexDef& ix, const std::string& entry, const model::Item& item) {
  model::Item projected = projection(t, ix, item);
  bool existed = txn.get(db.indexes(), entry).has_value();
  txn.put(db.indexes(), entry, storage::make_record(projected));
  if (!existed)
    storage::Catalog::add_stats(txn, db.meta(), ix.id, 1,
                                static_cast<int64_t>(model::item_size(projected)));
}

}  // namespace

std::optional<std::string> entry_key(const model::IndexDef& ix, const model::Item& item,
                                     std::string_view key) {
  auto h = item.find(ix.hash.name);
  if (h == item.end() || h->second.type != ix.hash.type) return std::nullopt;
  const model::Value* r = nullptr;
  if (ix.range) {
    auto it = item.find(ix.range->name);
    if (it == item.end() || it->second.type != ix.range->type) return std::nullopt;
    r = &it->second;
  }
  std::string out = storage::table_prefix(ix.id);
  storage::append_key_parts(out, h->second, r);
  // The table key makes entries with equal index keys distinct. Index and table key parts
  // together can pass LMDB's key limit (a long local index sort key beside a long table sort
  // key): the table key is then kept as its digest, marked \x03 where a whole one starts with
  // its partition part's \x01 or \x02, so the two forms never meet. Whether a table key is
  // digested depends only on the entry's own parts, so a start key finds its entry again.
  std::string_view table_key = key.substr(8);
  if (out.size() + table_key.size() <= storage::kMaxKeyBytes) {
    out.append(table_key);
  } else {
    out += '\x03';
    out += storage::key_digest(table_key);
  }
  return out;
}

model::Item projection(const model::TableDef& t, const model::IndexDef& ix,
                       const model::Item& item) {
  if (ix.projection == model::IndexDef::Projection::All) return item;
  model::Item out;
  auto keep = [&](const std::string& name) {
    if (auto it = item.find(name); it != item.end()) out.insert(*it);
  };
  keep(t.hash.name);
  if (t.range) keep(t.range->name);
  keep(ix.hash.name);
  if (ix.range) keep(ix.range->name);
  for (const auto& n : ix.non_key_attributes) keep(n);
  return out;
}

void update(storage::Txn& txn, const storage::Database& db, const model::TableDef& t,
            std::string_view key, const model::Item* old, const model::Item* next) {
  for (const auto& ix : t.indexes) {
    if (old) {
      if (auto k = entry_key(ix, *old, key)) {
        if (auto stored = txn.get(db.indexes(), *k)) {
          int64_t size = static_cast<int64_t>(storage::read_record(*stored).size);
          txn.del(db.indexes(), *k);
          storage::Catalog::add_stats(txn, db.meta(), ix.id, -1, -size);
        }
      }
    }
    if (next)
      if (auto k = entry_key(ix, *next, key)) add_entry(txn, db, t, ix, *k, *next);
  }
}

void backfill(storage::Database& db, const model::TableDef& table, uint64_t index_id) {
  std::string space = table.space, name = table.name;
  uint64_t table_id = table.id;
  db.write_in_batches(
      "filling index of " + name,
      [&db, space, name, table_id, index_id](
          storage::Txn& txn, const std::string& after) -> std::optional<std::string> {
        auto t = db.catalog().find(space, name);
        const model::IndexDef* ix = nullptr;
        if (t && t->id == table_id)
          for (const auto& i : t->indexes)
            if (i.id == index_id) ix = &i;
        if (!ix || !ix->backfilling) return std::nullopt;
        auto next = storage::items_batch(
            txn, db, t->id, after, kBackfillBatch,
            [&](std::string_view key, std::string_view stored) {
              model::Item item = model::decode_item(storage::read_record(stored).item);
              // An entry a write made since the backfill began is rewritten as it is.
              if (auto k = entry_key(*ix, item, key); k && within_limits(*ix, item))
                add_entry(txn, db, *t, *ix, *k, item);
            });
        if (next) return next;
        model::TableDef def = *t;
        for (auto& i : def.indexes)
          if (i.id == index_id) i.backfilling = false;
        db.catalog().replace(txn, std::move(def));
        return std::nullopt;
      });
}

void resume_backfills(storage::Database& db) {
  for (const auto& t : db.catalog().all())
    for (const auto& ix : t->indexes)
      if (ix.backfilling) backfill(db, *t, ix.id);
}

}  // namespace ddb::indexes
