// The Lambda proxy integration's events for a WebSocket API (pure: data in, JSON text out), in
// the member order API Gateway writes them.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-requests.html
// The shapes below follow events that users printed from real APIs: $connect carries the
// upgrade request's headers and query; a message carries messageId and the body; $disconnect
// carries disconnectStatusCode, disconnectReason and a fixed set of headers (Host, x-api-key,
// X-Forwarded-For and x-restapi, the last three empty).
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What a Lambda authorizer that allowed a request said about it: its principalId (when it
// returned a policy) and its context, each value kept as JSON text ("\"abc\"", "1", "true").
struct AuthContext {
  std::optional<std::string> principal_id;
  std::vector<std::pair<std::string, std::string>> context;
  bool has_context = false;  // the response had a context object (HTTP 2.0 writes null if not)
};

struct EventInput {
  enum class Type { Connect, Message, Disconnect } type = Type::Message;
  std::string route_key;
  std::string connection_id, request_id, message_id;
  int64_t request_time_ms = 0, connected_at_ms = 0;
  std::string stage, domain_name, api_id;
  std::string source_ip, user_agent;
  HeaderList headers;  // Connect: as the client sent them; Disconnect: only Host is read
  HeaderList query;    // Connect: decoded pairs in order
  std::string body;    // Message
  int disconnect_status_code = 0;
  std::string disconnect_reason;
  // Every event of a connection its $connect authorizer allowed: requestContext.authorizer.
  std::optional<AuthContext> authorizer;
  // Not empty: the event is the authorizer's REQUEST event for $connect (type, methodArn,
  // stageVariables beside the $connect event's members).
  std::string authorizer_method_arn;
};

std::string build_event(const EventInput& input);
// {"principalId": ..., <context members>}: requestContext.authorizer of a WebSocket event (and
// of an HTTP API's payload format 1.0), as API Gateway flattens the authorizer's context.
void write_flat_authorizer(rapidjson::Writer<rapidjson::StringBuffer>& w, const AuthContext& a);

// The frames API Gateway sends a client when a message goes nowhere ("Forbidden") or its
// integration fails ("Internal server error").
std::string error_frame(std::string_view message, std::string_view connection_id,
                        std::string_view request_id);

}  // namespace gateway
