// The pre-expression parameters real code still sends, translated into the same trees the
// expressions produce: Expected (+ ConditionalOperator), AttributeUpdates, AttributesToGet.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "expr/ast.h"
#include "model/json.h"

namespace ddb::expr {

// nullopt for an empty Expected map, which imposes nothing.
std::optional<Node> condition_from_expected(const model::Json& expected,
                                            std::optional<std::string_view> conditional_operator);
Update update_from_attribute_updates(const model::Json& updates);
std::vector<Path> paths_from_attributes_to_get(const model::Json& names);

// A legacy ComparisonOperator's values of a type it cannot compare ("ComparisonOperator LT is
// not valid for SS AttributeValue type"): the ordering operators take S, N and B,
// BEGINS_WITH S and B, CONTAINS and NOT_CONTAINS S, N, B, BOOL and NULL.
void check_operator_types(std::string_view op, const std::vector<model::Value>& args);

}  // namespace ddb::expr
