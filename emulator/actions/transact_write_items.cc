// TransactWriteItems: up to 100 ConditionCheck / Put / Update / Delete actions over any
// tables, all applied in one LMDB transaction or none; the reasons of a cancellation are
// reported per action in request order, as DynamoDB reports them. ClientRequestToken makes a
// retried request succeed again without applying twice.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
#include <chrono>
#include <mutex>
#include <set>

#include "actions/actions.h"
#include "actions/common/conditions.h"
#include "actions/common/expressions.h"
#include "actions/common/key_checks.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "items/write.h"
#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

struct Action {
  enum class Kind { Check, Put, Delete, Update } kind;
  storage::TablePtr table;
  std::string key;
  model::Item key_attributes;
  std::optional<model::Item> item;  // Put
  std::string record;               // Put
  std::optional<expr::Node> condition;
  std::optional<expr::Update> update;
  bool return_old = false;
  // A key or item the table's schema refuses: DynamoDB cancels the transaction with this
  // message as the action's ValidationError reason rather than refusing the request.
  std::string invalid;
  size_t size = 0;  // the action's part of the transaction's 4 MB
  std::string table_name;
  model::Item attrs;  // the Put's item or the key, until bind_action places it
};

// Its own tokens, as ExecuteTransaction keeps its own.
ClientTokens& tokens() {
  static ClientTokens t;
  return t;
}
constexpr size_t kMaxTransactionBytes = 4 * 1024 * 1024;

// What an action says, checked without its table: its members, expressions and values.
// DynamoDB reads every action so before it looks up any table.
Action read_action(const model::Json& entry, size_t index) {
  if (!entry.IsObject()) model::wrong_json_type(entry, "TransactWriteItem");
  static constexpr std::pair<const char*, Action::Kind> kKinds[] = {
      {"ConditionCheck", Action::Kind::Check},
      {"Put", Action::Kind::Put},
      {"Delete", Action::Kind::Delete},
      {"Update", Action::Kind::Update},
  };
  const model::Json* body = nullptr;
  const char* member = nullptr;
  Action a{};
  int found = 0;
  for (const auto& [name, kind] : kKinds) {
    if (const model::Json* m = model::get_object(entry, name)) {
      body = m;
      member = name;
      a.kind = kind;
      ++found;
    }
  }
  if (found != 1)
    invalid(
        "The action or operation requested is invalid. Verify that the action is typed "
        "correctly.");
  std::string path = "transactItems." + std::to_string(index + 1) + ".member." +
                     std::string(1, static_cast<char>(std::tolower(member[0]))) + (member + 1);
  auto name = model::get_string(*body, "TableName");
  const model::Json* item_json = model::get_object(*body, "Item");
  const model::Json* key_json = model::get_object(*body, "Key");
  api::Constraints c;
  c.table_name(path + ".tableName", name);
  if (a.kind == Action::Kind::Put)
    c.not_null(path + ".item", item_json != nullptr);
  else
    c.not_null(path + ".key", key_json != nullptr);
  // A null member is an absent one (a ConditionCheck without its condition would pass, an
  // Update without its expression would apply nothing).
  if (a.kind == Action::Kind::Check)
    c.not_null(path + ".conditionExpression",
               model::get_string(*body, "ConditionExpression").has_value());
  if (a.kind == Action::Kind::Update)
    c.not_null(path + ".updateExpression",
               model::get_string(*body, "UpdateExpression").has_value());
  a.return_old = return_item_on_failure(*body, c, path + ".returnValuesOnConditionCheckFailure");
  c.check();

  Expressions expressions(
      *body, a.kind == Action::Kind::Update
                 ? std::initializer_list<const char*>{"UpdateExpression", "ConditionExpression"}
                 : std::initializer_list<const char*>{"ConditionExpression"});
  a.attrs = model::item_from_json(a.kind == Action::Kind::Put ? *item_json : *key_json);
  if (a.kind == Action::Kind::Update) a.update = expressions.update();
  a.condition = expressions.condition();
  expressions.finish();
  // A Put's size needs no table: past 400 KB it is refused before any table is looked up.
  a.size = model::item_size(a.attrs);
  if (a.kind == Action::Kind::Put && a.size > model::kMaxItemSize)
    invalid("Item size has exceeded the maximum allowed size");
  a.table_name = *name;
  return a;
}

// The action against its table.
void bind_action(const api::Call& call, Action& a) {
  a.table = table_for_items(call, a.table_name);
  model::Item attrs = std::move(a.attrs);
  // Empty or oversized key values are refused before the transaction runs; a missing key
  // attribute or one of the wrong type cancels it (a Put's with PutItem's message, a key's
  // with "does not match the schema").
  check_key_values(*a.table, attrs);
  if (a.kind == Action::Kind::Put) check_index_key_values(*a.table, attrs);
  if (a.kind == Action::Kind::Update && a.update) check_update_index_keys(*a.table, *a.update);
  try {
    if (a.kind == Action::Kind::Put)
      check_put_item(*a.table, attrs);
    else
      check_lookup_key(*a.table, attrs);
  } catch (const ApiError& e) {
    if (e.code != Code::Validation) throw;
    a.invalid = e.message;
    return;
  }
  a.key = storage::storage_key(*a.table, attrs);
  if (a.kind == Action::Kind::Put) {
    a.record = storage::make_record(attrs);
    a.item = std::move(attrs);
  } else {
    a.key_attributes = std::move(attrs);
  }
}

}  // namespace

