#include "actions/common/reader.h"

#include <algorithm>
#include <cstring>

#include "actions/common/expressions.h"
#include "actions/common/key_checks.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "api/request.h"
#include "expr/eval.h"
#include "indexes/indexes.h"
#include "model/codec.h"
#include "model/number.h"
#include "partiql/plan.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

constexpr size_t kMaxPageBytes = 1024 * 1024;  // DynamoDB reads at most 1 MB per page
// page_size() counts an attribute name as one byte, so items with long names could fill an
// answer far past 1 MB of JSON; a page also ends once this much of their item size was read
// (never reached by items whose names are short, where the 1 MB rule ends the page first).
constexpr size_t kMaxPageItemBytes = 16 * 1024 * 1024;
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

// A value's share of page_size(): `prefixed` adds the length prefix of the compact form.
size_t page_value_size(std::string_view& in, bool prefixed);

size_t number_page_size(std::string_view text) {
  model::Number n = model::Number::parse(text);
  if (n.is_zero()) return 1;
  size_t d = n.digits().size();
  bool odd_exponent = n.sci_exponent() % 2 != 0;
  return 1 + (d + 1) / 2 + ((d % 2 != 0 || odd_exponent) ? 0 : 1) + (n.negative() ? 1 : 0);
}

std::string_view take_bytes(std::string_view& in) {
  uint64_t n = model::get_varint(in);
  if (n > in.size()) throw std::runtime_error("corrupt record: truncated bytes");
  std::string_view s = in.substr(0, n);
  in.remove_prefix(n);
  return s;
}

// The stored form (model/codec.cc): a type byte, then varint-prefixed bytes, a varint count
// of elements, or a map's varint count of (name, value) pairs.
size_t page_map_size(std::string_view& in) {
  uint64_t n = model::get_varint(in);
  size_t size = 3 + n;
  for (uint64_t i = 0; i < n; ++i) {
    take_bytes(in);
    size += 1 + page_value_size(in, true);
  }
  return size;
}

size_t page_value_size(std::string_view& in, bool prefixed) {
  if (in.empty()) throw std::runtime_error("corrupt record: missing type");
  auto t = static_cast<model::Type>(in.front());
  in.remove_prefix(1);
  switch (t) {
    case model::Type::S: {
      size_t n = take_bytes(in).size();
      return n + (prefixed ? (n < 128 ? 1 : n < 16384 ? 2 : 3) : 0);
    }
    case model::Type::B: return take_bytes(in).size() + (prefixed ? 1 : 0);
    case model::Type::N: return number_page_size(take_bytes(in)) + (prefixed ? 1 : 0);
    case model::Type::BOOL: in.remove_prefix(std::min<size_t>(1, in.size())); return 1;
    case model::Type::NUL: return prefixed ? 0 : 1;
    case model::Type::SS:
    case model::Type::BS:
    case model::Type::NS: {
      uint64_t n = model::get_varint(in);
      size_t size = 0;
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view e = take_bytes(in);
        size += t == model::Type::NS ? number_page_size(e) : e.size();
      }
      return size + (prefixed ? n + 1 : 0);
    }
    case model::Type::L: {
      uint64_t n = model::get_varint(in);
      size_t size = 3;
      for (uint64_t i = 0; i < n; ++i) size += 1 + page_value_size(in, prefixed);
      return size;
    }
    case model::Type::M: return page_map_size(in);
  }
  throw std::runtime_error("corrupt record: bad type");
}

}  // namespace

size_t page_size(std::string_view stored, std::string_view range_key) {
  std::string_view in = stored;
  uint64_t n = model::get_varint(in);
  size_t size = 0, range_size = 0;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name = take_bytes(in);
    if (!range_key.empty() && name == range_key)
      range_size = page_value_size(in, false);
    else
      size += 1 + page_value_size(in, true);
  }
  return 2 + size + (1 + (1 + size) / 3072) * (18 + range_size);
}

