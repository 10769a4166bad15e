#include "expr/legacy.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "model/error.h"
#include "model/number.h"

namespace ddb::expr {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

Node path_node(std::string name) {
  Node n{Node::Kind::Path};
  n.path.push_back(Step{std::move(name)});
  return n;
}

Node literal(model::Value v) {
  Node n{Node::Kind::Literal};
  n.value = std::move(v);
  return n;
}

Node call(Func f, std::vector<Node> kids) {
  Node n{Node::Kind::Call};
  n.func = f;
  n.kids = std::move(kids);
  return n;
}

Node negate(Node x) {
  Node n{Node::Kind::Not};
  n.kids.push_back(std::move(x));
  return n;
}

Node both(Node a, Node b) {
  Node n{Node::Kind::And};
  n.kids.push_back(std::move(a));
  n.kids.push_back(std::move(b));
  return n;
}

Node compare(Op op, Node a, Node b) {
  Node n{Node::Kind::Compare};
  n.op = op;
  n.kids.push_back(std::move(a));
  n.kids.push_back(std::move(b));
  return n;
}

// a < b for two values of one scalar type.
bool values_in_order(const model::Value& a, const model::Value& b) {
  if (a.type == model::Type::N)
    return model::Number::parse(a.scalar) < model::Number::parse(b.scalar);
  if (a.type == model::Type::S || a.type == model::Type::B) return a.scalar < b.scalar;
  return false;
}

constexpr std::string_view kOperators[] = {"IN",          "NULL", "BETWEEN",  "LT", "NOT_CONTAINS",
                                           "EQ",          "GT",   "NOT_NULL", "NE", "LE",
                                           "BEGINS_WITH", "GE",   "CONTAINS"};

bool is_comparison_operator(std::string_view op) {
  return std::find(std::begin(kOperators), std::end(kOperators), op) != std::end(kOperators);
}

// One Expected entry, or one ScanFilter / QueryFilter entry (`filter`: a Condition, which has
// no Value or Exists and whose ComparisonOperator the constraint list already required), as a
// condition.
Node expected_entry(const std::string& attr, const model::Json& cond, bool filter) {
  if (!cond.IsObject())
    model::wrong_json_type(cond, filter ? "Condition" : "ExpectedAttributeValue");
  auto op = model::get_string(cond, "ComparisonOperator");
  auto exists = filter ? std::nullopt : model::get_bool(cond, "Exists");
  const model::Json* value = filter ? nullptr : model::get_object(cond, "Value");
  const model::Json* list = model::get_array(cond, "AttributeValueList");
  std::vector<model::Value> args;
  if (value) args.push_back(model::value_from_json(*value));
  if (list)
    for (const auto& v : list->GetArray()) args.push_back(model::value_from_json(v));

  if (op) {
    if (exists)
      invalid(std::string(kInvalid) +
              "Exists and ComparisonOperator cannot be used together for Attribute: " + attr);
    if (value && list)
      invalid(std::string(kInvalid) +
              "Value and AttributeValueList cannot be used together for Attribute: " + attr);
    bool takes_values = *op != "NULL" && *op != "NOT_NULL";
    if (!filter && takes_values && !value && !list)
      invalid(std::string(kInvalid) +
              "Value or AttributeValueList must be used with ComparisonOperator: " +
              std::string(*op) + " for Attribute: " + attr);
    if (!is_comparison_operator(*op))
      invalid("1 validation error detected: Value '" + std::string(*op) + "' at 'expected." + attr +
              ".member.comparisonOperator' failed to satisfy constraint: Member must satisfy "
              "enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, "
              "LE, BEGINS_WITH, GE, CONTAINS]");
    check_comparison(*op, args);
    Node p = path_node(attr);
    auto arg = [&](size_t i) { return literal(args[i]); };
    if (*op == "EQ") return compare(Op::Eq, p, arg(0));
    if (*op == "NE") return compare(Op::Ne, p, arg(0));
    if (*op == "LT") return compare(Op::Lt, p, arg(0));
    if (*op == "LE") return compare(Op::Le, p, arg(0));
    if (*op == "GT") return compare(Op::Gt, p, arg(0));
    if (*op == "GE") return compare(Op::Ge, p, arg(0));
    if (*op == "NULL") return call(Func::AttributeNotExists, {p});
    if (*op == "NOT_NULL") return call(Func::AttributeExists, {p});
    if (*op == "CONTAINS") return call(Func::Contains, {p, arg(0)});
    if (*op == "NOT_CONTAINS")
      return both(call(Func::AttributeExists, {p}), negate(call(Func::Contains, {p, arg(0)})));
    if (*op == "BEGINS_WITH") return call(Func::BeginsWith, {p, arg(0)});
    if (*op == "BETWEEN") {
      Node n{Node::Kind::Between};
      n.kids = {p, arg(0), arg(1)};
      return n;
    }
    Node in{Node::Kind::In};
    in.kids.push_back(p);
    for (size_t i = 0; i < args.size(); ++i) in.kids.push_back(arg(i));
    return in;
  }
  if (list)
    invalid(std::string(kInvalid) +
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + attr);
  bool must_exist = !exists || *exists;
  if (must_exist && !value)
    invalid(std::string(kInvalid) + "Value must be provided when Exists is " +
            (exists ? "true" : "null") + " for Attribute: " + attr);
  if (!must_exist && value)
    invalid(std::string(kInvalid) +
            "Value cannot be used when Exists is false for Attribute: " + attr);
  if (!must_exist) return call(Func::AttributeNotExists, {path_node(attr)});
  return compare(Op::Eq, path_node(attr), literal(args[0]));
}

}  // namespace

