#include "actions/common/statement_list.h"

#include <set>
#include <utility>

#include "actions/common/conditions.h"
#include "actions/common/key_checks.h"
#include "actions/common/tables.h"
#include "expr/eval.h"
#include "items/write.h"
#include "model/codec.h"
#include "model/json.h"
#include "partiql/bind.h"
#include "partiql/parser.h"
#include "partiql/plan.h"
#include "storage/keys.h"

namespace ddb::actions {

// A statement's one item: its key, the condition beyond the key, and what to write.
struct PlannedStatement {
  partiql::Statement::Kind kind{};
  model::Item key;
  std::optional<expr::Node> condition;  // the WHERE clause's conjuncts beyond the key
  expr::Update update;                  // UPDATE
  std::optional<model::Item> item;      // INSERT
  std::string record;                   // INSERT
  std::vector<expr::Path> projection;   // SELECT (empty: every attribute)
};

namespace {

constexpr size_t kMaxStatementLength = 8192;

// DynamoDB's words for a statement that does not name one item by its full key.
constexpr const char* kNeedsFullKey =
    "Where clause does not contain a mandatory equality on all key attributes";

void plan_member(const api::Call& call, StatementMember& m) {
  const partiql::Statement& s = *m.statement;
  m.table = table_for_items(call, s.target.table);
  if (s.target.index) invalid(kNeedsFullKey);  // an index holds no item by a full key
  partiql::Bound bound = partiql::bind(s, m.parameters);
  auto plan = std::make_shared<PlannedStatement>();
  plan->kind = s.kind;
  if (s.kind == partiql::Statement::Kind::Insert) {
    check_put_item(*m.table, bound.item);
    m.key = storage::storage_key(*m.table, bound.item);
    plan->record = storage::make_record(bound.item);
    plan->item = std::move(bound.item);
  } else if (s.kind == partiql::Statement::Kind::Select) {
    // A SELECT of a batch or a transaction reads one item: GetItem's.
    partiql::ReadPlan read = partiql::plan_read(bound, *m.table);
    if (read.access != partiql::ReadPlan::Access::GetItem) invalid(kNeedsFullKey);
    plan->key = std::move(read.key);
    plan->condition = std::move(read.filter);
    plan->projection = s.projection;
  } else {
    partiql::WritePlan write = partiql::plan_write(bound, *m.table);
    plan->key = std::move(write.key);
    plan->condition = std::move(write.condition);
    plan->update = std::move(bound.update);
  }
  if (s.kind != partiql::Statement::Kind::Insert) {
    check_lookup_key(*m.table, plan->key);
    m.key = storage::storage_key(*m.table, plan->key);
  }
  m.plan = std::move(plan);
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
    try {
      m.statement = partiql::parse(*model::get_string(entry, "Statement"));
      if (const model::Json* params = model::get_array(entry, "Parameters"))
        for (const auto& p : params->GetArray()) m.parameters.push_back(model::value_from_json(p));
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
      plan_member(call, m);
    } catch (const ApiError& e) {
      if (!per_statement) throw;
      m.error = e;
    }
  }
}

void check_distinct_items(const std::vector<StatementMember>& members, const char* message) {
  std::set<std::pair<uint64_t, std::string>> seen;
  for (const auto& m : members)
    if (m.plan && !m.error && !seen.insert({m.table->id, m.key}).second) invalid(message);
}

FoundItem read_member(const storage::Txn& txn, storage::Database& db, const StatementMember& m) {
  const PlannedStatement& p = *m.plan;
  FoundItem found;
  auto stored = txn.get(db.items(), m.key);
  if (!stored) return found;
  storage::Record r = storage::read_record(*stored);
  found.size = r.size;
  model::Item item = model::decode_item(r.item);
  if (p.condition && !expr::holds(*p.condition, &item)) return found;
  found.item = p.projection.empty() ? std::move(item) : expr::project(item, p.projection);
  return found;
}

size_t write_member(storage::Txn& txn, storage::Database& db, const StatementMember& m,
                    bool return_old) {
  const PlannedStatement& p = *m.plan;
  storage::TablePtr table = items::live_table(db, *m.table);
  items::Current current = items::read_current(txn, db, m.key, true);
  const model::Item* old = current.item ? &*current.item : nullptr;
  items::Existing existing = current.existing();
  using Kind = partiql::Statement::Kind;
  switch (p.kind) {
    case Kind::Insert:
      // INSERT never replaces an item.
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.insert.html
      if (old) fail(Code::DuplicateItem, "Duplicate primary key exists in table");
      check_index_keys(*table, *p.item);
      items::store(txn, db, *table, m.key, existing, &*p.item, p.record);
      return model::item_size(*p.item);
    case Kind::Exists:
    case Kind::Update: {
      // Both name an item that must exist: a missing one fails the condition.
      if (!old) fail(Code::ConditionalCheckFailed, "The conditional request failed");
      require(p.condition, old, return_old);
      if (p.kind == Kind::Exists) return existing.size;
      model::Item next = *old;
      expr::apply(p.update, *table, next);
      if (model::item_size(next) > model::kMaxItemSize)
        invalid("Item size to update has exceeded the maximum allowed size");
      check_index_keys(*table, next);
      items::store(txn, db, *table, m.key, existing, &next, storage::make_record(next));
      return std::max(existing.size, model::item_size(next));
    }
    case Kind::Delete:
      require(p.condition, old, return_old);
      if (old) items::store(txn, db, *table, m.key, existing, nullptr, {});
      return existing.size;
    case Kind::Select: break;
  }
  invalid("Unsupported operation");
}

}  // namespace ddb::actions
