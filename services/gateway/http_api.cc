#include "gateway/http_api.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "awsproto/encoding.h"
#include "gateway/ids.h"
#include "gateway/routing.h"

namespace gateway {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

bool is_variable(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool is_greedy(std::string_view s) {
  return is_variable(s) && s.size() > 3 && s[s.size() - 2] == '+';
}

// Names in first-seen order, values joined with commas (format 2.0's rule for duplicates).
HeaderList joined(const HeaderList& pairs, bool lower_names) {
  HeaderList out;
  for (const auto& [name, value] : pairs) {
    std::string n = lower_names ? lower(name) : name;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == n; });
    if (it == out.end()) {
      out.emplace_back(std::move(n), value);
    } else {
      it->second += "," + value;
    }
  }
  return out;
}

void object(Writer& w, const HeaderList& pairs) {
  w.StartObject();
  for (const auto& [k, v] : pairs) {
    string(w, k);
    string(w, v);
  }
  w.EndObject();
}

// REST's (and format 1.0's) single and multi-value maps: the last value, and all of them.
void single_and_multi(Writer& w, const char* single, const char* multi, const HeaderList& pairs,
                      bool null_when_empty) {
  std::vector<std::string> names;
  for (const auto& [n, v] : pairs) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  w.Key(single);
  if (pairs.empty() && null_when_empty) {
    w.Null();
  } else {
    w.StartObject();
    for (const auto& name : names) {
      std::string_view last;
      for (const auto& [n, v] : pairs) {
        if (n == name) last = v;
      }
      string(w, name);
      string(w, last);
    }
    w.EndObject();
  }
  w.Key(multi);
  if (pairs.empty() && null_when_empty) {
    w.Null();
  } else {
    w.StartObject();
    for (const auto& name : names) {
      string(w, name);
      w.StartArray();
      for (const auto& [n, v] : pairs) {
        if (n == name) string(w, v);
      }
      w.EndArray();
    }
    w.EndObject();
  }
}

// Bodies of these types reach the function as text; any other body is base64-encoded (what
// API Gateway does for HTTP APIs, form posts included).
bool is_text(const HttpRequestInput& in) {
  auto type = header_value(in.headers, "content-type");
  if (!type) return false;
  std::string t = lower(type->substr(0, type->find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  if (t.rfind("text/", 0) == 0) return true;
  for (const char* exact : {"application/json", "application/xml", "application/javascript",
                            "application/ecmascript", "application/graphql"}) {
    if (t == exact) return true;
  }
  return t.size() > 5 && (t.substr(t.size() - 5) == "+json" || t.substr(t.size() - 4) == "+xml");
}

void cookie_list(const HeaderList& headers, std::vector<std::string>& out) {
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "cookie")) continue;
    size_t i = 0;
    while (i <= value.size()) {
      size_t j = value.find(';', i);
      if (j == std::string::npos) j = value.size();
      std::string_view c = std::string_view(value).substr(i, j - i);
      while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
      while (!c.empty() && c.back() == ' ') c.remove_suffix(1);
      if (!c.empty()) out.emplace_back(c);
      i = j + 1;
    }
  }
}

void write_lambda_authorizer(Writer& w, const AuthContext& a) {
  w.StartObject();
  w.Key("lambda");
  if (!a.has_context) {
    w.Null();
  } else {
    w.StartObject();
    for (const auto& [k, v] : a.context) {
      string(w, k);
      w.RawValue(v.data(), v.size(), rapidjson::kObjectType);
    }
    w.EndObject();
  }
  w.EndObject();
}

std::optional<std::string> allowed_origin(const Cors& cors, const HeaderList& headers) {
  auto origin = header_value(headers, "origin");
  if (!origin) return std::nullopt;
  for (const auto& o : cors.allow_origins) {
    if (o == "*") return cors.allow_credentials ? *origin : "*";
    if (wildcard_match(o, *origin)) return *origin;
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ",") + s;
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view value, bool fold_case) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) {
    return s == "*" || (fold_case ? iequals(s, value) : s == value);
  });
}

