#include "actions/common/statement.h"

#include "actions/common/conditions.h"
#include "actions/common/key_checks.h"
#include "actions/common/tables.h"
#include "expr/eval.h"
#include "items/write.h"
#include "model/codec.h"
#include "model/error.h"
#include "model/number.h"
#include "partiql/parser.h"
#include "storage/keys.h"

namespace ddb::actions {

bool PreparedStatement::single_item_read() const {
  return kind() == partiql::Statement::Kind::Exists ||
         (read && read->access == partiql::ReadPlan::Access::GetItem);
}

namespace {

// A number parameter whose exponent does not fit a 32-bit integer cannot be read at all, at any
// depth: "The parameter cannot be converted to a numeric value: <the text as sent>" rather
// than the overflow or underflow a readable one gets (paritysuite/dynamodb-conformance,
// tests/tier3/error-messages/partiqlParameterNumbers.test.ts records AWS's answers).
void check_number_text(std::string_view text) {
  size_t e = text.find_first_of("eE");
  if (e == std::string_view::npos) return;
  std::string_view exp = text.substr(e + 1);
  if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.remove_prefix(1);
  if (exp.empty() || exp.find_first_not_of("0123456789") != std::string_view::npos) return;
  if (model::exponent_past_int32(exp))
    invalid("The parameter cannot be converted to a numeric value: " + std::string(text));
}

void check_numbers(const model::Json& v, int depth) {
  if (!v.IsObject() || depth > model::kMaxNestingDepth) return;
  for (const auto& m : v.GetObject()) {
    std::string_view type = model::view(m.name);
    if (type == "N" && m.value.IsString()) check_number_text(model::view(m.value));
    if (type == "NS" && m.value.IsArray())
      for (const auto& e : m.value.GetArray())
        if (e.IsString()) check_number_text(model::view(e));
    if (type == "L" && m.value.IsArray())
      for (const auto& e : m.value.GetArray()) check_numbers(e, depth + 1);
    if (type == "M" && m.value.IsObject())
      for (const auto& e : m.value.GetObject()) check_numbers(e.value, depth + 1);
  }
}

}  // namespace

std::vector<model::Value> statement_parameters(const model::Json* parameters) {
  std::vector<model::Value> values;
  if (!parameters) return values;
  for (const auto& p : parameters->GetArray()) {
    check_numbers(p, 1);
    values.push_back(model::value_from_json(p));
  }
  return values;
}

PreparedStatement prepare_statement(const api::Call& call, std::string_view text,
                                    const model::Json* parameters) {
  auto parsed = partiql::parse(text);  // a statement that does not parse: before its parameters
  return prepare_statement(call, std::move(parsed), statement_parameters(parameters));
}

PreparedStatement prepare_statement(const api::Call& call,
                                    std::shared_ptr<const partiql::Statement> parsed,
                                    const std::vector<model::Value>& parameters) {
  PreparedStatement s;
  s.parsed = std::move(parsed);
  s.bound = partiql::bind(*s.parsed, parameters);
  const partiql::Statement& st = *s.parsed;
  using K = partiql::Statement::Kind;
  if (st.kind == K::Insert && model::item_size(s.bound.item) > model::kMaxItemSize)
    invalid("Item size has exceeded the maximum allowed size");
  s.table = table_for_items(call, st.target.table);
  const model::TableDef& t = *s.table;
  switch (st.kind) {
    case K::Select:
      s.read = partiql::plan_read(s.bound, t);
      if (s.read->index && s.read->index->backfilling)
        invalid("Cannot read from backfilling global secondary index: " + s.read->index->name);
      if (s.read->access == partiql::ReadPlan::Access::GetItem) {
        check_lookup_key(t, s.read->key);
        s.key = storage::storage_key(t, s.read->key);
      }
      for (const model::Item& key : s.read->keys) check_lookup_key(t, key);
      break;
    case K::Insert:
      check_put_item(t, s.bound.item);
      s.key = storage::storage_key(t, s.bound.item);
      break;
    case K::Delete:
      if (st.returning != partiql::Returning::None && st.returning != partiql::Returning::AllOld)
        invalid(std::string("Invalid returning clause: RETURNING ") +
                (st.returning == partiql::Returning::AllNew        ? "ALL NEW"
                 : st.returning == partiql::Returning::ModifiedOld ? "MODIFIED OLD"
                                                                   : "MODIFIED NEW") +
                " *. Only RETURNING ALL OLD * is allowed in DELETE statements.");
      [[fallthrough]];
    case K::Update:
    case K::Exists:
      if (st.target.index) invalid("Index is not allowed in this statement");
      s.write = partiql::plan_write(s.bound, t);
      check_lookup_key(t, s.write->key);
      s.key = storage::storage_key(t, s.write->key);
      break;
  }
  return s;
}

std::optional<model::Item> read_one(const storage::Txn& txn, storage::Database& db,
                                    const PreparedStatement& s, size_t* size) {
  return read_key(txn, db, s, s.key, size);
}

std::optional<model::Item> read_key(const storage::Txn& txn, storage::Database& db,
                                    const PreparedStatement& s, const std::string& key,
                                    size_t* size) {
  auto stored = txn.get(db.items(), key);
  if (!stored) return std::nullopt;
  storage::Record r = storage::read_record(*stored);
  model::Item item = model::decode_item(r.item);
  const std::optional<expr::Node>& condition = s.read ? s.read->filter : s.write->condition;
  if (size) *size = r.size;
  if (condition && !expr::holds(*condition, &item)) return std::nullopt;
  if (s.read && !s.parsed->projection.empty())
    return partiql::select_list(item, s.parsed->projection);
  return item;
}

WriteOutcome execute_write(storage::Txn& txn, storage::Database& db, const PreparedStatement& s,
                           bool return_old_on_failure) {
  using K = partiql::Statement::Kind;
  const partiql::Statement& st = *s.parsed;
  auto t = items::live_table(db, *s.table);
  WriteOutcome out;
  items::Existing existing;
  if (auto stored = txn.get(db.items(), s.key)) {
    storage::Record r = storage::read_record(*stored);
    existing.exists = true;
    existing.size = r.size;
    out.old_size = r.size;
    out.old_item = model::decode_item(r.item);
    existing.item = &*out.old_item;
  }
  const model::Item* old = out.old_item ? &*out.old_item : nullptr;
  switch (st.kind) {
    case K::Insert: {
      // Unlike PutItem, INSERT never replaces an item.
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.insert.html
      if (old) fail(Code::DuplicateItem, "Duplicate primary key exists in table");
      out.new_item = s.bound.item;
      check_index_keys(*t, *out.new_item);
      std::string record = storage::make_record(*out.new_item);
      out.new_size = model::item_size(*out.new_item);
      items::store(txn, db, *t, s.key, existing, &*out.new_item, record);
      break;
    }
    case K::Update: {
      // UPDATE edits an existing item only: a missing one fails its implicit condition.
      if (!old) fail(Code::ConditionalCheckFailed, "The conditional request failed");
      require(s.write->condition, old, return_old_on_failure);
      model::Item now = *old;
      expr::apply(s.bound.update, *t, now);
      if (model::item_size(now) > model::kMaxItemSize)
        invalid("Item size to update has exceeded the maximum allowed size");
      check_index_keys(*t, now);
      out.new_size = model::item_size(now);
      out.new_item = std::move(now);
      items::store(txn, db, *t, s.key, existing, &*out.new_item,
                   storage::make_record(*out.new_item));
      auto modified = [&](const model::Item& i) {
        return expr::project(i, expr::updated_paths(s.bound.update));
      };
      switch (st.returning) {
        case partiql::Returning::None: break;
        case partiql::Returning::AllOld: out.returned = *out.old_item; break;
        case partiql::Returning::AllNew: out.returned = *out.new_item; break;
        case partiql::Returning::ModifiedOld: out.returned = modified(*out.old_item); break;
        case partiql::Returning::ModifiedNew: out.returned = modified(*out.new_item); break;
      }
      break;
    }
    case K::Delete: {
      // A DELETE of a missing item does nothing, whatever else its WHERE clause says (AWS's
      // answer as nubo-db/dynamodb-conformance records it); an existing one must meet it.
      if (!old) break;
      require(s.write->condition, old, return_old_on_failure);
      items::store(txn, db, *t, s.key, existing, nullptr, {});
      if (st.returning == partiql::Returning::AllOld && old) out.returned = *out.old_item;
      break;
    }
    default: invalid("Unsupported operation: " + std::string(partiql::kind_name(st.kind)));
  }
  return out;
}

}  // namespace ddb::actions
