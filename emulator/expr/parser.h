// Parsing DynamoDB's expressions. Each distinct text is parsed once and cached; errors are
// ValidationExceptions worded as DynamoDB words them ("Invalid UpdateExpression: ...").
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "expr/ast.h"

namespace ddb::expr {

enum class Kind { Condition, Filter, KeyCondition, Projection, Update };

// "ConditionExpression", "UpdateExpression", ...
const char* kind_name(Kind k);

std::shared_ptr<const Node> parse_condition(std::string_view text, Kind kind = Kind::Condition);
std::shared_ptr<const Update> parse_update(std::string_view text);
std::shared_ptr<const std::vector<Path>> parse_projection(std::string_view text);

bool is_reserved_word(std::string_view word);

}  // namespace ddb::expr
