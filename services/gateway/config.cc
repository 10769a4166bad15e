#include "gateway/config.h"

#include <rapidjson/document.h>

#include <algorithm>

namespace gateway {
namespace {

std::string member_string(const rapidjson::Value& object, const char* name,
                          const std::string& where, bool required) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) {
    if (required) throw std::invalid_argument(where + "." + name + " is missing");
    return "";
  }
  if (!it->value.IsString()) throw std::invalid_argument(where + "." + name + " is not a string");
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::vector<std::string> member_strings(const rapidjson::Value& object, const char* name,
                                        const std::string& where) {
  std::vector<std::string> out;
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return out;
  if (!it->value.IsArray()) throw std::invalid_argument(where + "." + name + " is not an array");
  for (const auto& v : it->value.GetArray()) {
    if (!v.IsString()) throw std::invalid_argument(where + "." + name + " holds a non-string");
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

std::vector<Authorizer> read_authorizers(const rapidjson::Value& api, const std::string& where) {
  std::vector<Authorizer> out;
  auto list = api.FindMember("authorizers");
  if (list == api.MemberEnd() || list->value.IsNull()) return out;
  if (!list->value.IsArray()) throw std::invalid_argument(where + ".authorizers is not an array");
  for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
    const auto& a = list->value[i];
    const std::string awhere = where + ".authorizers[" + std::to_string(i) + "]";
    if (!a.IsObject()) throw std::invalid_argument(awhere + " is not an object");
    Authorizer z;
    z.name = member_string(a, "name", awhere, true);
    z.function = member_string(a, "function", awhere, true);
    z.identity_source = member_strings(a, "identitySource", awhere);
    if (auto v = member_string(a, "payloadFormatVersion", awhere, false); !v.empty()) {
      if (v != "1.0" && v != "2.0") {
        throw std::invalid_argument(awhere + ".payloadFormatVersion must be 1.0 or 2.0");
      }
      z.payload_format_version = v;
    }
    auto simple = a.FindMember("enableSimpleResponses");
    z.simple_responses =
        simple != a.MemberEnd() && simple->value.IsBool() && simple->value.GetBool();
    if (auto ttl = a.FindMember("resultTtlInSeconds"); ttl != a.MemberEnd()) {
      if (!ttl->value.IsInt() || ttl->value.GetInt() < 0 || ttl->value.GetInt() > 3600) {
        throw std::invalid_argument(awhere + ".resultTtlInSeconds must be 0 to 3600");
      }
      z.result_ttl_s = ttl->value.GetInt();
    }
    out.push_back(std::move(z));
  }
  return out;
}

// "GET /pets/{id}" -> method and segments; "$default" -> neither.
void parse_route_key(HttpRoute& route, const std::string& where) {
  if (route.route_key == "$default") return;
  size_t space = route.route_key.find(' ');
  std::string path = space == std::string::npos ? "" : route.route_key.substr(space + 1);
  if (space == 0 || path.empty() || path[0] != '/') {
    throw std::invalid_argument(where + ".routeKey must be $default or \"METHOD /path\", got \"" +
                                route.route_key + "\"");
  }
  route.method = route.route_key.substr(0, space);
  for (auto segment : split_path(path)) route.segments.emplace_back(segment);
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const auto& s = route.segments[i];
    bool greedy = s.size() > 3 && s.front() == '{' && s.substr(s.size() - 2) == "+}";
    if (greedy && i + 1 != route.segments.size()) {
      throw std::invalid_argument(where + ".routeKey: a greedy path variable must be last");
    }
  }
}

std::optional<Cors> read_cors(const rapidjson::Value& api, const std::string& where) {
  auto c = api.FindMember("cors");
  if (c == api.MemberEnd() || c->value.IsNull()) return std::nullopt;
  if (!c->value.IsObject()) throw std::invalid_argument(where + ".cors is not an object");
  const std::string cwhere = where + ".cors";
  Cors cors;
  cors.allow_origins = member_strings(c->value, "allowOrigins", cwhere);
  cors.allow_methods = member_strings(c->value, "allowMethods", cwhere);
  cors.allow_headers = member_strings(c->value, "allowHeaders", cwhere);
  cors.expose_headers = member_strings(c->value, "exposeHeaders", cwhere);
  auto age = c->value.FindMember("maxAge");
  if (age != c->value.MemberEnd() && age->value.IsInt()) cors.max_age = age->value.GetInt();
  auto credentials = c->value.FindMember("allowCredentials");
  cors.allow_credentials = credentials != c->value.MemberEnd() && credentials->value.IsBool() &&
                           credentials->value.GetBool();
  return cors;
}

HttpApi read_http_api(const rapidjson::Value& value, const std::string& where) {
  if (!value.IsObject()) throw std::invalid_argument(where + " is not an object");
  HttpApi api;
  api.api_id = member_string(value, "apiId", where, true);
  api.name = member_string(value, "name", where, false);
  if (auto stage = member_string(value, "stage", where, false); !stage.empty()) api.stage = stage;
  if (api.stage.find('/') != std::string::npos) {
    throw std::invalid_argument(where + ".stage must be one path segment");
  }
  api.authorizers = read_authorizers(value, where);
  api.cors = read_cors(value, where);
  auto routes = value.FindMember("routes");
  if (routes != value.MemberEnd() && !routes->value.IsNull()) {
    if (!routes->value.IsArray()) throw std::invalid_argument(where + ".routes is not an array");
    for (rapidjson::SizeType k = 0; k < routes->value.Size(); ++k) {
      const auto& r = routes->value[k];
      const std::string rwhere = where + ".routes[" + std::to_string(k) + "]";
      if (!r.IsObject()) throw std::invalid_argument(rwhere + " is not an object");
      HttpRoute route;
      route.route_key = member_string(r, "routeKey", rwhere, true);
      parse_route_key(route, rwhere);
      route.function = member_string(r, "function", rwhere, false);
      route.authorizer = member_string(r, "authorizer", rwhere, false);
      if (!route.authorizer.empty() && !api.find_authorizer(route.authorizer)) {
        throw std::invalid_argument(rwhere + ".authorizer \"" + route.authorizer +
                                    "\" is not an authorizer of the API");
      }
      if (auto v = member_string(r, "payloadFormatVersion", rwhere, false); !v.empty()) {
        if (v != "1.0" && v != "2.0") {
          throw std::invalid_argument(rwhere + ".payloadFormatVersion must be 1.0 or 2.0");
        }
        route.payload_format_version = v;
      }
      auto timeout = r.FindMember("timeoutInMillis");
      if (timeout != r.MemberEnd() && timeout->value.IsInt() && timeout->value.GetInt() > 0) {
        route.timeout_ms = std::clamp(timeout->value.GetInt(), 50, 30'000);
      }
      api.routes.push_back(std::move(route));
    }
  }
  return api;
}

const Authorizer* find_in(const std::vector<Authorizer>& list, std::string_view name) {
  for (const auto& a : list) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace

const Authorizer* Api::find_authorizer(std::string_view name) const {
  return find_in(authorizers, name);
}

const Authorizer* HttpApi::find_authorizer(std::string_view name) const {
  return find_in(authorizers, name);
}

std::string HttpApi::domain_name(std::string_view region) const {
  return api_id + ".execute-api." + std::string(region) + ".amazonaws.com";
}

const Route* Api::find_route(std::string_view route_key) const {
  for (const auto& route : routes) {
    if (route.route_key == route_key) return &route;
  }
  return nullptr;
}

std::string Api::domain_name(std::string_view region) const {
  return api_id + ".execute-api." + std::string(region) + ".amazonaws.com";
}

Plan parse_plan(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    throw std::invalid_argument("the plan is not a JSON object");
  }
  Plan plan;
  if (auto r = member_string(doc, "region", "plan", false); !r.empty()) plan.region = r;
  if (auto a = member_string(doc, "accountId", "plan", false); !a.empty()) plan.account_id = a;
  auto http = doc.FindMember("httpApis");
  if (http != doc.MemberEnd() && !http->value.IsNull()) {
    if (!http->value.IsArray()) throw std::invalid_argument("plan.httpApis is not an array");
    for (rapidjson::SizeType i = 0; i < http->value.Size(); ++i) {
      plan.http_apis.push_back(
          read_http_api(http->value[i], "httpApis[" + std::to_string(i) + "]"));
    }
  }
  auto apis = doc.FindMember("websocketApis");
  if (apis == doc.MemberEnd() || apis->value.IsNull()) return plan;
  if (!apis->value.IsArray()) throw std::invalid_argument("plan.websocketApis is not an array");
  for (rapidjson::SizeType i = 0; i < apis->value.Size(); ++i) {
    const auto& value = apis->value[i];
    const std::string where = "websocketApis[" + std::to_string(i) + "]";
    if (!value.IsObject()) throw std::invalid_argument(where + " is not an object");
    Api api;
    api.api_id = member_string(value, "apiId", where, true);
    api.name = member_string(value, "name", where, false);
    api.stage = member_string(value, "stage", where, true);
    api.route_selection_expression = member_string(value, "routeSelectionExpression", where, false);
    if (api.route_selection_expression.empty()) {
      api.route_selection_expression = "$request.body.action";
    }
    if (api.stage.empty() || api.stage.find('/') != std::string::npos) {
      throw std::invalid_argument(where + ".stage must be one path segment");
    }
    api.authorizers = read_authorizers(value, where);
    auto routes = value.FindMember("routes");
    if (routes != value.MemberEnd() && routes->value.IsArray()) {
      for (rapidjson::SizeType k = 0; k < routes->value.Size(); ++k) {
        const auto& r = routes->value[k];
        const std::string rwhere = where + ".routes[" + std::to_string(k) + "]";
        if (!r.IsObject()) throw std::invalid_argument(rwhere + " is not an object");
        Route route;
        route.route_key = member_string(r, "routeKey", rwhere, true);
        route.function = member_string(r, "function", rwhere, true);
        auto rr = r.FindMember("routeResponse");
        route.route_response = rr != r.MemberEnd() && rr->value.IsBool() && rr->value.GetBool();
        route.authorizer = member_string(r, "authorizer", rwhere, false);
        if (!route.authorizer.empty()) {
          if (!api.find_authorizer(route.authorizer)) {
            throw std::invalid_argument(rwhere + ".authorizer \"" + route.authorizer +
                                        "\" is not an authorizer of the API");
          }
          // API Gateway runs a WebSocket API's authorizer on $connect only.
          if (route.route_key != "$connect") {
            plan.notices.push_back(rwhere + " (" + route.route_key +
                                   "): an authorizer runs on $connect only; ignored");
            route.authorizer.clear();
          }
        }
        api.routes.push_back(std::move(route));
      }
    } else if (routes != value.MemberEnd() && !routes->value.IsNull()) {
      throw std::invalid_argument(where + ".routes is not an array");
    }
    plan.apis.push_back(std::move(api));
  }
  return plan;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i <= query.size()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    std::string_view pair = query.substr(i, j - i);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(percent_decode(pair), "");
      } else {
        out.emplace_back(percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
      }
    }
    i = j + 1;
  }
  return out;
}

