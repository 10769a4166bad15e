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

}  // namespace ddb::expr
