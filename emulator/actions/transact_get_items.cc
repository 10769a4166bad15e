// TransactGetItems: up to 100 items by key from one consistent snapshot, each with its own
// projection; Responses in request order, {} for an item that does not exist.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
#include <set>

#include "actions/actions.h"
#include "actions/common/conditions.h"
#include "actions/common/expressions.h"
#include "actions/common/key_checks.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "api/request.h"
#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::actions {

void transact_get_items(const api::CallPtr& call) {
  const model::Json& body = call->body();
  const model::Json* items = model::get_array(body, "TransactItems");
  api::Constraints c;
  c.not_null("transactItems", items != nullptr);
  c.count("transactItems", items, 1, 100, items && items->Empty() ? "[]" : "[...]");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.check();

  struct Get {
    storage::TablePtr table;
    std::string key;
    std::optional<std::vector<expr::Path>> projection;
  };
  std::vector<Get> gets;
  std::set<std::pair<uint64_t, std::string>> seen;
  // As in TransactWriteItems: empty or oversized key values are refused outright; a key that
  // does not match the schema cancels the transaction with a ValidationError reason
  // (nubo-db/dynamodb-conformance, tests/tier3/error-messages/transactGetItems.test.ts).
  Cancellation cancellation(items->Size());
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    const model::Json& entry = (*items)[i];
    if (!entry.IsObject()) model::wrong_json_type(entry, "TransactGetItem");
    const model::Json* get = model::get_object(entry, "Get");
    std::string path = "transactItems." + std::to_string(i + 1) + ".member.get";
    api::Constraints ec;
    ec.not_null(path, get != nullptr);
    ec.check();
    auto name = model::get_string(*get, "TableName");
    const model::Json* key_json = model::get_object(*get, "Key");
    api::Constraints gc;
    gc.table_name(path + ".tableName", name);
    gc.not_null(path + ".key", key_json != nullptr);
    gc.check();
    Expressions expressions(*get, {"ProjectionExpression"});
    model::Item key = model::item_from_json(*key_json);
    Get g;
    g.projection = expressions.projection();
    expressions.finish();
    g.table = table_for_items(*call, *name);
    check_key_values(*g.table, key);
    try {
      check_lookup_key(*g.table, key);
    } catch (const ApiError& e) {
      if (e.code != Code::Validation) throw;
      cancellation.fail(i, "ValidationError", e);
      continue;
    }
    g.key = storage::storage_key(*g.table, key);
    if (!seen.insert({g.table->id, g.key}).second)
      invalid("Transaction request cannot include multiple operations on one item");
    gets.push_back(std::move(g));
  }
  if (cancellation.cancelled()) cancellation.raise();

  auto& db = call->svc.db;
  storage::Txn txn = db.read();  // one snapshot for every item
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  // An item that does not exist costs as one of no size: one present and one missing small
  // item cost 4 units (DynamoDB's answer quoted in ExtendDB/extenddb issue 76).
  TransactionUnits units(UnitKind::Read);
  for (const auto& g : gets) {
    w.StartObject();
    size_t size = 0;
    if (auto stored = txn.get(db.items(), g.key)) {
      w.Key("Item");
      storage::Record r = storage::read_record(*stored);
      size = r.size;
      if (g.projection)
        model::write_item(w, expr::project(model::decode_item(r.item), *g.projection));
      else
        model::write_item_json(w, r.item);
    }
    w.EndObject();
    units.add(g.table->name, size);
  }
  w.EndArray();
  units.write(w, capacity_detail(rcc));
  w.EndObject();
  txn.abort();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