std::string prefix_end(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (prefix.empty()) return std::string(1, '\xff') + std::string(600, '\xff');
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

void condition_map_constraints(const model::Json& body, const char* member, const std::string& path,
                               api::Constraints& c) {
  const model::Json* conditions = model::get_object(body, member);
  if (!conditions) return;
  for (auto it = conditions->MemberBegin(); it != conditions->MemberEnd(); ++it) {
    if (!it->value.IsObject()) continue;  // refused as the wrong JSON kind when read
    std::string at = path + "." + std::string(model::view(it->name)) + ".member.comparisonOperator";
    auto op = model::get_string(it->value, "ComparisonOperator");
    c.not_null(at, op.has_value());
    c.one_of(at, op,
             {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE",
              "BEGINS_WITH", "GE", "CONTAINS"});
  }
}

CommonRead read_request(const api::Call& call, ReadSpec& spec, api::Constraints& c,
                        std::initializer_list<const char*> expression_members,
                        const char* filter_legacy,
                        const std::function<void()>& before_expressions) {
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
  // In DynamoDB's order for its message (dynalite's test/query.js and test/scan.js record it).
  c.one_of("select", select,
           {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"});
  // Query's Limit is reported in the newer form, without its value (nubo-db/dynamodb-conformance,
  // tests/tier3/error-messages/query.test.ts); Scan's still with it.
  if (std::strcmp(filter_legacy, "QueryFilter") == 0) {
    if (limit && *limit < 1)
      c.unshown("Limit", "Member must have value greater than or equal to 1");
  } else {
    c.at_least("limit", limit, 1);
  }
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.one_of("conditionalOperator", model::get_string(body, "ConditionalOperator"), {"OR", "AND"});
  c.count("attributesToGet", model::get_array(body, "AttributesToGet"), 1, SIZE_MAX, "[]");
  condition_map_constraints(
      body, filter_legacy,
      std::strcmp(filter_legacy, "ScanFilter") == 0 ? "scanFilter" : "queryFilter", c);
  c.check();

  // Then, in DynamoDB's order of faults (as dynalite's test/scan.js records it from DynamoDB:
  // a bad ScanFilter with ExclusiveStartKey {"a": {}} and Segment 1 answers the ScanFilter's
  // error; a bad start key beside an empty FilterExpression and ExpressionAttributeNames
  // answers the start key's; a Segment without TotalSegments beside them the Segment's): how
  // the two styles are combined; the legacy members (AttributesToGet, then the filter); the
  // start key's values; the operation's own checks (Scan's segments); and last the
  // placeholder maps and the expressions, the filter before the projection.
  Expressions::check_styles(body, expression_members);
  CommonRead out;
  out.consumed_capacity = capacity_detail(rcc);
  spec.limit = limit.value_or(0);
  spec.consistent = consistent.value_or(false);
  bool legacy = true;
  for (const char* m : expression_members) legacy = legacy && !model::get_string(body, m);
  if (legacy) {
    // Scan checks AttributesToGet before its ScanFilter, Query its QueryFilter first (dynalite's
    // test/scan.js and test/query.js record both orders from DynamoDB).
    out.expressions.emplace(body, expression_members);
    bool filter_first = std::strcmp(filter_legacy, "QueryFilter") == 0;
    if (filter_first) spec.filter = out.expressions->filter(filter_legacy);
    spec.projection = out.expressions->projection();
    if (!filter_first) spec.filter = out.expressions->filter(filter_legacy);
  }
  std::optional<model::Item> start_item;
  if (start) {
    try {
      start_item = model::item_from_json(*start);
    } catch (const ApiError& e) {
      if (e.code != Code::Validation) throw;
      // DynamoDB prefixes the faults of a value's shape, but reports those of numbers and of
      // a set's members (an empty number set, duplicates) as it does in any value, unprefixed
      // (dynalite's test/scan.js records both from DynamoDB).
      static constexpr std::string_view kBare[] = {
          "The parameter cannot be converted to a numeric value",
          "Attempting to store more than 38 significant digits",
          "Number overflow.",
          "Number underflow.",
          "Input collection",
          "One or more parameter values were invalid: An number set  may not be empty",
          "One or more parameter values were invalid: Input collection"};
      for (std::string_view bare : kBare)
        if (e.message.starts_with(bare)) throw;
      invalid("The provided starting key is invalid: " + e.message);
    }
  }
  if (before_expressions) before_expressions();
  if (!legacy) {
    out.expressions.emplace(body, expression_members);
    // Query's key condition is read first (dynalite's test/query.js: an empty
    // KeyConditionExpression beside an empty FilterExpression is the key condition's fault).
    for (const char* m : expression_members)
      if (std::string_view(m) == "KeyConditionExpression")
        out.key_condition = out.expressions->key_condition();
    spec.filter = out.expressions->filter(filter_legacy);
    spec.projection = out.expressions->projection();
  }
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

namespace {

// An ExclusiveStartKey must name exactly the key attributes of the table and of the index read,
// with their types. DynamoDB words the faults differently by operation and by what is wrong
// (dynalite's test/scan.js records Scan's; a Query's are all the bare message, as DynamoDB
// answers a start key of the wrong type):
// - Query: "The provided starting key is invalid".
// - Scan of an index: the bare message for a wrong set of attributes or a missing index key,
//   "The provided key element does not match the schema" for an index key of the wrong type,
//   and the table's keys then as in a Scan of the table.
// - Scan of the table: "The provided starting key is invalid: The provided key element does not
//   match the schema".
void check_start_key(const model::TableDef& table, const model::IndexDef* index,
                     const model::Item& start, bool query) {
  constexpr const char* kBare = "The provided starting key is invalid";
  constexpr const char* kSchema = "The provided key element does not match the schema";
  auto keys = key_attributes(table, index);
  auto matches = [&](const model::KeyAttribute& k) {
    auto it = start.find(k.name);
    return it != start.end() && it->second.type == k.type;
  };
  if (query) {
    bool ok = start.size() == keys.size();
    for (auto* k : keys) ok = ok && matches(*k);
    if (!ok) invalid(kBare);
    return;
  }
  if (index) {
    if (start.size() != keys.size()) invalid(kBare);
    for (const model::KeyAttribute* k : {&index->hash, index->range ? &*index->range : nullptr}) {
      if (!k) continue;
      if (!start.contains(k->name)) invalid(kBare);
      if (!matches(*k)) invalid(kSchema);
    }
  }
  bool ok = index || start.size() == keys.size();
  for (const model::KeyAttribute* k : {&table.hash, table.range ? &*table.range : nullptr})
    ok = ok && (!k || matches(*k));
  if (!ok) invalid(std::string(kBare) + ": " + kSchema);
}

}  // namespace

void bind_table(const api::Call& call, ReadSpec& spec, CommonRead& out, bool query) {
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
    check_start_key(*table, spec.index, *start_item, query);
    spec.exclusive_start = stored_key(*table, spec.index, *start_item);
  }
  check_scalar_key_paths(*table, spec.projection, spec.filter);
}

std::string read_page(const api::Call& call, const ReadSpec& spec,
                      CapacityDetail consumed_capacity) {
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
  // `page` is what counts against the 1 MB (page_size); the units are DynamoDB's item sizes
  // read, the index's entries and the table's items apart.
  size_t count = 0, scanned = 0, page = 0, read_bytes = 0, fetched_bytes = 0;
  bool fetched = false;
  const std::string range_key = spec.table->range ? spec.table->range->name : "";
  std::optional<model::Item> last;
  auto last_key = [&](const model::Item& item) {
    model::Item k;
    for (auto* attr : key_attributes(*spec.table, spec.index))
      if (auto it = item.find(attr->name); it != item.end()) k.insert(*it);
    return k;
  };
  for (; ok; ok = spec.forward ? cursor.next() : cursor.prev()) {
    std::string_view key = cursor.key();
    if (spec.forward ? key >= upper : key < lower) break;
    storage::Record r = storage::read_record(cursor.value());
    if (spec.range_is_exact && !spec.filter && !spec.projection && !spec.fetch_from_table) {
      // Fast path: the stored bytes go straight to JSON; only the item that ends a page is
      // decoded, for its LastEvaluatedKey.
      ++scanned;
      ++count;
      read_bytes += r.size;
      page += page_size(r.item, range_key);
      if (!spec.count_only) model::write_item_json(w, r.item);
      if ((spec.limit && static_cast<int64_t>(scanned) >= spec.limit) || page >= kMaxPageBytes ||
          read_bytes >= kMaxPageItemBytes) {
        last = last_key(model::decode_item(r.item));
        break;
      }
      continue;
    }
    model::Item item = model::decode_item(r.item);
    if (spec.in_range && !spec.in_range(item)) continue;
    ++scanned;
    read_bytes += r.size;
    page += page_size(r.item, range_key);
    if (!spec.filter || expr::holds(*spec.filter, &item)) {
      ++count;
      if (!spec.count_only) {
        if (spec.fetch_from_table) {
          if (auto full = txn.get(db.items(), storage::storage_key(*spec.table, item))) {
            storage::Record t = storage::read_record(*full);
            fetched_bytes += t.size;
            fetched = true;
            item = model::decode_item(t.item);
          }
        }
        if (spec.projection)
          model::write_item(w, spec.select_list ? partiql::select_list(item, *spec.projection)
                                                : expr::project(item, *spec.projection));
        else
          model::write_item(w, item);
      }
    }
    if ((spec.limit && static_cast<int64_t>(scanned) >= spec.limit) || page >= kMaxPageBytes ||
        read_bytes >= kMaxPageItemBytes) {
      last = last_key(item);
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
  if (consumed_capacity != CapacityDetail::None) {
    // The sizes read are summed before rounding up to 4 KB; a read of nothing still costs
    // the minimum. Items a local index fetches from the table are the table's share.
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
    Consumed c;
    double units = read_units(read_bytes, spec.consistent);
    if (spec.index) {
      (spec.index->global ? c.global_indexes : c.local_indexes)[spec.index->name] = units;
      if (fetched) c.table_units = read_units(fetched_bytes, spec.consistent);
    } else {
      c.table_units = units;
    }
    write_consumed(w, spec.table->name, c, consumed_capacity == CapacityDetail::Indexes);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace ddb::actions
