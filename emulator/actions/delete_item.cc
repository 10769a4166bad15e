// DeleteItem: remove one item by its full key, if its condition holds; ReturnValues NONE or
// ALL_OLD. Deleting an item that does not exist succeeds, as in DynamoDB.
#include "actions/actions.h"
#include "actions/common/conditions.h"
#include "actions/common/expressions.h"
#include "actions/common/items.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "model/codec.h"

namespace actions {

void delete_item(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = api::get_string(body, "TableName");
  const model::Json* key_json = api::get_object(body, "Key");
  api::Constraints c;
  c.table_name("tableName", name);
  c.not_null("key", key_json != nullptr);
  WriteOptions opts = write_options(body, c);
  c.check();
  check_put_delete_returns(body);
  bool return_on_failure = return_item_on_failure(body);

  Expressions expressions(body, {"ConditionExpression"});
  model::Item key = model::item_from_json(*key_json);
  auto condition = expressions.condition();
  expressions.finish();
  auto table = table_for_items(*call, *name);
  check_lookup_key(*table, key);
  struct State {
    std::string key, old;
    bool had_old = false;
    std::optional<expr::Node> condition;
  };
  auto st = std::make_shared<State>();
  st->key = storage_key(*table, key);
  st->condition = std::move(condition);

  call->commit(
      [call, table, st, return_on_failure](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto t = live_table(db, *table);
        Existing old;
        std::optional<model::Item> current;
        if (auto stored = txn.get(db.items(), st->key)) {
          st->had_old = old.exists = true;
          st->old.assign(*stored);
          old.size = read_record(st->old).size;
          if (st->condition || t->needs_old_item()) {
            current = model::decode_item(read_record(st->old).item);
            old.item = &*current;
          }
        }
        require(st->condition, old.item, return_on_failure);
        if (old.exists) store_item(txn, db, *t, st->key, old, nullptr, {});
      },
      [table, st, opts] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        if (opts.return_old && st->had_old) {
          w.Key("Attributes");
          model::write_item_json(w, read_record(st->old).item);
        }
        if (opts.consumed_capacity)
          write_consumed(w, table->name, write_units(st->had_old ? read_record(st->old).size : 0));
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace actions