// A header value from a result: strings as they are, numbers and booleans as their JSON text.
std::optional<std::string> scalar_text(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsNumber()) {
    rapidjson::StringBuffer out;
    Writer w(out);
    v.Accept(w);
    return std::string(out.GetString(), out.GetSize());
  }
  return std::nullopt;
}

bool read_status(const rapidjson::Value& doc, HttpResult& r) {
  const auto& s = doc["statusCode"];
  if (s.IsInt()) {
    r.status = s.GetInt();
  } else if (s.IsString() && s.GetStringLength() == 3 &&
             std::all_of(s.GetString(), s.GetString() + 3, ::isdigit)) {
    r.status = std::atoi(s.GetString());
  } else {
    r.ok = false;
    r.error = "statusCode is not an integer";
    return false;
  }
  if (r.status < 100 || r.status > 599) {
    r.ok = false;
    r.error = "statusCode " + std::to_string(r.status) + " is not an HTTP status";
    return false;
  }
  return true;
}

bool read_body(const rapidjson::Value& doc, HttpResult& r) {
  auto body = doc.FindMember("body");
  if (body == doc.MemberEnd() || body->value.IsNull()) return true;
  std::string text;
  if (body->value.IsString()) {
    text.assign(body->value.GetString(), body->value.GetStringLength());
  } else {
    // A body that is not a string is sent as its JSON text.
    rapidjson::StringBuffer out;
    Writer w(out);
    body->value.Accept(w);
    text.assign(out.GetString(), out.GetSize());
  }
  auto b64 = doc.FindMember("isBase64Encoded");
  if (b64 != doc.MemberEnd() && b64->value.IsBool() && b64->value.GetBool()) {
    auto decoded = awsproto::base64_decode(text);
    if (!decoded) {
      r.ok = false;
      r.error = "isBase64Encoded is true and the body is not base64";
      return false;
    }
    text = std::move(*decoded);
  }
  r.body = std::move(text);
  return true;
}

void read_headers(const rapidjson::Value& doc, HttpResult& r, bool multi) {
  auto headers = doc.FindMember("headers");
  if (headers != doc.MemberEnd() && headers->value.IsObject()) {
    for (const auto& m : headers->value.GetObject()) {
      if (auto v = scalar_text(m.value)) r.headers.emplace_back(lower(m.name.GetString()), *v);
    }
  }
  if (!multi) return;
  auto mv = doc.FindMember("multiValueHeaders");
  if (mv == doc.MemberEnd() || !mv->value.IsObject()) return;
  for (const auto& m : mv->value.GetObject()) {
    if (!m.value.IsArray()) continue;
    std::string name = lower(m.name.GetString());
    // multiValueHeaders win over headers of the same name.
    r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                   [&](const auto& h) { return h.first == name; }),
                    r.headers.end());
    for (const auto& v : m.value.GetArray()) {
      if (auto text = scalar_text(v)) r.headers.emplace_back(name, *text);
    }
  }
}

}  // namespace

std::optional<std::string> header_value(const HeaderList& headers, std::string_view name) {
  std::optional<std::string> out;
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) out = v;
  }
  return out;
}

std::string message_body(std::string_view message) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("message");
  string(w, message);
  w.EndObject();
  return {out.GetString(), out.GetSize()};
}

