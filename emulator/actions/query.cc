// Query: the items of one partition (of the table or of an index), in sort key order, within
// the key condition's range; paged, filtered and projected by the shared reader.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
#include <algorithm>
#include <functional>

#include "actions/actions.h"
#include "actions/common/expressions.h"
#include "actions/common/reader.h"
#include "actions/common/tables.h"
#include "api/request.h"
#include "expr/eval.h"
#include "expr/legacy.h"
#include "model/number.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// A key condition reduced to what Query needs: the partition value and a sort key range.
struct KeyCondition {
  std::string hash_name, sort_name;
  std::optional<model::Value> hash;
  enum class Sort { None, Eq, Lt, Le, Gt, Ge, Between, BeginsWith } sort = Sort::None;
  model::Value a, b;
};

[[noreturn]] void unsupported() { invalid("Query key condition not supported"); }

const char* operator_text(const expr::Node& n) {
  switch (n.kind) {
    case expr::Node::Kind::Or: return "OR";
    case expr::Node::Kind::Not: return "NOT";
    case expr::Node::Kind::In: return "IN";
    case expr::Node::Kind::Compare: return "<>";
    case expr::Node::Kind::Call: return expr::function_name(n.func);
    default: return "?";
  }
}

void collect(const expr::Node& n, std::vector<const expr::Node*>& out) {
  if (n.kind == expr::Node::Kind::And) {
    collect(n.kids[0], out);
    collect(n.kids[1], out);
    return;
  }
  bool allowed = (n.kind == expr::Node::Kind::Compare && n.op != expr::Op::Ne) ||
                 n.kind == expr::Node::Kind::Between ||
                 (n.kind == expr::Node::Kind::Call && n.func == expr::Func::BeginsWith);
  if (!allowed)
    invalid(std::string("Invalid operator used in KeyConditionExpression: ") + operator_text(n));
  out.push_back(&n);
}

// Flips `:v < k` into `k > :v`.
expr::Op mirrored(expr::Op op) {
  switch (op) {
    case expr::Op::Lt: return expr::Op::Gt;
    case expr::Op::Le: return expr::Op::Ge;
    case expr::Op::Gt: return expr::Op::Lt;
    case expr::Op::Ge: return expr::Op::Le;
    default: return op;
  }
}

struct Part {
  std::string attr;
  const expr::Node* node;
  expr::Op op;
  std::vector<const model::Value*> values;
};

// The conditions of a KeyConditionExpression, checked as DynamoDB checks them before it looks
// the table up, each condition in turn and in this order (dynalite's test/query.js records
// each answer from DynamoDB): its operator; BETWEEN's and begins_with's key first; no key at
// all; a key with a document path; two attributes; a function among the operands; then a key
// named twice, and last more than two conditions.
std::vector<Part> key_parts(const expr::Node& root) {
  std::vector<const expr::Node*> nodes;
  collect(root, nodes);
  std::vector<Part> conditions;
  for (const expr::Node* p : nodes) {
    Part part{"", p, p->op, {}};
    bool is_path[3] = {false, false, false};
    size_t paths = 0;
    bool call = false;
    for (size_t i = 0; i < p->kids.size(); ++i) {
      is_path[i] = p->kids[i].kind == expr::Node::Kind::Path;
      paths += is_path[i];
      call = call || p->kids[i].kind == expr::Node::Kind::Call;
    }
    size_t subject = 0;
    if (p->kind != expr::Node::Kind::Compare) {
      if (!is_path[0])
        invalid(std::string("Invalid condition in KeyConditionExpression: ") +
                (p->kind == expr::Node::Kind::Between ? "BETWEEN" : "begins_with") +
                " operator must have the key attribute as its first operand");
    } else if (!is_path[0] && is_path[1]) {
      // A comparison may name the key on either side: `:v < k` is `k > :v`.
      subject = 1;
      part.op = mirrored(p->op);
    } else if (!is_path[0] && !call) {
      invalid("Invalid condition in KeyConditionExpression: No key attribute specified");
    }
    if (is_path[subject] && p->kids[subject].path.size() != 1)
      invalid("KeyConditionExpressions cannot have conditions on nested attributes");
    if (paths > 1)
      invalid(
          "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
          "condition");
    if (call) invalid("KeyConditionExpressions cannot contain nested operations");
    for (size_t i = 0; i < p->kids.size(); ++i)
      if (i != subject) part.values.push_back(&p->kids[i].value);
    part.attr = p->kids[subject].path[0].name;
    for (const auto& c : conditions)
      if (c.attr == part.attr)
        invalid("KeyConditionExpressions must only contain one condition per key");
    conditions.push_back(std::move(part));
  }
  if (conditions.size() > 2) invalid("Conditions can be of length 1 or 2 only");
  return conditions;
}

