#include "model/json.h"

#include "model/error.h"

namespace ddb::model {
namespace {
const Json* member(const Json& obj, const char* name) {
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

std::optional<std::string_view> get_string(const Json& obj, const char* name) {
  const Json* m = member(obj, name);
  if (!m) return std::nullopt;
  if (!m->IsString()) wrong_json_type(*m, "String");
  return view(*m);
}

std::optional<int64_t> get_integer(const Json& obj, const char* name) {
  const Json* m = member(obj, name);
  if (!m) return std::nullopt;
  if (!m->IsNumber()) wrong_json_type(*m, "Long");
  if (m->IsInt64()) return m->GetInt64();
  if (m->IsUint64()) return INT64_MAX;
  // A fraction is truncated; a magnitude beyond a Long is held at its bound (casting it
  // would be undefined).
  double d = m->GetDouble();
  if (d >= 9.2e18) return INT64_MAX;
  if (d <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

std::optional<bool> get_bool(const Json& obj, const char* name) {
  const Json* m = member(obj, name);
  if (!m) return std::nullopt;
  auto b = boolean_of(*m);
  if (!b) wrong_json_type(*m, "Boolean");
  return b;
}

const Json* get_object(const Json& obj, const char* name) {
  const Json* m = member(obj, name);
  if (m && !m->IsObject())
    fail(Code::Serialization, m->IsArray() ? "UnknownError" : "Unexpected field type");
  return m;
}

const Json* get_array(const Json& obj, const char* name) {
  const Json* m = member(obj, name);
  if (m && !m->IsArray())
    fail(Code::Serialization, m->IsObject() ? "Start of structure or map found where not expected"
                                            : "Unexpected field type");
  return m;
}

}  // namespace ddb::model
