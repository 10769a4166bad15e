// The $connect REQUEST authorizer (identity source route.request.querystring.username): a valid
// username gets an IAM policy allowing execute-api:Invoke on the event's methodArn, with
// principalId and context.username the name; anything else is the error "Unauthorized", which
// API Gateway answers with 401 and no connection.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat {

// The username of a $connect authorizer event (queryStringParameters.username), when the event
// has a valid one, and its methodArn.
struct ConnectIdentity {
  std::string username, method_arn;
};
std::optional<ConnectIdentity> connect_identity(std::string_view event);

// The policy document answering an allowed connection.
std::string allow_policy(const ConnectIdentity& identity);

// The handler: the policy, or throws runtime::FunctionError("Unauthorized", "Unauthorized").
std::string authorize_connect(std::string_view event);

}  // namespace chat
