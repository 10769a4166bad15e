#include "api/request.h"

#include "api/error.h"

namespace ddb::api {

Throughput read_throughput(const model::Json& j, const std::string& path, Constraints& c) {
  Throughput t{model::get_integer(j, "ReadCapacityUnits"),
               model::get_integer(j, "WriteCapacityUnits")};
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

void Constraints::unshown(const std::string& path, const std::string& constraint) {
  if (errors_.size() >= 10) return;
  errors_.push_back("Value at '" + path + "' failed to satisfy constraint: " + constraint);
}

void Constraints::not_null(const std::string& path, bool present) {
  if (!present) add(path, std::nullopt, "Member must not be null");
}

void Constraints::length(const std::string& path, std::optional<std::string_view> v, size_t min,
                         size_t max) {
  if (!v) return;
  if (v->size() < min)
    add(path, v, "Member must have length greater than or equal to " + std::to_string(min));
  else if (v->size() > max)
    add(path, v, "Member must have length less than or equal to " + std::to_string(max));
}

void Constraints::count(const std::string& path, const model::Json* list, size_t min, size_t max,
                        std::string_view shown) {
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
  // The member is the TableArn shape (1-1024 characters); a name is then held to a table
  // name's rules, an ARN is parsed where the table is looked up.
  if (v && (v->empty() || v->starts_with("arn:"))) return length(path, v, 1, 1024);
  new_table_name(path, v);
}

void Constraints::new_table_name(const std::string& path, std::optional<std::string_view> v) {
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

}  // namespace ddb::api
