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

// Legacy parameter -> an expression parameter of the operations that take it, in the order
// DynamoDB lists them in its "Non-expression parameters: {...}" message. A legacy parameter
// mixed with any expression parameter is refused, whatever their aspects, except KeyConditions,
// which may be combined with FilterExpression and ProjectionExpression (only
// KeyConditionExpression excludes it).
constexpr std::pair<const char*, const char*> kLegacy[] = {
    {"AttributesToGet", "ProjectionExpression"},
    {"AttributeUpdates", "UpdateExpression"},
    {"QueryFilter", "KeyConditionExpression"},
    {"ScanFilter", "FilterExpression"},
    {"Expected", "ConditionExpression"},
    {"ConditionalOperator", nullptr},  // beside Expected, QueryFilter or ScanFilter
    {"KeyConditions", "KeyConditionExpression"},
};

bool takes(std::initializer_list<const char*> members, std::string_view name) {
  for (const char* m : members)
    if (name == m) return true;
  return false;
}

// ConditionalOperator joins two or more conditions of Expected, QueryFilter or ScanFilter.
void check_conditional_operator(const model::Json& body,
                                std::initializer_list<const char*> members) {
  if (!present(body, "ConditionalOperator")) return;
  if (!takes(members, "ConditionExpression") && !takes(members, "FilterExpression")) return;
  const model::Json* conditions = nullptr;
  for (const char* legacy : {"Expected", "QueryFilter", "ScanFilter"}) {
    bool taken = std::string_view(legacy) == "Expected" ? takes(members, "ConditionExpression")
                 : std::string_view(legacy) == "QueryFilter"
                     ? takes(members, "KeyConditionExpression")
                     : takes(members, "FilterExpression");
    if (taken && present(body, legacy)) conditions = model::get_object(body, legacy);
    if (conditions) break;
  }
  size_t n = conditions ? conditions->MemberCount() : 0;
  if (n == 0) invalid("ConditionalOperator cannot be used without Filter or Expected");
  if (n == 1)
    invalid(
        "ConditionalOperator can only be used when Filter or Expected has two or more elements");
}

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

void Expressions::check_styles(const model::Json& body,
                               std::initializer_list<const char*> members) {
  // Mixing the two styles is refused before anything else is looked at.
  // Both lists in the order of the operation's input shape.
  std::string legacy, modern;
  bool any_expression = false;
  for (const char* m : members) any_expression = any_expression || present(body, m);
  for (const auto& [old_name, new_name] : kLegacy) {
    if (!present(body, old_name)) continue;
    bool taken = new_name
                     ? takes(members, new_name)
                     : takes(members, "ConditionExpression") || takes(members, "FilterExpression");
    if (std::string_view(old_name) == "KeyConditions")
      taken = present(body, "KeyConditionExpression");
    if (taken) legacy += (legacy.empty() ? "" : ", ") + std::string(old_name);
  }
  for (const char* m : members)
    if (present(body, m)) modern += (modern.empty() ? "" : ", ") + std::string(m);
  if (!legacy.empty() && any_expression)
    invalid(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {" +
        legacy + "} Expression parameters: {" + modern + "}");
  check_conditional_operator(body, members);
  names_or_values(body, "ExpressionAttributeNames", members);
  names_or_values(body, "ExpressionAttributeValues", members);
}

Expressions::Expressions(const model::Json& body, std::initializer_list<const char*> members)
    : body_(body), bindings_([&] {
        check_styles(body, members);
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
                                         model::get_string(body_, "ConditionalOperator"), true);
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