KeyCondition from_expression(const expr::Node& root, const std::string& hash_name,
                             const std::string* sort_name) {
  KeyCondition kc;
  std::vector<Part> conditions = key_parts(root);
  bool has_hash = false;
  for (const auto& c : conditions) has_hash = has_hash || c.attr == hash_name;
  for (const auto& c : conditions) {
    if (c.attr == hash_name || (sort_name && c.attr == *sort_name)) continue;
    // A condition on another attribute: DynamoDB names the key element it then misses.
    if (!has_hash) invalid("Query condition missed key schema element: " + hash_name);
    if (sort_name) invalid("Query condition missed key schema element: " + *sort_name);
    unsupported();
  }
  if (!has_hash) invalid("Query condition missed key schema element: " + hash_name);
  for (const auto& c : conditions) {
    const expr::Node* p = c.node;
    if (c.attr == hash_name) {
      if (p->kind != expr::Node::Kind::Compare || c.op != expr::Op::Eq) unsupported();
      kc.hash = *c.values[0];
      continue;
    }
    using S = KeyCondition::Sort;
    if (p->kind == expr::Node::Kind::Between) {
      kc.sort = S::Between;
      kc.a = *c.values[0];
      kc.b = *c.values[1];
    } else if (p->kind == expr::Node::Kind::Call) {
      kc.sort = S::BeginsWith;
      kc.a = *c.values[0];
    } else {
      switch (c.op) {
        case expr::Op::Eq: kc.sort = S::Eq; break;
        case expr::Op::Lt: kc.sort = S::Lt; break;
        case expr::Op::Le: kc.sort = S::Le; break;
        case expr::Op::Gt: kc.sort = S::Gt; break;
        default: kc.sort = S::Ge;
      }
      kc.a = *c.values[0];
    }
  }
  return kc;
}

KeyCondition from_key_conditions(const model::Json& conditions, const std::string& hash_name,
                                 const std::string* sort_name) {
  KeyCondition kc;
  if (conditions.MemberCount() > 2) invalid("Conditions can be of length 1 or 2 only");
  for (auto it = conditions.MemberBegin(); it != conditions.MemberEnd(); ++it) {
    std::string attr(model::view(it->name));
    const model::Json& c = it->value;
    if (!c.IsObject()) model::wrong_json_type(c, "Condition");
    auto op = model::get_string(c, "ComparisonOperator").value_or("");
    std::vector<model::Value> args;
    if (const model::Json* list = model::get_array(c, "AttributeValueList"))
      for (const auto& v : list->GetArray()) args.push_back(model::value_from_json(v));
    static constexpr const char* kIndexable[] = {"EQ", "LT",      "LE",         "GT",
                                                 "GE", "BETWEEN", "BEGINS_WITH"};
    if (std::find(std::begin(kIndexable), std::end(kIndexable), op) == std::end(kIndexable))
      invalid("Attempted conditional constraint is not an indexable operation");
    size_t want = op == "BETWEEN" ? 2 : 1;
    if (args.size() != want)
      invalid(std::string(kInvalid) + "Invalid number of argument(s) for the " + std::string(op) +
              " ComparisonOperator");
    if (args.size() == 2 && args[0].type != args[1].type)
      invalid(std::string(kInvalid) +
              "AttributeValues inside AttributeValueList must be of same type");
    expr::check_operator_types(op, args);
    using S = KeyCondition::Sort;
    if (attr == hash_name) {
      if (op != "EQ") unsupported();
      kc.hash = args[0];
    } else if (sort_name && attr == *sort_name) {
      if (op == "EQ")
        kc.sort = S::Eq;
      else if (op == "LT")
        kc.sort = S::Lt;
      else if (op == "LE")
        kc.sort = S::Le;
      else if (op == "GT")
        kc.sort = S::Gt;
      else if (op == "GE")
        kc.sort = S::Ge;
      else if (op == "BETWEEN")
        kc.sort = S::Between;
      else if (op == "BEGINS_WITH")
        kc.sort = S::BeginsWith;
      else
        invalid("Attempted conditional constraint is not an indexable operation");
      kc.a = args[0];
      if (args.size() > 1) kc.b = args[1];
    } else {
      unsupported();
    }
  }
  if (!kc.hash) invalid("Query condition missed key schema element: " + hash_name);
  return kc;
}

