// Time to live: an index of expiry times per table, kept by every write and read by the sweep
// (items::expire) that deletes expired items.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "model/table.h"
#include "model/value.h"
#include "storage/database.h"

namespace ddb::ttl {

// The expiry of `item` in epoch seconds: its TTL attribute when that is a Number.
std::optional<int64_t> expiry(const model::TableDef& t, const model::Item& item);

// Keeps the expiry index in step with a write of the item at storage key `key`.
void track(storage::Txn& txn, const storage::Database& db, const model::TableDef& t,
           const std::string& key, const model::Item* old, const model::Item* next);

// Adds a table's existing items to its expiry index after TTL is enabled, a batch per group
// commit (writes meanwhile keep the index current themselves); the table's ttl_indexing is
// cleared when done. resume_indexing restarts what a restart interrupted.
void index_existing(storage::Database& db, const model::TableDef& t);
void resume_indexing(storage::Database& db);
// Disabling TTL leaves the index as it is: nothing reads it while TTL is off, and after a
// new enable the sweep drops each entry that no longer matches its item when it reaches it.

// The sweep (items::expire, which deletes through the one write path) walks the index with
// these: the entries of table `t` whose expiry is due at `now` (epoch seconds) and not more
// than five years past, as DynamoDB leaves items that expired longer ago alone; the expiry an
// entry records; the storage key of its item.
class DueEntries {
 public:
  DueEntries(const model::TableDef& t, int64_t now);
  // The first due entry after entry `after` ("" for the first), or nullopt.
  std::optional<std::string> next(const storage::Txn& txn, const storage::Database& db,
                                  const std::string& after) const;

 private:
  std::string from_, to_;  // index keys of the first and last (inclusive) due second
};
int64_t entry_expiry(std::string_view entry);
std::string entry_item_key(std::string_view entry);

}  // namespace ddb::ttl
