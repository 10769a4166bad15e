// A table's definition as CreateTable declared it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/value.h"

namespace model {

struct KeyAttribute {
  std::string name;
  Type type = Type::S;  // S, N or B
};

struct IndexDef {
  enum class Projection { All, KeysOnly, Include };
  std::string name;
  bool global = true;        // GSI, else LSI
  uint64_t id = 0;           // internal, prefixes the index's entries
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  Projection projection = Projection::All;
  std::vector<std::string> non_key_attributes;  // INCLUDE
  bool backfilling = false;  // added by UpdateTable, entries still being written
  int64_t read_capacity = 0, write_capacity = 0;
};

const char* projection_name(IndexDef::Projection p);

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
  std::vector<IndexDef> indexes;

  std::string arn() const {
    return "arn:aws:dynamodb:" + region + ":000000000000:table/" + name;
  }
  const IndexDef* index(std::string_view index_name) const {
    for (const auto& i : indexes)
      if (i.name == index_name) return &i;
    return nullptr;
  }
  bool is_key(std::string_view attribute) const {
    return attribute == hash.name || (range && attribute == range->name);
  }
};

}  // namespace model
