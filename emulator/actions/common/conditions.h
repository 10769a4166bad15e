// Checking a write's condition against the item it would replace.
#pragma once

#include <optional>
#include <string_view>

#include "expr/ast.h"
#include "model/json.h"
#include "model/value.h"

namespace ddb::actions {

// Reads ReturnValuesOnConditionCheckFailure: true for ALL_OLD.
bool return_item_on_failure(const model::Json& body);

// Throws ConditionalCheckFailedException ("The conditional request failed") when the
// condition does not hold for `old` (nullptr: no item), carrying the old item when asked.
void require(const std::optional<expr::Node>& condition, const model::Item* old, bool return_item);

}  // namespace ddb::actions
