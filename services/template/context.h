// The resolver's state, shared by the files that plan each kind of resource: the template's
// parameters, conditions and resources, the intrinsic functions, and typed reads of resolved
// values. Internal to services/template.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "template/stack.h"

namespace tmpl::detail {

// Throws TemplateError("template: PATH: MESSAGE").
[[noreturn]] void fail(const std::string& path, const std::string& message);
// A value as an error message shows it: "abc" in quotes, numbers as written, else its kind.
std::string describe(const Value& v);

// Typed reads of resolved values; each names `path` in its error. CloudFormation hands every
// scalar to a resource as text, so a number may be written "10" and a boolean "true".
std::string as_string(const Value& v, const std::string& path);
int as_int(const Value& v, const std::string& path);
bool as_bool(const Value& v, const std::string& path);
std::vector<std::string> as_strings(const Value& v, const std::string& path);
const Value& as_map(const Value& v, const std::string& path);
const Value& as_list(const Value& v, const std::string& path);

struct Resource {
  std::string logical_id;
  std::string type;
  Value properties;  // as written (intrinsics unresolved), Globals merged in
  bool created = true;
};

class Context {
 public:
  Context(const Value& document, std::string base_dir, const Options& options);

  // Evaluates every intrinsic function in `v`; nullopt when it is AWS::NoValue (members and
  // list items that are AWS::NoValue are dropped).
  std::optional<Value> resolve(const Value& v, const std::string& path);
  bool condition(const std::string& name, const std::string& path);

  const std::vector<Resource>& resources() const { return resources_; }
  const Resource* find_resource(const std::string& logical_id) const;

  // What Ref and Fn::GetAtt return for a resource (names, ids and ARNs, computed once).
  Value ref_resource(const Resource& r, const std::string& path);
  Value get_att(const std::string& logical_id, const std::string& attribute,
                const std::string& path);
  std::string function_name(const Resource& r);
  std::string table_name(const Resource& r);
  std::string function_arn(const std::string& name) const;
  std::string table_arn(const std::string& name) const;
  std::string api_id(const Resource& r) const;
  std::string api_endpoint(const Resource& r) const;
  std::string derived_id(const std::string& logical_id, size_t length) const;
  // The function (by name) a Lambda ARN, an API Gateway invocation URI or a function name
  // designates; fails naming `path` when it is none of the template's functions.
  std::string function_for(const std::string& arn_or_uri, const std::string& path);
  // The table whose stream ARN (or table ARN) this is, or nullptr.
  const Table* table_for_stream(const std::string& arn) const;

  const Options& options() const { return options_; }
  const std::string& base_dir() const { return base_dir_; }
  Stack& stack() { return stack_; }
  void notice(const Resource& r, const std::string& what);

  // A SAM function's HttpApi event, kept for plan_apis.
  struct HttpEvent {
    std::string function;
    std::string api_logical_id;  // empty: the implicit ServerlessHttpApi
    std::string route_key;       // "GET /path", or "$default"
    std::string payload_format_version;
    int timeout_in_millis = 0;
    std::optional<std::string> authorizer;   // Auth.Authorizer: a name or "NONE"; unset: default
    std::string function_logical_id, event;  // for error messages
  };
  std::vector<HttpEvent> http_events;

 private:
  std::optional<Value> resolve_function(const std::string& name, const Value& arg,
                                        const std::string& path);
  Value ref(const std::string& name, const std::string& path);
  Value sub(const Value& arg, const std::string& path);
  Value find_in_map(const Value& arg, const std::string& path);
  bool evaluate_condition(const Value& expr, const std::string& path, int depth);
  std::string resolved_name(const Resource& r, const char* property);
  void read_parameters(const Value* parameters);
  void read_resources(const Value* resources, const Value* globals);

  Options options_;
  std::string base_dir_;
  Value mappings_;
  Value conditions_;
  std::map<std::string, Value> parameters_;  // name -> String or List
  std::map<std::string, bool> condition_values_;
  std::set<std::string> conditions_in_progress_;
  std::vector<Resource> resources_;
  std::map<std::string, std::string> names_;  // logical id -> resolved name
  std::set<std::string> names_in_progress_;
  int depth_ = 0;
  Stack stack_;
};

// Reads a resource's properties one at a time, resolving each when it is first read, and
// reports the ones nobody read: as accepted and not enforced when listed in `accepted`, else
// as not supported and skipped.
class Props {
 public:
  Props(Context& ctx, const Resource& r);
  const Value* get(const std::string& name);
  const Value& require(const std::string& name);
  std::string path(const std::string& name) const;
  std::optional<std::string> string(const std::string& name);
  std::optional<int> integer(const std::string& name);
  std::optional<bool> boolean(const std::string& name);
  void finish(const std::vector<std::string>& accepted);

 private:
  Context& ctx_;
  const Resource& r_;
  std::map<std::string, std::optional<Value>> resolved_;
};

// The planners, one per kind of resource (resources.cc, apis.cc).
void plan_table(Context& ctx, const Resource& r);
void plan_simple_table(Context& ctx, const Resource& r);
void plan_function(Context& ctx, const Resource& r);
void plan_event_source_mapping(Context& ctx, const Resource& r);
// Every API: AWS::ApiGatewayV2::* and AWS::Serverless::HttpApi resources, and the HttpApi
// events of SAM functions (which may create the implicit ServerlessHttpApi).
void plan_apis(Context& ctx);

}  // namespace tmpl::detail