Target resolve_target(const Plan& plan, std::string_view host, std::string_view request_target) {
  Target target;
  std::string_view path = request_target.substr(0, request_target.find('?'));
  if (path == "/_plane/clock") {
    target.kind = Target::Kind::Clock;
    return target;
  }
  auto segments = split_path(path);
  if (segments.empty()) return target;

  // The API named by the Host header, if it is one of ours.
  const Api* by_host = nullptr;
  std::string_view host_name = host.substr(0, host.find(':'));
  for (const auto& api : plan.apis) {
    if (host_name == api.domain_name(plan.region)) by_host = &api;
  }

  const Api* api = nullptr;
  size_t rest = 0;
  // "/<apiId>/<stage>/...": an explicit API id wins.
  if (segments.size() >= 2) {
    for (const auto& candidate : plan.apis) {
      if (candidate.api_id == segments[0] && candidate.stage == segments[1]) {
        api = &candidate;
        rest = 2;
      }
    }
  }
  if (!api) {
    int matches = 0;
    for (const auto& candidate : plan.apis) {
      if (candidate.stage != segments[0]) continue;
      ++matches;
      if (!api || &candidate == by_host) api = &candidate;
    }
    if (matches > 1 && (!by_host || by_host->stage != segments[0])) return target;  // ambiguous
    rest = 1;
  }
  if (!api) return target;
  target.api = api;
  if (segments.size() == rest) {
    target.kind = Target::Kind::WebSocket;
  } else if (segments.size() == rest + 2 && segments[rest] == "@connections" &&
             !segments[rest + 1].empty()) {
    target.kind = Target::Kind::Connection;
    target.connection_id = percent_decode(segments[rest + 1]);
  }
  return target;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool wildcard_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace gateway
