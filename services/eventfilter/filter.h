// Lambda's event filtering: the FilterCriteria of an event source mapping, and the filter
// patterns in it, matched against records as Lambda delivers them to the function.
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
//
// A mapping's FilterCriteria is {"Filters": [{"Pattern": "<JSON text>"}, ...]}, at most 5 filters
// (Lambda's default quota; 10 on request). A record is delivered when ANY pattern matches it;
// without filters every record is delivered. Lambda's rule syntax is EventBridge's
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
//
//   {"eventName": ["INSERT", "MODIFY"],               OR across the values of one array,
//    "dynamodb": {"NewImage": {"kind": {"S": [..]}}}}  AND across keys, objects nest
//
// A pattern is a JSON object whose members are objects (a nested level of the record) or
// non-empty arrays of rules; "$or": [{...}, {...}] (two objects or more) matches when one of
// its objects does, at the level it appears. The rules of an array:
//   "x", 5, true, false, null   equals: the same string, the same literal; a number equals a
//                               number with the same text (Lambda compares numbers by their
//                               string representation: 300, 300.0 and 3.0e2 differ)
//   ""                          the empty string
//   {"prefix": "us-"}           {"suffix": ".png"}    (strings only)
//   {"prefix": {"equals-ignore-case": "x"}}  {"suffix": {"equals-ignore-case": "x"}}
//   {"equals-ignore-case": "x"}
//   {"anything-but": "x" | 5 | ["x", "y"] | [1, 2]}   a value other than those (one type per list)
//   {"anything-but": {"prefix": "x"}}  {"anything-but": {"suffix": "x"}}
//   {"anything-but": {"equals-ignore-case": "x" | ["x", "y"]}}
//   {"numeric": ["=", 5]}  {"numeric": [">", 0, "<=", 5]}  {"numeric": ["<", 10]}  (JSON numbers)
//   {"exists": true}  {"exists": false}   whether the key holds a value (not an object: exists
//                                         works on leaves only, as on EventBridge)
// A record's array matches when one of its elements does (arrays in arrays are flattened); a
// nested pattern object matched against an array of objects needs one element to match all of
// it. A field the record lacks matches only {"exists": false}; anything-but needs a value.
//
// DynamoDB streams: patterns address the record as Lambda delivers it, so attribute values
// carry their type: {"dynamodb": {"NewImage": {"n": {"N": ["5"]}}}}. DynamoDB sends an "N" as a
// JSON string, so {"N": [{"numeric": [">", 4]}]} never matches: "numeric" applies to JSON
// numbers only, and AWS's DynamoDB filtering guide matches numbers by their text
// ("N": ["101"], https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
// #filtering-examples; users meet this in aws/serverless-application-model#3123). AWS's guide
// says DynamoDB mappings filter on the `dynamodb` key only
// (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html), but its own examples
// (CDK's FilterRule) filter on eventName too; this matcher filters on any key of the record.
//
// Differences from AWS: equals-ignore-case folds ASCII letters only; "wildcard", "cidr" and
// "exact" (EventBridge rules Lambda does not document) are rejected as unknown rules; a pattern
// nests at most 64 levels; the error reasons are this library's words after Lambda's
// "Invalid filter pattern definition." (InvalidParameterValueException on
// CreateEventSourceMapping).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventfilter {

// A pattern or FilterCriteria Lambda would refuse. The message starts with Lambda's
// "Invalid filter pattern definition." and names the place at fault.
struct FilterError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {
struct Node;
}

inline constexpr size_t kMaxPatternLength = 4096;  // API_Filter: Pattern, 0 to 4096 characters
inline constexpr size_t kDefaultMaxFilters = 5;    // Lambda's default quota per mapping

class Pattern {  // one filter's Pattern
 public:
  static Pattern parse(std::string_view pattern_json);  // throws FilterError
  bool matches(const rapidjson::Value& event) const;

 private:
  explicit Pattern(std::shared_ptr<const detail::Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const detail::Node> root_;  // immutable, so copies share it
};

class Criteria {  // a mapping's FilterCriteria
 public:
  // `filter_criteria_json`: the plan's filterCriteria member as JSON text: "null", "" or
  // {"Filters":[{"Pattern":"{...}"}, ...]}. Throws FilterError naming the filter at fault
  // ("Filters[1].Pattern: ..."). {} and {"Filters": []} have no filters, as on Lambda.
  static Criteria parse(std::string_view filter_criteria_json);
  static Criteria parse(std::string_view filter_criteria_json, size_t max_filters);
  bool empty() const { return filters_.empty(); }      // no filters: everything passes
  bool matches(const rapidjson::Value& record) const;  // any filter matches (true when empty)
  size_t size() const { return filters_.size(); }
  const std::vector<Pattern>& filters() const { return filters_; }

 private:
  std::vector<Pattern> filters_;
};

}  // namespace eventfilter
