#include "actions/common/tables.h"

#include <algorithm>

#include "actions/common/tags.h"
#include "api/request.h"
#include "streams/stream_log.h"

namespace ddb::actions {

std::string_view table_of_name(const api::Call& call, std::string_view name) {
  if (!name.starts_with("arn:")) return name;
  ResourceArn parsed = parse_resource_arn(name);
  // As ARNs of other regions are answered elsewhere (table_for_arn).
  if (parsed.region != call.region || !parsed.stream_label.empty())
    invalid("Invalid TableArn: Invalid ResourceArn provided as input " + std::string(name));
  // Another account's table needs its resource-based policy to allow the call, and this
  // emulator holds one account (https://docs.aws.amazon.com/amazondynamodb/latest/
  // developerguide/rbac-examples.html#rbac-examples-cross-account).
  if (parsed.account != "000000000000")
    fail(Code::AccessDenied,
         "User: arn:aws:iam::000000000000:root is not authorized to perform: "
         "dynamodb:" +
             call.operation + " on resource: " + std::string(name) +
             " because no resource-based policy allows the dynamodb:" + call.operation + " action");
  // The table's name is the ARN's last part.
  return name.substr(name.size() - parsed.table.size());
}

storage::TablePtr table_for_items(const api::Call& call, std::string_view name) {
  auto t = call.svc.db.catalog().find(call.space, table_of_name(call, name));
  if (!t) fail(Code::ResourceNotFound, "Requested resource not found");
  return t;
}

storage::TablePtr table_for_describe(const api::Call& call, std::string_view name) {
  auto t = call.svc.db.catalog().find(call.space, table_of_name(call, name));
  if (!t)
    fail(Code::ResourceNotFound,
         "Requested resource not found: Table: " + std::string(name) + " not found");
  return t;
}

storage::TablePtr table_for_arn(const api::Call& call, std::string_view arn) {
  ResourceArn parsed = parse_resource_arn(arn);
  // DynamoDB answers an ARN of another region as a malformed one.
  if (parsed.region != call.region)
    invalid("Invalid TableArn: Invalid ResourceArn provided as input " + std::string(arn));
  storage::TablePtr t;
  if (parsed.account == "000000000000") t = call.svc.db.catalog().find(call.space, parsed.table);
  // A stream ARN names its table while the stream is the table's latest.
  if (t && !parsed.stream_label.empty() &&
      (!t->latest_stream_id || t->latest_stream_label != parsed.stream_label))
    t = nullptr;
  if (!t)
    fail(Code::ResourceNotFound,
         "Requested resource not found: ResourceArn: " + std::string(arn) + " not found");
  return t;
}

std::optional<std::string> stream_specification(const model::Json& body) {
  const model::Json* spec = model::get_object(body, "StreamSpecification");
  if (!spec) return std::nullopt;
  auto enabled = model::get_bool(*spec, "StreamEnabled");
  auto view = model::get_string(*spec, "StreamViewType");
  api::Constraints c;
  c.not_null("streamSpecification.streamEnabled", enabled.has_value());
  c.one_of("streamSpecification.streamViewType", view,
           {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"});
  c.check();
  if (*enabled && !view)
    invalid(
        "One or more parameter values were invalid: StreamViewType is required when "
        "StreamEnabled is true");
  if (!*enabled && view)
    invalid(
        "One or more parameter values were invalid: StreamViewType cannot be specified "
        "when StreamEnabled is false");
  return *enabled ? std::string(*view) : std::string();
}

void set_stream(storage::Txn& txn, storage::Database& db, model::TableDef& def,
                const std::string& view_type) {
  if (!view_type.empty()) {
    if (def.stream_id)
      invalid("Table already has an enabled stream: " + def.arn() + "/stream/" +
              def.latest_stream_label);
    auto s = streams::create_stream(txn, db, def, view_type);
    def.stream_id = def.latest_stream_id = s->id;
    def.latest_stream_label = s->label;
    def.stream_view_type = view_type;
  } else {
    if (!def.stream_id)
      invalid(
          "One or more parameter values were invalid: Table does not have an enabled "
          "stream to disable");
    streams::disable_stream(txn, db, def.stream_id);
    def.stream_id = 0;
    def.stream_view_type.clear();
  }
}

std::string table_name_or_arn(const api::Call& call) {
  auto name = model::get_string(call.body(), "TableName");
  api::Constraints c;
  c.not_null("tableName", name.has_value());
  c.length("tableName", name, 1, 1024);
  c.check();
  return std::string(table_of_name(call, *name));
}

std::string_view described_table_name(const api::Call& call) {
  auto name = model::get_string(call.body(), "TableName");
  // DescribeTable and DeleteTable check presence and length with messages of their own
  // (the misspelling is DynamoDB's), before the constraint list's pattern.
  if (!name) invalid("The paramater 'tableName' is required but was not present in the request");
  if (!name->starts_with("arn:") && (name->size() < 3 || name->size() > 255))
    invalid("TableName must be at least 3 characters long and at most 255 characters long");
  return required_table_name(call);
}

std::string_view required_table_name(const api::Call& call) {
  auto name = model::get_string(call.body(), "TableName");
  api::Constraints c;
  c.table_name("tableName", name);
  c.check();
  return *name;
}

namespace {

void write_key_schema(model::JsonWriter& w, const model::KeyAttribute& hash,
                      const std::optional<model::KeyAttribute>& range) {
  w.Key("KeySchema");
  w.StartArray();
  auto key = [&](const model::KeyAttribute& k, const char* type) {
    w.StartObject();
    w.Key("AttributeName");
    model::write_string(w, k.name);
    w.Key("KeyType");
    w.String(type);
    w.EndObject();
  };
  key(hash, "HASH");
  if (range) key(*range, "RANGE");
  w.EndArray();
}

void write_throughput(model::JsonWriter& w, int64_t rcu, int64_t wcu) {
  w.Key("ProvisionedThroughput");
  w.StartObject();
  w.Key("NumberOfDecreasesToday");
  w.Int(0);
  w.Key("ReadCapacityUnits");
  w.Int64(rcu);
  w.Key("WriteCapacityUnits");
  w.Int64(wcu);
  w.EndObject();
}

void write_billing_summary(model::JsonWriter& w, const model::TableDef& t) {
  if (!t.on_demand) return;
  w.Key("BillingModeSummary");
  w.StartObject();
  w.Key("BillingMode");
  w.String("PAY_PER_REQUEST");
  w.Key("LastUpdateToPayPerRequestDateTime");
  w.Double(t.created);
  w.EndObject();
}

// A table being created has its global indexes CREATING too (CreateTable's answer).
void write_indexes(model::JsonWriter& w, const model::TableDef& t, const StatsOf& stats,
                   bool global, bool creating, const std::vector<std::string>& updating) {
  bool any = false;
  for (const auto& ix : t.indexes) any = any || ix.global == global;
  if (!any) return;
  w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
  w.StartArray();
  for (const auto& ix : t.indexes) {
    if (ix.global != global) continue;
    storage::TableStats s = stats(ix.id);
    w.StartObject();
    w.Key("IndexName");
    model::write_string(w, ix.name);
    write_key_schema(w, ix.hash, ix.range);
    w.Key("Projection");
    w.StartObject();
    w.Key("ProjectionType");
    w.String(model::projection_name(ix.projection));
    if (ix.projection == model::IndexDef::Projection::Include) {
      w.Key("NonKeyAttributes");
      w.StartArray();
      for (const auto& n : ix.non_key_attributes) model::write_string(w, n);
      w.EndArray();
    }
    w.EndObject();
    if (global) {
      w.Key("IndexStatus");
      bool changing = std::find(updating.begin(), updating.end(), ix.name) != updating.end();
      w.String(ix.backfilling || creating ? "CREATING" : changing ? "UPDATING" : "ACTIVE");
      if (ix.backfilling) {
        w.Key("Backfilling");
        w.Bool(true);
      }
      write_throughput(w, ix.read_capacity, ix.write_capacity);
    }
    w.Key("IndexSizeBytes");
    w.Uint64(s.size_bytes);
    w.Key("ItemCount");
    w.Uint64(s.item_count);
    w.Key("IndexArn");
    model::write_string(w, t.arn() + "/index/" + ix.name);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void write_table_description(model::JsonWriter& w, const model::TableDef& t,
                             const StatsOf& stats_of, const char* status,
                             const std::vector<std::string>& updating) {
  storage::TableStats stats = stats_of(t.id);
  using model::write_string;
  w.StartObject();
  // DeleteTable's description is a short one: no attribute definitions, key schema,
  // creation time, indexes or stream.
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html#API_DeleteTable_Examples
  const bool deleting = std::string_view(status) == "DELETING";
  if (!deleting) {
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
  }
  w.Key("TableName");
  write_string(w, t.name);
  if (!deleting) write_key_schema(w, t.hash, t.range);
  w.Key("TableStatus");
  w.String(status);
  if (!deleting) {
    w.Key("CreationDateTime");
    w.Double(t.created);
  }
  write_throughput(w, t.read_capacity, t.write_capacity);
  w.Key("TableSizeBytes");
  w.Uint64(stats.size_bytes);
  w.Key("ItemCount");
  w.Uint64(stats.item_count);
  w.Key("TableArn");
  write_string(w, t.arn());
  w.Key("TableId");
  write_string(w, t.table_id);
  write_billing_summary(w, t);
  const bool creating = std::string_view(status) == "CREATING";
  if (!deleting) write_indexes(w, t, stats_of, true, creating, updating);
  if (!deleting) write_indexes(w, t, stats_of, false, creating, updating);
  if (t.stream_id && !deleting) {
    w.Key("StreamSpecification");
    w.StartObject();
    w.Key("StreamEnabled");
    w.Bool(true);
    w.Key("StreamViewType");
    write_string(w, t.stream_view_type);
    w.EndObject();
  }
  if (t.latest_stream_id && !deleting) {
    w.Key("LatestStreamLabel");
    write_string(w, t.latest_stream_label);
    w.Key("LatestStreamArn");
    write_string(w, t.arn() + "/stream/" + t.latest_stream_label);
  }
  w.Key("DeletionProtectionEnabled");
  w.Bool(t.deletion_protection);
  w.EndObject();
}

}  // namespace ddb::actions
