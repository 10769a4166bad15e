// The one write path. Every change of an item, by an operation or by the TTL sweep, goes
// through items::store, which in the caller's transaction replaces the item, keeps the
// table's counters and every secondary index in step, appends the stream record and keeps
// the TTL index: a crash leaves all of them or none.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/table.h"
#include "model/value.h"
#include "storage/database.h"
#include "streams/stream_log.h"

namespace ddb::items {

// What a write replaces.
struct Existing {
  bool exists = false;
  size_t size = 0;
  const model::Item* item = nullptr;  // decoded; required when t.needs_old_item()
};

// The item a write replaces, read inside its change: the stored record (kept for
// ReturnValues) and, when asked (a condition, indexes, streams or TTL need it), the decoded item.
struct Current {
  std::string stored;  // empty when there is no item
  std::optional<model::Item> item;
  bool exists() const { return !stored.empty(); }
  Existing existing() const;
};
Current read_current(const storage::Txn& txn, const storage::Database& db, const std::string& key,
                     bool decode);

// Replaces the item at storage key `key` by `next` (nullptr: delete). `next_record` is
// storage::make_record(*next).
void store(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
           const std::string& key, const Existing& old, const model::Item* next,
           std::string_view next_record, streams::Origin origin = streams::Origin::User);

// Inside a change: the table's current definition (indexes may have been added since the
// request was validated), or null if it was deleted (or replaced by a table of the same name)
// meanwhile.
storage::TablePtr find_live_table(storage::Database& db, const model::TableDef& t);
// The same, with ResourceNotFoundException for a table that is gone.
storage::TablePtr live_table(storage::Database& db, const model::TableDef& t);

// The TTL sweep: deletes items whose expiry has passed (by the emulator's clock), through
// store() with the service's identity on their stream records, leaving alone those that
// expired more than five years ago, as DynamoDB does, and drops stale expiry entries on the
// way. Handles at most `budget` entries and returns how many it handled.
size_t expire(storage::Txn& txn, storage::Database& db, size_t budget);

}  // namespace ddb::items
