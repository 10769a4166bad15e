// Typed reads of resolved values, and Props: a resource's properties read one at a time.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "template/context.h"

namespace tmpl::detail {

void fail(const std::string& path, const std::string& message) {
  throw TemplateError("template: " + path + ": " + message);
}

std::string describe(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Bool: return v.boolean ? "true" : "false";
    case Value::Kind::Number: return v.text;
    case Value::Kind::String: return "\"" + v.text + "\"";
    case Value::Kind::List: return "a list";
    case Value::Kind::Map: return "a map";
  }
  return "?";
}

std::string as_string(const Value& v, const std::string& path) {
  switch (v.kind) {
    case Value::Kind::String:
    case Value::Kind::Number: return v.text;
    case Value::Kind::Bool: return v.boolean ? "true" : "false";
    default: fail(path, "expected a string, got " + describe(v));
  }
}

int as_int(const Value& v, const std::string& path) {
  if (v.kind == Value::Kind::Number || v.kind == Value::Kind::String) {
    const std::string& s = v.text;
    int out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size()) return out;
    // "10.0" is a whole number too.
    double d = 0;
    auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (dec == std::errc() && dend == s.data() + s.size() && d == std::floor(d) &&
        std::abs(d) < 2e9) {
      return static_cast<int>(d);
    }
  }
  fail(path, "expected a number, got " + describe(v));
}

bool as_bool(const Value& v, const std::string& path) {
  if (v.kind == Value::Kind::Bool) return v.boolean;
  if (v.kind == Value::Kind::String) {
    std::string lower = v.text;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "true") return true;
    if (lower == "false") return false;
  }
  fail(path, "expected a boolean, got " + describe(v));
}

std::vector<std::string> as_strings(const Value& v, const std::string& path) {
  const Value& list = as_list(v, path);
  std::vector<std::string> out;
  for (size_t i = 0; i < list.list.size(); ++i) {
    out.push_back(as_string(list.list[i], path + "[" + std::to_string(i) + "]"));
  }
  return out;
}

const Value& as_map(const Value& v, const std::string& path) {
  if (!v.is_map()) fail(path, "expected a map, got " + describe(v));
  return v;
}

const Value& as_list(const Value& v, const std::string& path) {
  if (!v.is_list()) fail(path, "expected a list, got " + describe(v));
  return v;
}

Props::Props(Context& ctx, const Resource& r) : ctx_(ctx), r_(r) {
  if (!r.properties.is_map() && !r.properties.is_null()) {
    fail("Resources." + r.logical_id + ".Properties",
         "expected a map, got " + describe(r.properties));
  }
}

std::string Props::path(const std::string& name) const {
  return "Resources." + r_.logical_id + ".Properties." + name;
}

const Value* Props::get(const std::string& name) {
  auto it = resolved_.find(name);
  if (it == resolved_.end()) {
    const Value* raw = r_.properties.find(name);
    std::optional<Value> value;
    if (raw) value = ctx_.resolve(*raw, path(name));
    // A property that resolves to null (or AWS::NoValue) is as good as absent.
    if (value && value->is_null()) value.reset();
    it = resolved_.emplace(name, std::move(value)).first;
  }
  return it->second ? &*it->second : nullptr;
}

const Value& Props::require(const std::string& name) {
  const Value* v = get(name);
  if (!v) fail(path(name), "required property is missing");
  return *v;
}

std::optional<std::string> Props::string(const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  return as_string(*v, path(name));
}

std::optional<int> Props::integer(const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  return as_int(*v, path(name));
}

std::optional<bool> Props::boolean(const std::string& name) {
  const Value* v = get(name);
  if (!v) return std::nullopt;
  return as_bool(*v, path(name));
}

void Props::finish(const std::vector<std::string>& accepted) {
  for (const auto& [name, value] : r_.properties.map) {
    if (resolved_.count(name)) continue;
    if (std::find(accepted.begin(), accepted.end(), name) != accepted.end()) {
      ctx_.notice(r_, name + " accepted, not enforced");
    } else {
      ctx_.notice(r_, "property " + name + " is not supported, skipped");
    }
  }
}

}  // namespace tmpl::detail
