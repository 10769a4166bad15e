// The pre-expression parameters real code still sends, translated into the same trees the
// expressions produce: Expected (+ ConditionalOperator), AttributeUpdates, AttributesToGet.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "expr/ast.h"
#include "model/json.h"

namespace ddb::expr {

// nullopt for an empty Expected map, which imposes nothing. `filter`: the map is a ScanFilter
// or QueryFilter, whose entries are Conditions (AttributeValueList and ComparisonOperator only).
std::optional<Node> condition_from_expected(const model::Json& expected,
                                            std::optional<std::string_view> conditional_operator,
                                            bool filter = false);
Update update_from_attribute_updates(const model::Json& updates);
std::vector<Path> paths_from_attributes_to_get(const model::Json& names);

// A legacy ComparisonOperator's values of a type it cannot compare ("ComparisonOperator LT is
// not valid for SS AttributeValue type"): the ordering operators and IN take S, N and B,
// BEGINS_WITH S and B, CONTAINS and NOT_CONTAINS S, N, B, BOOL and NULL. The types of each
// operator are those of DynamoDB's ComparisonOperator reference
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html), and its
// refusals those dynalite's tests (test/scan.js, test/query.js) record from DynamoDB for every
// other type.
void check_operator_types(std::string_view op, const std::vector<model::Value>& args);
// A legacy condition's values checked as DynamoDB checks them before it looks the table up, in
// its order: the number the operator takes ("Invalid number of argument(s) for the EQ
// ComparisonOperator"), one type for all, the operator's types (check_operator_types), and
// BETWEEN's bounds in order. `op` is one of the thirteen ComparisonOperators. dynalite's
// test/scan.js and test/query.js record these answers from DynamoDB for ScanFilter, QueryFilter
// and KeyConditions on a table that does not exist.
void check_comparison(std::string_view op, const std::vector<model::Value>& args);

}  // namespace ddb::expr
