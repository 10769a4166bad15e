// Binding a parsed statement to a request's Parameters (partiql/ast.h describes the whole
// interface).
#pragma once

#include <optional>
#include <vector>

#include "expr/ast.h"
#include "model/value.h"
#include "partiql/ast.h"

namespace ddb::partiql {

// A statement with its parameters in place, in the expression engine's terms.
struct Bound {
  const Statement* statement = nullptr;  // the parsed statement (kind, target, projection, ...)
  std::optional<expr::Node> where;       // literals as Literal nodes
  expr::Update update;                   // UPDATE
  model::Item item;                      // INSERT
};

// Substitutes `parameters` (the request's Parameters, in order). Throws ValidationException
// "Number of parameters in request and statement don't match." for a wrong count, and
// DynamoDB's messages for literals it refuses (mixed or duplicate set elements, ...).
// `statement` must outlive the result.
Bound bind(const Statement& statement, const std::vector<model::Value>& parameters);

// One literal's value (MISSING has none: nullopt).
std::optional<model::Value> literal_value(const Literal& l,
                                          const std::vector<model::Value>& parameters);

}  // namespace ddb::partiql