void transact_write_items(const api::CallPtr& call) {
  const model::Json& body = call->body();
  const model::Json* items = model::get_array(body, "TransactItems");
  auto token = model::get_string(body, "ClientRequestToken");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  api::Constraints c;
  c.not_null("transactItems", items != nullptr);
  c.count("transactItems", items, 1, 100, items && items->Empty() ? "[]" : "[...]");
  c.length("clientRequestToken", token, 1, 36);
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.one_of("returnItemCollectionMetrics", model::get_string(body, "ReturnItemCollectionMetrics"),
           {"SIZE", "NONE"});
  c.check();

  auto actions = std::make_shared<std::vector<Action>>();
  std::set<std::pair<uint64_t, std::string>> seen;
  size_t total = 0;
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i)
    actions->push_back(read_action((*items)[i], i));
  for (Action& a : *actions) {
    bind_action(*call, a);
    total += a.size;
    if (a.invalid.empty() && !seen.insert({a.table->id, a.key}).second)
      invalid("Transaction request cannot include multiple operations on one item");
  }
  // The items a transaction writes (and the keys it names) may total 4 MB.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-dynamodb-transactions
  if (total > kMaxTransactionBytes)
    invalid(
        "Transaction failed: The total size of all items in the transaction request cannot "
        "exceed 4 MB");

  // The request as the token remembers it: everything but the token itself.
  std::string fingerprint;
  if (token) {
    rapidjson::StringBuffer buf;
    model::JsonWriter w(buf);
    items->Accept(w);
    fingerprint.assign(buf.GetString(), buf.GetSize());
  }
  std::string token_text(token.value_or(""));

  auto replayed = std::make_shared<bool>(false);
  call->commit(
      [call, actions, replayed, token_text, fingerprint](storage::Txn& txn) {
        auto& db = call->svc.db;
        if (tokens().seen(token_text, fingerprint)) {  // already applied
          *replayed = true;
          return;
        }
        struct Planned {
          storage::TablePtr table;
          items::Existing old;
          std::optional<model::Item> old_item, next;
        };
        std::vector<Planned> plan(actions->size());
        Cancellation cancellation(actions->size());
        for (size_t i = 0; i < actions->size(); ++i) {
          const Action& a = (*actions)[i];
          Planned& p = plan[i];
          p.table = items::live_table(db, *a.table);
          if (!a.invalid.empty()) {
            cancellation.fail(i, "ValidationError", a.invalid);
            continue;
          }
          if (auto stored = txn.get(db.items(), a.key)) {
            storage::Record r = storage::read_record(*stored);
            p.old.exists = true;
            p.old.size = r.size;
            p.old_item = model::decode_item(r.item);
            p.old.item = &*p.old_item;
          }
          try {
            require(a.condition, p.old.item, a.return_old);
            if (a.kind == Action::Kind::Put) {
              p.next = *a.item;
            } else if (a.kind == Action::Kind::Update) {
              if (p.old.exists || a.update->creates()) {
                p.next = p.old.exists ? *p.old_item : a.key_attributes;
                expr::apply(*a.update, *p.table, *p.next);
                if (model::item_size(*p.next) > model::kMaxItemSize)
                  invalid("Item size to update has exceeded the maximum allowed size");
                if (model::item_depth(*p.next) > model::kMaxNestingDepth)
                  invalid(model::kNestingTooDeep);
              }
            }
            if (p.next) check_index_keys(*p.table, *p.next);
          } catch (const ApiError& e) {
            bool ccf = e.code == Code::ConditionalCheckFailed;
            cancellation.fail(i, ccf ? "ConditionalCheckFailed" : "ValidationError", e);
          }
        }
        if (cancellation.cancelled()) cancellation.raise();
        for (size_t i = 0; i < actions->size(); ++i) {
          const Action& a = (*actions)[i];
          Planned& p = plan[i];
          if (a.kind == Action::Kind::Check) continue;
          if (p.next)
            items::store(txn, db, *p.table, a.key, p.old, &*p.next,
                         a.kind == Action::Kind::Put ? a.record : storage::make_record(*p.next));
          else if (p.old.exists && a.kind == Action::Kind::Delete)
            items::store(txn, db, *p.table, a.key, p.old, nullptr, {});
        }
        tokens().remember(token_text, fingerprint);
      },
      [call, actions, replayed, capacity = capacity_detail(rcc),
       metrics = model::get_string(body, "ReturnItemCollectionMetrics") == "SIZE"] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        // "Subsequent TransactWriteItems calls with the same client token return the number of
        // read capacity units consumed in reading the item."
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
        TransactionUnits units(*replayed ? UnitKind::Read : UnitKind::Write);
        for (const auto& a : *actions)
          units.add(a.table->name, a.item ? model::item_size(*a.item) : 0);
        units.write(w, capacity);
        // Each write to a table with local indexes, by table, as BatchWriteItem reports them.
        CollectionWrites by_table;
        if (metrics)
          for (const auto& a : *actions)
            if (a.kind != Action::Kind::Check && has_item_collections(*a.table))
              by_table[a.table->name].emplace_back(&*a.table,
                                                   a.item ? &*a.item : &a.key_attributes);
        write_item_collection_lists(w, *call, by_table);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace ddb::actions
