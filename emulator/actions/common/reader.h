// Reading a page of items for Query and Scan: a key range of the table or of an index, in
// either direction, from an exclusive start key, up to Limit items or 1 MB, with the filter,
// the projection and Select applied as DynamoDB applies them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actions/common/expressions.h"
#include "actions/common/options.h"
#include "api/call.h"
#include "api/request.h"
#include "expr/ast.h"
#include "model/json.h"
#include "model/table.h"

namespace ddb::actions {

struct ReadSpec {
  const model::TableDef* table = nullptr;
  const model::IndexDef* index = nullptr;  // nullptr: the table itself
  std::string lower, upper;                // key range [lower, upper)
  bool forward = true;
  std::optional<std::string> exclusive_start;        // a stored key
  int64_t limit = 0;                                 // 0: none
  std::function<bool(const model::Item&)> in_range;  // exact key condition / segment test
  bool range_is_exact = false;  // the key range alone selects exactly: in_range can be skipped
  std::optional<expr::Node> filter;
  std::optional<std::vector<expr::Path>> projection;
  bool select_list = false;  // the projection is a PartiQL SELECT list (partiql::select_list)
  bool count_only = false;
  bool fetch_from_table = false;  // LSI with Select ALL_ATTRIBUTES beyond its projection
  bool consistent = false;
};

// The Select, projection, Limit, ExclusiveStartKey, ConsistentRead, ReturnConsumedCapacity and
// filter members shared by Query and Scan, read in DynamoDB's order of faults: first the
// constraint list (with the operation's own constraints already in `c`), then the expressions
// (`expression_members`; `filter_legacy` is "QueryFilter" or "ScanFilter") and the checks that
// need no table; bind_table() then looks the table up (ResourceNotFoundException) and checks
// the index and the ExclusiveStartKey against it.
struct CommonRead {
  storage::TablePtr table;
  CapacityDetail consumed_capacity = CapacityDetail::None;
  std::optional<model::Item> start_key;
  std::optional<Expressions> expressions;
  std::optional<expr::Node> key_condition;  // Query's KeyConditionExpression, bound
};
// The constraints of a ScanFilter, QueryFilter or KeyConditions map `member` (its lowerCamel
// `path`): each entry's ComparisonOperator is required and one of the thirteen, reported in
// the constraint list ("Value null at 'scanFilter.a.member.comparisonOperator' failed to
// satisfy constraint: Member must not be null"), as dynalite's test/scan.js and test/query.js
// record DynamoDB's answers.
void condition_map_constraints(const model::Json& body, const char* member, const std::string& path,
                               api::Constraints& c);
// `before_expressions`: the operation's own checks, made after the start key's values and
// before the placeholder maps and the expressions.
CommonRead read_request(const api::Call& call, ReadSpec& spec, api::Constraints& c,
                        std::initializer_list<const char*> expression_members,
                        const char* filter_legacy,
                        const std::function<void()>& before_expressions = {});
void bind_table(const api::Call& call, ReadSpec& spec, CommonRead& common, bool query);

// Query's key range (query.cc) from a bound KeyConditionExpression, checked as Query checks
// it: spec.lower, upper, in_range and range_is_exact; `start_key` must lie within it.
void query_key_range(ReadSpec& spec, const expr::Node& key_condition,
                     const std::optional<model::Item>& start_key);

// Runs the read and renders {"Items", "Count", "ScannedCount", "LastEvaluatedKey", ...}.
std::string read_page(const api::Call& call, const ReadSpec& spec,
                      CapacityDetail consumed_capacity);

// The size an item counts for against a page's 1 MB (not its DynamoDB item size): each
// attribute name counts one byte, values carry a length prefix, and every started 3 KB adds
// a record overhead that includes the table's sort key value (`range_key`, "" for none).
// The rule that reproduces where DynamoDB's pages end for items near the limit.
size_t page_size(std::string_view stored_item, std::string_view range_key);

// The key just past every key that starts with `prefix`.
std::string prefix_end(std::string prefix);

}  // namespace ddb::actions