HttpTarget resolve_http_target(const Plan& plan, std::string_view host, std::string_view path) {
  HttpTarget target;
  auto segments = split_path(path);
  std::string_view host_name = host.substr(0, host.find(':'));
  const HttpApi* by_host = nullptr;
  for (const auto& api : plan.http_apis) {
    if (host_name == api.domain_name(plan.region)) by_host = &api;
  }
  auto below_stage = [&](const HttpApi& api) -> std::optional<std::string> {
    if (api.stage == "$default") return std::string(path.empty() ? "/" : path);
    if (segments.empty() || segments[0] != api.stage) return std::nullopt;
    // What follows "/<stage>" in the path, as sent.
    size_t at = path.find(api.stage) + api.stage.size();
    std::string rest(path.substr(at));
    return rest.empty() ? "/" : rest;
  };
  auto take = [&](const HttpApi& api) {
    if (auto rest = below_stage(api)) {
      target.api = &api;
      target.path = std::move(*rest);
      return true;
    }
    return false;
  };
  if (by_host) {
    take(*by_host);
    return target;
  }
  // A named stage first: API Gateway routes to the $default stage only what no stage names.
  for (const auto& api : plan.http_apis) {
    if (api.stage != "$default" && take(api)) return target;
  }
  for (const auto& api : plan.http_apis) {
    if (api.stage == "$default" && take(api)) return target;
  }
  return target;
}

RouteMatch match_route(const HttpApi& api, std::string_view method, std::string_view path) {
  RouteMatch best;
  auto request = split_path(path);
  // Per segment: 0 literal, 1 variable, 2 greedy; then 0 for the method, 1 for ANY.
  std::vector<int> best_rank;
  for (const auto& route : api.routes) {
    if (route.route_key == "$default") continue;
    if (route.method != "ANY" && route.method != method) continue;
    const auto& segs = route.segments;
    bool greedy = !segs.empty() && is_greedy(segs.back());
    if (greedy ? request.size() < segs.size() : request.size() != segs.size()) continue;
    std::vector<int> rank;
    HeaderList params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& s = segs[i];
      if (is_greedy(s) && i + 1 == segs.size()) {
        std::string rest;
        for (size_t k = i; k < request.size(); ++k) {
          rest += (k == i ? "" : "/") + std::string(request[k]);
        }
        params.emplace_back(s.substr(1, s.size() - 3), awsproto::percent_decode(rest));
        rank.push_back(2);
      } else if (is_variable(s)) {
        params.emplace_back(s.substr(1, s.size() - 2), awsproto::percent_decode(request[i]));
        rank.push_back(1);
      } else if (s == request[i]) {
        rank.push_back(0);
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    rank.push_back(route.method == "ANY" ? 1 : 0);
    if (!best.route || rank < best_rank) {
      best.route = &route;
      best.path_parameters = std::move(params);
      best_rank = std::move(rank);
    }
  }
  if (!best.route) {
    for (const auto& route : api.routes) {
      if (route.route_key == "$default") best.route = &route;
    }
  }
  return best;
}

std::string build_http_event_v2(const HttpRequestInput& in, const AuthorizerEventInput* auth) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("version");
  w.String("2.0");
  if (auth) {
    w.Key("type");
    w.String("REQUEST");
    w.Key("routeArn");
    string(w, auth->arn);
    w.Key("identitySource");
    w.StartArray();
    for (const auto& v : auth->identity) string(w, v);
    w.EndArray();
  }
  w.Key("routeKey");
  string(w, in.route_key);
  w.Key("rawPath");
  string(w, in.raw_path);
  w.Key("rawQueryString");
  string(w, in.raw_query);
  std::vector<std::string> cookies;
  cookie_list(in.headers, cookies);
  if (!cookies.empty()) {
    w.Key("cookies");
    w.StartArray();
    for (const auto& c : cookies) string(w, c);
    w.EndArray();
  }
  HeaderList headers;
  for (const auto& h : in.headers) {
    if (!iequals(h.first, "cookie")) headers.push_back(h);
  }
  w.Key("headers");
  object(w, joined(headers, true));
  auto query = parse_query(in.raw_query);
  if (!query.empty()) {
    w.Key("queryStringParameters");
    object(w, joined(query, false));
  }
  w.Key("requestContext");
  w.StartObject();
  w.Key("accountId");
  string(w, in.account_id);
  w.Key("apiId");
  string(w, in.api_id);
  if (in.authorizer) {
    w.Key("authorizer");
    write_lambda_authorizer(w, *in.authorizer);
  }
  w.Key("domainName");
  string(w, in.domain_name);
  w.Key("domainPrefix");
  string(w, in.domain_name.substr(0, in.domain_name.find('.')));
  w.Key("http");
  w.StartObject();
  w.Key("method");
  string(w, in.method);
  w.Key("path");
  string(w, in.raw_path);
  w.Key("protocol");
  string(w, in.protocol);
  w.Key("sourceIp");
  string(w, in.source_ip);
  w.Key("userAgent");
  string(w, in.user_agent);
  w.EndObject();
  w.Key("requestId");
  string(w, in.request_id);
  w.Key("routeKey");
  string(w, in.route_key);
  w.Key("stage");
  string(w, in.stage);
  w.Key("time");
  string(w, clf_time(in.time_ms));
  w.Key("timeEpoch");
  w.Int64(in.time_ms);
  w.EndObject();
  if (!in.path_parameters.empty()) {
    w.Key("pathParameters");
    object(w, in.path_parameters);
  }
  if (!auth) {
    const bool text = is_text(in);
    if (!in.body.empty()) {
      w.Key("body");
      string(w, text ? in.body : awsproto::base64_encode(in.body));
    }
    w.Key("isBase64Encoded");
    w.Bool(!in.body.empty() && !text);
  }
  w.EndObject();
  return {out.GetString(), out.GetSize()};
}

