#include "gateway/authorizer.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <iterator>

#include "gateway/config.h"
#include "gateway/routing.h"

namespace gateway {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string json_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  v.Accept(w);
  return {out.GetString(), out.GetSize()};
}

// Action and Resource are a string or a list of strings.
bool any_matches(const rapidjson::Value& v, std::string_view value, bool arn) {
  auto one = [&](const rapidjson::Value& s) {
    if (!s.IsString()) return false;
    std::string_view p(s.GetString(), s.GetStringLength());
    return arn ? wildcard_match(p, value)
               : (p == "*" || iequals(p, value) || iequals(p, "execute-api:*"));
  };
  if (v.IsArray()) {
    for (const auto& s : v.GetArray()) {
      if (one(s)) return true;
    }
    return false;
  }
  return one(v);
}

// The context: an object whose values reach the later events as they are.
bool read_context(const rapidjson::Value& doc, AuthContext& auth, std::string& error) {
  auto c = doc.FindMember("context");
  if (c == doc.MemberEnd() || c->value.IsNull()) return true;
  if (!c->value.IsObject()) {
    error = "context is not an object";
    return false;
  }
  auth.has_context = true;
  for (const auto& m : c->value.GetObject()) {
    auth.context.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                              json_text(m.value));
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> identity_values(const std::vector<std::string>& sources,
                                                        const HeaderList& headers,
                                                        const HeaderList& query,
                                                        const HeaderList& context) {
  std::vector<std::string> out;
  for (const auto& source : sources) {
    std::string_view s = source;
    if (starts_with(s, "$")) s.remove_prefix(1);
    if (starts_with(s, "route.")) s.remove_prefix(6);
    std::optional<std::string> value;
    if (starts_with(s, "request.header.")) {
      std::string_view name = s.substr(15);
      for (const auto& [n, v] : headers) {
        if (iequals(n, name)) value = v;
      }
    } else if (starts_with(s, "request.querystring.")) {
      std::string_view name = s.substr(20);
      for (const auto& [n, v] : query) {
        if (n == name) value = v;
      }
    } else {
      // Stage or context variables: nothing a client can leave out.
      std::string known;
      if (starts_with(s, "context.")) {
        for (const auto& [n, v] : context) {
          if (n == s.substr(8)) known = v;
        }
      }
      out.push_back(std::move(known));
      continue;
    }
    if (!value || value->empty()) return std::nullopt;
    out.push_back(*value);
  }
  return out;
}

std::string websocket_method_arn(std::string_view region, std::string_view account,
                                 std::string_view api_id, std::string_view stage,
                                 std::string_view route_key) {
  return "arn:aws:execute-api:" + std::string(region) + ":" + std::string(account) + ":" +
         std::string(api_id) + "/" + std::string(stage) + "/" + std::string(route_key);
}

std::string http_route_arn(std::string_view region, std::string_view account,
                           std::string_view api_id, std::string_view stage, std::string_view method,
                           std::string_view path) {
  std::string p(path);
  if (p.empty() || p[0] != '/') p = "/" + p;
  return "arn:aws:execute-api:" + std::string(region) + ":" + std::string(account) + ":" +
         std::string(api_id) + "/" + std::string(stage) + "/" + std::string(method) + p;
}

AuthDecision parse_authorizer_response(std::string_view payload, bool simple,
                                       std::string_view arn) {
  AuthDecision d;
  rapidjson::Document doc;
  const bool deep = json_too_deep(payload);
  if (!deep) doc.Parse(payload.data(), payload.size());
  if (deep || doc.HasParseError() || !doc.IsObject()) {
    d.error = "the authorizer's result is not a JSON object";
    return d;
  }
  if (simple) {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.payload-format-response
    auto allowed = doc.FindMember("isAuthorized");
    if (allowed == doc.MemberEnd() || !allowed->value.IsBool()) {
      d.error = "isAuthorized is missing or not a boolean";
      return d;
    }
    if (!read_context(doc, d.auth, d.error)) return d;
    d.kind = allowed->value.GetBool() ? AuthDecision::Kind::Allow : AuthDecision::Kind::Deny;
    return d;
  }
  auto principal = doc.FindMember("principalId");
  if (principal != doc.MemberEnd() && principal->value.IsString()) {
    d.auth.principal_id = principal->value.GetString();
  }
  auto policy = doc.FindMember("policyDocument");
  if (policy == doc.MemberEnd() || !policy->value.IsObject()) {
    d.error = "policyDocument is missing or not an object";
    return d;
  }
  auto statements = policy->value.FindMember("Statement");
  if (statements == policy->value.MemberEnd() ||
      !(statements->value.IsArray() || statements->value.IsObject())) {
    d.error = "policyDocument.Statement is missing";
    return d;
  }
  if (!read_context(doc, d.auth, d.error)) return d;
  bool allow = false, deny = false;
  auto statement = [&](const rapidjson::Value& s) {
    if (!s.IsObject()) return;
    auto effect = s.FindMember("Effect");
    auto action = s.FindMember("Action");
    auto resource = s.FindMember("Resource");
    if (effect == s.MemberEnd() || !effect->value.IsString() || action == s.MemberEnd() ||
        resource == s.MemberEnd()) {
      return;
    }
    if (!any_matches(action->value, "execute-api:Invoke", false) ||
        !any_matches(resource->value, arn, true)) {
      return;
    }
    if (iequals(effect->value.GetString(), "Allow")) allow = true;
    if (iequals(effect->value.GetString(), "Deny")) deny = true;
  };
  if (statements->value.IsArray()) {
    for (const auto& s : statements->value.GetArray()) statement(s);
  } else {
    statement(statements->value);
  }
  // An explicit Deny wins; without an Allow the request is denied too (IAM's evaluation).
  d.kind = allow && !deny ? AuthDecision::Kind::Allow : AuthDecision::Kind::Deny;
  return d;
}

bool is_unauthorized_error(std::string_view error_payload) {
  if (json_too_deep(error_payload)) return false;
  rapidjson::Document doc;
  doc.Parse(error_payload.data(), error_payload.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  auto m = doc.FindMember("errorMessage");
  return m != doc.MemberEnd() && m->value.IsString() &&
         std::string_view(m->value.GetString(), m->value.GetStringLength()) == "Unauthorized";
}

std::string AuthorizerCache::key(std::string_view api_id, std::string_view authorizer,
                                 const std::vector<std::string>& identity) {
  // Each part with its length in front: no two lists of values share a key.
  std::string out;
  auto part = [&](std::string_view p) {
    out += std::to_string(p.size());
    out += ':';
    out.append(p);
  };
  part(api_id);
  part(authorizer);
  for (const auto& v : identity) part(v);
  return out;
}

std::optional<std::string> AuthorizerCache::find(const std::string& key, int64_t now_ms) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (now_ms >= it->second.expires_ms) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.answer;
}

void AuthorizerCache::put(const std::string& key, std::string answer, int64_t now_ms, int ttl_s) {
  if (ttl_s <= 0 || max_entries_ == 0) return;
  if (entries_.size() >= max_entries_ && !entries_.count(key)) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = now_ms >= it->second.expires_ms ? entries_.erase(it) : std::next(it);
    }
    if (entries_.size() >= max_entries_) {
      auto soonest = entries_.begin();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.expires_ms < soonest->second.expires_ms) soonest = it;
      }
      entries_.erase(soonest);
    }
  }
  entries_[key] = {std::move(answer), now_ms + int64_t{ttl_s} * 1000};
}

}  // namespace gateway
