#include "lambda/plan.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

namespace lambda {
namespace {

using rapidjson::Value;

std::invalid_argument bad(const std::string& where, const std::string& what) {
  return std::invalid_argument("plan: " + where + ": " + what);
}

std::string string_member(const Value& object, const char* key, const std::string& where,
                          bool required, std::string fallback = "") {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) {
    if (required) throw bad(where + "." + key, "missing");
    return fallback;
  }
  if (!it->value.IsString()) throw bad(where + "." + key, "not a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<int> int_member(const Value& object, const char* key, const std::string& where,
                              int min, int max) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsInt()) throw bad(where + "." + key, "not an integer");
  int value = it->value.GetInt();
  if (value < min || value > max) {
    throw bad(where + "." + key,
              "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

std::optional<bool> bool_member(const Value& object, const char* key, const std::string& where) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsBool()) throw bad(where + "." + key, "not a boolean");
  return it->value.GetBool();
}

// eventSourceMappings[i], with the ranges CreateEventSourceMapping enforces:
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
triggers::MappingConfig parse_mapping(const Value& m, const std::string& where, const Plan& plan) {
  if (!m.IsObject()) throw bad(where, "not an object");
  triggers::MappingConfig c;
  c.logical_id = string_member(m, "logicalId", where, true);
  if (c.logical_id.empty()) throw bad(where + ".logicalId", "empty");
  c.function = string_member(m, "function", where, true);
  bool known = false;
  for (const auto& f : plan.functions) known = known || f.name == c.function;
  if (!known) throw bad(where + ".function", "names no function of the plan: " + c.function);
  c.table_name = string_member(m, "tableName", where, true);
  if (c.table_name.empty()) throw bad(where + ".tableName", "empty");
  c.starting_position = string_member(m, "startingPosition", where, true);
  if (c.starting_position != "TRIM_HORIZON" && c.starting_position != "LATEST") {
    throw bad(where + ".startingPosition", "not TRIM_HORIZON or LATEST");
  }
  c.batch_size = int_member(m, "batchSize", where, 1, 10000).value_or(100);
  c.maximum_batching_window_in_seconds =
      int_member(m, "maximumBatchingWindowInSeconds", where, 0, 300).value_or(0);
  c.maximum_retry_attempts = int_member(m, "maximumRetryAttempts", where, -1, 10000).value_or(-1);
  c.maximum_record_age_in_seconds =
      int_member(m, "maximumRecordAgeInSeconds", where, -1, 604800).value_or(-1);
  if (c.maximum_record_age_in_seconds >= 0 && c.maximum_record_age_in_seconds < 60) {
    throw bad(where + ".maximumRecordAgeInSeconds", "neither -1 nor in [60, 604800]");
  }
  c.bisect_batch_on_function_error =
      bool_member(m, "bisectBatchOnFunctionError", where).value_or(false);
  auto types = m.FindMember("functionResponseTypes");
  if (types != m.MemberEnd() && !types->value.IsNull()) {
    if (!types->value.IsArray()) throw bad(where + ".functionResponseTypes", "not an array");
    for (const auto& t : types->value.GetArray()) {
      if (!t.IsString() || std::string(t.GetString()) != "ReportBatchItemFailures") {
        throw bad(where + ".functionResponseTypes", "only ReportBatchItemFailures is known");
      }
      c.report_batch_item_failures = true;
    }
  }
  auto filter = m.FindMember("filterCriteria");
  if (filter != m.MemberEnd()) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    filter->value.Accept(w);
    c.filter_criteria.assign(buffer.GetString(), buffer.GetSize());
  }
  c.parallelization_factor = int_member(m, "parallelizationFactor", where, 1, 10).value_or(1);
  c.enabled = bool_member(m, "enabled", where).value_or(true);
  return c;
}

}  // namespace