std::string build_http_event_v1(const HttpRequestInput& in, const AuthorizerEventInput* auth) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("version");
  w.String("1.0");
  if (auth) {
    std::string joined_identity;
    for (const auto& v : auth->identity)
      joined_identity += (joined_identity.empty() ? "" : ",") + v;
    w.Key("type");
    w.String("REQUEST");
    w.Key("methodArn");
    string(w, auth->arn);
    w.Key("identitySource");
    string(w, joined_identity);
    w.Key("authorizationToken");
    string(w, joined_identity);
  }
  w.Key("resource");
  string(w, in.resource_path);
  w.Key("path");
  string(w, in.raw_path);
  w.Key("httpMethod");
  string(w, in.method);
  HeaderList headers;
  for (const auto& [n, v] : in.headers) headers.emplace_back(lower(n), v);
  single_and_multi(w, "headers", "multiValueHeaders", headers, false);
  single_and_multi(w, "queryStringParameters", "multiValueQueryStringParameters",
                   parse_query(in.raw_query), true);
  w.Key("requestContext");
  w.StartObject();
  w.Key("accountId");
  string(w, in.account_id);
  w.Key("apiId");
  string(w, in.api_id);
  if (in.authorizer) {
    w.Key("authorizer");
    write_flat_authorizer(w, *in.authorizer);
  }
  w.Key("domainName");
  string(w, in.domain_name);
  w.Key("domainPrefix");
  string(w, in.domain_name.substr(0, in.domain_name.find('.')));
  w.Key("extendedRequestId");
  string(w, in.request_id);
  w.Key("httpMethod");
  string(w, in.method);
  w.Key("identity");
  w.StartObject();
  w.Key("sourceIp");
  string(w, in.source_ip);
  w.Key("userAgent");
  string(w, in.user_agent);
  w.EndObject();
  w.Key("path");
  string(w, in.raw_path);
  w.Key("protocol");
  string(w, in.protocol);
  w.Key("requestId");
  string(w, in.request_id);
  w.Key("requestTime");
  string(w, clf_time(in.time_ms));
  w.Key("requestTimeEpoch");
  w.Int64(in.time_ms);
  w.Key("resourcePath");
  string(w, in.resource_path);
  w.Key("routeKey");
  string(w, in.route_key);
  w.Key("stage");
  string(w, in.stage);
  w.EndObject();
  w.Key("pathParameters");
  if (in.path_parameters.empty()) {
    w.Null();
  } else {
    object(w, in.path_parameters);
  }
  w.Key("stageVariables");
  w.Null();
  if (!auth) {
    const bool text = is_text(in);
    w.Key("body");
    if (in.body.empty()) {
      w.Null();
    } else {
      string(w, text ? in.body : awsproto::base64_encode(in.body));
    }
    w.Key("isBase64Encoded");
    w.Bool(!in.body.empty() && !text);
  }
  w.EndObject();
  return {out.GetString(), out.GetSize()};
}

