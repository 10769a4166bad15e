#include "actions/common/reader.h"

#include <algorithm>

#include "actions/common/expressions.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "api/request.h"
#include "expr/eval.h"
#include "indexes/indexes.h"
#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

constexpr size_t kMaxPageBytes = 1024 * 1024;  // DynamoDB reads at most 1 MB per page
constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// The key attributes that identify an entry: the table's, plus the index's.
std::vector<const model::KeyAttribute*> key_attributes(const model::TableDef& t,
                                                       const model::IndexDef* ix) {
  std::vector<const model::KeyAttribute*> keys = {&t.hash};
  if (t.range) keys.push_back(&*t.range);
  if (ix) {
    auto add = [&](const model::KeyAttribute& k) {
      for (auto* e : keys)
        if (e->name == k.name) return;
      keys.push_back(&k);
    };
    add(ix->hash);
    if (ix->range) add(*ix->range);
  }
  return keys;
}

std::string stored_key(const model::TableDef& t, const model::IndexDef* ix,
                       const model::Item& item) {
  std::string key = storage::storage_key(t, item);
  if (!ix) return key;
  auto entry = indexes::entry_key(*ix, item, key);
  return entry ? *entry : key;
}

}  // namespace

std::string prefix_end(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (prefix.empty()) return std::string(1, '\xff') + std::string(600, '\xff');
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

CommonRead read_request(const api::Call& call, ReadSpec& spec, api::Constraints& c,
                        std::initializer_list<const char*> expression_members,
                        const char* filter_legacy) {
  const model::Json& body = call.body();
  auto name = model::get_string(body, "TableName");
  auto index_name = model::get_string(body, "IndexName");
  auto select = model::get_string(body, "Select");
  auto limit = model::get_integer(body, "Limit");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  auto consistent = model::get_bool(body, "ConsistentRead");
  const model::Json* start = model::get_object(body, "ExclusiveStartKey");
  c.table_name("tableName", name);
  c.pattern_name("indexName", index_name);
  c.length("indexName", index_name, 3, 255);
  c.one_of("select", select,
           {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"});
  c.at_least("limit", limit, 1);
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.one_of("conditionalOperator", model::get_string(body, "ConditionalOperator"), {"OR", "AND"});
  c.count("attributesToGet", model::get_array(body, "AttributesToGet"), 1, SIZE_MAX, "[]");
  c.check();

  CommonRead out;
  out.expressions.emplace(body, expression_members);
  Expressions& expressions = *out.expressions;
  out.consumed_capacity = rcc == "TOTAL" || rcc == "INDEXES";
  spec.limit = limit.value_or(0);
  spec.consistent = consistent.value_or(false);
  std::optional<model::Item> start_item;
  if (start) {
    try {
      start_item = model::item_from_json(*start);
    } catch (const ApiError& e) {
      if (e.code != Code::Validation) throw;
      invalid("The provided starting key is invalid: " + e.message);
    }
  }
  spec.projection = expressions.projection();
  spec.filter = expressions.filter(filter_legacy);
  bool legacy_projection = model::get_array(body, "AttributesToGet") != nullptr;
  if (select && spec.projection && *select != "SPECIFIC_ATTRIBUTES") {
    std::string what = legacy_projection ? "AttributesToGet" : "ProjectionExpression";
    invalid(std::string(kInvalid) + "Cannot specify the " + what + " when choosing to get " +
            (*select == "COUNT" ? std::string("only the COUNT") : std::string(*select)));
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !spec.projection)
    invalid(std::string(kInvalid) +
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES");
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !index_name)
    invalid(std::string(kInvalid) +
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  out.start_key = std::move(start_item);
  return out;
}

void bind_table(const api::Call& call, ReadSpec& spec, CommonRead& out) {
  const model::Json& body = call.body();
  auto name = model::get_string(body, "TableName");
  auto index_name = model::get_string(body, "IndexName");
  auto select = model::get_string(body, "Select");
  auto table = table_for_items(call, *name);
  out.table = table;
  spec.table = table.get();
  if (index_name) {
    spec.index = table->index(*index_name);
    if (!spec.index)
      invalid("The table does not have the specified index: " + std::string(*index_name));
    if (spec.index->global && spec.consistent)
      invalid("Consistent reads are not supported on global secondary indexes");
    if (spec.index->backfilling)
      invalid("Cannot read from backfilling global secondary index: " + spec.index->name);
  }
  if (select == "ALL_ATTRIBUTES" && spec.index &&
      spec.index->projection != model::IndexDef::Projection::All) {
    if (spec.index->global)
      invalid(std::string(kInvalid) +
              "Select type ALL_ATTRIBUTES is not supported for "
              "global secondary index " +
              spec.index->name + " because its projection type is not ALL");
    spec.fetch_from_table = true;
  }
  spec.count_only = select == "COUNT";
  // A local index reads attributes it does not project from the table, as DynamoDB does.
  if (spec.index && !spec.index->global && spec.projection &&
      spec.index->projection != model::IndexDef::Projection::All) {
    for (const auto& p : *spec.projection) {
      const std::string& n = p[0].name;
      bool projected =
          table->is_key(n) || n == spec.index->hash.name ||
          (spec.index->range && n == spec.index->range->name) ||
          std::find(spec.index->non_key_attributes.begin(), spec.index->non_key_attributes.end(),
                    n) != spec.index->non_key_attributes.end();
      if (!projected) spec.fetch_from_table = true;
    }
  }
  if (const auto& start_item = out.start_key) {
    // It must name exactly the key attributes of the table (and of the index).
    auto keys = key_attributes(*table, spec.index);
    bool ok = start_item->size() == keys.size();
    for (auto* k : keys) {
      auto it = start_item->find(k->name);
      ok = ok && it != start_item->end() && it->second.type == k->type;
    }
    if (!ok)
      invalid(
          "The provided starting key is invalid: The provided key element does not match the "
          "schema");
    spec.exclusive_start = stored_key(*table, spec.index, *start_item);
  }
}

std::string read_page(const api::Call& call, const ReadSpec& spec, bool consumed_capacity) {
  auto& db = call.svc.db;
  MDB_dbi dbi = spec.index ? db.indexes() : db.items();
  storage::Txn txn = db.read();
  storage::Cursor cursor(txn, dbi);

  std::string lower = spec.lower, upper = spec.upper;
  bool ok;
  if (spec.forward) {
    std::string from = lower;
    if (spec.exclusive_start && *spec.exclusive_start >= from) from = *spec.exclusive_start;
    ok = cursor.seek(from);
    if (ok && spec.exclusive_start && cursor.key() == *spec.exclusive_start) ok = cursor.next();
  } else {
    std::string to = upper;  // exclusive
    if (spec.exclusive_start && *spec.exclusive_start < to) to = *spec.exclusive_start;
    ok = cursor.seek(to) ? cursor.prev() : cursor.last();
  }

  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  if (!spec.count_only) {
    w.Key("Items");
    w.StartArray();
  }
  size_t count = 0, scanned = 0, bytes = 0;
  std::optional<model::Item> last;
  for (; ok; ok = spec.forward ? cursor.next() : cursor.prev()) {
    std::string_view key = cursor.key();
    if (spec.forward ? key >= upper : key < lower) break;
    storage::Record r = storage::read_record(cursor.value());
    bool at_limit = (spec.limit && static_cast<int64_t>(scanned) + 1 >= spec.limit);
    if (spec.range_is_exact && !spec.filter && !spec.projection && !spec.fetch_from_table) {
      // Fast path: the stored bytes go straight to JSON; only the item that ends a page is
      // decoded, for its LastEvaluatedKey.
      ++scanned;
      ++count;
      bytes += r.size;
      if (!spec.count_only) model::write_item_json(w, r.item);
      if (at_limit || bytes >= kMaxPageBytes) {
        model::Item item = model::decode_item(r.item);
        model::Item k;
        for (auto* attr : key_attributes(*spec.table, spec.index))
          if (auto it = item.find(attr->name); it != item.end()) k.insert(*it);
        last = std::move(k);
        break;
      }
      continue;
    }
    model::Item item = model::decode_item(r.item);
    if (spec.in_range && !spec.in_range(item)) continue;
    ++scanned;
    bytes += r.size;
    if (!spec.filter || expr::holds(*spec.filter, &item)) {
      ++count;
      if (!spec.count_only) {
        if (spec.fetch_from_table) {
          if (auto full = txn.get(db.items(), storage::storage_key(*spec.table, item)))
            item = model::decode_item(storage::read_record(*full).item);
        }
        if (spec.projection)
          model::write_item(w, expr::project(item, *spec.projection));
        else
          model::write_item(w, item);
      }
    }
    if ((spec.limit && static_cast<int64_t>(scanned) >= spec.limit) || bytes >= kMaxPageBytes) {
      model::Item k;
      for (auto* attr : key_attributes(*spec.table, spec.index))
        if (auto it = item.find(attr->name); it != item.end()) k.insert(*it);
      last = std::move(k);
      break;
    }
  }
  if (!spec.count_only) w.EndArray();
  w.Key("Count");
  w.Uint64(count);
  w.Key("ScannedCount");
  w.Uint64(scanned);
  if (last) {
    w.Key("LastEvaluatedKey");
    model::write_item(w, *last);
  }
  if (consumed_capacity) write_consumed(w, spec.table->name, read_units(bytes, spec.consistent));
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace ddb::actions
