#include "eventfilter/filter.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace eventfilter {

using rapidjson::Value;

namespace detail {

enum class Op {
  kEquals,  // a string, a number (by its text), true, false or null
  kPrefix,
  kSuffix,
  kEqualsIgnoreCase,
  kPrefixIgnoreCase,
  kSuffixIgnoreCase,
  kAnythingBut,            // none of `strings` / `numbers`
  kAnythingButIgnoreCase,  // none of `strings` (lowercase)
  kAnythingButPrefix,
  kAnythingButSuffix,
  kNumeric,
  kExists,
};

enum class Kind { kString, kNumber, kTrue, kFalse, kNull };

struct Rule {
  Op op = Op::kEquals;
  Kind kind = Kind::kString;         // kEquals
  std::string text;                  // kEquals (a number's text), prefix, suffix, ignore-case
  std::vector<std::string> strings;  // anything-but
  std::vector<double> numbers;       // anything-but
  bool has_low = false, low_open = false, has_high = false, high_open = false;  // numeric
  double low = 0, high = 0;
  bool exists = true;  // kExists
};

struct Node;

struct Field {
  std::string name;
  std::vector<Rule> rules;      // a leaf: one rule must hold
  std::unique_ptr<Node> child;  // else a nested object
};

struct Node {
  std::vector<Field> fields;              // all must match
  std::vector<std::vector<Node>> any_of;  // each "$or": one of its objects must match
};

}  // namespace detail