HttpResult map_response_v2(std::string_view payload) {
  HttpResult r;
  rapidjson::Document doc;
  const bool deep = json_too_deep(payload);
  if (!deep) doc.Parse(payload.data(), payload.size());
  if (deep || doc.HasParseError()) {
    r.ok = false;
    r.error = "the function's result is not JSON";
    return r;
  }
  if (!doc.IsObject() || !doc.HasMember("statusCode")) {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
    r.headers.emplace_back("content-type", "application/json");
    r.body = std::string(payload);
    return r;
  }
  if (!read_status(doc, r) || !read_body(doc, r)) return r;
  read_headers(doc, r, false);
  auto cookies = doc.FindMember("cookies");
  if (cookies != doc.MemberEnd() && cookies->value.IsArray()) {
    for (const auto& c : cookies->value.GetArray()) {
      if (c.IsString()) r.headers.emplace_back("set-cookie", c.GetString());
    }
  }
  // What HTTP APIs send when the function names no content type.
  if (!header_value(r.headers, "content-type")) {
    r.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  }
  return r;
}

HttpResult map_response_v1(std::string_view payload) {
  HttpResult r;
  rapidjson::Document doc;
  const bool deep = json_too_deep(payload);
  if (!deep) doc.Parse(payload.data(), payload.size());
  if (deep || doc.HasParseError() || !doc.IsObject() || !doc.HasMember("statusCode")) {
    // Format 1.0 makes no assumption: anything but a response object is an error.
    r.ok = false;
    r.error = "the function's result is not a response with a statusCode";
    return r;
  }
  if (!read_status(doc, r) || !read_body(doc, r)) return r;
  read_headers(doc, r, true);
  if (!header_value(r.headers, "content-type")) {
    r.headers.emplace_back("content-type", "application/json");
  }
  return r;
}

bool is_preflight(std::string_view method, const HeaderList& headers) {
  return method == "OPTIONS" && header_value(headers, "origin") &&
         header_value(headers, "access-control-request-method");
}

HeaderList cors_preflight_headers(const Cors& cors, const HeaderList& request_headers) {
  HeaderList out;
  auto origin = allowed_origin(cors, request_headers);
  auto method = header_value(request_headers, "access-control-request-method");
  if (!origin || !method || !contains(cors.allow_methods, *method, false)) return out;
  out.emplace_back("access-control-allow-origin", *origin);
  out.emplace_back("access-control-allow-methods", join(cors.allow_methods));
  if (!cors.allow_headers.empty()) {
    out.emplace_back("access-control-allow-headers", join(cors.allow_headers));
  }
  if (!cors.expose_headers.empty()) {
    out.emplace_back("access-control-expose-headers", join(cors.expose_headers));
  }
  if (cors.max_age >= 0) out.emplace_back("access-control-max-age", std::to_string(cors.max_age));
  if (cors.allow_credentials) out.emplace_back("access-control-allow-credentials", "true");
  return out;
}

HeaderList cors_response_headers(const Cors& cors, const HeaderList& request_headers) {
  HeaderList out;
  auto origin = allowed_origin(cors, request_headers);
  if (!origin) return out;
  out.emplace_back("access-control-allow-origin", *origin);
  if (!cors.expose_headers.empty()) {
    out.emplace_back("access-control-expose-headers", join(cors.expose_headers));
  }
  if (cors.allow_credentials) out.emplace_back("access-control-allow-credentials", "true");
  return out;
}

}  // namespace gateway
