// What the gateway reads from the stack plan (schemas/stack-plan.md): the WebSocket APIs, the
// region and the account; and the pure function that maps a request's Host and path to an API.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "awsproto/encoding.h"

namespace gateway {

struct Route {
  std::string route_key;  // "$connect", "$disconnect", "$default", "sendMessage"
  std::string function;   // the Lambda function's name
  bool route_response = false;
};

struct Api {
  std::string api_id, name, stage, route_selection_expression;
  std::vector<Route> routes;

  const Route* find_route(std::string_view route_key) const;
  // "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
  std::string domain_name(std::string_view region) const;
};

struct Plan {
  std::string region = "us-east-1", account_id = "123456789012";
  std::vector<Api> apis;
  std::vector<std::string> notices;  // what was read and is not honoured, said once at start
};

// Throws std::invalid_argument with a message naming the member for a plan that is not JSON
// or whose websocketApis are malformed.
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

}  // namespace gateway
