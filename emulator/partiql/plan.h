// Planning a bound statement into the engine's operations (partiql/ast.h describes the whole
// interface): which of GetItem, Query and Scan serves a SELECT, and the key and remaining
// condition of an UPDATE, a DELETE or an EXISTS.
#pragma once

#include <optional>
#include <vector>

#include "expr/ast.h"
#include "model/table.h"
#include "model/value.h"
#include "partiql/bind.h"

namespace ddb::partiql {

struct ReadPlan {
  // Keys: `pk IN [...]` of several values, read as one GetItem a key.
  enum class Access { GetItem, Query, Scan, Keys } access = Access::Scan;
  const model::IndexDef* index = nullptr;   // "table"."index": an index of `table`
  model::Item key;                          // GetItem: the full key
  std::vector<model::Item> keys;            // Keys: the full keys, in the order written
  std::optional<expr::Node> key_condition;  // Query: partition key = v [AND sort key cond]
  std::optional<expr::Node> filter;         // the conditions the key does not decide
  bool forward = true;                      // Query: ORDER BY ... DESC reads backwards
  // The WHERE clause conditions the partition key at its top level (an equality, or an IN
  // that is still read as a Scan of an index): DynamoDB then refuses filters on attributes an
  // index does not project, where an unkeyed Scan of the index just finds them missing.
  bool keyed = false;
};

// The plan of a SELECT (or of the SELECT of an EXISTS) against `table`: a full-key equality
// on the table is a GetItem, a partition key equality (of the table or index) a Query,
// anything else a Scan; the rest of the WHERE clause filters. Throws ValidationException for
// an unknown index and for an ORDER BY DynamoDB cannot serve.
ReadPlan plan_read(const Bound& bound, const model::TableDef& table);

// A SELECT list applied to an item: a path of more than one step that ends in a name gives
// its value under that name (`SELECT mymap.nested` answers {"nested": ...}, as AWS answers it:
// nubo-db/dynamodb-conformance, tests/tier2/partiql/executeStatement.test.ts); a top-level
// name, and a path that ends in a list index, project as ProjectionExpression does.
model::Item select_list(const model::Item& item, const std::vector<expr::Path>& paths);

struct WritePlan {
  model::Item key;                      // the full key of the item written
  std::optional<expr::Node> condition;  // the rest of the WHERE clause
};

// The key of an UPDATE, a DELETE or an EXISTS: the WHERE clause must hold an equality on every
// key attribute at its top level (ValidationException "Where clause does not contain a
// mandatory equality on all key attributes"); what else it holds is the write's condition.
WritePlan plan_write(const Bound& bound, const model::TableDef& table);

}  // namespace ddb::partiql
