// GetItem: one item by its full key, straight from the stored bytes to JSON (or through
// ProjectionExpression / AttributesToGet).
// Every read sees committed data only, so ConsistentRead is always honoured.
#include "actions/actions.h"
#include "actions/common/expressions.h"
#include "actions/common/key_checks.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::actions {

void get_item(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  const model::Json* key_json = model::get_object(body, "Key");
  auto consistent = model::get_bool(body, "ConsistentRead");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  api::Constraints c;
  c.table_name("tableName", name);
  c.not_null("key", key_json != nullptr);
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.count("attributesToGet", model::get_array(body, "AttributesToGet"), 1, SIZE_MAX, "[]");
  c.check();
  Expressions expressions(body, {"ProjectionExpression"});
  model::Item key = model::item_from_json(*key_json);
  auto projection = expressions.projection();
  expressions.finish();
  auto table = table_for_items(*call, *name);
  check_lookup_key(*table, key);
  check_scalar_key_paths(*table, projection, std::nullopt);

  auto& db = call->svc.db;
  storage::Txn txn = db.read();
  auto stored = txn.get(db.items(), storage::storage_key(*table, key));
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  size_t size = 0;
  if (stored) {
    storage::Record r = storage::read_record(*stored);
    size = r.size;
    if (!projection) {
      w.Key("Item");
      model::write_item_json(w, r.item);
    } else {
      // An existing item whose projection selects nothing is still returned, as {}.
      w.Key("Item");
      model::write_item(w, expr::project(model::decode_item(r.item), *projection));
    }
  }
  txn.abort();
  if (rcc == "TOTAL" || rcc == "INDEXES")
    write_consumed(w, table->name, read_units(size, consistent.value_or(false)), rcc == "INDEXES");
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
