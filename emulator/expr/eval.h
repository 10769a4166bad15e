// Binding placeholders and evaluating expressions against items. Evaluation is pure: it
// reads an item (or nothing, for a missing item) and returns a result or a new item.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "expr/ast.h"
#include "expr/parser.h"
#include "model/json.h"
#include "model/table.h"

namespace ddb::expr {

// A request's ExpressionAttributeNames and ExpressionAttributeValues, with the record of
// which were used, so that unused ones can be refused as DynamoDB refuses them.
class Bindings {
 public:
  // Validates the maps themselves (keys, values); throws ApiError.
  Bindings(const model::Json* names, const model::Json* values);

  Node bind(const Node& n, Kind kind);
  Update bind(const Update& u);
  std::vector<Path> bind(const std::vector<Path>& paths, Kind kind);
  Path bind(const Path& p, Kind kind);

  // Throws when a name or value was given and not used by any expression.
  void check_unused() const;

 private:
  std::map<std::string, std::string, std::less<>> names_;
  std::map<std::string, model::Value, std::less<>> values_;
  std::set<std::string, std::less<>> used_names_, used_values_;
};

// An ordering (<, <=, >, >=, BETWEEN) needs operands that have an order (S, N, B): DynamoDB's
// words for the first literal operand of `n` (bound) that has none ("Incorrect operand type for
// operator or function; operator or function: <, operand type: BOOL"), else nullopt.
std::optional<std::string> unordered_operand(const Node& n);

// The value at `path`, or nullptr.
const model::Value* lookup(const model::Item& item, const Path& path);

// Condition evaluation; `item` is nullptr when the item does not exist.
bool holds(const Node& condition, const model::Item* item);

// The parts of `item` named by the paths, as ProjectionExpression returns them.
model::Item project(const model::Item& item, const std::vector<Path>& paths);
// Refuses overlapping or conflicting paths, as DynamoDB does, naming the expression `kind`.
void check_paths_disjoint(const std::vector<Path>& paths, Kind kind);

// Applies an update to `item` (the existing item, or the key attributes of a new one).
// Refuses updates of key attributes. Throws ApiError with DynamoDB's messages.
void apply(const Update& update, const model::TableDef& table, model::Item& item);
// The paths an update writes, for ReturnValues UPDATED_OLD / UPDATED_NEW.
std::vector<Path> updated_paths(const Update& update);

}  // namespace ddb::expr
