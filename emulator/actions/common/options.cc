#include "actions/common/options.h"

#include <algorithm>
#include <cmath>

#include "actions/common/reader.h"
#include "indexes/indexes.h"
#include "storage/keys.h"

namespace ddb::actions {

void envelope_validation(Enveloping op, ApiError& e) {
  if (e.code != Code::Validation) return;
  constexpr std::string_view kEnvelope = "1 validation error detected: ";
  constexpr std::string_view kPutItem[] = {
      "ExpressionAttributeNames can only be specified when using expressions",
      "Invalid ConditionExpression: The expression can not be empty;",
      "One or more parameter values were invalid: Value must be provided when Exists is true",
      "One or more parameter values were invalid: Value or AttributeValueList must be used with",
  };
  bool wrap = e.message == model::kNullFalseMessage;
  if (op == Enveloping::PutItem && !wrap) {
    constexpr std::string_view kValues =
        "ExpressionAttributeValues can only be specified when using expressions";
    if (e.message.starts_with(kValues)) {
      e.message = kValues;
      wrap = true;
    }
    for (std::string_view m : kPutItem) wrap = wrap || e.message.starts_with(m);
  }
  if (wrap) e.message = std::string(kEnvelope) + e.message;
}

WriteOptions write_options(const model::Json& body, api::Constraints& c) {
  auto rv = model::get_string(body, "ReturnValues");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  auto ricm = model::get_string(body, "ReturnItemCollectionMetrics");
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.one_of("returnItemCollectionMetrics", ricm, {"SIZE", "NONE"});
  c.one_of("returnValues", rv, {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"});
  c.one_of("conditionalOperator", model::get_string(body, "ConditionalOperator"), {"OR", "AND"});
  return {rv == "ALL_OLD", rcc == "TOTAL" || rcc == "INDEXES", ricm == "SIZE", rcc == "INDEXES"};
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

// "CapacityUnits", and for a transaction also "ReadCapacityUnits" or "WriteCapacityUnits"
// with the same value: TransactGetItems answers {"TableName": t, "CapacityUnits": 4.0,
// "ReadCapacityUnits": 4.0, "Table": {"ReadCapacityUnits": 4.0, "CapacityUnits": 4.0}} for
// INDEXES (DynamoDB's answers quoted in ExtendDB/extenddb issues 76 and 77), TransactWriteItems
// names its WriteCapacityUnits (aws/aws-sdk-go issue 2699), and no other operation names either
// (paritysuite/dynamodb-conformance issue 69, characterised against DynamoDB). Only the read's
// "Table" share is documented with its kind of units, so a write's share has CapacityUnits
// alone.
void write_unit_members(model::JsonWriter& w, double units, std::optional<UnitKind> kind) {
  w.Key("CapacityUnits");
  w.Double(units);
  if (!kind) return;
  w.Key(kind == UnitKind::Read ? "ReadCapacityUnits" : "WriteCapacityUnits");
  w.Double(units);
}

void write_units(model::JsonWriter& w, double units, std::optional<UnitKind> kind = std::nullopt) {
  w.StartObject();
  write_unit_members(w, units, kind);
  w.EndObject();
}

void write_consumed_object(model::JsonWriter& w, std::string_view table, const Consumed& c,
                           bool indexes, std::optional<UnitKind> kind = std::nullopt) {
  w.StartObject();
  w.Key("TableName");
  model::write_string(w, table);
  write_unit_members(w, c.total(), kind);
  if (indexes) {
    w.Key("Table");
    write_units(w, c.table_units, kind == UnitKind::Read ? kind : std::nullopt);
    const std::pair<const char*, const std::map<std::string, double>*> maps[] = {
        {"GlobalSecondaryIndexes", &c.global_indexes}, {"LocalSecondaryIndexes", &c.local_indexes}};
    for (const auto& [member, map] : maps) {
      if (map->empty()) continue;
      w.Key(member);
      w.StartObject();
      for (const auto& [name, units] : *map) {
        model::write_key(w, name);
        write_units(w, units);
      }
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
  Consumed c;
  c.table_units = units;
  write_consumed(w, table, c, indexes);
}

double Consumed::total() const {
  double sum = table_units;
  for (const auto& [_, u] : global_indexes) sum += u;
  for (const auto& [_, u] : local_indexes) sum += u;
  return sum;
}

Consumed write_consumption(const model::TableDef& t, const model::Item* old_item,
                           const model::Item* new_item, double table_units) {
  Consumed c;
  c.table_units = table_units;
  for (const auto& ix : t.indexes) {
    // The index key attribute values of an item, when it has an entry (indexes are sparse).
    auto index_key = [&](const model::Item* item) -> std::optional<model::Item> {
      if (!item) return std::nullopt;
      model::Item k;
      for (const model::KeyAttribute* a : {&ix.hash, ix.range ? &*ix.range : nullptr}) {
        if (!a) continue;
        auto it = item->find(a->name);
        if (it == item->end() || it->second.type != a->type) return std::nullopt;
        k.insert(*it);
      }
      return k;
    };
    std::optional<model::Item> was = index_key(old_item), now = index_key(new_item);
    if (!was && !now) continue;
    model::Item before = was ? indexes::projection(t, ix, *old_item) : model::Item{};
    model::Item after = now ? indexes::projection(t, ix, *new_item) : model::Item{};
    double units = 0;
    if (was && now && model::items_equal(*was, *now)) {
      if (model::items_equal(before, after)) continue;  // the entry is untouched
      units = write_units(model::item_size(after));
    } else {
      if (was) units += write_units(model::item_size(before));
      if (now) units += write_units(model::item_size(after));
    }
    (ix.global ? c.global_indexes : c.local_indexes)[ix.name] += units;
  }
  return c;
}

namespace {

void write_table_units(model::JsonWriter& w, const std::map<std::string, double>& units,
                       bool indexes, std::optional<UnitKind> kind) {
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const auto& [name, u] : units) {
    Consumed c;
    c.table_units = u;
    write_consumed_object(w, name, c, indexes, kind);
  }
  w.EndArray();
}

}  // namespace

void write_consumed_list(model::JsonWriter& w, const std::map<std::string, double>& units,
                         bool indexes) {
  write_table_units(w, units, indexes, std::nullopt);
}

void TransactionUnits::add(const std::string& table, size_t bytes) {
  units_[table] += 2 * (kind_ == UnitKind::Read ? read_units(bytes, true) : write_units(bytes));
}

void TransactionUnits::write(model::JsonWriter& w, CapacityDetail detail) const {
  if (detail == CapacityDetail::None) return;
  write_table_units(w, units_, detail == CapacityDetail::Indexes, kind_);
}

bool has_item_collections(const model::TableDef& t) {
  for (const auto& ix : t.indexes)
    if (!ix.global) return true;
  return false;
}

namespace {

// The stored bytes of the item's partition in the table and in each local index.
uint64_t collection_bytes(const api::Call& call, const model::TableDef& t,
                          const model::Value& hash) {
  auto& db = call.svc.db;
  storage::Txn txn = db.read();
  uint64_t bytes = 0;
  auto add = [&](MDB_dbi dbi, uint64_t id) {
    std::string lower = storage::table_prefix(id);
    storage::append_key_parts(lower, hash, nullptr);
    std::string upper = prefix_end(lower);
    storage::Cursor cursor(txn, dbi);
    for (bool ok = cursor.seek(lower); ok && cursor.key() < upper; ok = cursor.next())
      bytes += storage::read_record(cursor.value()).size;
  };
  add(db.items(), t.id);
  for (const auto& ix : t.indexes)
    if (!ix.global) add(db.indexes(), ix.id);
  return bytes;
}

}  // namespace

namespace {

void write_item_collection(model::JsonWriter& w, const api::Call& call, const model::TableDef& t,
                           const model::Item& item_or_key) {
  auto h = item_or_key.find(t.hash.name);
  w.StartObject();
  w.Key("ItemCollectionKey");
  w.StartObject();
  if (h != item_or_key.end()) {
    model::write_key(w, h->first);
    model::write_value(w, h->second);
  }
  w.EndObject();
  double gb = h == item_or_key.end() ? 0
                                     : static_cast<double>(collection_bytes(call, t, h->second)) /
                                           (1024.0 * 1024.0 * 1024.0);
  double low = std::floor(gb);
  w.Key("SizeEstimateRangeGB");
  w.StartArray();
  w.Double(low);
  w.Double(low + 1);
  w.EndArray();
  w.EndObject();
}

}  // namespace

void write_item_collection_lists(model::JsonWriter& w, const api::Call& call,
                                 const CollectionWrites& writes) {
  if (writes.empty()) return;
  w.Key("ItemCollectionMetrics");
  w.StartObject();
  for (const auto& [name, list] : writes) {
    model::write_key(w, name);
    w.StartArray();
    for (const auto& [table, item_or_key] : list)
      write_item_collection(w, call, *table, *item_or_key);
    w.EndArray();
  }
  w.EndObject();
}

void write_item_collection_metrics(model::JsonWriter& w, const api::Call& call,
                                   const model::TableDef& t, const model::Item& item_or_key) {
  if (!has_item_collections(t)) return;
  w.Key("ItemCollectionMetrics");
  write_item_collection(w, call, t, item_or_key);
}

void write_consumed_list(model::JsonWriter& w, const std::map<std::string, Consumed>& consumed,
                         bool indexes) {
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const auto& [name, c] : consumed) write_consumed_object(w, name, c, indexes);
  w.EndArray();
}

double write_units(size_t bytes) { return std::max<double>(1, (bytes + 1023) / 1024); }

double read_units(size_t bytes, bool consistent) {
  double units = std::max<double>(1, (bytes + 4095) / 4096);
  return consistent ? units : units / 2;
}

}  // namespace ddb::actions
