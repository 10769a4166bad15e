// load_stack / plan_stack: the order in which the template's parts are planned.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "template/context.h"
#include "template/reader.h"

namespace tmpl {
namespace {

using detail::Context;
using detail::fail;
using detail::Resource;

// A stack name as CloudFormation accepts it: a letter, then letters, digits and hyphens, at most
// 128 characters.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
const std::regex kStackName("[a-zA-Z][-a-zA-Z0-9]{0,127}");

std::string default_stack_name(const std::string& base_dir) {
  std::string folder = std::filesystem::absolute(base_dir).lexically_normal().filename().string();
  if (folder.empty()) {
    folder = std::filesystem::absolute(base_dir).lexically_normal().parent_path().filename();
  }
  std::string name;
  for (char c : folder) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) name = "stack-" + name;
  return name.substr(0, 128);
}

void plan_outputs(Context& ctx, const Value* outputs) {
  if (!outputs) return;
  for (const auto& [name, decl] : detail::as_map(*outputs, "Outputs").map) {
    std::string path = "Outputs." + name;
    detail::as_map(decl, path);
    if (const Value* c = decl.find("Condition")) {
      if (!c->is_string()) fail(path + ".Condition", "expected a condition name");
      if (!ctx.condition(c->text, path + ".Condition")) continue;
    }
    Output o;
    o.name = name;
    const Value* value = decl.find("Value");
    if (!value) fail(path + ".Value", "required property is missing");
    auto v = ctx.resolve(*value, path + ".Value");
    if (!v) fail(path + ".Value", "resolves to AWS::NoValue");
    o.value = detail::as_string(*v, path + ".Value");
    if (const Value* d = decl.find("Description")) {
      auto dv = ctx.resolve(*d, path + ".Description");
      if (dv) o.description = detail::as_string(*dv, path + ".Description");
    }
    if (const Value* e = decl.find("Export")) {
      auto ev = ctx.resolve(*e, path + ".Export");
      if (ev && ev->find("Name"))
        o.export_name = detail::as_string(*ev->find("Name"), path + ".Export.Name");
    }
    ctx.stack().outputs.push_back(std::move(o));
  }
}

}  // namespace

Stack plan_stack(const std::string& text, const std::string& base_dir, const Options& options) {
  Options o = options;
  if (o.stack_name.empty()) {
    o.stack_name = default_stack_name(base_dir);
  } else if (!std::regex_match(o.stack_name, kStackName)) {
    fail("--stack-name", "\"" + o.stack_name +
                             "\" must start with a letter and hold only "
                             "letters, digits and hyphens (at most 128)");
  }
  if (!std::regex_match(o.account_id, std::regex("[0-9]{12}"))) {
    fail("--account-id", "\"" + o.account_id + "\" is not a 12-digit account id");
  }
  if (!std::regex_match(o.region, std::regex("[a-z]{2}(-[a-z]+)+-[0-9]+"))) {
    fail("--region", "\"" + o.region + "\" is not a region name");
  }
  Value document = read_template(text);
  Context ctx(document, base_dir, o);

  // Tables before functions (a DynamoDB event names a table's stream), functions before APIs
  // (an integration names a function).
  for (const auto& r : ctx.resources()) {
    if (!r.created) continue;
    if (r.type == "AWS::DynamoDB::Table") detail::plan_table(ctx, r);
    if (r.type == "AWS::Serverless::SimpleTable") detail::plan_simple_table(ctx, r);
  }
  for (const auto& r : ctx.resources()) {
    if (!r.created) continue;
    if (r.type == "AWS::Serverless::Function" || r.type == "AWS::Lambda::Function") {
      detail::plan_function(ctx, r);
    }
  }
  for (const auto& r : ctx.resources()) {
    if (r.created && r.type == "AWS::Lambda::EventSourceMapping") {
      detail::plan_event_source_mapping(ctx, r);
    }
  }
  detail::plan_apis(ctx);
  for (const auto& r : ctx.resources()) {
    if (!r.created) {
      ctx.notice(r, "not created (its condition is false)");
      continue;
    }
    const std::string& t = r.type;
    if (t.rfind("AWS::IAM::", 0) == 0 || t == "AWS::Lambda::Permission") {
      ctx.notice(r, "accepted, not enforced");
    } else if (t.rfind("AWS::ApiGatewayV2::", 0) == 0 && t != "AWS::ApiGatewayV2::Api" &&
               t != "AWS::ApiGatewayV2::Route" && t != "AWS::ApiGatewayV2::Integration" &&
               t != "AWS::ApiGatewayV2::Authorizer" && t != "AWS::ApiGatewayV2::RouteResponse" &&
               t != "AWS::ApiGatewayV2::Stage" && t != "AWS::ApiGatewayV2::Deployment") {
      ctx.notice(r, "resource type not supported, skipped");
    } else if (t != "AWS::DynamoDB::Table" && t != "AWS::Serverless::SimpleTable" &&
               t != "AWS::Serverless::Function" && t != "AWS::Lambda::Function" &&
               t != "AWS::Lambda::EventSourceMapping" && t != "AWS::Serverless::HttpApi" &&
               t.rfind("AWS::ApiGatewayV2::", 0) != 0) {
      ctx.notice(r, "resource type not supported, skipped");
    }
  }
  plan_outputs(ctx, document.find("Outputs"));
  return std::move(ctx.stack());
}

Stack load_stack(const std::string& path, const Options& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TemplateError("template: " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return plan_stack(text.str(), std::filesystem::absolute(dir).lexically_normal().string(),
                    options);
}

}  // namespace tmpl
