// The WebSocket API's handlers: the $connect, $disconnect and message events of API Gateway
// (services/gateway/README.md) turned into the table's operations (store.h) and the protocol's
// frames (protocol.h). Each returns the Lambda proxy result as JSON text; a message's reply is
// its `body`, which the route response sends back to the caller.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "awsproto/env.h"
#include "chat/protocol.h"
#include "chat/store.h"

namespace chat {

struct Services {
  Store store;
  Poster& poster;
  awsproto::Env env;         // the @connections endpoint's variable
  std::string token_secret;  // getToken; empty: InternalError
};

// $connect: the username from requestContext.authorizer (context.username, else principalId);
// {"statusCode": 200}, or 401 when the event names no valid user.
std::string handle_connect(Services& s, std::string_view event);
// $disconnect: {"statusCode": 200}.
std::string handle_disconnect(Services& s, std::string_view event);
// Every other route: {"statusCode": 200, "body": <frame>} (no body for the actions without a
// reply). A frame that does not parse, and an operation's error, is the `error` frame; a failure
// of DynamoDB is InternalError; the connection stays open either way.
std::string handle_send(Services& s, std::string_view event);

// One request of `username`'s connection: the reply frame, or empty for none. `endpoint` is the
// @connections endpoint for frames to other connections (typing).
std::string perform(Services& s, const Request& r, std::string_view username,
                    std::string_view endpoint);

// {"statusCode": N} and, when not empty, "body".
std::string proxy_result(int status, std::string_view body = {});

// A WebSocket function's main: the configuration read from the environment (a failure is
// reported as Runtime.InitError and returns 1), the clients made once per instance, and the
// Runtime API's loop with `handle` for every invocation.
int serve(std::string (*handle)(Services&, std::string_view));

}  // namespace chat
