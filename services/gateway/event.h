// The Lambda proxy integration's events for a WebSocket API (pure: data in, JSON text out), in
// the member order API Gateway writes them.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-requests.html
// The shapes below follow events that users printed from real APIs: $connect carries the
// upgrade request's headers and query; a message carries messageId and the body; $disconnect
// carries disconnectStatusCode, disconnectReason and a fixed set of headers (Host, x-api-key,
// X-Forwarded-For and x-restapi, the last three empty).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

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
};

std::string build_event(const EventInput& input);

// The frames API Gateway sends a client when a message goes nowhere ("Forbidden") or its
// integration fails ("Internal server error").
std::string error_frame(std::string_view message, std::string_view connection_id,
                        std::string_view request_id);

}  // namespace gateway
