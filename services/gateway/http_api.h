// HTTP APIs (pure functions, no I/O): which API and route a request goes to, the Lambda proxy
// integration's events (payload formats 2.0 and 1.0) and how a function's result becomes the
// HTTP response, and CORS as API Gateway applies it.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config.h"
#include "gateway/event.h"

namespace gateway {

// The API a request is for, and its path below the stage. The Host header
// "<apiId>.execute-api.<region>.amazonaws.com" names an API; otherwise the first path segment
// names a stage, and a request that names none goes to an API with the $default stage. Returns
// api == nullptr when no API takes it (API Gateway's 404 {"message":"Not Found"}).
struct HttpTarget {
  const HttpApi* api = nullptr;
  std::string path;  // below the stage, still percent-encoded; "/" at least
};
HttpTarget resolve_http_target(const Plan& plan, std::string_view host, std::string_view path);

// The route of `api` for a request, most specific first: a route whose every segment matches
// literally, then the one with more literal segments before its first variable, a `{name}`
// segment before a greedy `{name+}`, the request's method before ANY; $default last.
struct RouteMatch {
  const HttpRoute* route = nullptr;  // nullptr: 404 Not Found
  HeaderList path_parameters;        // decoded, in the route's order
};
RouteMatch match_route(const HttpApi& api, std::string_view method, std::string_view path);

// One request as the events need it.
struct HttpRequestInput {
  std::string method, raw_path, raw_query;  // raw_path: as sent, with the stage when named
  HeaderList headers;                       // as received
  std::string body;
  std::string source_ip, user_agent, protocol = "HTTP/1.1";
  std::string request_id;
  int64_t time_ms = 0;
  std::string account_id, api_id, domain_name, stage;
  std::string route_key;       // the matched route's key
  std::string resource_path;   // the matched route's path ("/pets/{id}"); $default: the path
  HeaderList path_parameters;  // decoded
  std::optional<AuthContext> authorizer;
};

// The Lambda authorizer's own REQUEST event, instead of the integration's.
struct AuthorizerEventInput {
  std::string arn;  // routeArn (2.0) / methodArn (1.0)
  std::vector<std::string> identity;
};

// Payload format 2.0: lower-case header names with duplicates joined by commas, the Cookie
// header as `cookies`, duplicate query parameters joined by commas, `requestContext.http`, the
// body base64-encoded unless its content type is text. With `authorizer`, the REQUEST event of
// an authorizer of format 2.0 (routeArn, identitySource; no body).
std::string build_http_event_v2(const HttpRequestInput& in,
                                const AuthorizerEventInput* authorizer = nullptr);
// Payload format 1.0 (REST's proxy event, multiValue members, nulls where empty). With
// `authorizer`, the REQUEST event of an authorizer of format 1.0 (methodArn, identitySource).
std::string build_http_event_v1(const HttpRequestInput& in,
                                const AuthorizerEventInput* authorizer = nullptr);

// The HTTP response a function's result maps to. ok == false: the result is not one API Gateway
// accepts, which the caller answers with 500 {"message":"Internal Server Error"}.
struct HttpResult {
  bool ok = true;
  std::string error;
  int status = 200;
  HeaderList headers;  // "set-cookie" once per cookie
  std::string body;    // decoded bytes
};
// 2.0: an object with statusCode is a response (headers, cookies, body, isBase64Encoded);
// any other JSON is the body of a 200 with content-type application/json.
HttpResult map_response_v2(std::string_view payload);
// 1.0: the result must be an object with statusCode (headers, multiValueHeaders, body,
// isBase64Encoded).
HttpResult map_response_v1(std::string_view payload);

// CORS. A preflight is OPTIONS with Origin and Access-Control-Request-Method; API Gateway answers
// it itself (204) when CORS is configured, whatever the routes. Headers are lower case.
bool is_preflight(std::string_view method, const HeaderList& headers);
HeaderList cors_preflight_headers(const Cors& cors, const HeaderList& request_headers);
// The headers added to any other response to a request with an allowed Origin.
HeaderList cors_response_headers(const Cors& cors, const HeaderList& request_headers);

// The value of a header, names compared case-insensitively (the last one wins).
std::optional<std::string> header_value(const HeaderList& headers, std::string_view name);

// API Gateway's own answers, {"message": ...}.
std::string message_body(std::string_view message);

}  // namespace gateway
