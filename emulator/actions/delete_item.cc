// DeleteItem: remove one item by its full key, if its condition holds; ReturnValues NONE or
// ALL_OLD. Deleting an item that does not exist succeeds, as in DynamoDB.
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

void delete_item(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  const model::Json* key_json = model::get_object(body, "Key");
  api::Constraints c;
  c.table_name("tableName", name);
  c.not_null("key", key_json != nullptr);
  WriteOptions opts = write_options(body, c);
  bool return_on_failure = return_item_on_failure(body, c);
  c.check();
  check_put_delete_returns(body);

  Expressions expressions(body, {"ConditionExpression"});
  model::Item key = model::item_from_json(*key_json);
  auto condition = expressions.condition();
  expressions.finish();
  auto table = table_for_items(*call, *name);
  check_lookup_key(*table, key);
  struct State {
    std::string key;
    items::Current current;
    std::optional<expr::Node> condition;
  };
  auto st = std::make_shared<State>();
  st->key = storage::storage_key(*table, key);
  st->condition = std::move(condition);

  call->commit(
      [call, table, st, return_on_failure](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto t = items::live_table(db, *table);
        st->current = items::read_current(txn, db, st->key, st->condition || t->needs_old_item());
        items::Existing old = st->current.existing();
        require(st->condition, old.item, return_on_failure);
        if (old.exists) items::store(txn, db, *t, st->key, old, nullptr, {});
      },
      [call, table, st, opts, key] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        if (opts.return_old && st->current.exists()) {
          w.Key("Attributes");
          model::write_item_json(w, storage::read_record(st->current.stored).item);
        }
        if (opts.consumed_capacity) {
          // The old item is decoded when the table has indexes: their share needs it.
          const model::Item* old = st->current.item ? &*st->current.item : nullptr;
          write_consumed(
              w, table->name,
              write_consumption(
                  *table, old, nullptr,
                  write_units(st->current.exists() ? storage::read_record(st->current.stored).size
                                                   : 0)),
              opts.capacity_indexes);
        }
        if (opts.collection_metrics) write_item_collection_metrics(w, *call, *table, key);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace ddb::actions
