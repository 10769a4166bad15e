// Time to live: an index of expiry times per table, kept by every write, and the sweep that
// deletes expired items (with their REMOVE stream records and index changes) in the writer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "model/table.h"
#include "model/value.h"
#include "storage/database.h"

namespace ttl {

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

// Deletes items whose expiry has passed (by the emulator's clock), leaving alone those that
// expired more than five years ago, as DynamoDB does, and drops stale entries on the way.
// Handles at most `budget` entries and returns how many it handled.
size_t sweep(storage::Txn& txn, storage::Database& db, size_t budget);

}  // namespace ttl