Plan parse_plan(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) throw bad("document", "not valid JSON");
  if (!doc.IsObject()) throw bad("document", "not an object");
  Plan plan;
  plan.region = string_member(doc, "region", "plan", false, plan.region);
  plan.account_id = string_member(doc, "accountId", "plan", false, plan.account_id);
  auto functions = doc.FindMember("functions");
  bool no_functions = functions == doc.MemberEnd() || functions->value.IsNull();
  if (!no_functions && !functions->value.IsArray()) throw bad("functions", "not an array");
  for (rapidjson::SizeType i = 0; !no_functions && i < functions->value.Size(); ++i) {
    const Value& f = functions->value[i];
    std::string where = "functions[" + std::to_string(i) + "]";
    if (!f.IsObject()) throw bad(where, "not an object");
    FunctionSpec spec;
    spec.name = string_member(f, "name", where, true);
    if (spec.name.empty()) throw bad(where + ".name", "empty");
    spec.arn = string_member(
        f, "arn", where, false,
        "arn:aws:lambda:" + plan.region + ":" + plan.account_id + ":function:" + spec.name);
    spec.runtime = string_member(f, "runtime", where, false, "provided.al2023");
    spec.handler = string_member(f, "handler", where, false, "bootstrap");
    spec.code_uri = string_member(f, "codeUri", where, true);
    // Lambda's limits: 1 s to 900 s, 128 MB to 10240 MB.
    spec.timeout_seconds = int_member(f, "timeout", where, 1, 900).value_or(3);
    spec.memory_mb = int_member(f, "memorySize", where, 128, 10240).value_or(128);
    spec.reserved_concurrency = int_member(f, "reservedConcurrency", where, 0, 1000000);
    auto env = f.FindMember("environment");
    if (env != f.MemberEnd() && !env->value.IsNull()) {
      if (!env->value.IsObject()) throw bad(where + ".environment", "not an object");
      for (const auto& member : env->value.GetObject()) {
        std::string key(member.name.GetString(), member.name.GetStringLength());
        if (!member.value.IsString()) throw bad(where + ".environment." + key, "not a string");
        spec.environment.emplace_back(
            key, std::string(member.value.GetString(), member.value.GetStringLength()));
      }
    }
    for (const auto& other : plan.functions) {
      if (other.name == spec.name) throw bad(where + ".name", "duplicate " + spec.name);
    }
    plan.functions.push_back(std::move(spec));
  }
  auto mappings = doc.FindMember("eventSourceMappings");
  if (mappings != doc.MemberEnd() && !mappings->value.IsNull()) {
    if (!mappings->value.IsArray()) throw bad("eventSourceMappings", "not an array");
    for (rapidjson::SizeType i = 0; i < mappings->value.Size(); ++i) {
      std::string where = "eventSourceMappings[" + std::to_string(i) + "]";
      triggers::MappingConfig c = parse_mapping(mappings->value[i], where, plan);
      for (const auto& other : plan.mappings) {
        if (other.logical_id == c.logical_id) {
          throw bad(where + ".logicalId", "duplicate " + c.logical_id);
        }
      }
      plan.mappings.push_back(std::move(c));
    }
  }
  for (auto [key, ids] : {std::pair{"websocketApis", &plan.websocket_api_ids},
                          std::pair{"httpApis", &plan.http_api_ids}}) {
    auto apis = doc.FindMember(key);
    if (apis == doc.MemberEnd() || apis->value.IsNull()) continue;
    if (!apis->value.IsArray()) throw bad(key, "not an array");
    for (rapidjson::SizeType i = 0; i < apis->value.Size(); ++i) {
      std::string where = std::string(key) + "[" + std::to_string(i) + "]";
      if (!apis->value[i].IsObject()) throw bad(where, "not an object");
      std::string id = string_member(apis->value[i], "apiId", where, false);
      if (!id.empty()) ids->push_back(std::move(id));
    }
  }
  return plan;
}

}  // namespace lambda
