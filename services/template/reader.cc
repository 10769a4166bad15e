#include "template/reader.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <regex>

namespace tmpl {
namespace {

constexpr int kMaxDepth = 128;
// Aliases let a few lines expand into a huge tree ("billion laughs"); a template is small.
constexpr size_t kMaxNodes = 200'000;

[[noreturn]] void fail(const std::string& message) { throw TemplateError("template: " + message); }

// The short forms CloudFormation's YAML accepts and the long form each stands for.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
std::string long_form(const std::string& tag, int line) {
  static const char* const kFunctions[] = {
      "Base64", "Cidr",   "FindInMap", "GetAtt", "GetAZs",    "ImportValue",
      "Join",   "Select", "Split",     "Sub",    "Transform", "If",
      "Equals", "Not",    "And",       "Or",     "Length",    "ToJsonString"};
  if (tag == "!Ref") return "Ref";
  if (tag == "!Condition") return "Condition";
  for (const char* f : kFunctions) {
    if (tag == std::string("!") + f) return std::string("Fn::") + f;
  }
  fail("line " + std::to_string(line + 1) + ": unknown tag " + tag);
}

bool is_number(const std::string& s) {
  static const std::regex kNumber(R"([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)");
  return std::regex_match(s, kNumber);
}

class YamlConverter {
 public:
  Value convert(const YAML::Node& node, int depth) {
    if (depth > kMaxDepth) fail("line " + line(node) + ": nested too deeply");
    if (++nodes_ > kMaxNodes) fail("too many nodes (aliases expand beyond a template's size)");
    const std::string& tag = node.Tag();
    Value v = plain(node, depth);
    if (tag.size() > 1 && tag[0] == '!') {
      return Value::of_map({{long_form(tag, node.Mark().line), std::move(v)}});
    }
    return v;
  }

 private:
  static std::string line(const YAML::Node& n) { return std::to_string(n.Mark().line + 1); }

  Value plain(const YAML::Node& node, int depth) {
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: return Value::null();
      case YAML::NodeType::Scalar: return scalar(node);
      case YAML::NodeType::Sequence: {
        std::vector<Value> items;
        for (const auto& child : node) items.push_back(convert(child, depth + 1));
        return Value::of_list(std::move(items));
      }
      case YAML::NodeType::Map: {
        Value::Map members;
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) fail("line " + line(kv.first) + ": a key must be a scalar");
          std::string key = kv.first.Scalar();
          for (const auto& m : members) {
            if (m.first == key) fail("line " + line(kv.first) + ": duplicate key " + key);
          }
          members.emplace_back(std::move(key), convert(kv.second, depth + 1));
        }
        return Value::of_map(std::move(members));
      }
    }
    return Value::null();
  }

  // Plain scalars carry the tag "?", quoted ones "!" (and short forms their own tag, whose
  // content is read as text).
  static Value scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    if (node.Tag() != "?") return Value::string(s);
    if (s == "true" || s == "True" || s == "TRUE") return Value::of_bool(true);
    if (s == "false" || s == "False" || s == "FALSE") return Value::of_bool(false);
    if (s == "~" || s == "null" || s == "Null" || s == "NULL") return Value::null();
    if (is_number(s)) return Value::number(s);
    return Value::string(s);
  }

  size_t nodes_ = 0;
};

Value from_json(const rapidjson::Value& v, int depth) {
  if (depth > kMaxDepth) fail("JSON nested too deeply");
  if (v.IsNull()) return Value::null();
  if (v.IsBool()) return Value::of_bool(v.GetBool());
  if (v.IsString()) return Value::string(std::string(v.GetString(), v.GetStringLength()));
  if (v.IsInt64()) return Value::number(std::to_string(v.GetInt64()));
  if (v.IsUint64()) return Value::number(std::to_string(v.GetUint64()));
  if (v.IsNumber()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", v.GetDouble());
    return Value::number(buffer);
  }
  if (v.IsArray()) {
    std::vector<Value> items;
    for (const auto& item : v.GetArray()) items.push_back(from_json(item, depth + 1));
    return Value::of_list(std::move(items));
  }
  Value::Map members;
  for (const auto& m : v.GetObject()) {
    members.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                         from_json(m.value, depth + 1));
  }
  return Value::of_map(std::move(members));
}

Value read_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    size_t offset = doc.GetErrorOffset();
    int line = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
    fail("line " + std::to_string(line) + ": " + rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return from_json(doc, 0);
}

}  // namespace

Value read_template(const std::string& text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') return read_json(text);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail("line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  try {
    return YamlConverter().convert(root, 0);
  } catch (const YAML::Exception& e) {
    fail("line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace tmpl
