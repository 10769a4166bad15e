// Shared by the item actions: the key and item checks DynamoDB makes before a write or a
// lookup, with its messages. Where an item is stored and how: storage/keys.h, items/write.h.
#pragma once

#include <optional>
#include <vector>

#include "expr/ast.h"
#include "model/table.h"
#include "model/value.h"

namespace ddb::actions {

// The Item of a PutItem (its AttributeValues already valid): the key attributes present, of their
// declared types and not empty, the item within 400 KB. Throws ApiError with DynamoDB's words.
void check_put_item(const model::TableDef& t, const model::Item& item);

// What TransactWriteItems checks of an item or key before its transaction runs (refused with a
// ValidationException, where the rest of check_put_item and check_lookup_key cancels the
// transaction): key values not empty and within their sizes, where present with their types.
void check_key_values(const model::TableDef& t, const model::Item& item);

// The Key of a GetItem/DeleteItem: exactly the table's key attributes, of their types.
void check_lookup_key(const model::TableDef& t, const model::Item& key);

// Secondary index key attributes present in `item` must have their declared types and not
// be empty (DynamoDB's messages). The indexes are checked in the order of their names, and the
// first that refuses is the one named (an attribute that keys two indexes names the first).
void check_index_keys(const model::TableDef& t, const model::Item& item);

// What DynamoDB refuses before a write runs (a transaction's with a ValidationException, not a
// cancellation): an empty string or binary for a secondary index key, in a Put's item
// (PutItem's message, naming the index) or as the value an update expression SETs it to (the
// update's own message, naming none).
void check_index_key_values(const model::TableDef& t, const model::Item& item);
void check_update_index_keys(const model::TableDef& t, const expr::Update& update);

// A read's expressions may not look into a key attribute ("a.b", "a[0]"): DynamoDB refuses
// it once it knows the table, naming the table's key first ("Key attributes must be scalars;
// list random access '[]' and map lookup '.' are not allowed: Key: a"), then an index's
// ("...: IndexKey: d"). dynalite's test/getItem.js, test/scan.js and test/query.js record
// these answers from DynamoDB for ProjectionExpression and FilterExpression.
void check_scalar_key_paths(const model::TableDef& t,
                            const std::optional<std::vector<expr::Path>>& projection,
                            const std::optional<expr::Node>& filter);

}  // namespace ddb::actions
