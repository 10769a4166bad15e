// The items database's layout: where an item lives (its storage key), how it is stored (its
// record), and walking a table's items in key order. Index entries and the TTL index use the
// same key parts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/table.h"
#include "model/value.h"
#include "storage/database.h"

namespace ddb::storage {

// The prefix every stored key of a table (or of an index, by its id) starts with.
std::string table_prefix(uint64_t table_id);

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

// LMDB's longest key, and the 16-byte digest that stands for key bytes too long to keep whole.
constexpr size_t kMaxKeyBytes = 511;
std::string key_digest(std::string_view bytes);

// A stored record: the item's DynamoDB size, then the item in binary form.
std::string make_record(const model::Item& item);
struct Record {
  size_t size;
  std::string_view item;  // binary item
};
Record read_record(std::string_view stored);

// Visits the stored items of a table in key order, at most `limit` of them, starting after
// storage key `after` ("" for the start). Returns the last key visited when items remain,
// nothing when the table is done: one batch of work that walks a whole table.
std::optional<std::string> items_batch(
    const Txn& txn, const Database& db, uint64_t table_id, const std::string& after, int limit,
    const std::function<void(std::string_view key, std::string_view stored)>& visit);

}  // namespace ddb::storage
