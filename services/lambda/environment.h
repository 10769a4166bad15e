// What a function's execution environment is given: the host's configuration and the
// environment variables Lambda sets for a runtime, with the AWS host names the managed
// runtimes route to the local services.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambda/plan.h"

namespace lambda {

// What every instance gets from the host's flags.
struct HostConfig {
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::string dynamodb_endpoint, dynamodb_streams_endpoint, apigateway_endpoint;
  // --ca-file: a PEM bundle (the system's CAs and the plane's local CA) given to every function
  // as AWS_CA_BUNDLE, SSL_CERT_FILE and NODE_EXTRA_CA_CERTS; empty: none of them.
  std::string ca_file;
  int max_instances = 10;
  // The managed runtimes (nodejs*, python3.*): their runtime interface clients' folder
  // (--runtimes-dir, holding node/index.mjs and python/bootstrap.py) and what they route.
  std::string runtimes_dir;
  std::string http_api_endpoint;  // --http-api-endpoint: the gateway's HTTP API port
  std::string tls_cert, tls_key;  // --tls-cert/--tls-key: for DynamoDB's host names
  std::vector<std::string> websocket_api_ids, http_api_ids;  // the plan's
};

// The runtime interface client of ours that runs `runtime`: "node" (nodejs18.x, nodejs20.x,
// nodejs22.x), "python" (python3.N) or "" (run as a custom runtime, from CODEURI/bootstrap).
std::string managed_runtime(std::string_view runtime);

// The AWS host names the managed runtimes send to the local services, "NAME=URL,...": an
// https:// target speaks TLS itself (the gateway), an http:// one is plain (the emulator: the
// runtime terminates TLS with --tls-cert/--tls-key). Empty when nothing is routed.
std::string routed_hosts(const HostConfig& host);

// The environment Lambda gives a custom runtime, then the function's own variables (which may
// not replace a reserved key: Lambda refuses those at CreateFunction; here they are dropped with
// a warning). Pure, for tests. `runtime_api` is "127.0.0.1:P".
std::vector<std::pair<std::string, std::string>> instance_environment(
    const FunctionSpec& spec, const HostConfig& host, const std::string& runtime_api,
    const std::string& log_stream, std::vector<std::string>* warnings);

// The keys Lambda reserves ("Defined runtime environment variables",
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
// #configuration-envvars-runtime).
bool is_reserved_environment_key(std::string_view key);

}  // namespace lambda
