// Lambda authorizers of type REQUEST (pure functions, no I/O): the identity sources a request must
// carry, the ARNs a policy is checked against, and what the authorizer's answer means.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/event.h"

namespace gateway {

// The values of the identity sources, in order, or nullopt when one of them is missing or empty
// (API Gateway then answers 401 Unauthorized without calling the authorizer). Understood:
// route.request.header.X / $request.header.X (case-insensitive) and route.request.querystring.X
// / $request.querystring.X; $context.X takes its value from `context` ("routeKey", ...);
// stage variables and unknown context variables always count as present, with "".
std::optional<std::vector<std::string>> identity_values(const std::vector<std::string>& sources,
                                                        const HeaderList& headers,
                                                        const HeaderList& query,
                                                        const HeaderList& context = {});

// "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect" (WebSocket methodArn);
// "arn:aws:execute-api:...:a1b2c3d4e5/$default/GET/pets/1" (HTTP routeArn).
std::string websocket_method_arn(std::string_view region, std::string_view account,
                                 std::string_view api_id, std::string_view stage,
                                 std::string_view route_key);
std::string http_route_arn(std::string_view region, std::string_view account,
                           std::string_view api_id, std::string_view stage, std::string_view method,
                           std::string_view path);

struct AuthDecision {
  enum class Kind { Allow, Deny, Error } kind = Kind::Error;
  AuthContext auth;   // Allow
  std::string error;  // Error: why, for the log
};
// The authorizer function's result. `simple`: {"isAuthorized": bool, "context": {...}} (HTTP
// APIs with simple responses); otherwise {"principalId", "policyDocument", "context"}, allowed
// when a statement allows execute-api:Invoke on `arn` and none denies it. A malformed answer
// is an Error (API Gateway's 500).
AuthDecision parse_authorizer_response(std::string_view payload, bool simple, std::string_view arn);

// A function error whose errorMessage is "Unauthorized": API Gateway's 401.
bool is_unauthorized_error(std::string_view error_payload);

// HTTP APIs' authorizer answers held for AuthorizerResultTtlInSeconds on the plane's clock. The
// key is the API, the authorizer and its identity sources' values (API Gateway's cache key; add
// $context.routeKey to the sources to hold answers per route); what is held is the function's
// answer itself, so that a policy is evaluated again for each route's ARN while a simple
// response allows or denies every route alike. Only answers that decided (Allow or Deny) are
// held; errors are not. At most `max_entries` are kept: expired ones go first, then the ones
// closest to expiry. Not thread-safe (the gateway holds a mutex while using it).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.caching
class AuthorizerCache {
 public:
  explicit AuthorizerCache(size_t max_entries = 10'000) : max_entries_(max_entries) {}

  static std::string key(std::string_view api_id, std::string_view authorizer,
                         const std::vector<std::string>& identity);
  // The answer held under `key`, unless it expired at `now_ms` (it is then dropped).
  std::optional<std::string> find(const std::string& key, int64_t now_ms);
  void put(const std::string& key, std::string answer, int64_t now_ms, int ttl_s);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string answer;
    int64_t expires_ms = 0;
  };
  size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace gateway