namespace {

using detail::Field;
using detail::Kind;
using detail::Node;
using detail::Op;
using detail::Rule;

constexpr int kMaxDepth = 64;
constexpr char kInvalid[] = "Invalid filter pattern definition.";

[[noreturn]] void fail(const std::string& where, const std::string& reason) {
  std::string message = kInvalid;
  message += " Reason: " + reason;
  if (!where.empty()) message += " (at " + where + ")";
  throw FilterError(message);
}

std::string join(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The text rapidjson writes for a number: a number matches a number with the same text.
std::string number_text(const Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string_view view(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// One member object of a rule array ({"prefix": "x"}): exactly one key.
const Value::ConstMemberIterator single_member(const Value& rule, const std::string& where) {
  if (rule.MemberCount() == 0) fail(where, "Match expression name not found");
  if (rule.MemberCount() > 1) fail(where, "Only one key allowed in match expression");
  return rule.MemberBegin();
}

void parse_numeric(const Value& v, Rule& r, const std::string& where) {
  if (!v.IsArray()) fail(where, "Value of numeric must be an array.");
  auto a = v.GetArray();
  if (a.Empty() || !a[0].IsString()) fail(where, "Invalid member in numeric match");
  auto number = [&](rapidjson::SizeType i, std::string_view op) {
    if (i >= a.Size() || !a[i].IsNumber())
      fail(where, "Value of " + std::string(op) + " must be numeric");
    return a[i].GetDouble();
  };
  std::string_view op = view(a[0]);
  r.op = Op::kNumeric;
  if (op == "=") {
    r.has_low = r.has_high = true;
    r.low = r.high = number(1, "equals");
    if (a.Size() > 2) fail(where, "Too many elements in numeric expression");
    return;
  }
  if (op == "<" || op == "<=") {
    r.has_high = true, r.high_open = op == "<", r.high = number(1, op);
    if (a.Size() > 2) fail(where, "Too many elements in numeric expression");
    return;
  }
  if (op != ">" && op != ">=")
    fail(where, "Unrecognized numeric range operator: " + std::string(op));
  r.has_low = true, r.low_open = op == ">", r.low = number(1, op);
  if (a.Size() == 2) return;
  if (!a[2].IsString()) fail(where, "Bad value in numeric range");
  std::string_view top = view(a[2]);
  if (top != "<" && top != "<=") fail(where, "Bad numeric range operator: " + std::string(top));
  r.has_high = true, r.high_open = top == "<", r.high = number(3, top);
  if (a.Size() > 4) fail(where, "Too many terms in numeric range expression");
  if (!(r.low < r.high)) fail(where, "Bottom must be less than top");
}

void parse_anything_but(const Value& v, Rule& r, const std::string& where) {
  if (v.IsObject()) {
    auto m = single_member(v, where);
    std::string_view name = view(m->name);
    if (name == "equals-ignore-case") {
      r.op = Op::kAnythingButIgnoreCase;
      if (m->value.IsString()) {
        r.strings.push_back(lower(view(m->value)));
        return;
      }
      if (!m->value.IsArray() || m->value.Empty())
        fail(where,
             "Value of anything-but/equals-ignore-case must be a string or an array of strings");
      for (const Value& s : m->value.GetArray()) {
        if (!s.IsString())
          fail(where,
               "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
               "supported.");
        r.strings.push_back(lower(view(s)));
      }
      return;
    }
    if (name != "prefix" && name != "suffix")
      fail(where, "Unsupported anything-but pattern: " + std::string(name));
    if (!m->value.IsString()) fail(where, "prefix/suffix match pattern must be a string");
    if (m->value.GetStringLength() == 0) fail(where, "Null prefix/suffix not allowed");
    r.op = name == "prefix" ? Op::kAnythingButPrefix : Op::kAnythingButSuffix;
    r.text = std::string(view(m->value));
    return;
  }
  r.op = Op::kAnythingBut;
  if (v.IsString()) {
    r.strings.push_back(std::string(view(v)));
    return;
  }
  if (v.IsNumber()) {
    r.numbers.push_back(v.GetDouble());
    return;
  }
  if (!v.IsArray())
    fail(where, "Value of anything-but must be an array or single string/number value.");
  for (const Value& e : v.GetArray()) {
    if (e.IsString()) {
      r.strings.push_back(std::string(view(e)));
    } else if (e.IsNumber()) {
      r.numbers.push_back(e.GetDouble());
    } else {
      fail(where, "Inside anything but list, start|null|boolean is not supported.");
    }
  }
  if (r.strings.empty() == r.numbers.empty())
    fail(where,
         "Inside anything but list, either all values are number or string, mixed type is not "
         "supported");
}

Rule parse_rule_object(const Value& v, const std::string& where) {
  auto m = single_member(v, where);
  std::string_view name = view(m->name);
  const Value& arg = m->value;
  Rule r;
  if (name == "prefix" || name == "suffix") {
    bool prefix = name == "prefix";
    if (arg.IsObject()) {
      auto inner = single_member(arg, where);
      if (view(inner->name) != "equals-ignore-case")
        fail(where,
             "Unsupported " + std::string(name) + " pattern: " + std::string(view(inner->name)));
      if (!inner->value.IsString())
        fail(where, "equals-ignore-case match pattern must be a string");
      r.op = prefix ? Op::kPrefixIgnoreCase : Op::kSuffixIgnoreCase;
      r.text = lower(view(inner->value));
      return r;
    }
    if (!arg.IsString()) fail(where, std::string(name) + " match pattern must be a string");
    r.op = prefix ? Op::kPrefix : Op::kSuffix;
    r.text = std::string(view(arg));
    return r;
  }
  if (name == "equals-ignore-case") {
    if (!arg.IsString()) fail(where, "equals-ignore-case match pattern must be a string");
    r.op = Op::kEqualsIgnoreCase;
    r.text = lower(view(arg));
    return r;
  }
  if (name == "anything-but") {
    parse_anything_but(arg, r, where);
    return r;
  }
  if (name == "numeric") {
    parse_numeric(arg, r, where);
    return r;
  }
  if (name == "exists") {
    if (!arg.IsBool()) fail(where, "exists match pattern must be either true or false.");
    r.op = Op::kExists;
    r.exists = arg.GetBool();
    return r;
  }
  fail(where, "Unrecognized match type " + std::string(name));
}

std::vector<Rule> parse_rules(const Value& array, const std::string& where) {
  if (array.Empty()) fail(where, "Empty arrays are not allowed");
  std::vector<Rule> rules;
  for (const Value& v : array.GetArray()) {
    Rule r;
    switch (v.GetType()) {
      case rapidjson::kObjectType: r = parse_rule_object(v, where); break;
      case rapidjson::kStringType: r.kind = Kind::kString, r.text = std::string(view(v)); break;
      case rapidjson::kNumberType: r.kind = Kind::kNumber, r.text = number_text(v); break;
      case rapidjson::kTrueType: r.kind = Kind::kTrue; break;
      case rapidjson::kFalseType: r.kind = Kind::kFalse; break;
      case rapidjson::kNullType: r.kind = Kind::kNull; break;
      default: fail(where, "Match value must be String, number, true, false, or null");
    }
    rules.push_back(std::move(r));
  }
  return rules;
}

Node parse_object(const Value& object, const std::string& path, int depth);

void parse_or(const Value& v, Node& node, const std::string& path, int depth) {
  std::string where = join(path, "$or");
  if (!v.IsArray()) fail(where, "It must be an Array followed with $or.");
  if (v.Size() < 2) fail(where, "There must have at least 2 Objects in $or relationship.");
  std::vector<Node> alternatives;
  for (const Value& e : v.GetArray()) {
    if (!e.IsObject()) fail(where, "Only JSON object is allowed in array of $or relationship.");
    alternatives.push_back(parse_object(e, path, depth + 1));
  }
  node.any_of.push_back(std::move(alternatives));
}

Node parse_object(const Value& object, const std::string& path, int depth) {
  if (depth > kMaxDepth)
    fail(path, "the pattern nests more than " + std::to_string(kMaxDepth) + " levels");
  if (object.ObjectEmpty()) fail(path, "Empty objects are not allowed");
  Node node;
  for (const auto& m : object.GetObject()) {
    std::string_view name = view(m.name);
    if (name == "$or") {
      parse_or(m.value, node, path, depth);
      continue;
    }
    std::string where = join(path, name);
    Field field;
    field.name = std::string(name);
    if (m.value.IsObject()) {
      field.child = std::make_unique<Node>(parse_object(m.value, where, depth + 1));
    } else if (m.value.IsArray()) {
      field.rules = parse_rules(m.value, where);
    } else {
      fail(where, "\"" + field.name + "\" must be an object or an array");
    }
    // A repeated key: the last one counts (as EventBridge's rule compiler keeps it).
    std::erase_if(node.fields, [&](const Field& f) { return f.name == field.name; });
    node.fields.push_back(std::move(field));
  }
  return node;
}

// --- matching ---

// Calls `f` on every element of `v` that is not an array, arrays in arrays flattened, with an
// explicit stack (a record nests as deep as it likes). Stops at the first `f` that is true.
template <typename F>
bool any_element(const Value& v, F&& f) {
  std::vector<std::pair<const Value*, rapidjson::SizeType>> stack{{&v, 0}};
  while (!stack.empty()) {
    auto& [array, next] = stack.back();
    if (next == array->Size()) {
      stack.pop_back();
      continue;
    }
    const Value& e = (*array)[next++];
    if (e.IsArray()) {
      stack.emplace_back(&e, 0);
    } else if (f(e)) {
      return true;
    }
  }
  return false;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// One rule against one value that is not an array or an object.
bool holds(const Rule& r, const Value& v) {
  switch (r.op) {
    case Op::kEquals:
      switch (r.kind) {
        case Kind::kString: return v.IsString() && view(v) == r.text;
        case Kind::kNumber: return v.IsNumber() && number_text(v) == r.text;
        case Kind::kTrue: return v.IsTrue();
        case Kind::kFalse: return v.IsFalse();
        case Kind::kNull: return v.IsNull();
      }
      return false;
    case Op::kPrefix: return v.IsString() && starts_with(view(v), r.text);
    case Op::kSuffix: return v.IsString() && ends_with(view(v), r.text);
    case Op::kEqualsIgnoreCase: return v.IsString() && lower(view(v)) == r.text;
    case Op::kPrefixIgnoreCase: return v.IsString() && starts_with(lower(view(v)), r.text);
    case Op::kSuffixIgnoreCase: return v.IsString() && ends_with(lower(view(v)), r.text);
    case Op::kAnythingBut:
      if (v.IsString())
        return std::find(r.strings.begin(), r.strings.end(), view(v)) == r.strings.end();
      if (v.IsNumber())
        return std::find(r.numbers.begin(), r.numbers.end(), v.GetDouble()) == r.numbers.end();
      return true;
    case Op::kAnythingButIgnoreCase: {
      if (!v.IsString()) return true;
      std::string s = lower(view(v));
      return std::find(r.strings.begin(), r.strings.end(), s) == r.strings.end();
    }
    case Op::kAnythingButPrefix: return !v.IsString() || !starts_with(view(v), r.text);
    case Op::kAnythingButSuffix: return !v.IsString() || !ends_with(view(v), r.text);
    case Op::kNumeric: {
      if (!v.IsNumber()) return false;
      double x = v.GetDouble();
      if (r.has_low && (r.low_open ? !(x > r.low) : !(x >= r.low))) return false;
      if (r.has_high && (r.high_open ? !(x < r.high) : !(x <= r.high))) return false;
      return true;
    }
    case Op::kExists: return r.exists;  // a value is there
  }
  return false;
}

// A leaf's rules against the record's value at that key (nullptr: the record lacks it). Objects
// are not leaf values; an array's values are its elements.
bool leaf_matches(const std::vector<Rule>& rules, const Value* v) {
  auto is_leaf = [](const Value& e) { return !e.IsObject(); };
  bool present = v && (v->IsArray() ? any_element(*v, is_leaf) : is_leaf(*v));
  if (!present) {
    return std::any_of(rules.begin(), rules.end(),
                       [](const Rule& r) { return r.op == Op::kExists && !r.exists; });
  }
  auto any_rule = [&](const Value& e) {
    if (e.IsObject()) return false;
    return std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return holds(r, e); });
  };
  return v->IsArray() ? any_element(*v, any_rule) : any_rule(*v);
}

bool node_matches(const Node& node, const Value* object);

// A nested pattern object against the record's value at its key: an array matches when one of
// its elements matches all of the object (an empty one is as if the key were missing).
bool child_matches(const Node& node, const Value* v) {
  if (v && v->IsArray()) {
    bool any = false;
    bool matched = any_element(*v, [&](const Value& e) {
      any = true;
      return node_matches(node, &e);
    });
    return matched || (!any && node_matches(node, nullptr));
  }
  return node_matches(node, v);
}

bool node_matches(const Node& node, const Value* object) {
  auto member = [&](const std::string& name) -> const Value* {
    if (!object || !object->IsObject()) return nullptr;
    auto it = object->FindMember(Value(rapidjson::StringRef(name.data(), name.size())));
    return it == object->MemberEnd() ? nullptr : &it->value;
  };
  for (const Field& f : node.fields) {
    const Value* v = member(f.name);
    if (f.child ? !child_matches(*f.child, v) : !leaf_matches(f.rules, v)) return false;
  }
  for (const auto& alternatives : node.any_of) {
    if (std::none_of(alternatives.begin(), alternatives.end(),
                     [&](const Node& alt) { return node_matches(alt, object); }))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Iterative parsing: a deeply nested text cannot exhaust the stack. Numbers are parsed as the
// caller parses records (RapidJSON's default precision), so the same text gives the same double
// on both sides; kParseFullPrecisionFlag also has undefined behaviour on long runs of zeros
// ("0.000...0": clz(0) in internal/diyfp.h, tests/fuzz/eventfilter-crash-full-precision-zeros).
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

}  // namespace

Pattern Pattern::parse(std::string_view pattern_json) {
  if (trim(pattern_json).empty()) fail("", "the pattern is empty");
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(pattern_json.data(), pattern_json.size());
  if (doc.HasParseError()) {
    fail("", std::string("not valid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                 " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) fail("", "Filter is not an object");
  return Pattern(std::make_shared<const Node>(parse_object(doc, "", 1)));
}

bool Pattern::matches(const Value& event) const { return node_matches(*root_, &event); }

Criteria Criteria::parse(std::string_view json) { return parse(json, kDefaultMaxFilters); }

Criteria Criteria::parse(std::string_view json, size_t max_filters) {
  Criteria criteria;
  std::string_view text = trim(json);
  if (text.empty() || text == "null") return criteria;
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    throw FilterError(std::string("FilterCriteria: not valid JSON: ") +
                      rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                      std::to_string(doc.GetErrorOffset()));
  }
  const Value& root = doc;  // const: rapidjson's const iterators compare unambiguously
  if (root.IsNull()) return criteria;
  if (!root.IsObject()) throw FilterError("FilterCriteria: must be an object with Filters");
  for (const auto& m : root.GetObject()) {
    if (view(m.name) != "Filters")
      throw FilterError("FilterCriteria: unknown member " + std::string(view(m.name)));
  }
  auto filters = root.FindMember("Filters");
  if (filters == root.MemberEnd() || filters->value.IsNull()) return criteria;
  if (!filters->value.IsArray()) throw FilterError("FilterCriteria.Filters: must be an array");
  if (filters->value.Size() > max_filters) {
    throw FilterError("FilterCriteria.Filters: " + std::to_string(filters->value.Size()) +
                      " filters, more than the " + std::to_string(max_filters) +
                      " an event source mapping may have");
  }
  for (rapidjson::SizeType i = 0; i < filters->value.Size(); ++i) {
    const Value& f = filters->value[i];
    std::string name = "Filters[" + std::to_string(i) + "]";
    if (!f.IsObject()) throw FilterError(name + ": must be an object with a Pattern");
    for (const auto& m : f.GetObject()) {
      if (view(m.name) != "Pattern")
        throw FilterError(name + ": unknown member " + std::string(view(m.name)));
    }
    auto pattern = f.FindMember("Pattern");
    if (pattern == f.MemberEnd() || pattern->value.IsNull())
      throw FilterError(name + ".Pattern: " + kInvalid + " Reason: the filter has no Pattern");
    if (!pattern->value.IsString())
      throw FilterError(name + ".Pattern: must be a string (the pattern's JSON text)");
    std::string_view p = view(pattern->value);
    if (p.size() > kMaxPatternLength) {
      throw FilterError(name + ".Pattern: Member must have length less than or equal to " +
                        std::to_string(kMaxPatternLength) + " (" + std::to_string(p.size()) +
                        " characters)");
    }
    try {
      criteria.filters_.push_back(Pattern::parse(p));
    } catch (const FilterError& e) {
      throw FilterError(name + ".Pattern: " + e.what());
    }
  }
  return criteria;
}

bool Criteria::matches(const Value& record) const {
  if (filters_.empty()) return true;
  return std::any_of(filters_.begin(), filters_.end(),
                     [&](const Pattern& p) { return p.matches(record); });
}

}  // namespace eventfilter
