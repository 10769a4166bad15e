// The expressions of an item request, parsed (from cache), bound to the request's
// ExpressionAttributeNames/Values, or translated from the legacy parameters; with
// DynamoDB's checks on how the two styles and the placeholder maps may be combined.
#pragma once

#include <optional>
#include <vector>

#include "expr/eval.h"
#include "model/json.h"

namespace ddb::actions {

class Expressions {
 public:
  // `expression_members` are the expression parameters the operation takes, in the order
  // DynamoDB names them in its "... is null" messages.
  Expressions(const model::Json& body, std::initializer_list<const char*> expression_members);
  // The checks the constructor makes first, on their own: the two styles mixed, a
  // ConditionalOperator without two conditions, ExpressionAttributeNames/Values without an
  // expression. (The constructor then checks the placeholder maps themselves.)
  static void check_styles(const model::Json& body,
                           std::initializer_list<const char*> expression_members);

  // ConditionExpression, or Expected + ConditionalOperator.
  std::optional<expr::Node> condition();
  // UpdateExpression, or AttributeUpdates.
  std::optional<expr::Update> update();
  // ProjectionExpression, or AttributesToGet.
  std::optional<std::vector<expr::Path>> projection();
  // FilterExpression, or `legacy` (QueryFilter / ScanFilter) + ConditionalOperator.
  std::optional<expr::Node> filter(const char* legacy);
  // KeyConditionExpression, bound (the legacy KeyConditions are read by Query itself).
  std::optional<expr::Node> key_condition();

  // After every expression was read: refuses unused names and values.
  void finish() const { bindings_.check_unused(); }

 private:
  const model::Json& body_;
  expr::Bindings bindings_;
};

}  // namespace ddb::actions
