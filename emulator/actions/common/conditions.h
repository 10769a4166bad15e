// Checking a write's condition against the item it would replace.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/request.h"
#include "expr/ast.h"
#include "model/json.h"
#include "model/value.h"

namespace ddb::actions {

// Reads ReturnValuesOnConditionCheckFailure (ALL_OLD | NONE), adding its constraint to `c`
// at `path` ("returnValuesOnConditionCheckFailure", or a transaction item's member path):
// true for ALL_OLD.
bool return_item_on_failure(const model::Json& body, api::Constraints& c,
                            const std::string& path = "returnValuesOnConditionCheckFailure");

// Throws ConditionalCheckFailedException ("The conditional request failed") when the
// condition does not hold for `old` (nullptr: no item), carrying the old item when asked.
void require(const std::optional<expr::Node>& condition, const model::Item* old, bool return_item);

}  // namespace ddb::actions