bool less(const model::Value& x, const model::Value& y) {
  if (x.type == model::Type::N)
    return model::Number::parse(x.scalar) < model::Number::parse(y.scalar);
  return x.scalar < y.scalar;
}

// The checks of a key condition against the key schema, and the key range it selects (with
// the exact in_range check), the start key checked against it; `after_types` runs between the
// type checks and the others (Query checks its filter there).
void set_range(ReadSpec& spec, const KeyCondition& kc, const std::optional<model::Item>& start_key,
               const std::function<void()>& after_types = {}) {
  const model::TableDef& t = *spec.table;
  const model::KeyAttribute& hash = spec.index ? spec.index->hash : t.hash;
  const std::optional<model::KeyAttribute>& range = spec.index ? spec.index->range : t.range;
  auto mismatch = [] {
    invalid(std::string(kInvalid) + "Condition parameter type does not match schema type");
  };
  if (kc.hash->type != hash.type) mismatch();
  if (kc.sort != KeyCondition::Sort::None) {
    if (kc.a.type != range->type ||
        (kc.sort == KeyCondition::Sort::Between && kc.b.type != range->type))
      mismatch();
    if (kc.sort == KeyCondition::Sort::BeginsWith && range->type == model::Type::N)
      invalid(
          "Invalid KeyConditionExpression: Incorrect operand type for operator or "
          "function; operator or function: begins_with, operand type: N");
    if (kc.sort == KeyCondition::Sort::Between && less(kc.b, kc.a))
      invalid(
          "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to "
          "be greater than or equal to lower bound");
  }
  if (after_types) after_types();
  if (kc.hash->scalar.empty())
    invalid(std::string(kInvalid) +
            "The AttributeValue for a key attribute cannot contain an empty " +
            (hash.type == model::Type::B ? "binary" : "string") + " value. Key: " + hash.name);
  // Key values in the condition are held to the key size limits, as a key in GetItem is
  // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys).
  auto bytes = [](const model::Value& v) { return v.type == model::Type::N ? 0 : v.scalar.size(); };
  if (bytes(*kc.hash) > 2048)
    invalid(std::string(kInvalid) +
            "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  if (kc.sort != KeyCondition::Sort::None &&
      (bytes(kc.a) > 1024 || (kc.sort == KeyCondition::Sort::Between && bytes(kc.b) > 1024)))
    invalid(std::string(kInvalid) +
            "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");

  // The partition's key range, narrowed by the sort key condition.
  std::string partition = storage::table_prefix(spec.index ? spec.index->id : t.id);
  storage::append_key_parts(partition, *kc.hash, nullptr);
  spec.lower = partition;
  spec.upper = prefix_end(partition);
  using S = KeyCondition::Sort;
  switch (kc.sort) {
    case S::None: break;
    case S::Eq:
      spec.lower = partition + storage::sort_part(kc.a);
      spec.upper = prefix_end(spec.lower);
      break;
    case S::Lt: spec.upper = partition + storage::sort_part(kc.a); break;
    case S::Le: spec.upper = prefix_end(partition + storage::sort_part(kc.a)); break;
    case S::Gt: spec.lower = prefix_end(partition + storage::sort_part(kc.a)); break;
    case S::Ge: spec.lower = partition + storage::sort_part(kc.a); break;
    case S::Between:
      spec.lower = partition + storage::sort_part(kc.a);
      spec.upper = prefix_end(partition + storage::sort_part(kc.b));
      break;
    case S::BeginsWith:
      spec.lower = partition + storage::sort_prefix_part(kc.a);
      spec.upper = prefix_end(spec.lower);
      break;
  }
  if (start_key) {
    auto h = start_key->find(hash.name);
    if (!model::values_equal(h->second, *kc.hash))
      invalid("The provided starting key is outside query boundaries based on provided conditions");
    if (range && kc.sort != S::None) {
      const model::Value& v = start_key->at(range->name);
      bool inside = true;
      switch (kc.sort) {
        case S::Eq: inside = model::values_equal(v, kc.a); break;
        case S::Lt: inside = less(v, kc.a); break;
        case S::Le: inside = !less(kc.a, v); break;
        case S::Gt: inside = less(kc.a, v); break;
        case S::Ge: inside = !less(v, kc.a); break;
        case S::Between: inside = !less(v, kc.a) && !less(kc.b, v); break;
        case S::BeginsWith:
          inside = v.scalar.compare(0, kc.a.scalar.size(), kc.a.scalar) == 0;
          break;
        default: break;
      }
      if (!inside) invalid("The provided starting key does not match the range key predicate");
    }
  }
  // Exact check on each item: digests stand in for very long keys in the byte range. When every
  // part of the range is stored whole, the range alone is exact and the check is skipped.
  spec.range_is_exact =
      storage::partition_part_is_whole(*kc.hash) &&
      (kc.sort == S::None || (storage::sort_part_is_whole(kc.a) &&
                              (kc.sort != S::Between || storage::sort_part_is_whole(kc.b))));
  std::string hash_name = hash.name, sort = range ? range->name : "";
  spec.in_range = [kc, hash_name, sort](const model::Item& item) {
    auto h = item.find(hash_name);
    if (h == item.end() || !model::values_equal(h->second, *kc.hash)) return false;
    if (kc.sort == S::None) return true;
    auto it = item.find(sort);
    if (it == item.end()) return false;
    const model::Value& v = it->second;
    switch (kc.sort) {
      case S::Eq: return model::values_equal(v, kc.a);
      case S::Lt: return less(v, kc.a);
      case S::Le: return !less(kc.a, v);
      case S::Gt: return less(kc.a, v);
      case S::Ge: return !less(v, kc.a);
      case S::Between: return !less(v, kc.a) && !less(kc.b, v);
      case S::BeginsWith: return v.scalar.compare(0, kc.a.scalar.size(), kc.a.scalar) == 0;
      default: return true;
    }
  };
}

}  // namespace

