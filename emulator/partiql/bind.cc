// Binding a statement's literals and parameters into the expression engine's trees.
#include "partiql/bind.h"

#include <algorithm>
#include <string>

#include "expr/eval.h"
#include "model/error.h"
#include "model/number.h"
#include "partiql/parser.h"

namespace ddb::partiql {
namespace {

// The literal at `where` ("root", "root.x", "root[1]") as a Value; DynamoDB names that path
// in its number messages ("... under root.x").
std::optional<model::Value> convert(const Literal& l, const std::vector<model::Value>& params,
                                    const std::string& where, int depth) {
  if (depth > model::kMaxNestingDepth) invalid("Nesting Levels have exceeded supported limits");
  switch (l.kind) {
    case Literal::Kind::Missing: return std::nullopt;
    case Literal::Kind::Parameter: return params.at(l.parameter);
    case Literal::Kind::Value: {
      if (l.value.type != model::Type::N) return l.value;
      try {
        return model::Value::number(model::Number::parse(l.value.scalar).to_string());
      } catch (const ApiError& e) {
        invalid(e.message + " under " + where);
      }
    }
    case Literal::Kind::List: {
      model::Value v;
      v.type = model::Type::L;
      for (size_t i = 0; i < l.elements.size(); ++i) {
        auto e = convert(l.elements[i], params, where + "[" + std::to_string(i) + "]", depth + 1);
        if (!e) invalid("Unsupported operation: MISSING in a list");
        v.list.push_back(std::move(*e));
      }
      return v;
    }
    case Literal::Kind::Map: {
      model::Value v;
      v.type = model::Type::M;
      for (size_t i = 0; i < l.keys.size(); ++i) {
        const std::string& key = l.keys[i];
        auto e = convert(l.elements[i], params, where + "." + key, depth + 1);
        if (!e) continue;  // a MISSING member is no member
        v.map[key] = std::move(*e);
      }
      return v;
    }
    case Literal::Kind::Set: {
      std::vector<model::Value> elements;
      for (size_t i = 0; i < l.elements.size(); ++i) {
        auto e = convert(l.elements[i], params, where + "[" + std::to_string(i) + "]", depth + 1);
        if (!e) invalid("Unsupported operation: MISSING in a set");
        elements.push_back(std::move(*e));
      }
      // DynamoDB's words for a bag it cannot store (nubo-db/dynamodb-conformance,
      // tests/tier3/error-messages/partiqlFunctions.test.ts).
      if (elements.empty()) invalid("Empty bags are not supported");
      model::Type t = elements[0].type;
      model::Value v;
      if (t == model::Type::S)
        v.type = model::Type::SS;
      else if (t == model::Type::N)
        v.type = model::Type::NS;
      std::string listed;
      for (const auto& e : elements) {
        if (e.type != t || (t != model::Type::S && t != model::Type::N))
          invalid(
              "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
              "bags");
        v.set.push_back(e.scalar);
        listed += (listed.empty() ? "" : ", ") + e.scalar;
      }
      auto sorted = v.set;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
        invalid("One or more parameter values were invalid: Input collection [" + listed +
                "] contains duplicates.");
      return v;
    }
  }
  return std::nullopt;
}

class Binder {
 public:
  Binder(const Statement& s, const std::vector<model::Value>& p) : st_(s), params_(p) {}

  expr::Node node(const expr::Node& n) const {
    if (n.kind == expr::Node::Kind::ValueRef) {
      const Literal& l = st_.literals.at(std::stoul(n.name));
      auto v = convert(l, params_, "root", 0);
      if (!v) invalid("Unsupported operation: MISSING as a value");
      expr::Node out{expr::Node::Kind::Literal};
      out.value = std::move(*v);
      return out;
    }
    expr::Node out;
    out.kind = n.kind;
    out.path = n.path;
    out.value = n.value;
    out.func = n.func;
    out.op = n.op;
    out.kids.reserve(n.kids.size());
    for (const auto& k : n.kids) out.kids.push_back(node(k));
    // An ordering of a value that has no order is refused once the parameters are in,
    // whether or not an item is read (nubo-db/dynamodb-conformance,
    // tests/tier3/error-messages/partiql.test.ts: `val < ?` with a BOOL), in the condition
    // expressions' words without their prefix.
    if (auto message = expr::unordered_operand(out)) invalid(*message);
    return out;
  }

 private:
  const Statement& st_;
  const std::vector<model::Value>& params_;
};

}  // namespace

std::optional<model::Value> literal_value(const Literal& l,
                                          const std::vector<model::Value>& parameters) {
  return convert(l, parameters, "root", 0);
}

Bound bind(const Statement& statement, const std::vector<model::Value>& parameters) {
  if (parameters.size() != statement.parameter_count)
    invalid("Number of parameters in request and statement don't match.");
  Binder b(statement, parameters);
  Bound out;
  out.statement = &statement;
  if (statement.where) out.where = b.node(*statement.where);
  for (const auto& a : statement.update.actions) {
    expr::UpdateAction bound{a.kind, a.path, {}};
    if (a.kind != expr::UpdateAction::Kind::Remove) bound.value = b.node(a.value);
    out.update.actions.push_back(std::move(bound));
  }
  if (statement.kind == Statement::Kind::Insert) {
    // Each attribute's value is converted on its own: DynamoDB's messages name a path
    // within it ("under root.x").
    const Literal& value = statement.value;
    if (value.kind == Literal::Kind::Map) {
      for (size_t i = 0; i < value.keys.size(); ++i)
        if (auto v = convert(value.elements[i], parameters, "root", 1))
          out.item[value.keys[i]] = std::move(*v);
    } else {
      auto v = convert(value, parameters, "root", 0);
      if (!v || v->type != model::Type::M)
        invalid(std::string(kNotWellFormed) + "Expected a tuple in VALUE");
      out.item = std::move(v->map);
    }
  }
  return out;
}

}  // namespace ddb::partiql
