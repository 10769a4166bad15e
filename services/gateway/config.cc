#include "gateway/config.h"

#include <rapidjson/document.h>

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

}  // namespace

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
        auto auth = r.FindMember("authorizer");
        if (auth != r.MemberEnd() && !auth->value.IsNull()) {
          plan.notices.push_back(rwhere + " (" + route.route_key +
                                 "): authorizer accepted, not enforced");
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

}  // namespace gateway