void query_key_range(ReadSpec& spec, const expr::Node& key_condition,
                     const std::optional<model::Item>& start_key) {
  const model::TableDef& t = *spec.table;
  const model::KeyAttribute& hash = spec.index ? spec.index->hash : t.hash;
  const std::optional<model::KeyAttribute>& range = spec.index ? spec.index->range : t.range;
  set_range(spec, from_expression(key_condition, hash.name, range ? &range->name : nullptr),
            start_key);
}

void query(const api::CallPtr& call) {
  const model::Json& body = call->body();
  ReadSpec spec;
  api::Constraints c;
  condition_map_constraints(body, "KeyConditions", "keyConditions", c);
  CommonRead common = read_request(
      *call, spec, c, {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
      "QueryFilter");
  const std::optional<expr::Node>& key_expression = common.key_condition;
  common.expressions->finish();
  const model::Json* key_conditions = model::get_object(body, "KeyConditions");
  if (!key_expression && !key_conditions)
    invalid(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  // A key condition's count and values are checked as a filter's are, before the table is
  // looked up; whether its operators suit the keys is known only with the schema (dynalite's
  // test/query.js records both from DynamoDB: no condition or three are 'Conditions can be of
  // length 1 or 2 only' on a table that does not exist).
  if (key_expression) key_parts(*key_expression);
  if (key_conditions && !key_expression) {
    if (key_conditions->MemberCount() == 0 || key_conditions->MemberCount() > 2)
      invalid("Conditions can be of length 1 or 2 only");
    for (auto it = key_conditions->MemberBegin(); it != key_conditions->MemberEnd(); ++it) {
      if (!it->value.IsObject()) continue;  // refused as the wrong JSON kind when read
      std::vector<model::Value> args;
      if (const model::Json* list = model::get_array(it->value, "AttributeValueList"))
        for (const auto& v : list->GetArray()) args.push_back(model::value_from_json(v));
      expr::check_comparison(*model::get_string(it->value, "ComparisonOperator"), args);
    }
  }
  spec.forward = model::get_bool(body, "ScanIndexForward").value_or(true);
  bind_table(*call, spec, common, /*query=*/true);

  const model::TableDef& t = *common.table;
  const model::KeyAttribute& hash = spec.index ? spec.index->hash : t.hash;
  const std::optional<model::KeyAttribute>& range = spec.index ? spec.index->range : t.range;
  const std::string* sort_name = range ? &range->name : nullptr;
  KeyCondition kc = key_expression ? from_expression(*key_expression, hash.name, sort_name)
                                   : from_key_conditions(*key_conditions, hash.name, sort_name);
  // The filter may not name the key attributes of what is queried.
  auto check_filter = [&] {
    if (!spec.filter) return;
    expr::for_each_path(*spec.filter, [&](const expr::Path& p) {
      if (p[0].name == hash.name || (range && p[0].name == range->name))
        invalid(
            std::string(model::get_object(body, "QueryFilter") ? "QueryFilter"
                                                               : "Filter Expression") +
            " can only contain non-primary key attributes: Primary key attribute: " + p[0].name);
    });
  };
  set_range(spec, kc, common.start_key, check_filter);
  call->reply(read_page(*call, spec, common.consumed_capacity));
}

}  // namespace ddb::actions
