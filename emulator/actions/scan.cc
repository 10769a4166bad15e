// Scan: every item of the table or index, paged, filtered and projected by the shared
// reader; parallel scans split the items by a hash of their partition key.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
#include "actions/actions.h"
#include "actions/common/expressions.h"
#include "actions/common/reader.h"
#include "api/request.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

// FNV-1a over the partition key's type and bytes: stable across restarts and platforms.
uint64_t partition_hash(const model::Value& v) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](unsigned char c) {
    h ^= c;
    h *= 1099511628211ULL;
  };
  mix(static_cast<unsigned char>(v.type));
  for (char c : v.scalar) mix(static_cast<unsigned char>(c));
  return h;
}

}  // namespace

void scan(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto segment = model::get_integer(body, "Segment");
  auto total = model::get_integer(body, "TotalSegments");
  api::Constraints c;
  c.at_least("segment", segment, 0);
  c.at_most("segment", segment, 999999);
  c.at_least("totalSegments", total, 1);
  c.at_most("totalSegments", total, 1000000);
  ReadSpec spec;
  CommonRead common =
      read_request(*call, spec, c, {"ProjectionExpression", "FilterExpression"}, "ScanFilter", [&] {
        if (total && !segment)
          invalid(
              "The Segment parameter is required but was not present in the request when "
              "parameter TotalSegments is present");
        if (segment && !total)
          invalid(
              "The TotalSegments parameter is required but was not present in the request when "
              "Segment parameter is present");
        if (segment && *segment >= *total)
          invalid(
              "The Segment parameter is zero-based and must be less than parameter "
              "TotalSegments: Segment: " +
              std::to_string(*segment) +
              " is not less than TotalSegments: " + std::to_string(*total));
      });
  common.expressions->finish();
  bind_table(*call, spec, common, /*query=*/false);
  spec.lower = storage::table_prefix(spec.index ? spec.index->id : spec.table->id);
  spec.upper = prefix_end(spec.lower);
  if (total && *total > 1) {
    std::string hash_name = spec.index ? spec.index->hash.name : spec.table->hash.name;
    uint64_t n = static_cast<uint64_t>(*total), mine = static_cast<uint64_t>(*segment);
    spec.in_range = [hash_name, n, mine](const model::Item& item) {
      auto it = item.find(hash_name);
      return it != item.end() && partition_hash(it->second) % n == mine;
    };
    if (common.start_key && !spec.in_range(*common.start_key))
      invalid(
          "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
          "ExclusiveStartKey with correct Segment. TotalSegments: " +
          std::to_string(*total) + " Segment: " + std::to_string(*segment));
  }
  call->reply(read_page(*call, spec, common.consumed_capacity));
}

}  // namespace ddb::actions
