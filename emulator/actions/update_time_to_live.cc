// UpdateTimeToLive: enable or disable TTL on an attribute. Enabling indexes the expiry times
// of the items already there, so the sweeper finds them at once.
#include "actions/actions.h"
#include "actions/common/tables.h"
#include "api/request.h"
#include "items/write.h"
#include "ttl/ttl.h"

namespace ddb::actions {

void update_time_to_live(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  const model::Json* spec = model::get_object(body, "TimeToLiveSpecification");
  api::Constraints c;
  c.table_name("tableName", name);
  c.not_null("timeToLiveSpecification", spec != nullptr);
  std::optional<bool> enabled;
  std::optional<std::string_view> attribute;
  if (spec) {
    enabled = model::get_bool(*spec, "Enabled");
    attribute = model::get_string(*spec, "AttributeName");
    c.not_null("timeToLiveSpecification.enabled", enabled.has_value());
    c.not_null("timeToLiveSpecification.attributeName", attribute.has_value());
    c.length("timeToLiveSpecification.attributeName", attribute, 1, 255);
  }
  c.check();
  auto table = table_for_describe(*call, *name);
  std::string attr(*attribute);
  bool enable = *enabled;
  auto after = std::make_shared<storage::TablePtr>();  // the table as enabled
  call->commit(
      [call, table, attr, enable, after](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto t = items::live_table(db, *table);
        if (enable && !t->ttl_attribute.empty()) invalid("TimeToLive is already enabled");
        if (!enable && t->ttl_attribute.empty()) invalid("TimeToLive is already disabled");
        if (!enable && t->ttl_attribute != attr)
          invalid("TimeToLive is active on a different AttributeName: current AttributeName is " +
                  t->ttl_attribute);
        model::TableDef def = *t;
        def.ttl_attribute = enable ? attr : "";
        def.ttl_indexing = enable;
        if (enable) ++def.ttl_generation;
        auto updated = db.catalog().replace(txn, std::move(def));
        if (enable) *after = updated;
      },
      [call, attr, enable, after] {
        // The existing items go into the expiry index in the background, batch by batch.
        if (enable) ttl::index_existing(call->svc.db, **after);
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        w.Key("TimeToLiveSpecification");
        w.StartObject();
        w.Key("Enabled");
        w.Bool(enable);
        w.Key("AttributeName");
        model::write_string(w, attr);
        w.EndObject();
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

void describe_time_to_live(const api::CallPtr& call) {
  auto table = table_for_describe(*call, required_table_name(*call));
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("TimeToLiveDescription");
  w.StartObject();
  w.Key("TimeToLiveStatus");
  w.String(table->ttl_attribute.empty() ? "DISABLED" : "ENABLED");
  if (!table->ttl_attribute.empty()) {
    w.Key("AttributeName");
    model::write_string(w, table->ttl_attribute);
  }
  w.EndObject();
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
