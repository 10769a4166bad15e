#include "actions/common/expressions.h"

#include <string>

#include "api/request.h"
#include "expr/legacy.h"
#include "expr/parser.h"
#include "model/error.h"

namespace ddb::actions {
namespace {

bool present(const model::Json& body, const char* name) {
  auto it = body.FindMember(name);
  return it != body.MemberEnd() && !it->value.IsNull();
}

// Legacy parameter -> the expression parameter that replaces it, in input-shape order.
constexpr std::pair<const char*, const char*> kLegacy[] = {
    {"AttributesToGet", "ProjectionExpression"},
    {"AttributeUpdates", "UpdateExpression"},
    {"KeyConditions", "KeyConditionExpression"},
    {"QueryFilter", "FilterExpression"},
    {"ScanFilter", "FilterExpression"},
    {"Expected", "ConditionExpression"},
    {"ConditionalOperator", "ConditionExpression"},
    {"ConditionalOperator", "FilterExpression"},
};

const model::Json* names_or_values(const model::Json& body, const char* member,
                                   std::initializer_list<const char*> members) {
  // Values are used by every expression but ProjectionExpression; an operation whose only
  // expression is a projection has no ExpressionAttributeValues member at all.
  bool values = std::string_view(member) == "ExpressionAttributeValues";
  std::vector<const char*> expressions;
  for (const char* e : members)
    if (!values || std::string_view(e) != "ProjectionExpression") expressions.push_back(e);
  if (expressions.empty()) return nullptr;
  const model::Json* m = model::get_object(body, member);
  if (!m) return nullptr;
  bool any = false;
  for (const char* e : members) any = any || present(body, e);
  if (any) return m;
  if (!values) invalid("ExpressionAttributeNames can only be specified when using expressions");
  std::string nulls;
  for (size_t i = 0; i < expressions.size(); ++i) {
    if (i) nulls += i + 1 == expressions.size() ? " and " : ", ";
    nulls += expressions[i];
  }
  invalid("ExpressionAttributeValues can only be specified when using expressions: " + nulls +
          (expressions.size() > 1 ? " are null" : " is null"));
}

}  // namespace

Expressions::Expressions(const model::Json& body, std::initializer_list<const char*> members)
    : body_(body), bindings_([&] {
        // Mixing the two styles is refused before anything else is looked at.
        // Both lists in the order of the operation's input shape.
        std::string legacy, modern;
        for (const auto& [old_name, new_name] : kLegacy) {
          if (!present(body, old_name)) continue;
          for (const char* m : members)
            if (std::string_view(m) == new_name)
              legacy += (legacy.empty() ? "" : ", ") + std::string(old_name);
        }
        for (const char* m : members)
          if (present(body, m)) modern += (modern.empty() ? "" : ", ") + std::string(m);
        if (!legacy.empty() && !modern.empty())
          invalid(
              "Can not use both expression and non-expression parameters in the same request: "
              "Non-expression parameters: {" +
              legacy + "} Expression parameters: {" + modern + "}");
        return expr::Bindings(names_or_values(body, "ExpressionAttributeNames", members),
                              names_or_values(body, "ExpressionAttributeValues", members));
      }()) {}

std::optional<expr::Node> Expressions::condition() {
  if (auto text = model::get_string(body_, "ConditionExpression"))
    return bindings_.bind(*expr::parse_condition(*text, expr::Kind::Condition),
                          expr::Kind::Condition);
  if (const model::Json* expected = model::get_object(body_, "Expected"))
    return expr::condition_from_expected(*expected,
                                         model::get_string(body_, "ConditionalOperator"));
  return std::nullopt;
}

std::optional<expr::Update> Expressions::update() {
  if (auto text = model::get_string(body_, "UpdateExpression"))
    return bindings_.bind(*expr::parse_update(*text));
  if (const model::Json* updates = model::get_object(body_, "AttributeUpdates"))
    return expr::update_from_attribute_updates(*updates);
  return std::nullopt;
}

std::optional<expr::Node> Expressions::filter(const char* legacy) {
  if (auto text = model::get_string(body_, "FilterExpression"))
    return bindings_.bind(*expr::parse_condition(*text, expr::Kind::Filter), expr::Kind::Filter);
  if (const model::Json* conditions = model::get_object(body_, legacy))
    return expr::condition_from_expected(*conditions,
                                         model::get_string(body_, "ConditionalOperator"));
  return std::nullopt;
}

std::optional<expr::Node> Expressions::key_condition() {
  if (auto text = model::get_string(body_, "KeyConditionExpression"))
    return bindings_.bind(*expr::parse_condition(*text, expr::Kind::KeyCondition),
                          expr::Kind::KeyCondition);
  return std::nullopt;
}

std::optional<std::vector<expr::Path>> Expressions::projection() {
  if (auto text = model::get_string(body_, "ProjectionExpression"))
    return bindings_.bind(*expr::parse_projection(*text), expr::Kind::Projection);
  if (const model::Json* names = model::get_array(body_, "AttributesToGet"))
    return expr::paths_from_attributes_to_get(*names);
  return std::nullopt;
}

}  // namespace ddb::actions
