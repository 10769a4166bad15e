// A table's definition as CreateTable declared it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/value.h"

namespace model {

struct KeyAttribute {
  std::string name;
  Type type = Type::S;  // S, N or B
};

struct TableDef {
  uint64_t id = 0;         // internal, never reused; prefixes every stored key of the table
  std::string space;       // the namespace: "<access key>_<region>", or "" with -sharedDb
  std::string name;
  std::string region;      // for the ARN
  std::string table_id;    // the public TableId (a UUID)
  double created = 0;      // CreationDateTime, epoch seconds
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  std::vector<KeyAttribute> attribute_definitions;  // in request order
  bool on_demand = false;  // BillingMode PAY_PER_REQUEST
  int64_t read_capacity = 0, write_capacity = 0;

  std::string arn() const {
    return "arn:aws:dynamodb:" + region + ":000000000000:table/" + name;
  }
};

}  // namespace model
