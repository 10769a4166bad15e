#include "expr/eval.h"

#include <algorithm>
#include <cctype>

#include "model/error.h"
#include "model/number.h"

namespace ddb::expr {

using model::Item;
using model::Type;
using model::Value;

namespace {

[[noreturn]] void invalid_in(Kind kind, const std::string& detail) {
  invalid(std::string("Invalid ") + kind_name(kind) + ": " + detail);
}

// The type names DynamoDB uses in update operand errors.
const char* long_type_name(Type t) {
  switch (t) {
    case Type::S: return "STRING";
    case Type::N: return "NUMBER";
    case Type::B: return "BINARY";
    case Type::BOOL: return "BOOLEAN";
    case Type::NUL: return "NULL";
    case Type::M: return "MAP";
    case Type::L: return "LIST";
    case Type::SS: return "STRING_SET";
    case Type::NS: return "NUMBER_SET";
    case Type::BS: return "BINARY_SET";
  }
  return "";
}

std::string short_value(const Value& v) {
  std::string s = "{";
  s += model::type_name(v.type);
  s += ":";
  switch (v.type) {
    case Type::S:
    case Type::N: s += v.scalar; break;
    default: break;
  }
  return s + "}";
}

bool is_set(Type t) { return t == Type::SS || t == Type::NS || t == Type::BS; }

bool is_scalar_key_type(Type t) { return t == Type::S || t == Type::N || t == Type::B; }

// "#name" / ":value": the sigil, then one or more letters, digits or underscores.
bool placeholder_key(std::string_view key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (char c : key.substr(1))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

const char* op_text(Op op) {
  switch (op) {
    case Op::Eq: return "=";
    case Op::Ne: return "<>";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
  }
  return "";
}

}  // namespace

Bindings::Bindings(const model::Json* names, const model::Json* values) {
  if (names) {
    if (names->MemberCount() == 0) invalid("ExpressionAttributeNames must not be empty");
    for (auto it = names->MemberBegin(); it != names->MemberEnd(); ++it) {
      std::string_view key = model::view(it->name);
      if (!placeholder_key(key, '#'))
        invalid("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
                std::string(key) + "\"");
      if (!it->value.IsString()) model::wrong_json_type(it->value, "String");
      // An expression names an empty attribute only through a placeholder: refused here for
      // conditions, key conditions, updates and projections alike.
      if (it->value.GetStringLength() == 0)
        invalid("ExpressionAttributeNames contains invalid value: Empty attribute name for key " +
                std::string(key));
      names_.emplace(std::string(key), std::string(model::view(it->value)));
    }
  }
  if (values) {
    if (values->MemberCount() == 0) invalid("ExpressionAttributeValues must not be empty");
    for (auto it = values->MemberBegin(); it != values->MemberEnd(); ++it) {
      std::string_view key = model::view(it->name);
      if (!placeholder_key(key, ':'))
        invalid("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" +
                std::string(key) + "\"");
      try {
        values_.emplace(std::string(key), model::value_from_json(it->value));
      } catch (const ApiError& e) {
        if (e.code != Code::Validation) throw;
        invalid("ExpressionAttributeValues contains invalid value: " + e.message + " for key " +
                std::string(key));
      }
    }
  }
}

std::optional<std::string> unordered_operand(const Node& n) {
  bool ordering = (n.kind == Node::Kind::Compare && n.op != Op::Eq && n.op != Op::Ne) ||
                  n.kind == Node::Kind::Between;
  if (!ordering) return std::nullopt;
  for (const Node& k : n.kids)
    if (k.kind == Node::Kind::Literal && !is_scalar_key_type(k.value.type))
      return std::string(
                 "Incorrect operand type for operator or function; operator or function: ") +
             (n.kind == Node::Kind::Between ? "BETWEEN" : op_text(n.op)) +
             ", operand type: " + model::type_name(k.value.type);
  return std::nullopt;
}

Path Bindings::bind(const Path& p, Kind kind) {
  Path out = p;
  for (auto& step : out) {
    if (!step.placeholder) continue;
    auto it = names_.find(step.name);
    if (it == names_.end())
      invalid_in(kind,
                 "An expression attribute name used in the document path is not defined; "
                 "attribute name: " +
                     step.name);
    used_names_.insert(step.name);
    step.name = it->second;
    step.placeholder = false;
  }
  return out;
}

Node Bindings::bind(const Node& n, Kind kind) {
  Node out;
  out.kind = n.kind;
  out.func = n.func;
  out.op = n.op;
  switch (n.kind) {
    case Node::Kind::Path: out.path = bind(n.path, kind); return out;
    case Node::Kind::ValueRef: {
      auto it = values_.find(n.name);
      if (it == values_.end())
        invalid_in(kind,
                   "An expression attribute value used in expression is not defined; attribute "
                   "value: " +
                       n.name);
      used_values_.insert(n.name);
      out.kind = Node::Kind::Literal;
      out.value = it->second;
      return out;
    }
    case Node::Kind::Literal: out.value = n.value; return out;
    default: break;
  }
  for (const auto& k : n.kids) out.kids.push_back(bind(k, kind));

  // Checks DynamoDB makes as soon as the operands' values are known.
  auto literal = [&](size_t i) -> const Value* {
    return i < out.kids.size() && out.kids[i].kind == Node::Kind::Literal ? &out.kids[i].value
                                                                          : nullptr;
  };
  if (n.kind == Node::Kind::Call) {
    // A function's number of operands is checked after its operands' names and values are
    // resolved: 'attribute_exists(#p.q, :a)' without #p names #p (dynalite's test/scan.js
    // records both answers from DynamoDB).
    size_t want = n.func == Func::AttributeExists || n.func == Func::AttributeNotExists ||
                          n.func == Func::Size
                      ? 1
                      : 2;
    if (out.kids.size() != want)
      invalid_in(kind,
                 std::string("Incorrect number of operands for operator or function; operator or "
                             "function: ") +
                     function_name(n.func) +
                     ", number of operands: " + std::to_string(out.kids.size()));
    // size() yields a number: an operand begins_with and size itself cannot take, nor
    // attribute_type as the type it tests for.
    if (n.func == Func::BeginsWith || n.func == Func::Size || n.func == Func::AttributeType)
      for (size_t i = n.func == Func::AttributeType ? 1 : 0; i < out.kids.size(); ++i)
        if (const Node& k = out.kids[i]; k.kind == Node::Kind::Call && k.func == Func::Size)
          invalid_in(kind,
                     std::string("Incorrect operand type for operator or function; operator or "
                                 "function: ") +
                         function_name(n.func) + ", operand type: N");
    if (n.func == Func::AttributeType) {
      const Value* t = literal(1);
      static const char* kTypes[] = {"B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M"};
      bool valid = false;
      if (t && t->type != Type::S)
        invalid_in(kind,
                   "Incorrect operand type for operator or function; operator or "
                   "function: attribute_type, operand type: " +
                       std::string(model::type_name(t->type)));
      if (t)
        for (const char* name : kTypes) valid = valid || t->scalar == name;
      if (t && !valid)
        invalid_in(kind,
                   "Invalid attribute type name found; type: " +
                       (t->type == Type::S ? t->scalar : std::string(model::type_name(t->type))) +
                       ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
    }
    if (n.func == Func::BeginsWith) {
      for (size_t i = 0; i < 2; ++i)
        if (const Value* v = literal(i); v && v->type != Type::S && v->type != Type::B)
          invalid_in(kind,
                     "Incorrect operand type for operator or function; operator or "
                     "function: begins_with, operand type: " +
                         std::string(model::type_name(v->type)));
    }
    // size() takes a value as well as a path, of a type that has a size (dynalite's
    // test/scan.js records 'size(:a) > a' refused for BOOL and NULL, and size(:a) of a string
    // accepted where a path is not required).
    if (n.func == Func::Size)
      if (const Value* v = literal(0);
          v && (v->type == Type::N || v->type == Type::BOOL || v->type == Type::NUL))
        invalid_in(kind,
                   "Incorrect operand type for operator or function; operator or "
                   "function: size, operand type: " +
                       std::string(model::type_name(v->type)));
    // Then the functions that test or read an attribute need a document path: in
    // 'attribute_not_exists(size(:a))' size's operand type is reported first.
    bool needs_path = n.func == Func::AttributeExists || n.func == Func::AttributeNotExists ||
                      n.func == Func::AttributeType || n.func == Func::IfNotExists;
    if (needs_path && !out.kids.empty() && out.kids[0].kind != Node::Kind::Path)
      invalid_in(kind, std::string("Operator or function requires a document path; operator or "
                                   "function: ") +
                           function_name(n.func));
    if (n.func == Func::ListAppend) {
      for (size_t i = 0; i < 2; ++i)
        if (const Value* v = literal(i); v && v->type != Type::L)
          invalid_in(kind,
                     "Incorrect operand type for operator or function; operator or "
                     "function: list_append, operand type: " +
                         std::string(model::type_name(v->type)));
    }
  }
  if (n.kind == Node::Kind::Plus || n.kind == Node::Kind::Minus) {
    for (size_t i = 0; i < 2; ++i)
      if (const Value* v = literal(i); v && v->type != Type::N)
        invalid_in(kind, std::string("Incorrect operand type for operator or function; operator or "
                                     "function: ") +
                             (n.kind == Node::Kind::Plus ? "+" : "-") +
                             ", operand type: " + model::type_name(v->type));
  }
  // The same path on both sides of an operator or function.
  if ((n.kind == Node::Kind::Compare || n.kind == Node::Kind::Between || n.kind == Node::Kind::In ||
       n.kind == Node::Kind::Call) &&
      !out.kids.empty() && out.kids[0].kind == Node::Kind::Path) {
    for (size_t i = 1; i < out.kids.size(); ++i)
      if (out.kids[i].kind == Node::Kind::Path && out.kids[i].path == out.kids[0].path) {
        std::string op = n.kind == Node::Kind::Compare   ? op_text(n.op)
                         : n.kind == Node::Kind::Between ? "BETWEEN"
                         : n.kind == Node::Kind::In      ? "IN"
                                                         : function_name(n.func);
        invalid_in(kind,
                   "The first operand must be distinct from the remaining operands for this "
                   "operator or function; operator: " +
                       op + ", first operand: " + describe(out.kids[0].path));
      }
  }
  // attribute_type tests for a type named by a value: a path in its place is an operand of
  // every type, as DynamoDB reports it once the operands are known distinct (dynalite's
  // test/scan.js records 'attribute_type(ab.bc[1].a, SS)' answered 'operand type:
  // {NS,SS,L,BS,N,M,B,BOOL,NULL,S}', the set in no fixed order).
  if (n.kind == Node::Kind::Call && n.func == Func::AttributeType && out.kids.size() == 2 &&
      out.kids[1].kind == Node::Kind::Path)
    invalid_in(kind,
               "Incorrect operand type for operator or function; operator or function: "
               "attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
  // Ordering needs scalar operands: a constant of another type is an error.
  if (auto message = unordered_operand(out)) invalid_in(kind, *message);
  if (n.kind == Node::Kind::Between) {
    const Value *lo = literal(1), *hi = literal(2);
    if (lo && hi && lo->type != hi->type)
      invalid_in(kind,
                 "The BETWEEN operator requires same data type for lower and upper bounds; "
                 "lower bound operand: AttributeValue: " +
                     short_value(*lo) +
                     ", upper bound operand: AttributeValue: " + short_value(*hi));
    if (lo && hi && lo->type == hi->type && is_scalar_key_type(lo->type)) {
      bool inverted = lo->type == Type::N
                          ? model::Number::parse(hi->scalar) < model::Number::parse(lo->scalar)
                          : hi->scalar < lo->scalar;
      if (inverted)
        invalid_in(kind,
                   "The BETWEEN operator requires upper bound to be greater than or equal "
                   "to lower bound; lower bound operand: AttributeValue: " +
                       short_value(*lo) +
                       ", upper bound operand: AttributeValue: " + short_value(*hi));
    }
  }
  return out;
}

Update Bindings::bind(const Update& u) {
  Update out;
  out.legacy = u.legacy;
  for (const auto& a : u.actions) {
    UpdateAction b{a.kind, bind(a.path, Kind::Update), {}};
    if (a.kind != UpdateAction::Kind::Remove) b.value = bind(a.value, Kind::Update);
    if (a.kind == UpdateAction::Kind::Add || a.kind == UpdateAction::Kind::Delete) {
      const Value& v = b.value.value;
      bool ok = a.kind == UpdateAction::Kind::Add ? (v.type == Type::N || is_set(v.type))
                                                  : is_set(v.type);
      if (!ok)
        invalid_in(Kind::Update,
                   std::string("Incorrect operand type for operator or function; operator: ") +
                       (a.kind == UpdateAction::Kind::Add ? "ADD" : "DELETE") +
                       ", operand type: " + long_type_name(v.type) + ", typeSet: " +
                       (a.kind == UpdateAction::Kind::Add ? "ALLOWED_FOR_ADD_OPERAND"
                                                          : "ALLOWED_FOR_DELETE_OPERAND"));
    }
    out.actions.push_back(std::move(b));
  }
  check_paths_disjoint(updated_paths(out), Kind::Update);
  return out;
}

std::vector<Path> Bindings::bind(const std::vector<Path>& paths, Kind kind) {
  std::vector<Path> out;
  for (const auto& p : paths) out.push_back(bind(p, kind));
  check_paths_disjoint(out, kind);
  return out;
}

void Bindings::check_unused() const {
  auto report = [](const char* what, const auto& given, const auto& used) {
    std::string keys;
    for (const auto& [k, v] : given)
      if (!used.contains(k)) keys += (keys.empty() ? "" : ", ") + k;
    if (!keys.empty())
      invalid(std::string("Value provided in ") + what + " unused in expressions: keys: {" + keys +
              "}");
  };
  report("ExpressionAttributeNames", names_, used_names_);
  report("ExpressionAttributeValues", values_, used_values_);
}

void check_paths_disjoint(const std::vector<Path>& paths, Kind kind) {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Path &a = paths[j], &b = paths[i];
      size_t n = std::min(a.size(), b.size()), k = 0;
      while (k < n && a[k] == b[k]) ++k;
      if (k == n)
        invalid_in(kind,
                   "Two document paths overlap with each other; must remove or rewrite "
                   "one of these paths; path one: " +
                       describe(a) + ", path two: " + describe(b));
      if (a[k].is_index() != b[k].is_index())
        invalid_in(kind,
                   "Two document paths conflict with each other; must remove or rewrite "
                   "one of these paths; path one: " +
                       describe(a) + ", path two: " + describe(b));
    }
  }
}

// ---- evaluation ------------------------------------------------------------------------

const Value* lookup(const Item& item, const Path& path) {
  auto it = item.find(path[0].name);
  if (it == item.end()) return nullptr;
  const Value* v = &it->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const Step& s = path[i];
    if (s.is_index()) {
      if (v->type != Type::L || static_cast<size_t>(s.index) >= v->list.size()) return nullptr;
      v = &v->list[static_cast<size_t>(s.index)];
    } else {
      if (v->type != Type::M) return nullptr;
      auto m = v->map.find(s.name);
      if (m == v->map.end()) return nullptr;
      v = &m->second;
    }
  }
  return v;
}

namespace {

// <0, 0, >0 for comparable values of one scalar type (N, S, B).
int order(const Value& a, const Value& b) {
  if (a.type == Type::N) {
    auto c = model::Number::parse(a.scalar) <=> model::Number::parse(b.scalar);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  int c = a.scalar.compare(b.scalar);  // std::string compares bytes as unsigned char
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool orderable(const Value& a, const Value& b) {
  return a.type == b.type && (a.type == Type::N || a.type == Type::S || a.type == Type::B);
}

size_t utf16_length(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;  // astral characters take two units
  }
  return n;
}

// The value an operand denotes in `item`, or nullptr; `scratch` holds computed values.
const Value* operand(const Node& n, const Item* item, Value& scratch) {
  switch (n.kind) {
    case Node::Kind::Literal: return &n.value;
    case Node::Kind::Path: return item ? lookup(*item, n.path) : nullptr;
    case Node::Kind::Call: {
      if (n.func != Func::Size) return nullptr;
      Value inner;
      const Value* v = operand(n.kids[0], item, inner);  // a path or a value
      if (!v) return nullptr;
      size_t size = 0;
      switch (v->type) {
        case Type::S: size = utf16_length(v->scalar); break;
        case Type::B: size = v->scalar.size(); break;
        case Type::SS:
        case Type::NS:
        case Type::BS: size = v->set.size(); break;
        case Type::L: size = v->list.size(); break;
        case Type::M: size = v->map.size(); break;
        default: return nullptr;
      }
      scratch = Value::number(std::to_string(size));
      return &scratch;
    }
    default: return nullptr;
  }
}

bool contains(const Value& hay, const Value& needle) {
  switch (hay.type) {
    case Type::S:
    case Type::B:
      return needle.type == hay.type && hay.scalar.find(needle.scalar) != std::string::npos;
    case Type::SS:
      return needle.type == Type::S &&
             std::find(hay.set.begin(), hay.set.end(), needle.scalar) != hay.set.end();
    case Type::NS:
      if (needle.type != Type::N) return false;
      for (const auto& s : hay.set)
        if (model::Number::parse(s) == model::Number::parse(needle.scalar)) return true;
      return false;
    case Type::BS:
      return needle.type == Type::B &&
             std::find(hay.set.begin(), hay.set.end(), needle.scalar) != hay.set.end();
    case Type::L:
      for (const auto& e : hay.list)
        if (model::values_equal(e, needle)) return true;
      return false;
    default: return false;
  }
}

}  // namespace

bool holds(const Node& n, const Item* item) {
  Value s1, s2, s3;
  switch (n.kind) {
    case Node::Kind::And: return holds(n.kids[0], item) && holds(n.kids[1], item);
    case Node::Kind::Or: return holds(n.kids[0], item) || holds(n.kids[1], item);
    case Node::Kind::Not: return !holds(n.kids[0], item);
    case Node::Kind::Compare: {
      const Value* a = operand(n.kids[0], item, s1);
      const Value* b = operand(n.kids[1], item, s2);
      if (n.op == Op::Ne) return !(a && b && model::values_equal(*a, *b));
      if (!a || !b) return false;
      if (n.op == Op::Eq) return model::values_equal(*a, *b);
      if (!orderable(*a, *b)) return false;
      int c = order(*a, *b);
      switch (n.op) {
        case Op::Lt: return c < 0;
        case Op::Le: return c <= 0;
        case Op::Gt: return c > 0;
        case Op::Ge: return c >= 0;
        default: return false;
      }
    }
    case Node::Kind::Between: {
      const Value* x = operand(n.kids[0], item, s1);
      const Value* lo = operand(n.kids[1], item, s2);
      const Value* hi = operand(n.kids[2], item, s3);
      if (!x || !lo || !hi || !orderable(*x, *lo) || !orderable(*x, *hi)) return false;
      return order(*lo, *x) <= 0 && order(*x, *hi) <= 0;
    }
    case Node::Kind::In: {
      const Value* x = operand(n.kids[0], item, s1);
      if (!x) return false;
      for (size_t i = 1; i < n.kids.size(); ++i) {
        const Value* c = operand(n.kids[i], item, s2);
        if (c && model::values_equal(*x, *c)) return true;
      }
      return false;
    }
    case Node::Kind::Call: {
      switch (n.func) {
        case Func::AttributeExists: return item && lookup(*item, n.kids[0].path);
        case Func::AttributeNotExists: return !(item && lookup(*item, n.kids[0].path));
        case Func::AttributeType: {
          const Value* v = operand(n.kids[0], item, s1);
          const Value* t = operand(n.kids[1], item, s2);
          return v && t && t->type == Type::S && t->scalar == model::type_name(v->type);
        }
        case Func::BeginsWith: {
          const Value* v = operand(n.kids[0], item, s1);
          const Value* p = operand(n.kids[1], item, s2);
          return v && p && v->type == p->type && (v->type == Type::S || v->type == Type::B) &&
                 v->scalar.compare(0, p->scalar.size(), p->scalar) == 0;
        }
        case Func::Contains: {
          const Value* v = operand(n.kids[0], item, s1);
          const Value* x = operand(n.kids[1], item, s2);
          return v && x && contains(*v, *x);
        }
        default: return false;
      }
    }
    default: return false;
  }
}

// ---- projection ------------------------------------------------------------------------

namespace {

struct Tree {
  bool whole = false;
  std::map<std::string, Tree, std::less<>> keys;
  std::map<int64_t, Tree> indexes;
};

void add(Tree& t, const Path& p, size_t i) {
  if (i == p.size()) {
    t.whole = true;
    return;
  }
  if (p[i].is_index())
    add(t.indexes[p[i].index], p, i + 1);
  else
    add(t.keys[p[i].name], p, i + 1);
}

// The projection of `v` by `t`, or false when nothing of it is selected.
bool pick(const Value& v, const Tree& t, Value& out) {
  if (t.whole) {
    out = v;
    return true;
  }
  if (!t.keys.empty() && v.type == Type::M) {
    out = Value{Type::M};
    for (const auto& [k, sub] : t.keys) {
      auto it = v.map.find(k);
      Value child;
      if (it != v.map.end() && pick(it->second, sub, child)) out.map.emplace(k, std::move(child));
    }
    return !out.map.empty();
  }
  if (!t.indexes.empty() && v.type == Type::L) {
    out = Value{Type::L};
    for (const auto& [i, sub] : t.indexes) {
      Value child;
      if (static_cast<size_t>(i) < v.list.size() &&
          pick(v.list[static_cast<size_t>(i)], sub, child))
        out.list.push_back(std::move(child));
    }
    return !out.list.empty();
  }
  return false;
}

}  // namespace

Item project(const Item& item, const std::vector<Path>& paths) {
  Tree root;
  for (const auto& p : paths) add(root, p, 0);
  Value whole{Type::M};
  whole.map = item;  // TODO(perf): avoid the copy by picking straight from the item
  Value out;
  if (!pick(whole, root, out)) return {};
  return std::move(out.map);
}

// ---- update ----------------------------------------------------------------------------

namespace {

thread_local bool legacy_update = false;  // AttributeUpdates words its type errors differently

[[noreturn]] void bad_operand() {
  if (legacy_update) invalid("Type mismatch for attribute to update");
  invalid("An operand in the update expression has an incorrect data type");
}

Value evaluate(const Node& n, const Item& old) {
  switch (n.kind) {
    case Node::Kind::Literal: return n.value;
    case Node::Kind::Path: {
      const Value* v = lookup(old, n.path);
      if (!v)
        invalid("The provided expression refers to an attribute that does not exist in the item");
      return *v;
    }
    case Node::Kind::Plus:
    case Node::Kind::Minus: {
      Value a = evaluate(n.kids[0], old), b = evaluate(n.kids[1], old);
      if (a.type != Type::N || b.type != Type::N) bad_operand();
      auto x = model::Number::parse(a.scalar), y = model::Number::parse(b.scalar);
      return Value::number((n.kind == Node::Kind::Plus ? x + y : x - y).to_string());
    }
    case Node::Kind::Call:
      if (n.func == Func::IfNotExists) {
        if (const Value* v = lookup(old, n.kids[0].path)) return *v;
        return evaluate(n.kids[1], old);
      }
      if (n.func == Func::ListAppend) {
        Value a = evaluate(n.kids[0], old), b = evaluate(n.kids[1], old);
        if (a.type != Type::L || b.type != Type::L) bad_operand();
        for (auto& e : b.list) a.list.push_back(std::move(e));
        return a;
      }
      break;
    default: break;
  }
  bad_operand();
}

[[noreturn]] void invalid_path() {
  invalid("The document path provided in the update expression is invalid for update");
}

// The container that holds the last step of `path`, or nullptr when a step is missing.
Value* parent_of(Item& item, const Path& path, bool must_exist) {
  Value* v = nullptr;
  auto it = item.find(path[0].name);
  if (it == item.end()) {
    if (must_exist) invalid_path();
    return nullptr;
  }
  v = &it->second;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    const Step& s = path[i];
    Value* next = nullptr;
    if (s.is_index()) {
      if (v->type != Type::L) invalid_path();
      if (static_cast<size_t>(s.index) < v->list.size())
        next = &v->list[static_cast<size_t>(s.index)];
    } else {
      if (v->type != Type::M) invalid_path();
      auto m = v->map.find(s.name);
      if (m != v->map.end()) next = &m->second;
    }
    if (!next) {
      if (must_exist) invalid_path();
      return nullptr;
    }
    v = next;
  }
  return v;
}

void set_path(Item& item, const Path& path, Value value) {
  if (path.size() == 1) {
    item.insert_or_assign(path[0].name, std::move(value));
    return;
  }
  Value* parent = parent_of(item, path, true);
  const Step& last = path.back();
  if (last.is_index()) {
    if (parent->type != Type::L) invalid_path();
    if (static_cast<size_t>(last.index) >= parent->list.size())
      parent->list.push_back(std::move(value));
    else
      parent->list[static_cast<size_t>(last.index)] = std::move(value);
  } else {
    if (parent->type != Type::M) invalid_path();
    parent->map.insert_or_assign(last.name, std::move(value));
  }
}

void remove_path(Item& item, const Path& path) {
  if (path.size() == 1) {
    item.erase(path[0].name);
    return;
  }
  Value* parent = parent_of(item, path, true);
  const Step& last = path.back();
  if (last.is_index()) {
    if (parent->type != Type::L) invalid_path();
    if (static_cast<size_t>(last.index) < parent->list.size())
      parent->list.erase(parent->list.begin() + last.index);
  } else {
    if (parent->type != Type::M) invalid_path();
    parent->map.erase(last.name);
  }
}

Value* find_mut(Item& item, const Path& path) { return const_cast<Value*>(lookup(item, path)); }

bool set_has(const Value& set, const std::string& member) {
  if (set.type != Type::NS)
    return std::find(set.set.begin(), set.set.end(), member) != set.set.end();
  for (const auto& s : set.set)
    if (model::Number::parse(s) == model::Number::parse(member)) return true;
  return false;
}

}  // namespace

std::vector<Path> updated_paths(const Update& u) {
  std::vector<Path> out;
  for (const auto& a : u.actions) out.push_back(a.path);
  return out;
}

void apply(const Update& u, const model::TableDef& table, Item& item) {
  for (const auto& a : u.actions) {
    const std::string& top = a.path[0].name;
    if (top == table.hash.name || (table.range && top == table.range->name))
      invalid("One or more parameter values were invalid: Cannot update attribute " + top +
              ". This attribute is part of the key");
  }
  legacy_update = u.legacy;
  // Every operand reads the item as it was before the update.
  const Item old = item;
  std::vector<std::pair<const Path*, Value>> sets;
  for (const auto& a : u.actions)
    if (a.kind == UpdateAction::Kind::Set) sets.emplace_back(&a.path, evaluate(a.value, old));
  // List elements set past the end are appended in index order.
  std::stable_sort(sets.begin(), sets.end(), [](const auto& x, const auto& y) {
    return x.first->back().is_index() && y.first->back().is_index() &&
           x.first->back().index < y.first->back().index;
  });
  for (auto& [path, value] : sets) set_path(item, *path, std::move(value));

  // REMOVE of list elements: highest index first, so indexes refer to the original list.
  std::vector<const Path*> removes;
  for (const auto& a : u.actions)
    if (a.kind == UpdateAction::Kind::Remove) removes.push_back(&a.path);
  std::stable_sort(removes.begin(), removes.end(), [](const Path* x, const Path* y) {
    return x->back().is_index() && y->back().is_index() && x->back().index > y->back().index;
  });
  for (const Path* p : removes) remove_path(item, *p);

  for (const auto& a : u.actions) {
    const Value& operand = a.value.value;
    if (a.kind == UpdateAction::Kind::Add) {
      Value* existing = find_mut(item, a.path);
      if (!existing) {
        set_path(item, a.path, operand);
      } else if (existing->type != operand.type) {
        bad_operand();
      } else if (operand.type == Type::N) {
        *existing = Value::number(
            (model::Number::parse(existing->scalar) + model::Number::parse(operand.scalar))
                .to_string());
      } else {
        for (const auto& m : operand.set)
          if (!set_has(*existing, m)) existing->set.push_back(m);
      }
    } else if (a.kind == UpdateAction::Kind::Delete) {
      Value* existing = find_mut(item, a.path);
      if (!existing) continue;
      if (existing->type != operand.type) bad_operand();
      std::vector<std::string> kept;
      for (const auto& m : existing->set)
        if (!set_has(operand, m)) kept.push_back(m);
      if (kept.empty())
        remove_path(item, a.path);
      else
        existing->set = std::move(kept);
    }
  }
}

}  // namespace ddb::expr
