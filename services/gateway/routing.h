// Route selection (pure): which route of an API a message frame goes to.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config.h"

namespace gateway {

// "$request.body.action" -> {"action"}; "${request.body.a.b}" -> {"a", "b"}; nullopt for any
// other expression (the gateway then routes every message to $default, and says so at start).
std::optional<std::vector<std::string>> parse_selection_expression(std::string_view expression);

// The value the expression selects from a message body: the member at that path of a JSON
// object, as text (a string as it is; a number, boolean, object or array as its JSON text).
// nullopt when the body is not a JSON object, the member is missing, or it is null.
std::optional<std::string> select_value(const std::vector<std::string>& path,
                                        std::string_view body);

// Arrays and objects nest deeper than this in no JSON the gateway reads (message bodies, the
// functions' results, its admin calls): its DOM parser recurses once per level, so a body of a
// million "[" would overflow the stack. Checked first, without recursion.
constexpr int kMaxJsonDepth = 1000;
bool json_too_deep(std::string_view json, int max_depth = kMaxJsonDepth);

struct Selection {
  std::string route_key;         // what requestContext.routeKey says
  const Route* route = nullptr;  // nullptr: no route and no $default
};
// The route whose key equals the selected value, else $default, else none.
Selection select_route(const Api& api, std::string_view body);

}  // namespace gateway
