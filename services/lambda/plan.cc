#include "lambda/plan.h"

#include <rapidjson/document.h>

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
  if (functions == doc.MemberEnd() || functions->value.IsNull()) return plan;
  if (!functions->value.IsArray()) throw bad("functions", "not an array");
  for (rapidjson::SizeType i = 0; i < functions->value.Size(); ++i) {
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
  return plan;
}

}  // namespace lambda
