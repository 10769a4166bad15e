#include "gateway/event.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <string_view>

#include "gateway/ids.h"

namespace gateway {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// headers: the last value of each name; multiValueHeaders: every value, names in first-seen
// order (the REST API proxy event's rule, which the WebSocket events share).
void write_pairs(Writer& w, const char* single, const char* multi, const HeaderList& pairs) {
  std::vector<std::string_view> names;
  for (const auto& [name, value] : pairs) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  w.Key(single);
  w.StartObject();
  for (auto name : names) {
    std::string_view last;
    for (const auto& [n, v] : pairs) {
      if (n == name) last = v;
    }
    string(w, name);
    string(w, last);
  }
  w.EndObject();
  w.Key(multi);
  w.StartObject();
  for (auto name : names) {
    string(w, name);
    w.StartArray();
    for (const auto& [n, v] : pairs) {
      if (n == name) string(w, v);
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

void write_flat_authorizer(Writer& w, const AuthContext& a) {
  w.StartObject();
  if (a.principal_id) {
    w.Key("principalId");
    string(w, *a.principal_id);
  }
  for (const auto& [k, v] : a.context) {
    if (a.principal_id && k == "principalId") continue;
    string(w, k);
    w.RawValue(v.data(), v.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

std::string build_event(const EventInput& in) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  using Type = EventInput::Type;
  if (!in.authorizer_method_arn.empty()) {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
    w.Key("type");
    w.String("REQUEST");
    w.Key("methodArn");
    string(w, in.authorizer_method_arn);
  }
  if (in.type == Type::Connect) {
    write_pairs(w, "headers", "multiValueHeaders", in.headers);
    if (!in.query.empty()) {
      write_pairs(w, "queryStringParameters", "multiValueQueryStringParameters", in.query);
    }
  } else if (in.type == Type::Disconnect) {
    std::string host;
    for (const auto& [name, value] : in.headers) {
      if (name.size() == 4 && (name[0] | 0x20) == 'h' && (name[1] | 0x20) == 'o' &&
          (name[2] | 0x20) == 's' && (name[3] | 0x20) == 't') {
        host = value;
      }
    }
    if (host.empty()) host = in.domain_name;
    const HeaderList fixed = {
        {"Host", host}, {"x-api-key", ""}, {"X-Forwarded-For", ""}, {"x-restapi", ""}};
    write_pairs(w, "headers", "multiValueHeaders", fixed);
  }
  if (!in.authorizer_method_arn.empty()) {
    w.Key("stageVariables");
    w.StartObject();
    w.EndObject();
  }
  w.Key("requestContext");
  w.StartObject();
  if (in.authorizer) {
    w.Key("authorizer");
    write_flat_authorizer(w, *in.authorizer);
  }
  w.Key("routeKey");
  string(w, in.route_key);
  if (in.type == Type::Message) {
    w.Key("messageId");
    string(w, in.message_id);
  }
  if (in.type == Type::Disconnect) {
    w.Key("disconnectStatusCode");
    w.Int(in.disconnect_status_code);
  }
  w.Key("eventType");
  w.String(in.type == Type::Connect   ? "CONNECT"
           : in.type == Type::Message ? "MESSAGE"
                                      : "DISCONNECT");
  w.Key("extendedRequestId");
  string(w, in.request_id);
  w.Key("requestTime");
  string(w, clf_time(in.request_time_ms));
  w.Key("messageDirection");
  w.String("IN");
  if (in.type == Type::Disconnect) {
    w.Key("disconnectReason");
    string(w, in.disconnect_reason);
  }
  w.Key("stage");
  string(w, in.stage);
  w.Key("connectedAt");
  w.Int64(in.connected_at_ms);
  w.Key("requestTimeEpoch");
  w.Int64(in.request_time_ms);
  w.Key("identity");
  w.StartObject();
  if (!in.user_agent.empty()) {
    w.Key("userAgent");
    string(w, in.user_agent);
  }
  w.Key("sourceIp");
  string(w, in.source_ip);
  w.EndObject();
  w.Key("requestId");
  string(w, in.request_id);
  w.Key("domainName");
  string(w, in.domain_name);
  w.Key("connectionId");
  string(w, in.connection_id);
  w.Key("apiId");
  string(w, in.api_id);
  w.EndObject();
  if (in.type == Type::Message) {
    w.Key("body");
    string(w, in.body);
  }
  if (in.authorizer_method_arn.empty()) {
    w.Key("isBase64Encoded");
    w.Bool(false);
  }
  w.EndObject();
  return {out.GetString(), out.GetSize()};
}

std::string error_frame(std::string_view message, std::string_view connection_id,
                        std::string_view request_id) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("message");
  string(w, message);
  w.Key("connectionId");
  string(w, connection_id);
  w.Key("requestId");
  string(w, request_id);
  w.EndObject();
  return {out.GetString(), out.GetSize()};
}

}  // namespace gateway
