// Shared by the item actions: key validation, storage keys and stored records.
#pragma once

#include <string>
#include <string_view>

#include "model/json.h"
#include "model/table.h"
#include "model/value.h"
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
// The prefix every stored key of the table starts with.
std::string table_prefix(uint64_t table_id);

// A stored record: the item's DynamoDB size, then the item in binary form.
std::string make_record(const model::Item& item);
struct Record {
  size_t size;
  std::string_view item;  // binary item
};
Record read_record(std::string_view stored);

}  // namespace actions
