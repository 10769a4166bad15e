#include "actions/common/tables.h"

#include "api/request.h"

namespace actions {

storage::TablePtr table_for_items(const api::Call& call, std::string_view name) {
  auto t = call.svc.db.catalog().find(call.space, name);
  if (!t) api::fail(api::Code::ResourceNotFound, "Requested resource not found");
  return t;
}

storage::TablePtr table_for_describe(const api::Call& call, std::string_view name) {
  auto t = call.svc.db.catalog().find(call.space, name);
  if (!t)
    api::fail(api::Code::ResourceNotFound,
              "Requested resource not found: Table: " + std::string(name) + " not found");
  return t;
}

std::string_view required_table_name(const api::Call& call) {
  auto name = api::get_string(call.body(), "TableName");
  api::Constraints c;
  c.table_name("tableName", name);
  c.check();
  return *name;
}

void write_table_description(model::JsonWriter& w, const model::TableDef& t,
                             const storage::TableStats& stats, const char* status) {
  using model::write_string;
  w.StartObject();
  w.Key("AttributeDefinitions");
  w.StartArray();
  for (const auto& a : t.attribute_definitions) {
    w.StartObject();
    w.Key("AttributeName");
    write_string(w, a.name);
    w.Key("AttributeType");
    w.String(model::type_name(a.type));
    w.EndObject();
  }
  w.EndArray();
  w.Key("TableName");
  write_string(w, t.name);
  w.Key("KeySchema");
  w.StartArray();
  auto key = [&](const model::KeyAttribute& k, const char* type) {
    w.StartObject();
    w.Key("AttributeName");
    write_string(w, k.name);
    w.Key("KeyType");
    w.String(type);
    w.EndObject();
  };
  key(t.hash, "HASH");
  if (t.range) key(*t.range, "RANGE");
  w.EndArray();
  w.Key("TableStatus");
  w.String(status);
  w.Key("CreationDateTime");
  w.Double(t.created);
  w.Key("ProvisionedThroughput");
  w.StartObject();
  w.Key("NumberOfDecreasesToday");
  w.Int(0);
  w.Key("ReadCapacityUnits");
  w.Int64(t.read_capacity);
  w.Key("WriteCapacityUnits");
  w.Int64(t.write_capacity);
  w.EndObject();
  w.Key("TableSizeBytes");
  w.Uint64(stats.size_bytes);
  w.Key("ItemCount");
  w.Uint64(stats.item_count);
  w.Key("TableArn");
  write_string(w, t.arn());
  w.Key("TableId");
  write_string(w, t.table_id);
  if (t.on_demand) {
    w.Key("BillingModeSummary");
    w.StartObject();
    w.Key("BillingMode");
    w.String("PAY_PER_REQUEST");
    w.Key("LastUpdateToPayPerRequestDateTime");
    w.Double(t.created);
    w.EndObject();
  }
  w.Key("DeletionProtectionEnabled");
  w.Bool(false);
  w.EndObject();
}

}  // namespace actions
