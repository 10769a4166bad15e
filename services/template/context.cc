// The template's sections (Parameters, Mappings, Conditions, Globals, Resources) and what Ref
// and Fn::GetAtt return for each resource type.
#include <algorithm>
#include <regex>

#include "template/context.h"

namespace tmpl::detail {
namespace {

bool is_function(const std::string& type) {
  return type == "AWS::Serverless::Function" || type == "AWS::Lambda::Function";
}
bool is_table(const std::string& type) {
  return type == "AWS::DynamoDB::Table" || type == "AWS::Serverless::SimpleTable";
}
bool is_api(const std::string& type) {
  return type == "AWS::ApiGatewayV2::Api" || type == "AWS::Serverless::HttpApi";
}
bool is_intrinsic_map(const Value& v) {
  return v.is_map() && v.map.size() == 1 &&
         (v.map.front().first == "Ref" || v.map.front().first.rfind("Fn::", 0) == 0);
}

// SAM's Globals merge: maps merge member by member, lists concatenate (the Globals' items
// first), anything else (an intrinsic function too) is replaced by the resource's own value.
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
Value merge_globals(const Value& global, const Value& local) {
  if (global.is_map() && local.is_map() && !is_intrinsic_map(global) && !is_intrinsic_map(local)) {
    Value out = global;
    for (const auto& [k, v] : local.map) {
      if (const Value* g = global.find(k)) {
        out.set(k, merge_globals(*g, v));
      } else {
        out.set(k, v);
      }
    }
    return out;
  }
  if (global.is_list() && local.is_list()) {
    Value out = global;
    out.list.insert(out.list.end(), local.list.begin(), local.list.end());
    return out;
  }
  return local;
}

bool is_number_text(const std::string& s) {
  static const std::regex kNumber(R"([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)");
  return std::regex_match(s, kNumber);
}

}  // namespace

Context::Context(const Value& document, std::string base_dir, const Options& options)
    : options_(options), base_dir_(std::move(base_dir)) {
  stack_.stack_name = options.stack_name;
  stack_.region = options.region;
  stack_.account_id = options.account_id;
  if (!document.is_map())
    fail("(document)", "expected a map of sections, got " + describe(document));
  static const char* const kSections[] = {"AWSTemplateFormatVersion",
                                          "Transform",
                                          "Description",
                                          "Metadata",
                                          "Parameters",
                                          "Mappings",
                                          "Conditions",
                                          "Globals",
                                          "Resources",
                                          "Outputs",
                                          "Rules"};
  for (const auto& [section, value] : document.map) {
    if (std::find(std::begin(kSections), std::end(kSections), section) == std::end(kSections)) {
      fail(section, "unknown template section");
    }
  }
  if (const Value* rules = document.find("Rules")) {
    (void)rules;
    stack_.notices.push_back("Rules: accepted, not enforced");
  }
  if (const Value* m = document.find("Mappings")) mappings_ = as_map(*m, "Mappings");
  if (const Value* c = document.find("Conditions")) conditions_ = as_map(*c, "Conditions");
  read_parameters(document.find("Parameters"));
  const Value* resources = document.find("Resources");
  if (!resources) fail("Resources", "the template has no Resources section");
  read_resources(resources, document.find("Globals"));
}

void Context::read_parameters(const Value* parameters) {
  std::set<std::string> overridden;
  for (const auto& [k, v] : options_.parameter_overrides) overridden.insert(k);
  if (parameters) {
    for (const auto& [name, decl] : as_map(*parameters, "Parameters").map) {
      std::string path = "Parameters." + name;
      as_map(decl, path);
      const Value* type_v = decl.find("Type");
      if (!type_v) fail(path + ".Type", "required property is missing");
      std::string type = as_string(*type_v, path + ".Type");
      bool list = type == "CommaDelimitedList" || type == "List<Number>" || type == "List<String>";
      bool number = type == "Number" || type == "List<Number>";
      if (!list && type != "String" && type != "Number") {
        fail(path + ".Type", "type " + type +
                                 " is not supported (String, Number, "
                                 "CommaDelimitedList, List<Number>, List<String>)");
      }
      std::optional<std::string> value;
      for (const auto& [k, v] : options_.parameter_overrides) {
        if (k == name) value = v;
      }
      if (!value) {
        if (const Value* d = decl.find("Default")) {
          value = d->is_list() ? "" : as_string(*d, path + ".Default");
          if (d->is_list()) {  // a list Default written as a YAML list
            auto items = as_strings(*d, path + ".Default");
            for (size_t i = 0; i < items.size(); ++i) *value += (i ? "," : "") + items[i];
          }
        }
      }
      // CloudFormation's wording for a parameter nobody gave a value.
      if (!value) fail(path, "Parameters: [" + name + "] must have values");
      std::vector<std::string> items;
      if (list) {
        size_t start = 0;
        for (size_t at; (at = value->find(',', start)) != std::string::npos; start = at + 1) {
          items.push_back(value->substr(start, at - start));
        }
        items.push_back(value->substr(start));
      } else {
        items.push_back(*value);
      }
      for (const auto& item : items) {
        if (number && !is_number_text(item)) {
          fail(path, "expected a number, got \"" + item + "\"");
        }
        if (const Value* allowed = decl.find("AllowedValues")) {
          auto values = as_strings(*allowed, path + ".AllowedValues");
          if (std::find(values.begin(), values.end(), item) == values.end()) {
            fail(path, "Parameter '" + name + "' must be one of AllowedValues");
          }
        }
        if (const Value* pattern = decl.find("AllowedPattern")) {
          std::string p = as_string(*pattern, path + ".AllowedPattern");
          bool matches = false;
          try {
            matches = std::regex_match(item, std::regex(p, std::regex::ECMAScript));
          } catch (const std::regex_error&) {
            fail(path + ".AllowedPattern", "not a valid regular expression");
          }
          if (!matches) fail(path, "Parameter '" + name + "' must match pattern " + p);
        }
      }
      if (list) {
        Value l = Value::of_list({});
        for (auto& item : items) l.list.push_back(Value::string(item));
        parameters_[name] = std::move(l);
      } else {
        parameters_[name] = Value::string(*value);
      }
      stack_.parameters.emplace_back(name, *value);
      overridden.erase(name);
    }
  }
  if (!overridden.empty()) {
    fail("--parameter-overrides",
         "Parameters: [" + *overridden.begin() + "] do not exist in the template");
  }
}

void Context::read_resources(const Value* resources, const Value* globals) {
  Value function_globals, table_globals, http_api_globals;
  if (globals) {
    for (const auto& [kind, value] : as_map(*globals, "Globals").map) {
      as_map(value, "Globals." + kind);
      if (kind == "Function") {
        function_globals = value;
      } else if (kind == "SimpleTable") {
        table_globals = value;
      } else if (kind == "HttpApi") {
        http_api_globals = value;
      } else {
        stack_.notices.push_back("Globals." + kind + ": not supported, skipped");
      }
    }
  }
  for (const auto& [id, decl] : as_map(*resources, "Resources").map) {
    std::string path = "Resources." + id;
    as_map(decl, path);
    Resource r;
    r.logical_id = id;
    const Value* type = decl.find("Type");
    if (!type) fail(path + ".Type", "required property is missing");
    r.type = as_string(*type, path + ".Type");
    if (const Value* p = decl.find("Properties")) {
      r.properties = p->is_null() ? Value::of_map({}) : as_map(*p, path + ".Properties");
    } else {
      r.properties = Value::of_map({});
    }
    const Value* g = r.type == "AWS::Serverless::Function"      ? &function_globals
                     : r.type == "AWS::Serverless::SimpleTable" ? &table_globals
                     : r.type == "AWS::Serverless::HttpApi"     ? &http_api_globals
                                                                : nullptr;
    if (g && g->is_map()) r.properties = merge_globals(*g, r.properties);
    for (const auto& [attribute, value] : decl.map) {
      if (attribute == "Type" || attribute == "Properties" || attribute == "Metadata") continue;
      if (attribute == "Condition") continue;
      if (attribute == "DependsOn" || attribute == "DeletionPolicy" ||
          attribute == "UpdateReplacePolicy" || attribute == "UpdatePolicy" ||
          attribute == "CreationPolicy") {
        stack_.notices.push_back(id + " (" + r.type + "): " + attribute +
                                 " accepted, not enforced");
        continue;
      }
      fail(path + "." + attribute, "unknown resource attribute");
    }
    resources_.push_back(std::move(r));
  }
  // Conditions last: a condition may not refer to resources, but the list must be complete
  // before anything is resolved.
  for (auto& r : resources_) {
    const Value* decl = as_map(*resources, "Resources").find(r.logical_id);
    if (const Value* c = decl->find("Condition")) {
      std::string path = "Resources." + r.logical_id + ".Condition";
      if (!c->is_string()) fail(path, "expected a condition name, got " + describe(*c));
      r.created = condition(c->text, path);
    }
  }
}

const Resource* Context::find_resource(const std::string& logical_id) const {
  for (const auto& r : resources_) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}

void Context::notice(const Resource& r, const std::string& what) {
  stack_.notices.push_back(r.logical_id + " (" + r.type + "): " + what);
}

std::string Context::resolved_name(const Resource& r, const char* property) {
  if (auto it = names_.find(r.logical_id); it != names_.end()) return it->second;
  std::string name = r.logical_id;
  if (const Value* raw = r.properties.find(property)) {
    std::string path = "Resources." + r.logical_id + ".Properties." + property;
    if (names_in_progress_.count(r.logical_id)) fail(path, "the name refers to itself");
    names_in_progress_.insert(r.logical_id);
    auto v = resolve(*raw, path);
    names_in_progress_.erase(r.logical_id);
    if (v && !v->is_null()) name = as_string(*v, path);
    if (name.empty()) fail(path, "the name is empty");
  }
  names_[r.logical_id] = name;
  return name;
}

std::string Context::function_name(const Resource& r) { return resolved_name(r, "FunctionName"); }
std::string Context::table_name(const Resource& r) { return resolved_name(r, "TableName"); }

std::string Context::function_arn(const std::string& name) const {
  return "arn:" + stack_.partition + ":lambda:" + options_.region + ":" + options_.account_id +
         ":function:" + name;
}

std::string Context::table_arn(const std::string& name) const {
  return "arn:" + stack_.partition + ":dynamodb:" + options_.region + ":" + options_.account_id +
         ":table/" + name;
}

// FNV-1a over the stack name and logical id, written in base 36: stable across runs, different
// between stacks.
std::string Context::derived_id(const std::string& logical_id, size_t length) const {
  uint64_t h = 1469598103934665603ull;
  for (char c : stack_.stack_name + "/" + logical_id) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  for (size_t i = 0; i < length; ++i) {
    out += kDigits[h % 36];
    h = h / 36 ^ (h << 29) ^ (i * 0x9e3779b97f4a7c15ull);
  }
  return out;
}

std::string Context::api_id(const Resource& r) const { return derived_id(r.logical_id, 10); }

std::string Context::api_endpoint(const Resource& r) const {
  bool websocket = false;
  if (r.type == "AWS::ApiGatewayV2::Api") {
    if (const Value* p = r.properties.find("ProtocolType")) {
      websocket = p->is_string() && p->text == "WEBSOCKET";
    }
  }
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-wscat.html
  return std::string(websocket ? "wss://" : "https://") + api_id(r) + ".execute-api." +
         options_.region + ".amazonaws.com";
}

// What Ref returns, by resource type:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-api.html#aws-resource-apigatewayv2-api-return-values
Value Context::ref_resource(const Resource& r, const std::string& path) {
  if (is_function(r.type)) return Value::string(function_name(r));
  if (is_table(r.type)) return Value::string(table_name(r));
  if (is_api(r.type)) return Value::string(api_id(r));
  if (r.type == "AWS::ApiGatewayV2::Stage") {
    const Value* raw = r.properties.find("StageName");
    if (!raw)
      fail("Resources." + r.logical_id + ".Properties.StageName", "required property is missing");
    auto v = resolve(*raw, "Resources." + r.logical_id + ".Properties.StageName");
    return Value::string(v ? as_string(*v, path) : "");
  }
  if (r.type == "AWS::ApiGatewayV2::Route" || r.type == "AWS::ApiGatewayV2::Integration" ||
      r.type == "AWS::ApiGatewayV2::Authorizer" || r.type == "AWS::ApiGatewayV2::Deployment" ||
      r.type == "AWS::ApiGatewayV2::RouteResponse" ||
      r.type == "AWS::ApiGatewayV2::IntegrationResponse") {
    return Value::string(derived_id(r.logical_id, 7));
  }
  return Value::string(r.logical_id);
}

Value Context::get_att(const std::string& logical_id, const std::string& attribute,
                       const std::string& path) {
  if (!conditions_in_progress_.empty()) {
    fail(path, "a condition can refer to parameters only, not to " + logical_id);
  }
  const Resource* r = find_resource(logical_id);
  if (!r) fail(path, "Fn::GetAtt of " + logical_id + ", which is not a resource");
  if (!r->created) {
    fail(path, "Fn::GetAtt of " + logical_id + ", which is not created (its condition is false)");
  }
  if (is_function(r->type) && attribute == "Arn") {
    return Value::string(function_arn(function_name(*r)));
  }
  if (is_table(r->type) && attribute == "Arn") return Value::string(table_arn(table_name(*r)));
  if (is_table(r->type) && attribute == "StreamArn") {
    return Value::string(table_arn(table_name(*r)) + "/stream/" + kStreamLabelPlaceholder);
  }
  if (is_api(r->type) && attribute == "ApiId") return Value::string(api_id(*r));
  if (is_api(r->type) && attribute == "ApiEndpoint") return Value::string(api_endpoint(*r));
  if (r->type == "AWS::ApiGatewayV2::Authorizer" && attribute == "AuthorizerId") {
    return Value::string(derived_id(r->logical_id, 7));
  }
  if (r->type == "AWS::ApiGatewayV2::Route" && attribute == "RouteId") {
    return Value::string(derived_id(r->logical_id, 7));
  }
  if (r->type == "AWS::IAM::Role" && attribute == "Arn") {
    return Value::string("arn:" + stack_.partition + ":iam::" + options_.account_id + ":role/" +
                         r->logical_id);
  }
  fail(path, "Fn::GetAtt: " + logical_id + " (" + r->type + ") has no attribute " + attribute +
                 " that a local stack can resolve");
}

std::string Context::function_for(const std::string& text, const std::string& path) {
  std::string arn = text;
  // arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations
  if (size_t at = text.find(":lambda:path/"); at != std::string::npos) {
    size_t start = text.find("/functions/", at);
    size_t end = text.rfind("/invocations");
    if (start == std::string::npos || end == std::string::npos || end < start + 11) {
      fail(path,
           "expected arn:...:apigateway:REGION:lambda:path/2015-03-31/functions/"
           "FUNCTION_ARN/invocations, got \"" +
               text + "\"");
    }
    arn = text.substr(start + 11, end - start - 11);
  }
  std::string name = arn;
  if (arn.rfind("arn:", 0) == 0) {
    size_t at = arn.find(":function:");
    if (at == std::string::npos) fail(path, "\"" + arn + "\" is not a Lambda function ARN");
    name = arn.substr(at + 10);
    name = name.substr(0, name.find(':'));  // drop a version or alias qualifier
  }
  for (const auto& r : resources_) {
    if (!r.created || !is_function(r.type)) continue;
    if (function_name(r) == name) return name;
  }
  fail(path, "names function " + name + ", which the template does not define");
}

const Table* Context::table_for_stream(const std::string& arn) const {
  for (const auto& t : stack_.tables) {
    if ((t.stream_arn && *t.stream_arn == arn) || t.arn == arn ||
        arn.rfind(t.arn + "/stream/", 0) == 0) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace tmpl::detail
