#include "actions/common/options.h"

#include <algorithm>

namespace ddb::actions {

WriteOptions write_options(const model::Json& body, api::Constraints& c) {
  auto rv = model::get_string(body, "ReturnValues");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  auto ricm = model::get_string(body, "ReturnItemCollectionMetrics");
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.one_of("returnItemCollectionMetrics", ricm, {"SIZE", "NONE"});
  c.one_of("returnValues", rv, {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"});
  c.one_of("conditionalOperator", model::get_string(body, "ConditionalOperator"), {"OR", "AND"});
  return {rv == "ALL_OLD", rcc == "TOTAL" || rcc == "INDEXES"};
}

void check_put_delete_returns(const model::Json& body) {
  auto rv = model::get_string(body, "ReturnValues");
  if (rv && *rv != "NONE" && *rv != "ALL_OLD") invalid("Return values set to invalid value");
}

void write_consumed(model::JsonWriter& w, std::string_view table, double units) {
  w.Key("ConsumedCapacity");
  w.StartObject();
  w.Key("TableName");
  model::write_string(w, table);
  w.Key("CapacityUnits");
  w.Double(units);
  w.EndObject();
}

void write_consumed_list(model::JsonWriter& w, const std::map<std::string, double>& units) {
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const auto& [name, u] : units) {
    w.StartObject();
    w.Key("TableName");
    model::write_string(w, name);
    w.Key("CapacityUnits");
    w.Double(u);
    w.EndObject();
  }
  w.EndArray();
}

double write_units(size_t bytes) { return std::max<double>(1, (bytes + 1023) / 1024); }

double read_units(size_t bytes, bool consistent) {
  double units = std::max<double>(1, (bytes + 4095) / 4096);
  return consistent ? units : units / 2;
}

}  // namespace ddb::actions
