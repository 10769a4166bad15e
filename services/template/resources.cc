// Tables, functions and stream event source mappings.
#include <algorithm>
#include <filesystem>

#include "template/context.h"

namespace tmpl::detail {
namespace {

void one_of(const std::string& value, std::initializer_list<const char*> allowed,
            const std::string& path) {
  for (const char* a : allowed) {
    if (value == a) return;
  }
  std::string list;
  for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
  fail(path, "expected one of " + list + ", got \"" + value + "\"");
}

void in_range(int value, int min, int max, const std::string& path) {
  if (value < min || value > max) {
    fail(path, "expected a value from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", got " + std::to_string(value));
  }
}

const Value& member(const Value& map, const std::string& key, const std::string& path) {
  const Value* v = map.find(key);
  if (!v) fail(path + "." + key, "required property is missing");
  return *v;
}

Value key_schema(const Value& v, const std::string& path) {
  Value out = Value::of_list({});
  const Value& list = as_list(v, path);
  for (size_t i = 0; i < list.list.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    const Value& k = as_map(list.list[i], p);
    std::string type = as_string(member(k, "KeyType", p), p + ".KeyType");
    one_of(type, {"HASH", "RANGE"}, p + ".KeyType");
    out.list.push_back(Value::of_map(
        {{"AttributeName", Value::string(as_string(member(k, "AttributeName", p), p))},
         {"KeyType", Value::string(type)}}));
  }
  return out;
}

Value throughput(const Value& v, const std::string& path) {
  const Value& m = as_map(v, path);
  int read = as_int(member(m, "ReadCapacityUnits", path), path + ".ReadCapacityUnits");
  int write = as_int(member(m, "WriteCapacityUnits", path), path + ".WriteCapacityUnits");
  return Value::of_map({{"ReadCapacityUnits", Value::number(std::to_string(read))},
                        {"WriteCapacityUnits", Value::number(std::to_string(write))}});
}

Value projection(const Value& v, const std::string& path) {
  const Value& m = as_map(v, path);
  Value out = Value::of_map({});
  if (const Value* t = m.find("ProjectionType")) {
    std::string type = as_string(*t, path + ".ProjectionType");
    one_of(type, {"ALL", "KEYS_ONLY", "INCLUDE"}, path + ".ProjectionType");
    out.set("ProjectionType", Value::string(type));
  }
  if (const Value* n = m.find("NonKeyAttributes")) {
    Value names = Value::of_list({});
    for (auto& s : as_strings(*n, path + ".NonKeyAttributes"))
      names.list.push_back(Value::string(s));
    out.set("NonKeyAttributes", names);
  }
  return out;
}

Value indexes(Context& ctx, const Resource& r, const Value& v, const std::string& path, bool global,
              bool provisioned) {
  Value out = Value::of_list({});
  const Value& list = as_list(v, path);
  for (size_t i = 0; i < list.list.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    const Value& index = as_map(list.list[i], p);
    Value o = Value::of_map({});
    o.set("IndexName", Value::string(as_string(member(index, "IndexName", p), p + ".IndexName")));
    o.set("KeySchema", key_schema(member(index, "KeySchema", p), p + ".KeySchema"));
    o.set("Projection", projection(member(index, "Projection", p), p + ".Projection"));
    if (global) {
      if (const Value* t = index.find("ProvisionedThroughput")) {
        o.set("ProvisionedThroughput", throughput(*t, p + ".ProvisionedThroughput"));
      } else if (provisioned) {
        fail(p + ".ProvisionedThroughput", "required when the table's BillingMode is PROVISIONED");
      }
    }
    for (const auto& [k, value] : index.map) {
      if (!o.find(k))
        ctx.notice(r, path.substr(path.rfind('.') + 1) + "[" + std::to_string(i) + "]." + k +
                          " accepted, not enforced");
    }
    out.list.push_back(std::move(o));
  }
  return out;
}

void add_table(Context& ctx, const Resource& r, Value create_table, const Value* stream,
               const Value* ttl, const std::string& path) {
  Table t;
  t.logical_id = r.logical_id;
  t.name = ctx.table_name(r);
  t.arn = ctx.table_arn(t.name);
  if (stream) {
    std::string p = path + ".StreamSpecification";
    const Value& s = as_map(*stream, p);
    std::string view = as_string(member(s, "StreamViewType", p), p + ".StreamViewType");
    one_of(view, {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"},
           p + ".StreamViewType");
    create_table.set("StreamSpecification",
                     Value::of_map({{"StreamEnabled", Value::of_bool(true)},
                                    {"StreamViewType", Value::string(view)}}));
    t.stream_arn = t.arn + "/stream/" + kStreamLabelPlaceholder;
  }
  if (ttl) {
    std::string p = path + ".TimeToLiveSpecification";
    const Value& s = as_map(*ttl, p);
    t.ttl_enabled = as_bool(member(s, "Enabled", p), p + ".Enabled");
    if (const Value* a = s.find("AttributeName")) {
      t.ttl_attribute = as_string(*a, p + ".AttributeName");
    } else if (t.ttl_enabled) {
      fail(p + ".AttributeName", "required when Enabled is true");
    }
  }
  t.create_table = std::move(create_table);
  ctx.stack().tables.push_back(std::move(t));
}

}  // namespace

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html
void plan_table(Context& ctx, const Resource& r) {
  Props p(ctx, r);
  std::string name = ctx.table_name(r);
  p.get("TableName");
  Value ct = Value::of_map({{"TableName", Value::string(name)}});
  Value definitions = Value::of_list({});
  const Value& defs = as_list(p.require("AttributeDefinitions"), p.path("AttributeDefinitions"));
  for (size_t i = 0; i < defs.list.size(); ++i) {
    std::string path = p.path("AttributeDefinitions") + "[" + std::to_string(i) + "]";
    const Value& d = as_map(defs.list[i], path);
    std::string type = as_string(member(d, "AttributeType", path), path + ".AttributeType");
    one_of(type, {"S", "N", "B"}, path + ".AttributeType");
    definitions.list.push_back(Value::of_map(
        {{"AttributeName",
          Value::string(as_string(member(d, "AttributeName", path), path + ".AttributeName"))},
         {"AttributeType", Value::string(type)}}));
  }
  ct.set("AttributeDefinitions", definitions);
  ct.set("KeySchema", key_schema(p.require("KeySchema"), p.path("KeySchema")));
  // CloudFormation's default billing mode is PROVISIONED, which then needs a throughput.
  std::string billing = p.string("BillingMode").value_or("PROVISIONED");
  one_of(billing, {"PROVISIONED", "PAY_PER_REQUEST"}, p.path("BillingMode"));
  bool provisioned = billing == "PROVISIONED";
  ct.set("BillingMode", Value::string(billing));
  if (const Value* t = p.get("ProvisionedThroughput")) {
    ct.set("ProvisionedThroughput", throughput(*t, p.path("ProvisionedThroughput")));
  } else if (provisioned) {
    fail(p.path("ProvisionedThroughput"), "required when BillingMode is PROVISIONED");
  }
  if (const Value* g = p.get("GlobalSecondaryIndexes")) {
    ct.set("GlobalSecondaryIndexes",
           indexes(ctx, r, *g, p.path("GlobalSecondaryIndexes"), true, provisioned));
  }
  if (const Value* l = p.get("LocalSecondaryIndexes")) {
    ct.set("LocalSecondaryIndexes",
           indexes(ctx, r, *l, p.path("LocalSecondaryIndexes"), false, provisioned));
  }
  add_table(ctx, r, std::move(ct), p.get("StreamSpecification"), p.get("TimeToLiveSpecification"),
            "Resources." + r.logical_id + ".Properties");
  p.finish({"SSESpecification", "PointInTimeRecoverySpecification", "Tags",
            "DeletionProtectionEnabled", "ContributorInsightsSpecification", "TableClass",
            "KinesisStreamSpecification", "ResourcePolicy", "WarmThroughput",
            "OnDemandThroughput"});
}

// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-simpletable.html
void plan_simple_table(Context& ctx, const Resource& r) {
  Props p(ctx, r);
  std::string name = ctx.table_name(r);
  p.get("TableName");
  std::string key = "id", type = "S";
  if (const Value* pk = p.get("PrimaryKey")) {
    std::string path = p.path("PrimaryKey");
    const Value& m = as_map(*pk, path);
    key = as_string(member(m, "Name", path), path + ".Name");
    std::string t = as_string(member(m, "Type", path), path + ".Type");
    one_of(t, {"String", "Number", "Binary"}, path + ".Type");
    type = t == "String" ? "S" : t == "Number" ? "N" : "B";
  }
  Value ct = Value::of_map(
      {{"TableName", Value::string(name)},
       {"AttributeDefinitions",
        Value::of_list({Value::of_map(
            {{"AttributeName", Value::string(key)}, {"AttributeType", Value::string(type)}})})},
       {"KeySchema", Value::of_list({Value::of_map({{"AttributeName", Value::string(key)},
                                                    {"KeyType", Value::string("HASH")}})})}});
  // SAM: on-demand unless a throughput is given.
  if (const Value* t = p.get("ProvisionedThroughput")) {
    ct.set("BillingMode", Value::string("PROVISIONED"));
    ct.set("ProvisionedThroughput", throughput(*t, p.path("ProvisionedThroughput")));
  } else {
    ct.set("BillingMode", Value::string("PAY_PER_REQUEST"));
  }
  add_table(ctx, r, std::move(ct), nullptr, nullptr, "");
  p.finish({"SSESpecification", "Tags", "PointInTimeRecoverySpecification"});
}

namespace {

// The properties a stream mapping shares between AWS::Lambda::EventSourceMapping and a SAM
// DynamoDB event; defaults are Lambda's.
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
void read_mapping(Context& ctx, const Resource& r, const Value& props, const std::string& path,
                  const char* arn_property, EventSourceMapping& m) {
  std::vector<std::string> used = {arn_property, "FunctionName"};
  auto get = [&](const char* name) -> const Value* {
    used.push_back(name);
    const Value* v = props.find(name);
    return v && !v->is_null() ? v : nullptr;
  };
  auto p = [&](const char* name) { return path + "." + name; };
  std::string arn = as_string(member(props, arn_property, path), p(arn_property));
  const Table* table = ctx.table_for_stream(arn);
  if (!table) fail(p(arn_property), "\"" + arn + "\" is not the stream of a table in the template");
  if (!table->stream_arn) fail(p(arn_property), "table " + table->logical_id + " has no stream");
  m.table_logical_id = table->logical_id;
  m.table_name = table->name;
  m.stream_arn = *table->stream_arn;
  const Value* start = get("StartingPosition");
  if (!start) fail(p("StartingPosition"), "required for a DynamoDB stream");
  m.starting_position = as_string(*start, p("StartingPosition"));
  one_of(m.starting_position, {"TRIM_HORIZON", "LATEST"}, p("StartingPosition"));
  if (const Value* v = get("BatchSize")) {
    m.batch_size = as_int(*v, p("BatchSize"));
    in_range(m.batch_size, 1, 10000, p("BatchSize"));
  }
  if (const Value* v = get("MaximumBatchingWindowInSeconds")) {
    m.maximum_batching_window_in_seconds = as_int(*v, p("MaximumBatchingWindowInSeconds"));
    in_range(m.maximum_batching_window_in_seconds, 0, 300, p("MaximumBatchingWindowInSeconds"));
  }
  if (const Value* v = get("MaximumRetryAttempts")) {
    m.maximum_retry_attempts = as_int(*v, p("MaximumRetryAttempts"));
    in_range(m.maximum_retry_attempts, -1, 10000, p("MaximumRetryAttempts"));
  }
  if (const Value* v = get("MaximumRecordAgeInSeconds")) {
    m.maximum_record_age_in_seconds = as_int(*v, p("MaximumRecordAgeInSeconds"));
    if (m.maximum_record_age_in_seconds != -1) {
      in_range(m.maximum_record_age_in_seconds, 60, 604800, p("MaximumRecordAgeInSeconds"));
    }
  }
  if (const Value* v = get("BisectBatchOnFunctionError")) {
    m.bisect_batch_on_function_error = as_bool(*v, p("BisectBatchOnFunctionError"));
  }
  if (const Value* v = get("FunctionResponseTypes")) {
    m.function_response_types = as_strings(*v, p("FunctionResponseTypes"));
    for (const auto& t : m.function_response_types) {
      one_of(t, {"ReportBatchItemFailures"}, p("FunctionResponseTypes"));
    }
  }
  if (const Value* v = get("FilterCriteria")) m.filter_criteria = as_map(*v, p("FilterCriteria"));
  if (const Value* v = get("Enabled")) m.enabled = as_bool(*v, p("Enabled"));
  if (const Value* v = get("ParallelizationFactor")) {
    m.parallelization_factor = as_int(*v, p("ParallelizationFactor"));
    in_range(m.parallelization_factor, 1, 10, p("ParallelizationFactor"));
  }
  // Read for its range only: a tumbling window's state is not kept (a notice says so below).
  if (const Value* v = props.find("TumblingWindowInSeconds"); v && !v->is_null()) {
    in_range(as_int(*v, p("TumblingWindowInSeconds")), 0, 900, p("TumblingWindowInSeconds"));
  }
  size_t at = path.find(".Properties.");
  std::string prefix = at == std::string::npos ? "" : path.substr(at + 12) + ".";
  for (const auto& [k, v] : props.map) {
    if (std::find(used.begin(), used.end(), k) != used.end()) continue;
    ctx.notice(r, prefix + k + " accepted, not enforced");
  }
}

// The runtimes the Lambda host runs: custom runtimes (a bootstrap) and, with runtime interface
// clients of its own, Node.js and Python (services/lambda/runtimes).
bool runtime_supported(const std::string& runtime) {
  if (runtime == "provided" || runtime == "provided.al2" || runtime == "provided.al2023")
    return true;
  if (runtime == "nodejs18.x" || runtime == "nodejs20.x" || runtime == "nodejs22.x") return true;
  const std::string python = "python3.";
  return runtime.size() > python.size() && runtime.compare(0, python.size(), python) == 0 &&
         runtime.find_first_not_of("0123456789", python.size()) == std::string::npos;
}

// CodeUri (or Code) as a folder, Runtime and Handler of a Zip function.
void plan_code(Context& ctx, const Resource& r, Props& p, bool serverless,
               const std::string& code_property, Function& f) {
  if (serverless && p.get("InlineCode")) {
    fail(p.path("InlineCode"), "inline code is not supported; give CodeUri, a folder");
  }
  const Value* code = p.get(code_property);
  if (!code) fail(p.path(code_property), "required property is missing (a folder)");
  if (code->is_map()) {
    std::string what = code->find("ZipFile") ? "Code.ZipFile (inline code)" : "an S3 location";
    fail(p.path(code_property), what + " is not supported; give a folder relative to the template");
  }
  std::string uri = as_string(*code, p.path(code_property));
  if (uri.rfind("s3://", 0) == 0) {
    fail(p.path(code_property),
         "an S3 location is not supported; give a folder relative to the "
         "template");
  }
  namespace fs = std::filesystem;
  f.code_uri = fs::absolute(fs::path(ctx.base_dir()) / uri).lexically_normal().string();
  if (f.code_uri.size() > 1 && f.code_uri.back() == '/') f.code_uri.pop_back();
  f.runtime = as_string(p.require("Runtime"), p.path("Runtime"));
  f.handler = as_string(p.require("Handler"), p.path("Handler"));
  if (!runtime_supported(f.runtime)) {
    ctx.notice(r, "Runtime " + f.runtime +
                      " is not supported (provided.al2023, provided.al2, nodejs18.x, "
                      "nodejs20.x, nodejs22.x and python3.x are): it is started as a "
                      "custom runtime, from CodeUri/bootstrap");
  }
}

}  // namespace

// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
void plan_function(Context& ctx, const Resource& r) {
  Props p(ctx, r);
  bool serverless = r.type == "AWS::Serverless::Function";
  Function f;
  f.logical_id = r.logical_id;
  f.name = ctx.function_name(r);
  p.get("FunctionName");
  f.arn = ctx.function_arn(f.name);
  std::string code_property = serverless ? "CodeUri" : "Code";
  // A container image cannot run here: it is reported and planned without code (runtime and
  // codeUri empty), so that the rest of the stack runs; its invocations fail.
  bool image = false;
  if (auto type = p.string("PackageType")) {
    if (*type != "Zip" && *type != "Image") fail(p.path("PackageType"), "must be Zip or Image");
    image = *type == "Image";
  }
  if (const Value* code = serverless ? nullptr : p.get(code_property)) {
    image = image || (code->is_map() && code->find("ImageUri"));
  }
  if (image) {
    for (const char* k : {"ImageUri", "ImageConfig", "CodeUri", "Code", "Runtime", "Handler"})
      p.get(k);
    ctx.notice(r,
               "a container image (PackageType Image) is not supported: the function is "
               "planned without code and its invocations fail");
  } else {
    plan_code(ctx, r, p, serverless, code_property, f);
  }
  if (auto t = p.integer("Timeout")) {
    f.timeout = *t;
    in_range(f.timeout, 1, 900, p.path("Timeout"));
  }
  if (auto m = p.integer("MemorySize")) {
    f.memory_size = *m;
    in_range(f.memory_size, 128, 10240, p.path("MemorySize"));
  }
  if (auto c = p.integer("ReservedConcurrentExecutions")) {
    f.reserved_concurrency = *c;
    in_range(*c, 0, 1000, p.path("ReservedConcurrentExecutions"));
  }
  if (const Value* env = p.get("Environment")) {
    std::string path = p.path("Environment");
    const Value& e = as_map(*env, path);
    for (const auto& [k, v] : e.map) {
      if (k != "Variables") fail(path + "." + k, "unknown property");
    }
    if (const Value* vars = e.find("Variables")) {
      for (const auto& [k, v] : as_map(*vars, path + ".Variables").map) {
        f.environment.emplace_back(k, as_string(v, path + ".Variables." + k));
      }
    }
  }
  if (serverless) {
    if (const Value* events = p.get("Events")) {
      for (const auto& [event, decl] : as_map(*events, p.path("Events")).map) {
        std::string path = p.path("Events") + "." + event;
        const Value& d = as_map(decl, path);
        std::string type = as_string(member(d, "Type", path), path + ".Type");
        Value props = Value::of_map({});
        if (const Value* pr = d.find("Properties")) props = as_map(*pr, path + ".Properties");
        if (type == "DynamoDB") {
          EventSourceMapping m;
          m.logical_id = r.logical_id + event;
          m.function = f.name;
          read_mapping(ctx, r, props, path + ".Properties", "Stream", m);
          ctx.stack().event_source_mappings.push_back(std::move(m));
        } else if (type == "HttpApi") {
          // https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapi.html
          Context::HttpEvent h;
          h.function = f.name;
          std::string pp = path + ".Properties";
          if (const Value* api = props.find("ApiId")) {
            std::string id = as_string(*api, pp + ".ApiId");
            for (const auto& res : ctx.resources()) {
              if (res.type == "AWS::Serverless::HttpApi" && ctx.api_id(res) == id) {
                h.api_logical_id = res.logical_id;
              }
            }
            if (h.api_logical_id.empty()) {
              fail(pp + ".ApiId", "names no AWS::Serverless::HttpApi of the template");
            }
          }
          const Value* method = props.find("Method");
          const Value* route_path = props.find("Path");
          if (method && route_path) {
            std::string m = as_string(*method, pp + ".Method");
            std::transform(m.begin(), m.end(), m.begin(), ::toupper);
            h.route_key = (m == "ANY" ? "ANY" : m) + " " + as_string(*route_path, pp + ".Path");
          } else {
            h.route_key = "$default";
          }
          if (const Value* v = props.find("PayloadFormatVersion")) {
            h.payload_format_version = as_string(*v, pp + ".PayloadFormatVersion");
            one_of(h.payload_format_version, {"1.0", "2.0"}, pp + ".PayloadFormatVersion");
          }
          if (const Value* v = props.find("TimeoutInMillis")) {
            h.timeout_in_millis = as_int(*v, pp + ".TimeoutInMillis");
            in_range(h.timeout_in_millis, 50, 30000, pp + ".TimeoutInMillis");
          }
          h.function_logical_id = r.logical_id;
          h.event = event;
          if (const Value* auth = props.find("Auth")) {
            // https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapifunctionauth.html
            const Value& a = as_map(*auth, pp + ".Auth");
            if (const Value* name = a.find("Authorizer")) {
              h.authorizer = as_string(*name, pp + ".Auth.Authorizer");
            }
            for (const auto& [k, v] : a.map) {
              if (k != "Authorizer") {
                ctx.notice(r, "Events." + event + ".Auth." + k + " accepted, not enforced");
              }
            }
          }
          for (const auto& [k, v] : props.map) {
            if (k != "ApiId" && k != "Method" && k != "Path" && k != "PayloadFormatVersion" &&
                k != "TimeoutInMillis" && k != "Auth") {
              ctx.notice(r, "Events." + event + "." + k + " accepted, not enforced");
            }
          }
          ctx.http_events.push_back(std::move(h));
        } else {
          ctx.notice(r, "Events." + event + " (type " + type + ") is not supported, skipped");
        }
      }
    }
  }
  ctx.stack().functions.push_back(std::move(f));
  p.finish({"Policies",
            "Role",
            "Description",
            "Architectures",
            "Tags",
            "Tracing",
            "Layers",
            "AutoPublishAlias",
            "DeploymentPreference",
            "VpcConfig",
            "KmsKeyArn",
            "DeadLetterQueue",
            "DeadLetterConfig",
            "EventInvokeConfig",
            "LoggingConfig",
            "EphemeralStorage",
            "RuntimeManagementConfig",
            "SnapStart",
            "PermissionsBoundary",
            "ProvisionedConcurrencyConfig",
            "FunctionUrlConfig",
            "CodeSigningConfigArn",
            "AssumeRolePolicyDocument",
            "RolePath",
            "TracingConfig",
            "FileSystemConfigs",
            "AutoPublishCodeSha256",
            "VersionDescription"});
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventsourcemapping.html
void plan_event_source_mapping(Context& ctx, const Resource& r) {
  std::string path = "Resources." + r.logical_id + ".Properties";
  Value m = ctx.resolve(r.properties, path).value_or(Value::of_map({}));
  as_map(m, path);
  std::string arn = as_string(member(m, "EventSourceArn", path), path + ".EventSourceArn");
  if (arn.find(":dynamodb:") == std::string::npos) {
    ctx.notice(r, "event source " + arn + " is not a DynamoDB stream, skipped");
    return;
  }
  EventSourceMapping mapping;
  mapping.logical_id = r.logical_id;
  mapping.function = ctx.function_for(
      as_string(member(m, "FunctionName", path), path + ".FunctionName"), path + ".FunctionName");
  read_mapping(ctx, r, m, path, "EventSourceArn", mapping);
  ctx.stack().event_source_mappings.push_back(std::move(mapping));
}

}  // namespace tmpl::detail
