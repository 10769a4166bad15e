// Validating requests the way DynamoDB's validator does: constraint violations are collected
// and reported together as "N validation errors detected: ...". (The typed member readers,
// where a member of the wrong JSON kind is a SerializationException, are in model/json.h.)
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/json.h"

namespace ddb::api {

class Constraints;

// A ProvisionedThroughput member at `path`, with its constraints added to `c`.
struct Throughput {
  std::optional<int64_t> read, write;
};
Throughput read_throughput(const model::Json& j, const std::string& path, Constraints& c);
// Refuses capacity units beyond DynamoDB's bound ("Given value ... is out of bounds").
void check_capacity_bounds(const Throughput& t);

class Constraints {
 public:
  // `path` is the member's path in lowerCamelCase, as DynamoDB names it: "tableName",
  // "keySchema.1.member.keyType".
  void not_null(const std::string& path, bool present);
  void length(const std::string& path, std::optional<std::string_view> value, size_t min,
              size_t max);
  void count(const std::string& path, const model::Json* list, size_t min, size_t max,
             std::string_view shown);
  void pattern_name(const std::string& path, std::optional<std::string_view> value);
  void one_of(const std::string& path, std::optional<std::string_view> value,
              std::initializer_list<const char*> allowed);
  void at_least(const std::string& path, std::optional<int64_t> value, int64_t min);
  void at_most(const std::string& path, std::optional<int64_t> value, int64_t max);
  // "Value at 'Path' failed to satisfy constraint: ...": the newer form some members are
  // reported in, with the member's own name and no value.
  void unshown(const std::string& path, const std::string& constraint);
  // Throws the collected errors, if any.
  void check() const;

  // Table names: 3-255 characters of [a-zA-Z0-9_.-]. Where a table's ARN may stand for its
  // name (every operation but CreateTable), the member is 1-1024 characters long, so an empty
  // one fails that minimum
  // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).
  void table_name(const std::string& path, std::optional<std::string_view> value);
  void new_table_name(const std::string& path, std::optional<std::string_view> value);

 private:
  void add(const std::string& path, std::optional<std::string_view> shown,
           const std::string& constraint);
  std::vector<std::string> errors_;
};

}  // namespace ddb::api
