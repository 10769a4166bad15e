#include "lambda/environment.h"

#include <array>
#include <cctype>
#include <cstdlib>

namespace lambda {
namespace {

constexpr std::array<std::string_view, 18> kReserved = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

std::string host_env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::string host_port(const std::string& url) {
  size_t scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  return rest.substr(0, rest.find('/'));
}

}  // namespace

std::string managed_runtime(std::string_view runtime) {
  // https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
  if (runtime == "nodejs18.x" || runtime == "nodejs20.x" || runtime == "nodejs22.x") return "node";
  constexpr std::string_view kPython = "python3.";
  if (runtime.substr(0, kPython.size()) == kPython && runtime.size() > kPython.size()) {
    for (char c : runtime.substr(kPython.size())) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return "";
    }
    return "python";
  }
  return "";
}

std::string routed_hosts(const HostConfig& host) {
  std::string out;
  auto add = [&](const std::string& name, const std::string& target) {
    if (!out.empty()) out += ",";
    out += name + "=" + target;
  };
  // The gateway speaks TLS on its ports (with the certificate of the CA in --ca-file).
  std::string suffix = ".execute-api." + host.region + ".amazonaws.com";
  if (!host.ca_file.empty()) {
    for (const auto& id : host.websocket_api_ids) {
      if (!host.apigateway_endpoint.empty())
        add(id + suffix, "https://" + host_port(host.apigateway_endpoint));
    }
    for (const auto& id : host.http_api_ids) {
      if (!host.http_api_endpoint.empty())
        add(id + suffix, "https://" + host_port(host.http_api_endpoint));
    }
  }
  // The emulator speaks plain HTTP: the runtime terminates TLS for it, with the certificate the
  // gateway serves (it names both hosts).
  if (!host.tls_cert.empty() && !host.tls_key.empty() && !host.dynamodb_endpoint.empty()) {
    add("dynamodb." + host.region + ".amazonaws.com",
        "http://" + host_port(host.dynamodb_endpoint));
    add("streams.dynamodb." + host.region + ".amazonaws.com",
        "http://" + host_port(host.dynamodb_streams_endpoint.empty()
                                  ? host.dynamodb_endpoint
                                  : host.dynamodb_streams_endpoint));
  }
  return out;
}

bool is_reserved_environment_key(std::string_view key) {
  for (auto reserved : kReserved) {
    if (key == reserved) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> instance_environment(
    const FunctionSpec& spec, const HostConfig& host, const std::string& runtime_api,
    const std::string& log_stream, std::vector<std::string>* warnings) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"AWS_LAMBDA_RUNTIME_API", runtime_api},
      {"_HANDLER", spec.handler},
      {"AWS_LAMBDA_FUNCTION_NAME", spec.name},
      {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(spec.memory_mb)},
      {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec.name},
      {"AWS_LAMBDA_LOG_STREAM_NAME", log_stream},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"AWS_REGION", host.region},
      {"AWS_DEFAULT_REGION", host.region},
      // The execution role's credentials in AWS; local stand-ins accept any signature.
      {"AWS_ACCESS_KEY_ID", "ASIALOCALLAMBDAHOST00"},
      {"AWS_SECRET_ACCESS_KEY", "local-lambda-host-secret-access-key"},
      {"AWS_SESSION_TOKEN", "local-lambda-host-session-token"},
      {"LAMBDA_TASK_ROOT", spec.code_uri},
      // /var/runtime in AWS; a custom runtime has nothing there, the code folder stands in.
      {"LAMBDA_RUNTIME_DIR", spec.code_uri},
      {"TZ", ":UTC"},
      {"LANG", "en_US.UTF-8"},
      // Lambda's PATH is /usr/local/bin:/usr/bin/:/bin:/opt/bin; the host's own PATH is kept
      // so that the tools a local bootstrap needs are found.
      {"PATH", host_env("PATH", "/usr/local/bin:/usr/bin:/bin")},
  };
  std::string ld = spec.code_uri + ":" + spec.code_uri + "/lib";
  std::string host_ld = host_env("LD_LIBRARY_PATH", "");
  if (!host_ld.empty()) ld += ":" + host_ld;
  env.emplace_back("LD_LIBRARY_PATH", ld);
  auto endpoint = [&](const std::string& key, const std::string& url) {
    if (!url.empty()) env.emplace_back(key, url);
  };
  endpoint("AWS_ENDPOINT_URL_DYNAMODB", host.dynamodb_endpoint);
  endpoint("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", host.dynamodb_streams_endpoint.empty()
                                                    ? host.dynamodb_endpoint
                                                    : host.dynamodb_streams_endpoint);
  endpoint("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", host.apigateway_endpoint);
  // Every other service: DynamoDB's stand-in is the only general one the plane has.
  endpoint("AWS_ENDPOINT_URL", host.dynamodb_endpoint);
  // The plane's CA for clients that insist on https: the AWS SDKs (AWS_CA_BUNDLE,
  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html), OpenSSL-based
  // clients (SSL_CERT_FILE, which replaces their store: hence a bundle with the system's CAs),
  // Node.js (NODE_EXTRA_CA_CERTS, added to its built-in CAs).
  for (const char* key : {"AWS_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"})
    endpoint(key, host.ca_file);
  if (std::string lang = managed_runtime(spec.runtime); !lang.empty()) {
    // What Lambda's own runtimes add: AWS_EXECUTION_ENV, their folder (/var/runtime), and for
    // Node.js a NODE_PATH ending in the code folder (/var/task).
    env.emplace_back("AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime);
    for (auto& entry : env) {
      if (entry.first == "LAMBDA_RUNTIME_DIR") entry.second = host.runtimes_dir + "/" + lang;
    }
    if (lang == "node") env.emplace_back("NODE_PATH", spec.code_uri);
    // Read (and removed from the environment) by our runtime interface clients.
    endpoint("_PLANE_AWS_HOSTS", routed_hosts(host));
    if (!routed_hosts(host).empty()) {
      endpoint("_PLANE_TLS_CERT", host.tls_cert);
      endpoint("_PLANE_TLS_KEY", host.tls_key);
    }
  }
  for (const auto& [key, value] : spec.environment) {
    if (is_reserved_environment_key(key)) {
      if (warnings) warnings->push_back(key);
      continue;
    }
    bool replaced = false;
    for (auto& entry : env) {
      if (entry.first == key) {
        entry.second = value;
        replaced = true;
      }
    }
    if (!replaced) env.emplace_back(key, value);
  }
  return env;
}

}  // namespace lambda
