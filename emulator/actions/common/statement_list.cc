#include "actions/common/statement_list.h"

#include <set>
#include <utility>

#include "actions/common/conditions.h"
#include "model/codec.h"
#include "model/json.h"
#include "partiql/parser.h"
#include "storage/keys.h"

namespace ddb::actions {

namespace {

constexpr size_t kMaxStatementLength = 8192;

// A transaction refuses a statement it cannot run with the statement's position in front of
// DynamoDB's words: "Validation failed in TransactStatements[2]: ...".
[[noreturn]] void rethrow_in_transaction(const ApiError& e, size_t i) {
  if (e.code != Code::Validation) throw e;
  ApiError out = e;
  out.message = "Validation failed in TransactStatements[" + std::to_string(i) + "]: " + e.message;
  throw out;
}

void prepare_member(const api::Call& call, StatementMember& m,
                    const std::vector<model::Value>& parameters, bool batch) {
  PreparedStatement s = prepare_statement(call, m.statement, parameters);
  if (!batch && s.parsed->returning != partiql::Returning::None)
    invalid("RETURNING clause is not supported in ExecuteTransaction.");
  // EXISTS is a condition check: something beside the key to check (AWS's words as
  // paritysuite/dynamodb-conformance records them).
  if (s.kind() == partiql::Statement::Kind::Exists && !s.write->condition)
    invalid("EXISTS() must contain a single item read with additional condition");
  // A SELECT of a batch or a transaction reads one item, as GetItem, by the table's full key.
  if (s.kind() == partiql::Statement::Kind::Select) {
    if (!batch && s.read->index) invalid("Reads on indices are not supported within transactions.");
    // A batch's or transaction's SELECT is a GetItem: nothing beside the key.
    if (!s.single_item_read() || s.read->filter)
      invalid(batch ? "Select statements within BatchExecuteStatement must specify the primary "
                      "key in the where clause."
                    : "Select statements within ExecuteTransaction must specify the primary key "
                      "in the where clause.");
  }
  m.prepared = std::move(s);
}

}  // namespace

std::vector<StatementMember> read_statements(const api::Call& call, api::Constraints& c,
                                             const StatementListSpec& spec) {
  const model::Json* list = model::get_array(call.body(), spec.list);
  c.not_null(spec.path, list != nullptr);
  c.count(spec.path, list, 1, spec.max, "[...]");
  std::vector<StatementMember> members;
  if (list) {
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const model::Json& entry = (*list)[i];
      if (!entry.IsObject()) model::wrong_json_type(entry, "ParameterizedStatement");
      std::string path = spec.path + "." + std::to_string(i + 1) + ".member.";
      auto text = model::get_string(entry, "Statement");
      c.not_null(path + "statement", text.has_value());
      c.length(path + "statement", text, 1, kMaxStatementLength);
      c.count(path + "parameters", model::get_array(entry, "Parameters"), 1, SIZE_MAX, "[]");
      StatementMember m;
      m.return_old = return_item_on_failure(entry, c, path + "returnValuesOnConditionCheckFailure");
      m.consistent_read = model::get_bool(entry, "ConsistentRead").value_or(false);
      members.push_back(std::move(m));
    }
  }
  c.check();

  // Every statement is parsed before any is planned: a transaction with one that does not
  // parse is refused with its error whatever the others name.
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const model::Json& entry = (*list)[i];
    StatementMember& m = members[i];
    m.text = &entry["Statement"];
    m.parameters = model::get_array(entry, "Parameters");
    try {
      m.statement = partiql::parse(model::view(*m.text));
    } catch (const ApiError& e) {
      if (!spec.per_statement) rethrow_in_transaction(e, i);
      m.statement.reset();
      m.error = e;
    }
  }
  return members;
}

bool check_one_kind(const std::vector<StatementMember>& members, const char* mixed) {
  bool reads = false, writes = false;
  for (const auto& m : members) {
    if (!m.statement) continue;
    (m.statement->kind == partiql::Statement::Kind::Select ? reads : writes) = true;
  }
  if (reads && writes) invalid(mixed);
  return reads;
}

void plan_statements(const api::Call& call, std::vector<StatementMember>& members,
                     bool per_statement) {
  for (size_t i = 0; i < members.size(); ++i) {
    StatementMember& m = members[i];
    if (!m.statement || m.error) continue;
    std::vector<model::Value> parameters;
    try {
      // A parameter that does not convert is reported without the statement's position.
      parameters = statement_parameters(m.parameters);
    } catch (const ApiError& e) {
      if (!per_statement) throw;
      m.error = e;
      continue;
    }
    try {
      prepare_member(call, m, parameters, per_statement);
    } catch (const ApiError& e) {
      if (!per_statement) rethrow_in_transaction(e, i);
      m.error = e;
    }
  }
}

void check_distinct_items(const std::vector<StatementMember>& members, const char* message) {
  std::set<std::pair<uint64_t, std::string>> seen;
  for (const auto& m : members)
    if (m.prepared && !m.error && !seen.insert({m.prepared->table->id, m.prepared->key}).second)
      invalid(message);
}

FoundItem read_member(const storage::Txn& txn, storage::Database& db, const StatementMember& m) {
  FoundItem found;
  found.item = read_one(txn, db, *m.prepared, &found.size);
  return found;
}

WrittenItem write_member(storage::Txn& txn, storage::Database& db, const StatementMember& m,
                         bool return_old) {
  const PreparedStatement& s = *m.prepared;
  WrittenItem written;
  if (s.kind() == partiql::Statement::Kind::Exists) {
    // The ConditionCheck of a transaction: the item must exist and hold the rest of the WHERE
    // clause; nothing is written.
    auto stored = txn.get(db.items(), s.key);
    if (!stored) fail(Code::ConditionalCheckFailed, "The conditional request failed");
    storage::Record r = storage::read_record(*stored);
    model::Item old = model::decode_item(r.item);
    require(s.write->condition, &old, return_old);
    written.size = r.size;
    return written;
  }
  WriteOutcome out = execute_write(txn, db, s, return_old);
  written.size = std::max(out.old_size, out.new_size);
  written.returned = std::move(out.returned);
  return written;
}

}  // namespace ddb::actions
