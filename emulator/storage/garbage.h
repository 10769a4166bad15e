// Key ranges whose data no longer belongs to anything (a deleted table's items and index
// entries, a dropped index, a table's TTL entries). They are recorded in the transaction that
// orphans them and cleared in bounded batches by the maintenance rounds, instead of in one
// transaction that could stall the writer for seconds or outgrow LMDB's dirty-page limit.
// Ids are never reused, so nothing can see the orphaned keys meanwhile.
#pragma once

#include <cstddef>
#include <string>

#include "storage/database.h"

namespace ddb::storage {

enum class Space : char { Items = 'i', Indexes = 'x', Ttl = 't' };

void discard_later(Txn& txn, const Database& db, Space space, const std::string& prefix);

// Deletes up to `budget` orphaned keys; returns how many it deleted.
size_t collect_garbage(Txn& txn, const Database& db, size_t budget);

}  // namespace ddb::storage
