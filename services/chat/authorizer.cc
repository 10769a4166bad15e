#include "chat/authorizer.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "chat/validate.h"
#include "runtime/runtime.h"

namespace chat {

namespace {

std::optional<std::string_view> string_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return std::nullopt;
  auto m = object.FindMember(name);
  if (m == object.MemberEnd() || !m->value.IsString()) return std::nullopt;
  return std::string_view(m->value.GetString(), m->value.GetStringLength());
}

}  // namespace

std::optional<ConnectIdentity> connect_identity(std::string_view event) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(event.data(), event.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto query = doc.FindMember("queryStringParameters");
  if (query == doc.MemberEnd()) return std::nullopt;
  auto username = string_member(query->value, "username");
  auto arn = string_member(doc, "methodArn");
  if (!username || !arn || !is_valid_username(*username)) return std::nullopt;
  return ConnectIdentity{std::string(*username), std::string(*arn)};
}

std::string allow_policy(const ConnectIdentity& identity) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("principalId");
  string(identity.username);
  w.Key("policyDocument");
  w.StartObject();
  w.Key("Version");
  w.String("2012-10-17");
  w.Key("Statement");
  w.StartArray();
  w.StartObject();
  w.Key("Action");
  w.String("execute-api:Invoke");
  w.Key("Effect");
  w.String("Allow");
  w.Key("Resource");
  string(identity.method_arn);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.Key("context");
  w.StartObject();
  w.Key("username");
  string(identity.username);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string authorize_connect(std::string_view event) {
  auto identity = connect_identity(event);
  // API Gateway answers 401 when the authorizer fails with exactly this errorMessage.
  if (!identity) throw runtime::FunctionError("Unauthorized", "Unauthorized");
  return allow_policy(*identity);
}

}  // namespace chat
