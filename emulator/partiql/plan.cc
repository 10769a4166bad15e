// Planning statements: the key conditions of a WHERE clause, found among its top-level
// conjuncts, choose the operation; the other conjuncts filter (reads) or condition (writes).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
#include "partiql/plan.h"

#include <algorithm>
#include <string>
#include <vector>

#include "expr/eval.h"
#include "model/error.h"
#include "model/number.h"

namespace ddb::partiql {
namespace {

void conjuncts(const expr::Node& n, std::vector<const expr::Node*>& out) {
  if (n.kind == expr::Node::Kind::And) {
    conjuncts(n.kids[0], out);
    conjuncts(n.kids[1], out);
    return;
  }
  out.push_back(&n);
}

bool names(const expr::Node& n, const std::string& attr) {
  return n.kind == expr::Node::Kind::Path && n.path.size() == 1 && !n.path[0].is_index() &&
         n.path[0].name == attr;
}

// `attr = literal` (either way round), or `attr IN [literal]` of one value, of the key's type:
// the literal, else nullptr.
const model::Value* equality(const expr::Node& n, const model::KeyAttribute& key) {
  if (n.kind == expr::Node::Kind::In && n.kids.size() == 2 && names(n.kids[0], key.name) &&
      n.kids[1].kind == expr::Node::Kind::Literal && n.kids[1].value.type == key.type)
    return &n.kids[1].value;
  if (n.kind != expr::Node::Kind::Compare || n.op != expr::Op::Eq) return nullptr;
  for (int side = 0; side < 2; ++side) {
    const expr::Node& a = n.kids[side];
    const expr::Node& b = n.kids[1 - side];
    if (names(a, key.name) && b.kind == expr::Node::Kind::Literal && b.value.type == key.type)
      return &b.value;
  }
  return nullptr;
}

// A condition Query can serve on the sort key: a comparison other than <>, BETWEEN, or
// begins_with, against literals of the key's type.
bool sort_condition(const expr::Node& n, const model::KeyAttribute& key) {
  auto literal_of_type = [&](const expr::Node& k) {
    return k.kind == expr::Node::Kind::Literal && k.value.type == key.type;
  };
  switch (n.kind) {
    case expr::Node::Kind::Compare:
      if (n.op == expr::Op::Ne) return false;
      return (names(n.kids[0], key.name) && literal_of_type(n.kids[1])) ||
             (names(n.kids[1], key.name) && literal_of_type(n.kids[0]));
    case expr::Node::Kind::Between:
      return names(n.kids[0], key.name) && literal_of_type(n.kids[1]) && literal_of_type(n.kids[2]);
    case expr::Node::Kind::Call:
      return n.func == expr::Func::BeginsWith && names(n.kids[0], key.name) &&
             literal_of_type(n.kids[1]) && key.type != model::Type::N;
    default: return false;
  }
}

// `attr IN [v1, v2, ...]` (or `attr = v1 OR attr = v2 ...`) of literals of the key's type: the
// values, in the order written and without repeats (empty when `n` is anything else). `attr = v1 OR
// attr = v2 OR ...` likewise: false when `n` is anything else.
bool or_values(const expr::Node& n, const model::KeyAttribute& key,
               std::vector<model::Value>& out) {
  if (n.kind == expr::Node::Kind::Or)
    return or_values(n.kids[0], key, out) && or_values(n.kids[1], key, out);
  const model::Value* v = equality(n, key);
  if (!v) return false;
  if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
  return true;
}

std::vector<model::Value> in_values(const expr::Node& n, const model::KeyAttribute& key) {
  std::vector<model::Value> out;
  if (n.kind == expr::Node::Kind::Or) {
    if (!or_values(n, key, out)) out.clear();
    return out;
  }
  if (n.kind != expr::Node::Kind::In || !names(n.kids[0], key.name)) return out;
  for (size_t i = 1; i < n.kids.size(); ++i) {
    const expr::Node& k = n.kids[i];
    if (k.kind != expr::Node::Kind::Literal || k.value.type != key.type) return {};
    if (std::find(out.begin(), out.end(), k.value) == out.end()) out.push_back(k.value);
  }
  return out;
}

std::optional<expr::Node> join(const std::vector<const expr::Node*>& parts) {
  std::optional<expr::Node> out;
  for (const expr::Node* p : parts) {
    if (!out) {
      out = *p;
      continue;
    }
    expr::Node n{expr::Node::Kind::And};
    n.kids.push_back(std::move(*out));
    n.kids.push_back(*p);
    out = std::move(n);
  }
  return out;
}

}  // namespace

ReadPlan plan_read(const Bound& bound, const model::TableDef& table) {
  const Statement& st = *bound.statement;
  ReadPlan plan;
  const model::KeyAttribute* hash = &table.hash;
  const model::KeyAttribute* range = table.range ? &*table.range : nullptr;
  if (st.target.index) {
    for (const auto& ix : table.indexes)
      if (ix.name == *st.target.index) plan.index = &ix;
    // Unlike Query's and Scan's message, no index name follows (AWS's answer as
    // nubo-db/dynamodb-conformance records it).
    if (!plan.index) invalid("The table does not have the specified index");
    hash = &plan.index->hash;
    range = plan.index->range ? &*plan.index->range : nullptr;
  }
  std::vector<const expr::Node*> parts;
  if (bound.where) conjuncts(*bound.where, parts);
  const expr::Node* hash_part = nullptr;
  const expr::Node* range_part = nullptr;
  bool range_equal = false;
  for (const expr::Node* p : parts) {
    if (!hash_part && equality(*p, *hash)) {
      hash_part = p;
    } else if (range && !range_part && sort_condition(*p, *range)) {
      range_part = p;
      range_equal = equality(*p, *range) != nullptr;
    }
  }
  // `pk IN [...]` of several values, or `pk = v1 OR pk = v2 ...` (and, on a table with a sort
  // key, a sort key equality):
  // DynamoDB reads those items by their keys rather than scanning.
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
  const expr::Node* in_part = nullptr;
  std::vector<model::Value> hash_values;
  if (!hash_part && !plan.index && (!range || range_equal))
    for (const expr::Node* p : parts)
      if (auto values = in_values(*p, *hash); !values.empty()) {
        in_part = p;
        hash_values = std::move(values);
        break;
      }
  std::vector<const expr::Node*> rest;
  for (const expr::Node* p : parts)
    if (p != hash_part && p != in_part && ((!hash_part && !in_part) || p != range_part))
      rest.push_back(p);

  if (in_part) {
    plan.access = ReadPlan::Access::Keys;
    for (const model::Value& v : hash_values) {
      model::Item key;
      key[hash->name] = v;
      if (range) key[range->name] = *equality(*range_part, *range);
      plan.keys.push_back(std::move(key));
    }
    plan.filter = join(rest);
  } else if (!hash_part) {
    plan.access = ReadPlan::Access::Scan;
    plan.filter = bound.where;
  } else if (!plan.index && (!range || range_equal)) {
    plan.access = ReadPlan::Access::GetItem;
    plan.key[hash->name] = *equality(*hash_part, *hash);
    if (range) plan.key[range->name] = *equality(*range_part, *range);
    plan.filter = join(rest);
  } else {
    plan.access = ReadPlan::Access::Query;
    std::vector<const expr::Node*> key_parts{hash_part};
    if (range_part) key_parts.push_back(range_part);
    plan.key_condition = join(key_parts);
    plan.filter = join(rest);
  }
  plan.keyed = plan.access != ReadPlan::Access::Scan ||
               std::any_of(parts.begin(), parts.end(),
                           [&](const expr::Node* p) { return !in_values(*p, *hash).empty(); });
  if (st.order_by) {
    // DynamoDB's words (its ValidationExceptionMessages).
    if (!bound.where)
      invalid("Must have WHERE clause in the statement when using ORDER BY clause.");
    if (plan.access == ReadPlan::Access::Scan)
      invalid(
          "Must have at least one non-optional hash key condition in WHERE clause when using "
          "ORDER BY clause.");
    bool by_hash = st.order_by->size() == 1 && st.order_by->front().name == hash->name;
    if (!(range && st.order_by->size() == 1 && st.order_by->front().name == range->name) &&
        !by_hash)
      invalid("Variable reference " + expr::to_text(*st.order_by) +
              " in ORDER BY clause must be part of the primary key");
    if (plan.access == ReadPlan::Access::Keys) {
      if (!by_hash)
        invalid(
            "Must have hash key in ORDER BY clause when more than one hash key condition "
            "specified in WHERE clause.");
      // The keys are read in the order of their partition key values.
      auto less = [&](const model::Item& x, const model::Item& y) {
        const model::Value& a = x.at(hash->name);
        const model::Value& b = y.at(hash->name);
        if (a.type == model::Type::N)
          return model::Number::parse(a.scalar) < model::Number::parse(b.scalar);
        return a.scalar < b.scalar;  // bytes, as unsigned char
      };
      std::stable_sort(plan.keys.begin(), plan.keys.end(),
                       [&](const model::Item& x, const model::Item& y) {
                         return st.descending ? less(y, x) : less(x, y);
                       });
    }
    plan.forward = !st.descending;
  }
  return plan;
}

model::Item select_list(const model::Item& item, const std::vector<expr::Path>& paths) {
  std::vector<expr::Path> projected;
  std::vector<const expr::Path*> named;
  for (const expr::Path& p : paths) {
    if (p.size() > 1 && !p.back().is_index())
      named.push_back(&p);
    else
      projected.push_back(p);
  }
  model::Item out = projected.empty() ? model::Item{} : expr::project(item, projected);
  for (const expr::Path* p : named)
    if (const model::Value* v = expr::lookup(item, *p)) out[p->back().name] = *v;
  return out;
}

WritePlan plan_write(const Bound& bound, const model::TableDef& table) {
  constexpr const char* kMissing =
      "Where clause does not contain a mandatory equality on all key attributes";
  if (!bound.where) invalid(kMissing);
  std::vector<const expr::Node*> parts;
  conjuncts(*bound.where, parts);
  WritePlan plan;
  std::vector<const model::KeyAttribute*> keys{&table.hash};
  if (table.range) keys.push_back(&*table.range);
  std::vector<const expr::Node*> used;
  for (const model::KeyAttribute* k : keys) {
    const expr::Node* found = nullptr;
    for (const expr::Node* p : parts) {
      if (p->kind != expr::Node::Kind::Compare || p->op != expr::Op::Eq) continue;
      for (int side = 0; side < 2; ++side) {
        if (!names(p->kids[side], k->name) || p->kids[1 - side].kind != expr::Node::Kind::Literal)
          continue;
        const model::Value& v = p->kids[1 - side].value;
        if (!found) {
          found = p;
          plan.key[k->name] = v;
        } else if (!model::values_equal(plan.key[k->name], v)) {
          // One item a statement: two values for one key attribute are refused (an EXISTS
          // reads the first, and the other is its condition, which fails).
          if (bound.statement->kind == Statement::Kind::Exists) break;
          invalid("Multiple conditions on same key " + k->name +
                  ". Only single item Update/Insert/Delete are supported");
        }
        used.push_back(p);
        break;
      }
    }
    if (!found) invalid(kMissing);
  }
  std::vector<const expr::Node*> rest;
  for (const expr::Node* p : parts)
    if (std::find(used.begin(), used.end(), p) == used.end()) rest.push_back(p);
  plan.condition = join(rest);
  return plan;
}

}  // namespace ddb::partiql
