// The statement lists of BatchExecuteStatement and ExecuteTransaction: each member read with
// its constraints, parsed, then prepared (bound and planned against its table) as the one-item
// read or write it must be, and run inside the caller's snapshot or transaction as
// ExecuteStatement runs it (actions/common/statement.h), so that indexes, streams, TTL and
// conditions follow as for the JSON operations.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actions/common/statement.h"
#include "api/call.h"
#include "api/request.h"
#include "partiql/ast.h"

namespace ddb::actions {

struct StatementMember {
  std::shared_ptr<const partiql::Statement> statement;  // null when it did not parse
  const model::Json* text = nullptr;                    // its Statement member
  const model::Json* parameters = nullptr;              // its Parameters, when given
  bool consistent_read = false;                         // BatchStatementRequest.ConsistentRead
  bool return_old = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
  // Why the statement cannot run (per-statement lists only: a statement that did not parse,
  // names a missing table or lacks its key); it is answered with this error.
  std::optional<ApiError> error;
  std::optional<PreparedStatement> prepared;  // its table, plan and the key of its one item
};

struct StatementListSpec {
  const char* list;  // "Statements" / "TransactStatements"
  std::string path;  // "statements" / "transactStatements", for constraint messages
  size_t max;        // 25 / 100
  // true: a member that cannot run fails alone (BatchExecuteStatement); false: it refuses
  // the whole request with its error (ExecuteTransaction).
  bool per_statement;
};

// Checks the list and each member's constraints (adding them to `c`, then c.check()) and
// parses every member.
std::vector<StatementMember> read_statements(const api::Call& call, api::Constraints& c,
                                             const StatementListSpec& spec);

// The members that parsed are all reads (SELECT: returns true) or all writes (INSERT,
// UPDATE, DELETE and EXISTS: returns false); otherwise ValidationException `mixed`.
bool check_one_kind(const std::vector<StatementMember>& members, const char* mixed);

// Prepares each member that parsed: the one item it names (a SELECT, UPDATE, DELETE or EXISTS
// by an equality on every key attribute, an INSERT by its item's key), with
// ResourceNotFoundException for a missing table; per statement, or for the whole request.
// The members point into the request's body, which must outlive them.
void plan_statements(const api::Call& call, std::vector<StatementMember>& members,
                     bool per_statement);

// No two planned members name one item; otherwise ValidationException `message`.
void check_distinct_items(const std::vector<StatementMember>& members, const char* message);

// A SELECT's item, projected (nullopt when there is none), and the size of the stored item.
struct FoundItem {
  std::optional<model::Item> item;
  size_t size = 0;
};
FoundItem read_member(const storage::Txn& txn, storage::Database& db, const StatementMember& m);

// Runs a write (or EXISTS) inside `txn`: the size its capacity is reckoned on, and what
// RETURNING asks for. Throws ConditionalCheckFailedException (with the old item when
// `return_old`), DuplicateItemException or ValidationException as the statement alone would.
struct WrittenItem {
  size_t size = 0;
  std::optional<model::Item> returned;
};
WrittenItem write_member(storage::Txn& txn, storage::Database& db, const StatementMember& m,
                         bool return_old);

}  // namespace ddb::actions
