// A table's definition as CreateTable declared it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/value.h"

namespace ddb::model {

struct KeyAttribute {
  std::string name;
  Type type = Type::S;  // S, N or B
};

struct IndexDef {
  enum class Projection { All, KeysOnly, Include };
  std::string name;
  bool global = true;  // GSI, else LSI
  uint64_t id = 0;     // internal, prefixes the index's entries
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  Projection projection = Projection::All;
  std::vector<std::string> non_key_attributes;  // INCLUDE
  bool backfilling = false;                     // added by UpdateTable, entries still being written
  int64_t read_capacity = 0, write_capacity = 0;
};

const char* projection_name(IndexDef::Projection p);

// One shard of a stream: a contiguous range of sequence numbers. Only the newest shard of a
// stream is open; rolling over closes it and opens its child.
struct ShardDef {
  std::string id;
  std::string parent;      // "" for the first shard
  uint64_t first_seq = 0;  // the first sequence number it may hold
  uint64_t last_seq = 0;   // when closed: the last one it holds (0 = open)
  int64_t created_ms = 0;
  bool open() const { return last_seq == 0; }
};

// A DynamoDB stream of a table. Disabling a table's stream keeps it readable (DISABLED)
// until its records age out; enabling again creates a new stream.
struct StreamDef {
  uint64_t id = 0;
  uint64_t table_id = 0;
  std::string space, table_name, region;
  std::string label;      // the stream label: its creation time, ISO 8601
  std::string view_type;  // KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES
  bool enabled = true;
  int64_t created_ms = 0, disabled_ms = 0;
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  std::vector<ShardDef> shards;
  uint64_t trimmed_through = 0;  // every record up to this sequence number was trimmed

  std::string arn() const {
    return "arn:aws:dynamodb:" + region + ":000000000000:table/" + table_name + "/stream/" + label;
  }
};

struct TableDef {
  uint64_t id = 0;    // internal, never reused; prefixes every stored key of the table
  std::string space;  // the namespace: "<access key>_<region>", or "" with -sharedDb
  std::string name;
  std::string region;    // for the ARN
  std::string table_id;  // the public TableId (a UUID)
  double created = 0;    // CreationDateTime, epoch seconds
  KeyAttribute hash;
  std::optional<KeyAttribute> range;
  std::vector<KeyAttribute> attribute_definitions;  // in request order
  bool on_demand = false;                           // BillingMode PAY_PER_REQUEST
  int64_t read_capacity = 0, write_capacity = 0;
  std::vector<IndexDef> indexes;
  uint64_t stream_id = 0;         // the enabled stream, 0 when streams are off
  uint64_t latest_stream_id = 0;  // the newest stream, enabled or not (LatestStreamArn)
  std::string latest_stream_label;
  std::string stream_view_type;  // of the enabled stream
  std::string ttl_attribute;     // TTL is enabled when not empty
  bool ttl_indexing = false;     // existing items are still being added to the expiry index
  uint64_t ttl_generation = 0;   // counts enables, so that indexing begun before a disable stops
  // Tags (TagResource, CreateTable's Tags) in the order they were first set.
  std::vector<std::pair<std::string, std::string>> tags;
  bool deletion_protection = false;  // DeletionProtectionEnabled
  // Point-in-time recovery as a setting (UpdateContinuousBackups); no backups are kept.
  bool pitr_enabled = false;
  double pitr_enabled_at = 0;  // epoch seconds when it was last enabled
  int pitr_recovery_days = 35;

  // Whether a write must know the item it replaces: indexes, streams and TTL all do.
  bool needs_old_item() const { return !indexes.empty() || stream_id || !ttl_attribute.empty(); }

  std::string arn() const { return "arn:aws:dynamodb:" + region + ":000000000000:table/" + name; }
  const IndexDef* index(std::string_view index_name) const {
    for (const auto& i : indexes)
      if (i.name == index_name) return &i;
    return nullptr;
  }
  bool is_key(std::string_view attribute) const {
    return attribute == hash.name || (range && attribute == range->name);
  }
};

}  // namespace ddb::model
