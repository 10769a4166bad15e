// Shared by the table and item actions: finding a table, describing it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "model/json.h"
#include "storage/catalog.h"

namespace ddb::actions {

// The table name a TableName stands for: itself, or the name in a table ARN of the caller's
// account and region (the ARN's form checked as TagResource checks it; another account's is
// AccessDeniedException).
std::string_view table_of_name(const api::Call& call, std::string_view name);
// The table an item operation names (by name or ARN); ResourceNotFoundException as DynamoDB
// words it.
storage::TablePtr table_for_items(const api::Call& call, std::string_view name);
// The table a table operation names: "Requested resource not found: Table: x not found".
storage::TablePtr table_for_describe(const api::Call& call, std::string_view name);

// The table a ResourceArn names (TagResource, UntagResource, ListTagsOfResource): the ARN's
// form checked as DynamoDB checks it, then ResourceNotFoundException for a table that does not
// exist in the caller's account and region.
storage::TablePtr table_for_arn(const api::Call& call, std::string_view arn);

// The TableName of the operations whose TableName may also be the table's ARN (the TableArn
// shape: 1-1024 characters), validated; the table's name.
std::string table_name_or_arn(const api::Call& call);

// Validates TableName as every operation does, returning it.
// TableName as DescribeTable and DeleteTable read it: their own messages for a missing name
// and one of the wrong length, then the constraint list.
std::string_view described_table_name(const api::Call& call);
std::string_view required_table_name(const api::Call& call);

// Reads a StreamSpecification ({StreamEnabled, StreamViewType}); returns the view type
// when it enables a stream, "" when it disables streams, nullopt when absent.
std::optional<std::string> stream_specification(const model::Json& body);
// Enables a stream on `def` (a new stream with its first shard) or disables its stream.
void set_stream(storage::Txn& txn, storage::Database& db, model::TableDef& def,
                const std::string& view_type);

// A TableDescription object as DescribeTable, CreateTable and DeleteTable return it;
// `stats` gives the counters of the table and of each index by id.
using StatsOf = std::function<storage::TableStats(uint64_t id)>;
// `updating`: the global indexes whose throughput the request changes (IndexStatus UPDATING).
void write_table_description(model::JsonWriter& w, const model::TableDef& t, const StatsOf& stats,
                             const char* status, const std::vector<std::string>& updating = {});

}  // namespace ddb::actions
