#include "items/write.h"

#include <stdexcept>

#include "indexes/indexes.h"
#include "model/codec.h"
#include "model/error.h"
#include "storage/keys.h"
#include "ttl/ttl.h"

namespace ddb::items {

Existing Current::existing() const {
  return {exists(), exists() ? storage::read_record(stored).size : 0, item ? &*item : nullptr};
}

Current read_current(const storage::Txn& txn, const storage::Database& db, const std::string& key,
                     bool decode) {
  Current c;
  if (auto stored = txn.get(db.items(), key)) {
    c.stored.assign(*stored);
    if (decode) c.item = model::decode_item(storage::read_record(c.stored).item);
  }
  return c;
}

storage::TablePtr find_live_table(storage::Database& db, const model::TableDef& t) {
  auto current = db.catalog().find(t.space, t.name);
  return current && current->id == t.id ? current : nullptr;
}

storage::TablePtr live_table(storage::Database& db, const model::TableDef& t) {
  auto current = find_live_table(db, t);
  if (!current) fail(Code::ResourceNotFound, "Requested resource not found");
  return current;
}

void store(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
           const std::string& key, const Existing& old, const model::Item* next,
           std::string_view next_record, streams::Origin origin) {
  if (t.needs_old_item() && old.exists && !old.item)
    throw std::logic_error("items::store: the replaced item is needed for indexes, stream, TTL");
  if (next)
    txn.put(db.items(), key, next_record);
  else if (old.exists)
    txn.del(db.items(), key);
  int64_t count = (next ? 1 : 0) - (old.exists ? 1 : 0);
  // The record starts with the item's size: no second walk of the item.
  int64_t bytes = (next ? static_cast<int64_t>(storage::read_record(next_record).size) : 0) -
                  static_cast<int64_t>(old.exists ? old.size : 0);
  storage::Catalog::add_stats(txn, db.meta(), t.id, count, bytes);
  const model::Item* before = old.exists ? old.item : nullptr;
  streams::append(txn, db, t, before, next, origin);
  ttl::track(txn, db, t, key, before, next);
  indexes::update(txn, db, t, key, before, next);
}

}  // namespace ddb::items
