// Running one PartiQL statement (emulator/partiql/ parses, binds and plans it) through the
// engine's own paths: full-key reads as GetItem reads, writes through items::store with the
// checks of PutItem / UpdateItem / DeleteItem, so that indexes, streams, TTL and conditions
// behave as for the JSON operations. ExecuteStatement (execute_statement.cc) is built on it,
// and so are BatchExecuteStatement and ExecuteTransaction: the signatures below are stable.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/call.h"
#include "model/json.h"
#include "model/value.h"
#include "partiql/ast.h"
#include "partiql/bind.h"
#include "partiql/plan.h"
#include "storage/catalog.h"
#include "storage/database.h"

namespace ddb::actions {

// A statement parsed (from cache), bound to its Parameters and planned against its table.
struct PreparedStatement {
  std::shared_ptr<const partiql::Statement> parsed;
  partiql::Bound bound;
  storage::TablePtr table;
  std::optional<partiql::ReadPlan> read;    // SELECT
  std::optional<partiql::WritePlan> write;  // UPDATE, DELETE, EXISTS (the key + condition)
  std::string key;                          // the stored key of the one item, when there is one
  partiql::Statement::Kind kind() const { return parsed->kind; }
  // A SELECT that names one item by its full key (GetItem), or an EXISTS.
  bool single_item_read() const;
};

// Parses, binds (`parameters`: the request's Parameters array, or null) and plans `text`, and
// looks its table up; throws ValidationException / ResourceNotFoundException with DynamoDB's
// words (unknown index, missing key, key types, INSERT's item checks).
PreparedStatement prepare_statement(const api::Call& call, std::string_view text,
                                    const model::Json* parameters);
// The same for a statement already parsed, its parameters already converted.
PreparedStatement prepare_statement(const api::Call& call,
                                    std::shared_ptr<const partiql::Statement> parsed,
                                    const std::vector<model::Value>& parameters);

// A statement's Parameters as values (ValidationException with DynamoDB's words for one it
// cannot convert). ExecuteTransaction reports these errors without the statement's position.
std::vector<model::Value> statement_parameters(const model::Json* parameters);

// The item a single-item read (SELECT by full key, EXISTS) finds in `txn` (the writer's
// transaction, or a read snapshot), with the filter and projection applied: nullopt when
// there is none or the rest of the WHERE clause does not hold. `size` gets the stored size.
std::optional<model::Item> read_one(const storage::Txn& txn, storage::Database& db,
                                    const PreparedStatement& s, size_t* size = nullptr);

// As read_one, for the item of the stored key `key` (one of the keys of a SELECT's
// `pk IN [...]`).
std::optional<model::Item> read_key(const storage::Txn& txn, storage::Database& db,
                                    const PreparedStatement& s, const std::string& key,
                                    size_t* size = nullptr);

// What a write did.
struct WriteOutcome {
  std::optional<model::Item> old_item, new_item;  // before and after (nullopt: no item)
  std::optional<model::Item> returned;            // what RETURNING asks for, when it does
  size_t old_size = 0, new_size = 0;
};

// Runs an INSERT, UPDATE or DELETE inside the writer's transaction `txn`. Throws
// DuplicateItemException (INSERT of an existing item), ConditionalCheckFailedException (a
// WHERE condition that does not hold, an UPDATE of a missing item; carrying the old item when
// `return_old_on_failure`), or ValidationException. The caller's change is undone when it
// throws.
WriteOutcome execute_write(storage::Txn& txn, storage::Database& db, const PreparedStatement& s,
                           bool return_old_on_failure);

}  // namespace ddb::actions
