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

CapacityDetail capacity_detail(std::optional<std::string_view> rcc) {
  if (rcc == "INDEXES") return CapacityDetail::Indexes;
  if (rcc == "TOTAL") return CapacityDetail::Total;
  return CapacityDetail::None;
}

namespace {

void write_units(model::JsonWriter& w, double units) {
  w.StartObject();
  w.Key("CapacityUnits");
  w.Double(units);
  w.EndObject();
}

void write_consumed_object(model::JsonWriter& w, std::string_view table, const Consumed& c,
                           bool indexes) {
  w.StartObject();
  w.Key("TableName");
  model::write_string(w, table);
  w.Key("CapacityUnits");
  w.Double(c.table_units + c.index_units);
  if (indexes) {
    w.Key("Table");
    write_units(w, c.table_units);
    if (!c.index.empty()) {
      w.Key(c.global_index ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
      w.StartObject();
      model::write_key(w, c.index);
      write_units(w, c.index_units);
      w.EndObject();
    }
  }
  w.EndObject();
}

}  // namespace

void write_consumed(model::JsonWriter& w, std::string_view table, const Consumed& consumed,
                    bool indexes) {
  w.Key("ConsumedCapacity");
  write_consumed_object(w, table, consumed, indexes);
}

void write_consumed(model::JsonWriter& w, std::string_view table, double units, bool indexes) {
  write_consumed(w, table, Consumed{units, "", false, 0}, indexes);
}

void write_consumed_list(model::JsonWriter& w, const std::map<std::string, double>& units,
                         bool indexes) {
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const auto& [name, u] : units)
    write_consumed_object(w, name, Consumed{u, "", false, 0}, indexes);
  w.EndArray();
}

double write_units(size_t bytes) { return std::max<double>(1, (bytes + 1023) / 1024); }

double read_units(size_t bytes, bool consistent) {
  double units = std::max<double>(1, (bytes + 4095) / 4096);
  return consistent ? units : units / 2;
}

}  // namespace ddb::actions
