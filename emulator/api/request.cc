#include "api/request.h"

#include "api/error.h"

namespace api {
namespace {
const model::Json* member(const model::Json& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}
}  // namespace

bool too_deep(std::string_view json) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

std::optional<std::string_view> get_string(const model::Json& obj, const char* name) {
  const model::Json* m = member(obj, name);
  if (!m) return std::nullopt;
  if (!m->IsString()) model::wrong_json_type(*m, "String");
  return model::view(*m);
}

std::optional<int64_t> get_integer(const model::Json& obj, const char* name) {
  const model::Json* m = member(obj, name);
  if (!m) return std::nullopt;
  if (!m->IsNumber()) model::wrong_json_type(*m, "Long");
  if (m->IsInt64()) return m->GetInt64();
  if (m->IsUint64()) return INT64_MAX;
  // A fraction is truncated; a magnitude beyond a Long is held at its bound (casting it
  // would be undefined).
  double d = m->GetDouble();
  if (d >= 9.2e18) return INT64_MAX;
  if (d <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

std::optional<bool> get_bool(const model::Json& obj, const char* name) {
  const model::Json* m = member(obj, name);
  if (!m) return std::nullopt;
  if (!m->IsBool()) model::wrong_json_type(*m, "Boolean");
  return m->GetBool();
}

const model::Json* get_object(const model::Json& obj, const char* name) {
  const model::Json* m = member(obj, name);
  if (m && !m->IsObject()) {
    if (m->IsArray()) fail(Code::Serialization, "Start of list found where not expected");
    fail(Code::Serialization, "Expected map or null");
  }
  return m;
}

const model::Json* get_array(const model::Json& obj, const char* name) {
  const model::Json* m = member(obj, name);
  if (m && !m->IsArray()) {
    if (m->IsObject())
      fail(Code::Serialization, "Start of structure or map found where not expected.");
    fail(Code::Serialization, "Expected list or null");
  }
  return m;
}

Throughput read_throughput(const model::Json& j, const std::string& path, Constraints& c) {
  Throughput t{get_integer(j, "ReadCapacityUnits"), get_integer(j, "WriteCapacityUnits")};
  c.not_null(path + ".writeCapacityUnits", t.write.has_value());
  c.at_least(path + ".writeCapacityUnits", t.write, 1);
  c.not_null(path + ".readCapacityUnits", t.read.has_value());
  c.at_least(path + ".readCapacityUnits", t.read, 1);
  return t;
}

void check_capacity_bounds(const Throughput& t) {
  constexpr int64_t kMaxCapacity = 1000000000000;
  if (t.read && *t.read > kMaxCapacity)
    invalid("Given value " + std::to_string(*t.read) + " for ReadCapacityUnits is out of bounds");
  if (t.write && *t.write > kMaxCapacity)
    invalid("Given value " + std::to_string(*t.write) + " for WriteCapacityUnits is out of bounds");
}

void Constraints::add(const std::string& path, std::optional<std::string_view> shown,
                      const std::string& constraint) {
  if (errors_.size() >= 10) return;
  std::string value = shown ? "'" + std::string(*shown) + "'" : "null";
  errors_.push_back("Value " + value + " at '" + path +
                    "' failed to satisfy constraint: " + constraint);
}

void Constraints::not_null(const std::string& path, bool present) {
  if (!present) add(path, std::nullopt, "Member must not be null");
}

void Constraints::length(const std::string& path, std::optional<std::string_view> v,
                         size_t min, size_t max) {
  if (!v) return;
  if (v->size() < min)
    add(path, v, "Member must have length greater than or equal to " + std::to_string(min));
  else if (v->size() > max)
    add(path, v, "Member must have length less than or equal to " + std::to_string(max));
}

void Constraints::count(const std::string& path, const model::Json* list, size_t min,
                        size_t max, std::string_view shown) {
  if (!list) return;
  size_t n = list->IsArray() ? list->Size() : list->MemberCount();
  if (n < min)
    add(path, shown, "Member must have length greater than or equal to " + std::to_string(min));
  else if (n > max)
    add(path, shown, "Member must have length less than or equal to " + std::to_string(max));
}

void Constraints::pattern_name(const std::string& path, std::optional<std::string_view> v) {
  if (!v) return;
  for (char c : *v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) {
      add(path, v, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
      return;
    }
  }
}

void Constraints::table_name(const std::string& path, std::optional<std::string_view> v) {
  not_null(path, v.has_value());
  pattern_name(path, v);
  length(path, v, 3, 255);
}

void Constraints::one_of(const std::string& path, std::optional<std::string_view> v,
                         std::initializer_list<const char*> allowed) {
  if (!v) return;
  std::string set;
  for (const char* a : allowed) {
    if (*v == a) return;
    set += set.empty() ? "" : ", ";
    set += a;
  }
  add(path, v, "Member must satisfy enum value set: [" + set + "]");
}

void Constraints::at_least(const std::string& path, std::optional<int64_t> v, int64_t min) {
  if (v && *v < min) {
    std::string s = std::to_string(*v);
    add(path, s, "Member must have value greater than or equal to " + std::to_string(min));
  }
}

void Constraints::at_most(const std::string& path, std::optional<int64_t> v, int64_t max) {
  if (v && *v > max) {
    std::string s = std::to_string(*v);
    add(path, s, "Member must have value less than or equal to " + std::to_string(max));
  }
}

void Constraints::check() const {
  if (errors_.empty()) return;
  std::string msg = std::to_string(errors_.size()) + " validation error" +
                    (errors_.size() > 1 ? "s" : "") + " detected: ";
  for (size_t i = 0; i < errors_.size(); ++i) msg += (i ? "; " : "") + errors_[i];
  invalid(msg);
}

}  // namespace api
