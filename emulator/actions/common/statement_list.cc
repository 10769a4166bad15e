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

// DynamoDB's words for a statement that does not name one item by its full key.
constexpr const char* kNeedsFullKey =
    "Where clause does not contain a mandatory equality on all key attributes";

void prepare_member(const api::Call& call, StatementMember& m) {
  PreparedStatement s = prepare_statement(call, model::view(*m.text), m.parameters);
  // A SELECT of a batch or a transaction reads one item, as GetItem.
  if (s.kind() == partiql::Statement::Kind::Select && !s.single_item_read()) invalid(kNeedsFullKey);
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
      if (!spec.per_statement) throw;
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
  for (auto& m : members) {
    if (!m.statement || m.error) continue;
    try {
      prepare_member(call, m);
    } catch (const ApiError& e) {
      if (!per_statement) throw;
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
