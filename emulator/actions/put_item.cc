// PutItem: replace the whole item, if its condition holds; ReturnValues NONE or ALL_OLD.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
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

void put_item_checked(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  const model::Json* item_json = model::get_object(body, "Item");
  api::Constraints c;
  c.table_name("tableName", name);
  c.not_null("item", item_json != nullptr);
  WriteOptions opts = write_options(body, c);
  bool return_on_failure = return_item_on_failure(body, c);
  c.check();
  check_put_delete_returns(body);

  Expressions expressions(body, {"ConditionExpression"});
  model::Item item = model::item_from_json(*item_json);  // value errors come first
  auto condition = expressions.condition();
  expressions.finish();
  // The item's size needs no table: it is refused before the table is looked up.
  if (model::item_size(item) > model::kMaxItemSize)
    invalid("Item size has exceeded the maximum allowed size");
  auto table = table_for_items(*call, *name);
  check_put_item(*table, item);

  struct State {
    std::string key, record;
    items::Current current;
    model::Item item;
    std::optional<expr::Node> condition;
  };
  auto st = std::make_shared<State>();
  st->key = storage::storage_key(*table, item);
  st->record = storage::make_record(item);
  st->item = std::move(item);
  st->condition = std::move(condition);
  size_t new_size = model::item_size(st->item);

  call->commit(
      [call, table, st, return_on_failure](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto t = items::live_table(db, *table);
        st->current = items::read_current(txn, db, st->key, st->condition || t->needs_old_item());
        items::Existing old = st->current.existing();
        require(st->condition, old.item, return_on_failure);
        check_index_keys(*t, st->item);
        items::store(txn, db, *t, st->key, old, &st->item, st->record);
      },
      [call, table, st, opts, new_size] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        if (opts.return_old && st->current.exists()) {
          w.Key("Attributes");
          model::write_item_json(w, storage::read_record(st->current.stored).item);
        }
        if (opts.consumed_capacity) {
          size_t old_size =
              st->current.exists() ? storage::read_record(st->current.stored).size : 0;
          // The old item is decoded when the table has indexes: their share needs it.
          const model::Item* old = st->current.item ? &*st->current.item : nullptr;
          write_consumed(
              w, table->name,
              write_consumption(*table, old, &st->item, write_units(std::max(old_size, new_size))),
              opts.capacity_indexes);
        }
        if (opts.collection_metrics) write_item_collection_metrics(w, *call, *table, st->item);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace

void put_item(const api::CallPtr& call) {
  with_validation_envelope(Enveloping::PutItem, [&] { put_item_checked(call); });
}

}  // namespace ddb::actions
