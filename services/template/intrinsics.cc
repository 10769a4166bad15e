// CloudFormation's intrinsic functions and condition functions.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
#include <algorithm>

#include "template/context.h"

namespace tmpl::detail {
namespace {

constexpr int kMaxResolveDepth = 64;

bool is_intrinsic(const Value& v) {
  if (!v.is_map() || v.map.size() != 1) return false;
  const std::string& key = v.map.front().first;
  return key == "Ref" || key.rfind("Fn::", 0) == 0;
}

std::string base64(const std::string& in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// A condition operand or a Join item as text: CloudFormation compares and joins strings.
std::string text_of(const Value& v, const std::string& path) { return as_string(v, path); }

}  // namespace

std::optional<Value> Context::resolve(const Value& v, const std::string& path) {
  if (depth_ > kMaxResolveDepth) fail(path, "intrinsic functions nested too deeply");
  struct Depth {
    int& d;
    explicit Depth(int& depth) : d(depth) { ++d; }
    ~Depth() { --d; }
  } guard(depth_);
  if (is_intrinsic(v)) return resolve_function(v.map.front().first, v.map.front().second, path);
  if (v.is_map()) {
    Value out = Value::of_map({});
    for (const auto& [k, item] : v.map) {
      if (auto r = resolve(item, path + "." + k)) out.map.emplace_back(k, std::move(*r));
    }
    return out;
  }
  if (v.is_list()) {
    Value out = Value::of_list({});
    for (size_t i = 0; i < v.list.size(); ++i) {
      if (auto r = resolve(v.list[i], path + "[" + std::to_string(i) + "]")) {
        out.list.push_back(std::move(*r));
      }
    }
    return out;
  }
  return v;
}

std::optional<Value> Context::resolve_function(const std::string& name, const Value& arg,
                                               const std::string& path) {
  std::string here = path + "." + name;
  // Every function but Ref and Fn::If resolves its arguments first; AWS::NoValue is not an
  // argument, so it reads as null there.
  auto arg_value = [&](const Value& a, const std::string& p) {
    auto r = resolve(a, p);
    return r ? *r : Value::null();
  };
  auto list_args = [&](size_t min, size_t max) {
    Value args = arg_value(arg, here);
    if (!args.is_list() || args.list.size() < min || args.list.size() > max) {
      std::string count =
          min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
      fail(here, "expected a list of " + count + " items, got " + describe(args));
    }
    return args;
  };

  if (name == "Ref") {
    if (!arg.is_string())
      fail(here, "expected a logical id or parameter name, got " + describe(arg));
    if (arg.text == "AWS::NoValue") return std::nullopt;
    return ref(arg.text, here);
  }
  if (name == "Fn::GetAtt") {
    std::string resource, attribute;
    if (arg.is_string()) {
      size_t dot = arg.text.find('.');
      if (dot == std::string::npos)
        fail(here, "expected \"Resource.Attribute\", got " + describe(arg));
      resource = arg.text.substr(0, dot);
      attribute = arg.text.substr(dot + 1);
    } else {
      Value args = list_args(2, 2);
      resource = as_string(args.list[0], here + "[0]");
      attribute = as_string(args.list[1], here + "[1]");
    }
    return get_att(resource, attribute, here);
  }
  if (name == "Fn::Sub") return sub(arg, here);
  if (name == "Fn::Join") {
    Value args = list_args(2, 2);
    std::string delimiter = as_string(args.list[0], here + "[0]");
    const Value& items = as_list(args.list[1], here + "[1]");
    std::string out;
    for (size_t i = 0; i < items.list.size(); ++i) {
      if (i) out += delimiter;
      out += text_of(items.list[i], here + "[1][" + std::to_string(i) + "]");
    }
    return Value::string(out);
  }
  if (name == "Fn::Select") {
    Value args = list_args(2, 2);
    int index = as_int(args.list[0], here + "[0]");
    const Value& items = as_list(args.list[1], here + "[1]");
    if (index < 0 || static_cast<size_t>(index) >= items.list.size()) {
      fail(here, "index " + std::to_string(index) + " is out of range for a list of " +
                     std::to_string(items.list.size()));
    }
    return items.list[index];
  }
  if (name == "Fn::Split") {
    Value args = list_args(2, 2);
    std::string delimiter = as_string(args.list[0], here + "[0]");
    std::string source = as_string(args.list[1], here + "[1]");
    if (delimiter.empty()) fail(here + "[0]", "the delimiter is empty");
    Value out = Value::of_list({});
    size_t start = 0;
    for (size_t at; (at = source.find(delimiter, start)) != std::string::npos;
         start = at + delimiter.size()) {
      out.list.push_back(Value::string(source.substr(start, at - start)));
    }
    out.list.push_back(Value::string(source.substr(start)));
    return out;
  }
  if (name == "Fn::If") {
    if (!arg.is_list() || arg.list.size() != 3) {
      fail(here, "expected [condition, value if true, value if false], got " + describe(arg));
    }
    if (!arg.list[0].is_string()) fail(here + "[0]", "expected a condition name");
    bool holds = condition(arg.list[0].text, here + "[0]");
    return resolve(arg.list[holds ? 1 : 2], here + (holds ? "[1]" : "[2]"));
  }
  if (name == "Fn::Equals" || name == "Fn::Not" || name == "Fn::And" || name == "Fn::Or") {
    return Value::of_bool(evaluate_condition(Value::of_map({{name, arg}}), path, 0));
  }
  if (name == "Fn::FindInMap") return find_in_map(arg, here);
  if (name == "Fn::Base64") return Value::string(base64(as_string(arg_value(arg, here), here)));
  if (name == "Fn::GetAZs") {
    // The Availability Zones a local stack pretends to have: a, b and c of its region.
    std::string region = as_string(arg_value(arg, here), here);
    if (region.empty()) region = options_.region;
    return Value::of_list(
        {Value::string(region + "a"), Value::string(region + "b"), Value::string(region + "c")});
  }
  if (name == "Fn::ImportValue") {
    fail(here, "is not supported: a local stack has no other stacks to import from");
  }
  fail(here,
       "is not supported (supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, "
       "Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::FindInMap, "
       "Fn::Base64, Fn::GetAZs)");
}

Value Context::sub(const Value& arg, const std::string& path) {
  std::string text;
  std::map<std::string, Value> variables;
  if (arg.is_list()) {
    if (arg.list.size() != 2 || !arg.list[0].is_string() || !arg.list[1].is_map()) {
      fail(path, "expected a string or [string, {variables}], got " + describe(arg));
    }
    text = arg.list[0].text;
    for (const auto& [k, v] : arg.list[1].map) {
      auto r = resolve(v, path + "[1]." + k);
      variables[k] = r ? *r : Value::string("");
    }
  } else if (arg.is_string()) {
    text = arg.text;
  } else {
    fail(path, "expected a string or [string, {variables}], got " + describe(arg));
  }
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    if (open == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    size_t close = text.find('}', open + 2);
    if (close == std::string::npos)
      fail(path, "unterminated ${ in " + describe(Value::string(text)));
    std::string name = text.substr(open + 2, close - open - 2);
    i = close + 1;
    // ${!Literal} writes ${Literal}.
    if (!name.empty() && name[0] == '!') {
      out += "${" + name.substr(1) + "}";
      continue;
    }
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    Value value;
    if (auto it = variables.find(name); it != variables.end()) {
      value = it->second;
    } else if (size_t dot = name.find('.');
               dot != std::string::npos && name.rfind("AWS::", 0) != 0) {
      value = get_att(name.substr(0, dot), name.substr(dot + 1), path);
    } else {
      value = ref(name, path);
    }
    if (value.is_list() || value.is_map()) {
      fail(path, "${" + name + "} is " + describe(value) + ", not a string");
    }
    out += as_string(value, path);
  }
  return Value::string(out);
}

Value Context::find_in_map(const Value& arg, const std::string& path) {
  auto r = resolve(arg, path);
  if (!r || !r->is_list() || r->list.size() != 3) {
    fail(path, "expected [MapName, TopLevelKey, SecondLevelKey]");
  }
  std::string names[3];
  for (int i = 0; i < 3; ++i)
    names[i] = as_string(r->list[i], path + "[" + std::to_string(i) + "]");
  const Value* map = mappings_.find(names[0]);
  if (!map) fail(path, "Mappings has no map " + names[0]);
  const Value* top = map->find(names[1]);
  if (!top) fail(path, "Mappings." + names[0] + " has no key " + names[1]);
  const Value* second = top->find(names[2]);
  if (!second) fail(path, "Mappings." + names[0] + "." + names[1] + " has no key " + names[2]);
  return *second;
}

Value Context::ref(const std::string& name, const std::string& path) {
  const std::string& p = stack_.partition;
  if (name == "AWS::Region") return Value::string(options_.region);
  if (name == "AWS::AccountId") return Value::string(options_.account_id);
  if (name == "AWS::StackName") return Value::string(stack_.stack_name);
  if (name == "AWS::Partition") return Value::string(p);
  if (name == "AWS::URLSuffix") return Value::string("amazonaws.com");
  if (name == "AWS::NotificationARNs") return Value::of_list({});
  if (name == "AWS::StackId") {
    return Value::string("arn:" + p + ":cloudformation:" + options_.region + ":" +
                         options_.account_id + ":stack/" + stack_.stack_name + "/" +
                         derived_id("AWS::StackId", 8) + "-0000-0000-0000-000000000000");
  }
  if (name == "AWS::NoValue") return Value::null();
  if (name.rfind("AWS::", 0) == 0) fail(path, "unknown pseudo parameter " + name);
  if (auto it = parameters_.find(name); it != parameters_.end()) return it->second;
  if (!conditions_in_progress_.empty()) {
    fail(path, "a condition can refer to parameters only, not to " + name);
  }
  const Resource* r = find_resource(name);
  if (!r) fail(path, "Ref to " + name + ", which is neither a parameter nor a resource");
  if (!r->created) fail(path, "Ref to " + name + ", which is not created (its condition is false)");
  return ref_resource(*r, path);
}

bool Context::condition(const std::string& name, const std::string& path) {
  if (auto it = condition_values_.find(name); it != condition_values_.end()) return it->second;
  const Value* expr = conditions_.find(name);
  if (!expr) fail(path, "unknown condition " + name);
  if (conditions_in_progress_.count(name)) fail(path, "condition " + name + " refers to itself");
  conditions_in_progress_.insert(name);
  bool value = evaluate_condition(*expr, "Conditions." + name, 0);
  conditions_in_progress_.erase(name);
  condition_values_[name] = value;
  return value;
}

bool Context::evaluate_condition(const Value& expr, const std::string& path, int depth) {
  if (depth > kMaxResolveDepth) fail(path, "conditions nested too deeply");
  if (!expr.is_map() || expr.map.size() != 1) {
    fail(path,
         "expected a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, "
         "Condition), got " +
             describe(expr));
  }
  const auto& [fn, arg] = expr.map.front();
  std::string here = path + "." + fn;
  if (fn == "Condition") {
    if (!arg.is_string()) fail(here, "expected a condition name, got " + describe(arg));
    return condition(arg.text, here);
  }
  if (fn == "Fn::Equals") {
    if (!arg.is_list() || arg.list.size() != 2) fail(here, "expected a list of 2 values");
    // Operands are parameters, pseudo parameters, mappings and literals; a Ref to a resource is
    // refused (conditions_in_progress_ holds the condition being evaluated).
    bool outside = conditions_in_progress_.empty();
    if (outside) conditions_in_progress_.insert("");
    auto a = resolve(arg.list[0], here + "[0]");
    auto b = resolve(arg.list[1], here + "[1]");
    if (outside) conditions_in_progress_.erase("");
    Value va = a ? *a : Value::string(""), vb = b ? *b : Value::string("");
    if (va.is_list() || vb.is_list()) return va == vb;
    return as_string(va, here + "[0]") == as_string(vb, here + "[1]");
  }
  if (fn == "Fn::Not" || fn == "Fn::And" || fn == "Fn::Or") {
    if (!arg.is_list()) fail(here, "expected a list of conditions, got " + describe(arg));
    size_t min = fn == "Fn::Not" ? 1 : 2, max = fn == "Fn::Not" ? 1 : 10;
    if (arg.list.size() < min || arg.list.size() > max) {
      fail(here, fn == "Fn::Not" ? "expected a list of 1 condition"
                                 : "expected a list of 2 to 10 conditions");
    }
    std::vector<bool> values;
    for (size_t i = 0; i < arg.list.size(); ++i) {
      values.push_back(
          evaluate_condition(arg.list[i], here + "[" + std::to_string(i) + "]", depth + 1));
    }
    if (fn == "Fn::Not") return !values[0];
    if (fn == "Fn::And") return std::all_of(values.begin(), values.end(), [](bool b) { return b; });
    return std::any_of(values.begin(), values.end(), [](bool b) { return b; });
  }
  fail(here, "is not a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)");
}

}  // namespace tmpl::detail
