// Secondary indexes (global and local): where an item appears in an index, what it holds
// there, keeping the entries in step with a write, and filling a new global index from the
// table's items in the background.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/table.h"
#include "model/value.h"
#include "storage/database.h"

namespace ddb::indexes {

// Where `item` (stored at table key `key`) appears in index `ix`, or nullopt when it lacks
// the index's key attributes (indexes are sparse). Entries order by index key, then table key.
std::optional<std::string> entry_key(const model::IndexDef& ix, const model::Item& item,
                                     std::string_view key);
// The attributes of `item` an index holds under its projection.
model::Item projection(const model::TableDef& t, const model::IndexDef& ix,
                       const model::Item& item);

// Keeps every index of `t` in step with the write of the item at table key `key` from `old`
// to `next` (either may be null), with the indexes' counters, in the caller's transaction.
void update(storage::Txn& txn, const storage::Database& db, const model::TableDef& t,
            std::string_view key, const model::Item* old, const model::Item* next);

// Fills the new global index `index_id` of a table from its items, a batch per group commit,
// while writes keep the index current themselves; clears the index's `backfilling` when done.
// The run belongs to the table (not one created later under its name) and to the index.
void backfill(storage::Database& db, const model::TableDef& t, uint64_t index_id);
// At start: goes on with the backfills a restart interrupted.
void resume_backfills(storage::Database& db);

}  // namespace ddb::indexes
