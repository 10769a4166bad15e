// Shared by the item actions: key validation, storage keys and stored records.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/json.h"
#include "model/table.h"
#include "model/value.h"
#include "storage/database.h"
#include "streams/stream_log.h"
#include "storage/lmdb.h"

namespace actions {

// The Item of a PutItem (its AttributeValues already valid): the key attributes present, of their
// declared types and not empty, the item within 400 KB. Throws ApiError with DynamoDB's words.
void check_put_item(const model::TableDef& t, const model::Item& item);

// The Key of a GetItem/DeleteItem: exactly the table's key attributes, of their types.
void check_lookup_key(const model::TableDef& t, const model::Item& key);

// Where the item with these key attributes lives in the items database. Order-preserving
// within a partition (see model/codec.h); very long keys are shortened with a digest.
std::string storage_key(const model::TableDef& t, const model::Item& item);
// The partition part, then the sort part when `range` is given, as storage keys hold them.
void append_key_parts(std::string& out, const model::Value& hash, const model::Value* range);
// Whether a key value is stored whole (not shortened to a digest) as a partition or sort part;
// a key range built from whole parts selects exactly the matching items.
bool partition_part_is_whole(const model::Value& v);
bool sort_part_is_whole(const model::Value& v);
// The sort part alone, for the bounds of a Query.
std::string sort_part(const model::Value& v);
// The bytes every sort part of a value starting with `prefix` (S or B) starts with.
std::string sort_prefix_part(const model::Value& prefix);

// Secondary index key attributes present in `item` must have their declared types and not
// be empty (DynamoDB's messages).
void check_index_keys(const model::TableDef& t, const model::Item& item);
// Where `item` (stored at table key `key`) appears in index `ix`, or nullopt when it lacks
// the index's key attributes (indexes are sparse). Entries order by index key, then table key.
std::optional<std::string> index_entry_key(const model::IndexDef& ix, const model::Item& item,
                                           std::string_view key);
// The attributes of `item` an index holds under its projection.
model::Item index_projection(const model::TableDef& t, const model::IndexDef& ix,
                             const model::Item& item);

// A stored record: the item's DynamoDB size, then the item in binary form.
std::string make_record(const model::Item& item);
struct Record {
  size_t size;
  std::string_view item;  // binary item
};
Record read_record(std::string_view stored);

// What a write replaces.
struct Existing {
  bool exists = false;
  size_t size = 0;
  const model::Item* item = nullptr;  // decoded; required when the table has indexes
};

// The item a write replaces, read inside its change: the stored record (kept for
// ReturnValues) and, when asked (a condition, indexes, streams or TTL need it), the decoded item.
struct Current {
  std::string stored;  // empty when there is no item
  std::optional<model::Item> item;
  bool exists() const { return !stored.empty(); }
  Existing existing() const {
    return {exists(), exists() ? read_record(stored).size : 0, item ? &*item : nullptr};
  }
};
Current read_current(const storage::Txn& txn, const storage::Database& db, const std::string& key,
                     bool decode);

// Replaces the item at `key` by `next` (nullptr: delete), and keeps the table's counters and
// every secondary index in step, in the caller's transaction. `next_record` is
// make_record(*next).
// Also appends the change to the table's stream and keeps its TTL index.
void store_item(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
                const std::string& key, const Existing& old, const model::Item* next,
                std::string_view next_record,
                streams::Origin origin = streams::Origin::User);

// Inside a change: the table's current definition (indexes may have been added since the
// request was validated); ResourceNotFoundException if it was deleted meanwhile.
storage::TablePtr live_table(storage::Database& db, const model::TableDef& t);
// The prefix every stored key of the table starts with.
std::string table_prefix(uint64_t table_id);

// Visits the stored items of a table in key order, at most `limit` of them, starting after
// storage key `after` ("" for the start). Returns the last key visited when items remain,
// nothing when the table is done: one batch of work that walks a whole table.
std::optional<std::string> items_batch(
    const storage::Txn& txn, const storage::Database& db, uint64_t table_id,
    const std::string& after, int limit,
    const std::function<void(std::string_view key, std::string_view stored)>& visit);



}  // namespace actions
