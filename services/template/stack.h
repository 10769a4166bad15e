// The user's SAM / CloudFormation template, read once and resolved into the stack plan
// (schemas/stack-plan.md): plain structs with every intrinsic function, parameter, condition and
// Globals section already applied. Nothing downstream reads YAML.
//
// Choices this resolver makes where CloudFormation would pick something at deploy time:
// - Names: a function without FunctionName is named after its logical id (the plan's rule); a
//   table without TableName is named after its logical id too (CloudFormation would generate
//   "<stack>-<logicalId>-<random suffix>"; a local stack has one emulator of its own, and a
//   stable, readable name is worth more there than a unique one).
// - Ids: API ids are ten lower-case letters and digits derived from the stack name and logical id
//   (stable across runs); authorizer, integration and route ids are derived the same way (seven,
//   seven and seven characters).
// - A table's StreamArn ends in the placeholder label kStreamLabelPlaceholder: DynamoDB gives a
//   stream its label (a creation timestamp) only when the emulator creates it. Consumers match
//   a mapping to its table by `tableName` / `tableLogicalId`, never by the label.
// - The stack name defaults to the name of the template's folder (the launcher passes one).
//
// The plan's websocketApis entries carry, beyond the schema's members, `authorizers` ([{name,
// function, identitySource: [...]}]) and each route's `authorizer` (an authorizer's name or
// null) and `authorizationType`. httpApis entries are {logicalId, name, apiId, stage, endpoint,
// cors (null or {allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge,
// allowCredentials}), routes: [{routeKey, function, authorizationType, authorizer,
// payloadFormatVersion, timeoutInMillis}], authorizers: [{name, function, identitySource,
// payloadFormatVersion, enableSimpleResponses}]}.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tmpl {

// What the template gets wrong, as one line naming the place:
// "template: Resources.SendFunction.Properties.Timeout: expected a number, got \"abc\"".
struct TemplateError : std::runtime_error {
  explicit TemplateError(const std::string& message) : std::runtime_error(message) {}
};

// A JSON value: what a template's data resolves to, and what the plan carries where it passes a
// document through (a CreateTable request, FilterCriteria). Numbers keep their decimal text.
struct Value {
  enum class Kind { Null, Bool, Number, String, List, Map };
  using Map = std::vector<std::pair<std::string, Value>>;  // in the template's order

  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // String and Number
  std::vector<Value> list;
  Map map;

  static Value null() { return {}; }
  static Value of_bool(bool b);
  static Value number(std::string decimal);
  static Value string(std::string s);
  static Value of_list(std::vector<Value> items);
  static Value of_map(Map members);

  bool is_null() const { return kind == Kind::Null; }
  bool is_map() const { return kind == Kind::Map; }
  bool is_list() const { return kind == Kind::List; }
  bool is_string() const { return kind == Kind::String; }
  // The member named `key` of a map, or nullptr.
  const Value* find(const std::string& key) const;
  Value* find(const std::string& key);
  void set(const std::string& key, Value value);  // replaces or appends
  bool operator==(const Value&) const = default;
};

struct Table {
  std::string logical_id;
  std::string name;
  std::string arn;
  std::optional<std::string> stream_arn;     // when StreamSpecification is given
  Value create_table;                        // a CreateTable request body
  std::optional<std::string> ttl_attribute;  // TimeToLiveSpecification, when enabled
  bool ttl_enabled = false;
};

struct Function {
  std::string logical_id;
  std::string name;
  std::string arn;
  std::string runtime;
  std::string handler;
  std::string code_uri;   // absolute
  int timeout = 3;        // seconds, Lambda's default
  int memory_size = 128;  // MB, Lambda's default
  std::optional<int> reserved_concurrency;
  std::vector<std::pair<std::string, std::string>> environment;
};

struct Authorizer {
  std::string logical_id;
  std::string id;
  std::string name;
  std::string function;  // the authorizer function's name
  std::vector<std::string> identity_source;
  std::string payload_format_version;    // HTTP APIs: "1.0" or "2.0"
  bool enable_simple_responses = false;  // HTTP APIs, format 2.0
  // HTTP APIs: AuthorizerResultTtlInSeconds (SAM: Identity.ReauthorizeEvery), 0 to 3600; unset,
  // 300 when the authorizer has identity sources, else 0 (no caching).
  int result_ttl_in_seconds = 0;
};

struct Route {
  std::string logical_id;  // empty for routes SAM events declare
  std::string id;
  std::string route_key;
  std::string function;  // empty when the route has no Lambda proxy integration
  std::string authorization_type = "NONE";
  std::optional<std::string> authorizer;  // the authorizer's name
  bool route_response = false;
  std::string payload_format_version;  // HTTP APIs
  int timeout_in_millis = 0;           // HTTP APIs; 0 = the default (30000)
};

struct Api {
  std::string logical_id;
  std::string name;
  std::string id;
  std::optional<std::string> stage;
  std::string protocol;  // "WEBSOCKET" or "HTTP"
  std::string route_selection_expression;
  std::string endpoint;  // wss://ID.execute-api.REGION.amazonaws.com or https://...
  std::vector<Route> routes;
  std::vector<Authorizer> authorizers;
  Value cors;  // HTTP APIs: the CORS configuration in the plan's form, null when unset
};

// A DynamoDB stream event source mapping; unset members carry Lambda's defaults.
struct EventSourceMapping {
  std::string logical_id;  // the mapping resource's, or "<Function><Event>" for a SAM event
  std::string function;    // function name
  std::string table_logical_id;
  std::string table_name;
  std::string stream_arn;
  std::string starting_position;  // TRIM_HORIZON or LATEST
  int batch_size = 100;
  int maximum_batching_window_in_seconds = 0;
  int maximum_retry_attempts = -1;         // -1: retry until the record expires
  int maximum_record_age_in_seconds = -1;  // -1: no limit
  bool bisect_batch_on_function_error = false;
  std::vector<std::string> function_response_types;
  Value filter_criteria;  // null when unset
  bool enabled = true;
  int parallelization_factor = 1;  // concurrent batches per shard, 1-10
};

struct Output {
  std::string name;
  std::string value;
  std::string description;
  std::string export_name;
};

struct Stack {
  std::string stack_name;
  std::string region;
  std::string account_id;
  std::string partition = "aws";
  std::vector<std::pair<std::string, std::string>> parameters;  // as resolved
  std::vector<Table> tables;
  std::vector<Function> functions;
  std::vector<Api> websocket_apis;
  std::vector<Api> http_apis;
  std::vector<EventSourceMapping> event_source_mappings;
  std::vector<Output> outputs;
  std::vector<std::string> notices;
};

struct Options {
  std::string stack_name;  // empty: the template folder's name
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::vector<std::pair<std::string, std::string>> parameter_overrides;
};

inline constexpr const char* kStreamLabelPlaceholder = "1970-01-01T00:00:00.000";

// Reads and resolves the template at `path`. Throws TemplateError.
Stack load_stack(const std::string& path, const Options& options);
// Resolves template text (YAML or JSON); CodeUri folders are relative to `base_dir`.
Stack plan_stack(const std::string& text, const std::string& base_dir, const Options& options);
// The plan as JSON (schemas/stack-plan.md).
std::string to_json(const Stack& stack);
std::string to_json(const Value& value);

}  // namespace tmpl