void check_comparison(std::string_view op, const std::vector<model::Value>& args) {
  size_t n = args.size();
  bool ok = op == "NULL" || op == "NOT_NULL" ? n == 0
            : op == "IN"                     ? n > 0
            : op == "BETWEEN"                ? n == 2
                                             : n == 1;
  if (!ok)
    invalid(std::string(kInvalid) + "Invalid number of argument(s) for the " + std::string(op) +
            " ComparisonOperator");
  for (const auto& a : args)
    if (a.type != args[0].type)
      invalid(std::string(kInvalid) +
              "AttributeValues inside AttributeValueList must be of same type");
  check_operator_types(op, args);
  if (op == "BETWEEN" && values_in_order(args[1], args[0]))
    invalid(
        "The BETWEEN condition was provided a range where the lower bound is greater than the "
        "upper bound");
}

void check_operator_types(std::string_view op, const std::vector<model::Value>& args) {
  using model::Type;
  // IN compares its values with the attribute as EQ does, but only scalars may be listed.
  bool ordering =
      op == "LT" || op == "LE" || op == "GT" || op == "GE" || op == "BETWEEN" || op == "IN";
  bool contains = op == "CONTAINS" || op == "NOT_CONTAINS";
  for (const auto& a : args) {
    bool scalar = a.type == Type::S || a.type == Type::N || a.type == Type::B;
    bool ok = ordering              ? scalar
              : op == "BEGINS_WITH" ? a.type == Type::S || a.type == Type::B
              : contains            ? scalar || a.type == Type::BOOL || a.type == Type::NUL
                                    : true;
    if (!ok)
      invalid(std::string(kInvalid) + "ComparisonOperator " + std::string(op) +
              " is not valid for " + model::type_name(a.type) + " AttributeValue type");
  }
}

std::optional<Node> condition_from_expected(const model::Json& expected,
                                            std::optional<std::string_view> conditional_operator,
                                            bool filter) {
  bool any = conditional_operator && *conditional_operator == "OR";
  std::optional<Node> result;
  for (auto it = expected.MemberBegin(); it != expected.MemberEnd(); ++it) {
    Node n = expected_entry(std::string(model::view(it->name)), it->value, filter);
    if (!result) {
      result = std::move(n);
      continue;
    }
    Node joined{any ? Node::Kind::Or : Node::Kind::And};
    joined.kids.push_back(std::move(*result));
    joined.kids.push_back(std::move(n));
    result = std::move(joined);
  }
  return result;
}

Update update_from_attribute_updates(const model::Json& updates) {
  Update u;
  u.legacy = true;
  for (auto it = updates.MemberBegin(); it != updates.MemberEnd(); ++it) {
    std::string attr(model::view(it->name));
    const model::Json& spec = it->value;
    if (!spec.IsObject()) model::wrong_json_type(spec, "AttributeValueUpdate");
    model::check_attribute_name(attr);
    auto action = model::get_string(spec, "Action").value_or("PUT");
    const model::Json* value = model::get_object(spec, "Value");
    std::optional<model::Value> v;
    if (value) v = model::value_from_json(*value);
    Path path{Step{attr}};
    if (action == "PUT") {
      if (!v)
        invalid(std::string(kInvalid) +
                "Only DELETE action is allowed when no attribute value is specified");
      u.actions.push_back({UpdateAction::Kind::Set, path, literal(*v)});
    } else if (action == "DELETE") {
      if (!v) {
        u.actions.push_back({UpdateAction::Kind::Remove, path, {}});
      } else {
        if (v->type != model::Type::SS && v->type != model::Type::NS && v->type != model::Type::BS)
          invalid(std::string(kInvalid) +
                  "DELETE action with value is not supported for the type " +
                  model::type_name(v->type));
        u.actions.push_back({UpdateAction::Kind::Delete, path, literal(*v)});
      }
    } else if (action == "ADD") {
      if (!v)
        invalid(std::string(kInvalid) +
                "Only DELETE action is allowed when no attribute value is specified");
      if (v->type == model::Type::L) {
        // Legacy ADD appends to a list (creating it when missing).
        model::Value empty{model::Type::L};
        Node existing = call(Func::IfNotExists, {path_node(attr), literal(empty)});
        u.actions.push_back(
            {UpdateAction::Kind::Set, path, call(Func::ListAppend, {existing, literal(*v)})});
      } else if (v->type == model::Type::N || v->type == model::Type::SS ||
                 v->type == model::Type::NS || v->type == model::Type::BS) {
        u.actions.push_back({UpdateAction::Kind::Add, path, literal(*v)});
      } else {
        invalid(std::string(kInvalid) + "ADD action is not supported for the type " +
                model::type_name(v->type));
      }
    } else {
      invalid("1 validation error detected: Value '" + std::string(action) +
              "' at 'attributeUpdates." + attr +
              ".member.action' failed to satisfy constraint: Member must satisfy enum value "
              "set: [ADD, PUT, DELETE]");
    }
  }
  return u;
}

std::vector<Path> paths_from_attributes_to_get(const model::Json& names) {
  std::vector<Path> paths;
  std::set<std::string, std::less<>> seen;
  for (const auto& n : names.GetArray()) {
    if (!n.IsString()) model::wrong_json_type(n, "String");
    std::string name(model::view(n));
    if (!seen.insert(name).second)
      invalid(std::string(kInvalid) + "Duplicate value in attribute name: " + name);
    paths.push_back(Path{Step{name}});
  }
  return paths;
}

}  // namespace ddb::expr
