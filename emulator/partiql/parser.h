// Parsing DynamoDB's PartiQL statements (partiql/ast.h describes the whole interface).
#pragma once

#include <memory>
#include <string_view>

#include "partiql/ast.h"

namespace ddb::partiql {

// The statement `text` as a tree; each distinct text is parsed once and cached. Throws
// ApiError (Validation) with DynamoDB's messages: "Statement wasn't well formed, can't be
// processed: <detail>" for syntax, "Unsupported operation: ..." for constructs DynamoDB does
// not run (joins, aggregates, LIKE, ...), "Aliasing is not supported".
std::shared_ptr<const Statement> parse(std::string_view text);

// The message prefix of every syntax error.
inline constexpr std::string_view kNotWellFormed =
    "Statement wasn't well formed, can't be processed: ";

}  // namespace ddb::partiql
