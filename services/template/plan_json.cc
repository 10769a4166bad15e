// The plan as JSON (schemas/stack-plan.md), and Value's small helpers.
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "template/stack.h"

namespace tmpl {

Value Value::of_bool(bool b) {
  Value v;
  v.kind = Kind::Bool;
  v.boolean = b;
  return v;
}
Value Value::number(std::string decimal) {
  Value v;
  v.kind = Kind::Number;
  v.text = std::move(decimal);
  return v;
}
Value Value::string(std::string s) {
  Value v;
  v.kind = Kind::String;
  v.text = std::move(s);
  return v;
}
Value Value::of_list(std::vector<Value> items) {
  Value v;
  v.kind = Kind::List;
  v.list = std::move(items);
  return v;
}
Value Value::of_map(Map members) {
  Value v;
  v.kind = Kind::Map;
  v.map = std::move(members);
  return v;
}

const Value* Value::find(const std::string& key) const {
  if (kind != Kind::Map) return nullptr;
  for (const auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value* Value::find(const std::string& key) {
  return const_cast<Value*>(static_cast<const Value&>(*this).find(key));
}

void Value::set(const std::string& key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  map.emplace_back(key, std::move(value));
}

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void str(Writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void key(Writer& w, const char* k) { w.Key(k); }

void write(Writer& w, const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null: w.Null(); break;
    case Value::Kind::Bool: w.Bool(v.boolean); break;
    case Value::Kind::Number:
      w.RawValue(v.text.data(), v.text.size(), rapidjson::kNumberType);
      break;
    case Value::Kind::String: str(w, v.text); break;
    case Value::Kind::List:
      w.StartArray();
      for (const auto& item : v.list) write(w, item);
      w.EndArray();
      break;
    case Value::Kind::Map:
      w.StartObject();
      for (const auto& [k, item] : v.map) {
        str(w, k);
        write(w, item);
      }
      w.EndObject();
      break;
  }
}

void opt(Writer& w, const std::optional<std::string>& s) {
  if (s) {
    str(w, *s);
  } else {
    w.Null();
  }
}

void strings(Writer& w, const std::vector<std::string>& list) {
  w.StartArray();
  for (const auto& s : list) str(w, s);
  w.EndArray();
}

void write_api(Writer& w, const Api& api, bool websocket) {
  w.StartObject();
  key(w, "logicalId"), str(w, api.logical_id);
  key(w, "name"), str(w, api.name);
  key(w, "apiId"), str(w, api.id);
  key(w, "stage"), opt(w, api.stage);
  key(w, "endpoint"), str(w, api.endpoint);
  if (websocket) {
    key(w, "routeSelectionExpression"), str(w, api.route_selection_expression);
  }
  key(w, "routes");
  w.StartArray();
  for (const auto& r : api.routes) {
    w.StartObject();
    key(w, "routeKey"), str(w, r.route_key);
    key(w, "function"), str(w, r.function);
    key(w, "authorizationType"), str(w, r.authorization_type);
    key(w, "authorizer"), opt(w, r.authorizer);
    if (websocket) {
      key(w, "routeResponse"), w.Bool(r.route_response);
    } else {
      key(w, "payloadFormatVersion"), str(w, r.payload_format_version);
      key(w, "timeoutInMillis"), w.Int(r.timeout_in_millis ? r.timeout_in_millis : 30000);
    }
    w.EndObject();
  }
  w.EndArray();
  key(w, "authorizers");
  w.StartArray();
  for (const auto& a : api.authorizers) {
    w.StartObject();
    key(w, "name"), str(w, a.name);
    key(w, "function"), str(w, a.function);
    key(w, "identitySource"), strings(w, a.identity_source);
    if (!websocket) {
      key(w, "payloadFormatVersion"), str(w, a.payload_format_version);
      key(w, "enableSimpleResponses"), w.Bool(a.enable_simple_responses);
      key(w, "resultTtlInSeconds"), w.Int(a.result_ttl_in_seconds);
    }
    w.EndObject();
  }
  w.EndArray();
  if (!websocket) key(w, "cors"), write(w, api.cors);
  w.EndObject();
}

void write_mapping(Writer& w, const EventSourceMapping& m) {
  w.StartObject();
  key(w, "logicalId"), str(w, m.logical_id);
  key(w, "function"), str(w, m.function);
  key(w, "tableLogicalId"), str(w, m.table_logical_id);
  key(w, "tableName"), str(w, m.table_name);
  key(w, "eventSourceArn"), str(w, m.stream_arn);
  key(w, "startingPosition"), str(w, m.starting_position);
  key(w, "batchSize"), w.Int(m.batch_size);
  key(w, "maximumBatchingWindowInSeconds"), w.Int(m.maximum_batching_window_in_seconds);
  key(w, "maximumRetryAttempts"), w.Int(m.maximum_retry_attempts);
  key(w, "maximumRecordAgeInSeconds"), w.Int(m.maximum_record_age_in_seconds);
  key(w, "bisectBatchOnFunctionError"), w.Bool(m.bisect_batch_on_function_error);
  key(w, "functionResponseTypes"), strings(w, m.function_response_types);
  key(w, "filterCriteria"), write(w, m.filter_criteria);
  key(w, "enabled"), w.Bool(m.enabled);
  key(w, "parallelizationFactor"), w.Int(m.parallelization_factor);
  w.EndObject();
}

}  // namespace

std::string to_json(const Value& value) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.SetIndent(' ', 2);
  write(w, value);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string to_json(const Stack& s) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  key(w, "stackName"), str(w, s.stack_name);
  key(w, "region"), str(w, s.region);
  key(w, "accountId"), str(w, s.account_id);
  key(w, "partition"), str(w, s.partition);
  key(w, "parameters");
  w.StartObject();
  for (const auto& [k, v] : s.parameters) str(w, k), str(w, v);
  w.EndObject();

  key(w, "tables");
  w.StartArray();
  for (const auto& t : s.tables) {
    w.StartObject();
    key(w, "logicalId"), str(w, t.logical_id);
    key(w, "tableName"), str(w, t.name);
    key(w, "arn"), str(w, t.arn);
    key(w, "streamArn"), opt(w, t.stream_arn);
    key(w, "createTable"), write(w, t.create_table);
    key(w, "timeToLive");
    if (t.ttl_attribute) {
      w.StartObject();
      key(w, "AttributeName"), str(w, *t.ttl_attribute);
      key(w, "Enabled"), w.Bool(t.ttl_enabled);
      w.EndObject();
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();

  key(w, "functions");
  w.StartArray();
  for (const auto& f : s.functions) {
    w.StartObject();
    key(w, "logicalId"), str(w, f.logical_id);
    key(w, "name"), str(w, f.name);
    key(w, "arn"), str(w, f.arn);
    key(w, "runtime"), str(w, f.runtime);
    key(w, "handler"), str(w, f.handler);
    key(w, "codeUri"), str(w, f.code_uri);
    key(w, "timeout"), w.Int(f.timeout);
    key(w, "memorySize"), w.Int(f.memory_size);
    key(w, "reservedConcurrency");
    if (f.reserved_concurrency) {
      w.Int(*f.reserved_concurrency);
    } else {
      w.Null();
    }
    key(w, "environment");
    w.StartObject();
    for (const auto& [k, v] : f.environment) str(w, k), str(w, v);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();

  key(w, "websocketApis");
  w.StartArray();
  for (const auto& a : s.websocket_apis) write_api(w, a, true);
  w.EndArray();
  key(w, "httpApis");
  w.StartArray();
  for (const auto& a : s.http_apis) write_api(w, a, false);
  w.EndArray();
  key(w, "eventSourceMappings");
  w.StartArray();
  for (const auto& m : s.event_source_mappings) write_mapping(w, m);
  w.EndArray();

  key(w, "outputs");
  w.StartArray();
  for (const auto& o : s.outputs) {
    w.StartObject();
    key(w, "name"), str(w, o.name);
    key(w, "value"), str(w, o.value);
    key(w, "description"), str(w, o.description);
    if (!o.export_name.empty()) key(w, "exportName"), str(w, o.export_name);
    w.EndObject();
  }
  w.EndArray();
  key(w, "notices"), strings(w, s.notices);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace tmpl
