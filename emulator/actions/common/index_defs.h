// Reading secondary index definitions (CreateTable's LocalSecondaryIndexes and
// GlobalSecondaryIndexes, UpdateTable's Create), with DynamoDB's validation.
#pragma once

#include <string>
#include <vector>

#include "api/request.h"
#include "model/json.h"
#include "model/table.h"

namespace ddb::actions {

// One index definition as requested, before the whole-definition rules are checked.
struct IndexRequest {
  model::IndexDef def;                          // key types not yet resolved
  std::string first_key_type, second_key_type;  // "HASH" / "RANGE" as given
  bool projection_type_given = false;
  bool non_key_given = false;
  std::string projection_type;
  bool throughput_given = false;
};

// Member constraints of one index definition at `path` ("globalSecondaryIndexes.1.member").
// A KeySchema list as DynamoDB echoes it in a constraint message:
// "[KeySchemaElement(attributeName=pk, keyType=HASH), ...]".
std::string key_schema_text(const model::Json& schema);

IndexRequest read_index(const model::Json& j, bool global, const std::string& path,
                        api::Constraints& c);

// Whole-definition rules for one index (first failure wins), against the table and its
// attribute definitions; returns the definition with its key types resolved.
model::IndexDef check_index(const IndexRequest& r, const model::TableDef& table,
                            const std::vector<model::KeyAttribute>& defined, bool on_demand);

}  // namespace ddb::actions
