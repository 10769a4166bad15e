// What the gateway reads from the stack plan (schemas/stack-plan.md): the WebSocket and HTTP APIs
// with their Lambda authorizers, the region and the account; and the pure function that maps a
// request's Host and path to a WebSocket API.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "awsproto/encoding.h"

namespace gateway {

// A Lambda authorizer of type REQUEST.
struct Authorizer {
  std::string name, function;
  // "route.request.header.Auth", "route.request.querystring.token" (WebSocket APIs);
  // "$request.header.Authorization", "$request.querystring.name" (HTTP APIs).
  std::vector<std::string> identity_source;
  std::string payload_format_version = "2.0";  // HTTP APIs: "1.0" or "2.0"
  bool simple_responses = false;               // HTTP APIs, format 2.0
  // HTTP APIs: how long an answer is held for the same identity (AuthorizerResultTtlInSeconds,
  // 0 to 3600); 0: every request calls the authorizer, as on WebSocket APIs.
  int result_ttl_s = 0;
};

struct Route {
  std::string route_key;  // "$connect", "$disconnect", "$default", "sendMessage"
  std::string function;   // the Lambda function's name
  bool route_response = false;
  std::string authorizer;  // an authorizer's name ($connect only), or empty
};

struct Api {
  std::string api_id, name, stage, route_selection_expression;
  std::vector<Route> routes;
  std::vector<Authorizer> authorizers;

  const Route* find_route(std::string_view route_key) const;
  const Authorizer* find_authorizer(std::string_view name) const;
  // "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
  std::string domain_name(std::string_view region) const;
};

// An HTTP API's CORS configuration (CorsConfiguration of AWS::ApiGatewayV2::Api).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
struct Cors {
  std::vector<std::string> allow_origins, allow_methods, allow_headers, expose_headers;
  int max_age = -1;  // -1: no Access-Control-Max-Age
  bool allow_credentials = false;
};

struct HttpRoute {
  std::string route_key;              // "GET /pets/{id}", "ANY /{proxy+}", "$default"
  std::string method;                 // "GET", "ANY"; empty for $default
  std::vector<std::string> segments;  // the path's segments: "pets", "{id}", "{proxy+}"
  std::string function;
  std::string authorizer;  // an authorizer's name, or empty
  std::string payload_format_version = "2.0";
  int timeout_ms = 30'000;  // TimeoutInMillis: 50 to 30,000, API Gateway's default the maximum
};

struct HttpApi {
  std::string api_id, name;
  std::string stage = "$default";  // "$default": served at the root, no stage in the path
  std::vector<HttpRoute> routes;
  std::vector<Authorizer> authorizers;
  std::optional<Cors> cors;

  const Authorizer* find_authorizer(std::string_view name) const;
  std::string domain_name(std::string_view region) const;
};

struct Plan {
  std::string region = "us-east-1", account_id = "123456789012";
  std::vector<Api> apis;
  std::vector<HttpApi> http_apis;
  std::vector<std::string> notices;  // what was read and is not honoured, said once at start
};

// Throws std::invalid_argument with a message naming the member for a plan that is not JSON
// or whose websocketApis or httpApis are malformed.
Plan parse_plan(std::string_view json);

// Where a request goes. Paths are "/<stage>" (the WebSocket endpoint) and
// "/<stage>/@connections/<id>"; each may be prefixed by "/<apiId>". When two APIs share a stage
// name and no API id is in the path, the Host header "<apiId>.execute-api.<region>.amazonaws.com"
// picks one; with neither, the request is ambiguous and refused as Forbidden.
struct Target {
  enum class Kind { WebSocket, Connection, Clock, None } kind = Kind::None;
  const Api* api = nullptr;
  std::string connection_id;  // Connection: percent-decoded
};
Target resolve_target(const Plan& plan, std::string_view host, std::string_view request_target);

// %XX decoding (awsproto/encoding.h), for the connection id in an @connections path.
using awsproto::percent_decode;

// "a=1&b=x%20y&a=2" -> [("a","1"),("b","x y"),("a","2")] (decoded; a name without '=' has "").
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

// "/a//b/" -> ["a", "b"]: a path's segments, without empty ones.
std::vector<std::string_view> split_path(std::string_view path);

// '*' matches any run of characters (none too), '?' any one: IAM Resource patterns, CORS
// origins.
bool wildcard_match(std::string_view pattern, std::string_view text);

}  // namespace gateway
