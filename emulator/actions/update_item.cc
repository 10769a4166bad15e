// UpdateItem: edit (or create) one item with an UpdateExpression or AttributeUpdates, if its
// condition holds; every ReturnValues mode.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
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

void update_item_checked(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  const model::Json* key_json = model::get_object(body, "Key");
  api::Constraints c;
  c.table_name("tableName", name);
  c.not_null("key", key_json != nullptr);
  WriteOptions opts = write_options(body, c);
  bool return_on_failure = return_item_on_failure(body, c);
  c.check();
  std::string returns(model::get_string(body, "ReturnValues").value_or("NONE"));

  Expressions expressions(body, {"UpdateExpression", "ConditionExpression"});
  model::Item key = model::item_from_json(*key_json);
  auto update = expressions.update();
  auto condition = expressions.condition();
  expressions.finish();
  auto table = table_for_items(*call, *name);
  check_lookup_key(*table, key);
  if (update) check_update_index_keys(*table, *update);

  struct State {
    std::string key;
    model::Item key_attributes;
    std::optional<expr::Update> update;
    std::optional<expr::Node> condition;
    std::optional<model::Item> old;
    model::Item now;
    bool created = false;
  };
  auto st = std::make_shared<State>();
  st->key = storage::storage_key(*table, key);
  st->key_attributes = std::move(key);
  st->update = std::move(update);
  st->condition = std::move(condition);

  call->commit(
      [call, table, st, return_on_failure](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto t = items::live_table(db, *table);
        items::Existing existing;
        if (auto stored = txn.get(db.items(), st->key)) {
          storage::Record r = storage::read_record(*stored);
          existing.exists = true;
          existing.size = r.size;
          st->old = model::decode_item(r.item);
          existing.item = &*st->old;
        }
        require(st->condition, st->old ? &*st->old : nullptr, return_on_failure);
        // REMOVE or DELETE alone on a missing item changes nothing and creates nothing.
        st->created = !st->old && (!st->update || st->update->creates());
        if (!st->old && !st->created) return;
        st->now = st->old ? *st->old : st->key_attributes;
        if (st->update) expr::apply(*st->update, *t, st->now);
        if (model::item_size(st->now) > model::kMaxItemSize)
          invalid("Item size to update has exceeded the maximum allowed size");
        // A path several levels into a value can take the item past 32 levels.
        if (model::item_depth(st->now) > model::kMaxNestingDepth) invalid(model::kNestingTooDeep);
        check_index_keys(*t, st->now);
        items::store(txn, db, *t, st->key, existing, &st->now, storage::make_record(st->now));
      },
      [call, table, st, opts, returns] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        std::optional<model::Item> attributes;
        if (returns == "ALL_OLD" && st->old) attributes = *st->old;
        bool exists = st->old || st->created;
        if (returns == "ALL_NEW" && exists) attributes = st->now;
        if (returns == "UPDATED_OLD" && st->old && st->update)
          attributes = expr::project(*st->old, expr::updated_paths(*st->update));
        if (returns == "UPDATED_NEW" && st->update && exists)
          attributes = expr::project(st->now, expr::updated_paths(*st->update));
        if (attributes && !attributes->empty()) {
          w.Key("Attributes");
          model::write_item(w, *attributes);
        }
        if (opts.consumed_capacity) {
          size_t size =
              std::max(st->old ? model::item_size(*st->old) : 0, model::item_size(st->now));
          write_consumed(w, table->name,
                         write_consumption(*table, st->old ? &*st->old : nullptr,
                                           exists ? &st->now : nullptr, write_units(size)),
                         opts.capacity_indexes);
        }
        if (opts.collection_metrics)
          write_item_collection_metrics(w, *call, *table, st->key_attributes);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace

void update_item(const api::CallPtr& call) {
  with_validation_envelope(Enveloping::UpdateItem, [&] { update_item_checked(call); });
}

}  // namespace ddb::actions
