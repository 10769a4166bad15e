// API Gateway: AWS::ApiGatewayV2::* (WebSocket and HTTP APIs, their routes, integrations,
// authorizers, route responses and stages) and SAM's AWS::Serverless::HttpApi with the HttpApi
// events of functions.
#include <algorithm>

#include "template/context.h"

namespace tmpl::detail {
namespace {

struct Integration {
  std::string api_id;
  std::string function;  // empty when not a Lambda proxy integration
  std::string payload_format_version;
  int timeout_in_millis = 0;
};

struct PendingAuthorizer {
  std::string api_id;
  Authorizer authorizer;
};

struct PendingRoute {
  std::string api_id;
  Route route;
};

Api* api_by_id(Stack& s, const std::string& id) {
  for (auto* list : {&s.websocket_apis, &s.http_apis}) {
    for (auto& a : *list) {
      if (a.id == id) return &a;
    }
  }
  return nullptr;
}

// An HTTP API's CORS configuration in the plan's form: CloudFormation's CorsConfiguration, or
// SAM's (the same members, or `true` for every origin).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigatewayv2-api-cors.html
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-httpapicorsconfiguration.html
Value read_cors(Context& ctx, const Resource& r, const Value& v, const std::string& path) {
  if (v.kind == Value::Kind::Bool || (v.is_string() && (v.text == "true" || v.text == "false"))) {
    if (!as_bool(v, path)) return Value::null();
    return Value::of_map({{"allowOrigins", Value::of_list({Value::string("*")})}});
  }
  const Value& m = as_map(v, path);
  Value out = Value::of_map({});
  auto list = [&](const char* from, const char* to) {
    Value items = Value::of_list({});
    if (const Value* x = m.find(from)) {
      for (auto& s : as_strings(*x, path + "." + from)) items.list.push_back(Value::string(s));
    }
    out.set(to, std::move(items));
  };
  list("AllowOrigins", "allowOrigins");
  list("AllowMethods", "allowMethods");
  list("AllowHeaders", "allowHeaders");
  list("ExposeHeaders", "exposeHeaders");
  if (const Value* x = m.find("MaxAge")) {
    out.set("maxAge", Value::number(std::to_string(as_int(*x, path + ".MaxAge"))));
  }
  bool credentials = false;
  if (const Value* x = m.find("AllowCredentials")) {
    credentials = as_bool(*x, path + ".AllowCredentials");
  }
  out.set("allowCredentials", Value::of_bool(credentials));
  for (const auto& [k, x] : m.map) {
    if (k != "AllowOrigins" && k != "AllowMethods" && k != "AllowHeaders" && k != "ExposeHeaders" &&
        k != "MaxAge" && k != "AllowCredentials") {
      ctx.notice(r, "CorsConfiguration." + k + " is not supported, skipped");
    }
  }
  return out;
}

std::string api_of(Context& ctx, Props& p) {
  std::string id = as_string(p.require("ApiId"), p.path("ApiId"));
  if (!api_by_id(ctx.stack(), id)) {
    fail(p.path("ApiId"), "\"" + id + "\" is not the id of an API in the template");
  }
  return id;
}

void plan_v2_api(Context& ctx, const Resource& r) {
  Props p(ctx, r);
  Api a;
  a.logical_id = r.logical_id;
  a.id = ctx.api_id(r);
  a.protocol = as_string(p.require("ProtocolType"), p.path("ProtocolType"));
  if (a.protocol != "WEBSOCKET" && a.protocol != "HTTP") {
    fail(p.path("ProtocolType"), "expected one of WEBSOCKET, HTTP, got \"" + a.protocol + "\"");
  }
  a.name = p.string("Name").value_or(r.logical_id);
  a.endpoint = ctx.api_endpoint(r);
  if (a.protocol == "WEBSOCKET") {
    a.route_selection_expression =
        as_string(p.require("RouteSelectionExpression"), p.path("RouteSelectionExpression"));
    ctx.stack().websocket_apis.push_back(std::move(a));
  } else {
    a.route_selection_expression =
        p.string("RouteSelectionExpression").value_or("${request.method} ${request.path}");
    if (const Value* cors = p.get("CorsConfiguration")) {
      a.cors = read_cors(ctx, r, *cors, p.path("CorsConfiguration"));
    }
    ctx.stack().http_apis.push_back(std::move(a));
  }
  p.finish({"Description", "ApiKeySelectionExpression", "Tags", "DisableExecuteApiEndpoint",
            "DisableSchemaValidation", "Version", "FailOnWarnings"});
}

// An HTTP API authorizer's AuthorizerResultTtlInSeconds: 0 to 3600, and caching (above 0) needs
// an identity source, whose values are the cache key (API Gateway refuses the authorizer
// otherwise: "Identity source must be set if authorizer caching is enabled"). Unset, the API's
// default of 300 applies where caching can work.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.caching
int result_ttl(std::optional<int> ttl, bool has_identity_sources, const std::string& path) {
  if (!ttl) return has_identity_sources ? 300 : 0;
  if (*ttl < 0 || *ttl > 3600) fail(path, "expected 0 to 3600, got " + std::to_string(*ttl));
  if (*ttl > 0 && !has_identity_sources) {
    fail(path, "caching (a TTL above 0) needs at least one identity source");
  }
  return *ttl;
}

// SAM's HttpApi Auth: Lambda authorizers (REQUEST) by name and the default one.
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-httpapiauth.html
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-lambdaauthorizer.html
void read_sam_auth(Context& ctx, const Resource& r, const Value& v, const std::string& path, Api& a,
                   std::optional<std::string>& default_authorizer) {
  const Value& auth = as_map(v, path);
  if (const Value* list = auth.find("Authorizers")) {
    for (const auto& [name, decl] : as_map(*list, path + ".Authorizers").map) {
      std::string ap = path + ".Authorizers." + name;
      const Value& d = as_map(decl, ap);
      if (!d.find("FunctionArn")) {
        ctx.notice(r, "Auth.Authorizers." + name +
                          " is not a Lambda authorizer (JWT is not supported), skipped");
        continue;
      }
      Authorizer z;
      z.logical_id = r.logical_id + name;
      z.id = ctx.derived_id(z.logical_id, 7);
      z.name = name;
      z.function = ctx.function_for(as_string(*d.find("FunctionArn"), ap + ".FunctionArn"),
                                    ap + ".FunctionArn");
      std::optional<int> reauthorize_every;
      if (const Value* identity = d.find("Identity")) {
        const Value& id = as_map(*identity, ap + ".Identity");
        for (const auto& [k, x] : id.map) {
          if (k == "ReauthorizeEvery") {
            // SAM writes it as the authorizer's authorizerResultTtlInSeconds.
            reauthorize_every = as_int(x, ap + ".Identity.ReauthorizeEvery");
            continue;
          }
          const char* prefix = k == "Headers"          ? "$request.header."
                               : k == "QueryStrings"   ? "$request.querystring."
                               : k == "StageVariables" ? "$stageVariables."
                               : k == "Context"        ? "$context."
                                                       : nullptr;
          if (!prefix) {
            ctx.notice(r,
                       "Auth.Authorizers." + name + ".Identity." + k + " accepted, not enforced");
            continue;
          }
          for (auto& n : as_strings(x, ap + ".Identity." + k))
            z.identity_source.push_back(prefix + n);
        }
      }
      z.payload_format_version = "2.0";
      if (const Value* x = d.find("AuthorizerPayloadFormatVersion")) {
        z.payload_format_version = as_string(*x, ap + ".AuthorizerPayloadFormatVersion");
        if (z.payload_format_version != "1.0" && z.payload_format_version != "2.0") {
          fail(ap + ".AuthorizerPayloadFormatVersion",
               "expected one of 1.0, 2.0, got \"" + z.payload_format_version + "\"");
        }
      }
      if (const Value* x = d.find("EnableSimpleResponses")) {
        z.enable_simple_responses = as_bool(*x, ap + ".EnableSimpleResponses");
      }
      z.result_ttl_in_seconds = result_ttl(reauthorize_every, !z.identity_source.empty(),
                                           ap + ".Identity.ReauthorizeEvery");
      a.authorizers.push_back(std::move(z));
    }
  }
  if (const Value* x = auth.find("DefaultAuthorizer")) {
    default_authorizer = as_string(*x, path + ".DefaultAuthorizer");
    auto it = std::find_if(a.authorizers.begin(), a.authorizers.end(),
                           [&](const Authorizer& z) { return z.name == *default_authorizer; });
    if (it == a.authorizers.end()) {
      fail(path + ".DefaultAuthorizer",
           "\"" + *default_authorizer + "\" is not in Auth.Authorizers");
    }
  }
  for (const auto& [k, x] : auth.map) {
    if (k != "Authorizers" && k != "DefaultAuthorizer") {
      ctx.notice(r, "Auth." + k + " accepted, not enforced");
    }
  }
}

void plan_serverless_http_api(Context& ctx, const Resource* r, const std::string& logical_id,
                              std::map<std::string, std::string>& default_authorizers) {
  Api a;
  a.logical_id = logical_id;
  a.protocol = "HTTP";
  a.name = ctx.stack().stack_name;
  a.stage = "$default";
  a.route_selection_expression = "${request.method} ${request.path}";
  if (r) {
    Props p(ctx, *r);
    a.id = ctx.api_id(*r);
    a.endpoint = ctx.api_endpoint(*r);
    if (auto name = p.string("Name")) a.name = *name;
    if (auto stage = p.string("StageName")) a.stage = *stage;
    if (const Value* cors = p.get("CorsConfiguration")) {
      a.cors = read_cors(ctx, *r, *cors, p.path("CorsConfiguration"));
    }
    if (const Value* auth = p.get("Auth")) {
      std::optional<std::string> default_authorizer;
      read_sam_auth(ctx, *r, *auth, p.path("Auth"), a, default_authorizer);
      if (default_authorizer) default_authorizers[logical_id] = *default_authorizer;
    }
    p.finish({"DefinitionBody", "DefinitionUri", "Description", "DisableExecuteApiEndpoint",
              "Domain", "FailOnWarnings", "RouteSettings", "StageVariables", "Tags",
              "AccessLogSettings", "DefaultRouteSettings"});
  } else {
    Resource implicit{logical_id, "AWS::Serverless::HttpApi", Value::of_map({}), true};
    a.id = ctx.api_id(implicit);
    a.endpoint = ctx.api_endpoint(implicit);
  }
  ctx.stack().http_apis.push_back(std::move(a));
}

}  // namespace

void plan_apis(Context& ctx) {
  Stack& s = ctx.stack();
  bool implicit_http_api = std::any_of(ctx.http_events.begin(), ctx.http_events.end(),
                                       [](const auto& e) { return e.api_logical_id.empty(); });
  std::map<std::string, std::string> default_authorizers;  // SAM HttpApi logical id -> name
  for (const auto& r : ctx.resources()) {
    if (!r.created) continue;
    if (r.type == "AWS::ApiGatewayV2::Api") plan_v2_api(ctx, r);
    if (r.type == "AWS::Serverless::HttpApi") {
      plan_serverless_http_api(ctx, &r, r.logical_id, default_authorizers);
    }
  }
  if (implicit_http_api && !ctx.find_resource("ServerlessHttpApi")) {
    plan_serverless_http_api(ctx, nullptr, "ServerlessHttpApi", default_authorizers);
  }

  std::map<std::string, Integration> integrations;  // by integration id
  std::vector<PendingAuthorizer> authorizers;
  std::vector<PendingRoute> routes;
  for (const auto& r : ctx.resources()) {
    if (!r.created) continue;
    if (r.type == "AWS::ApiGatewayV2::Integration") {
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-integration.html
      Props p(ctx, r);
      Integration i;
      i.api_id = api_of(ctx, p);
      std::string type = as_string(p.require("IntegrationType"), p.path("IntegrationType"));
      if (type == "AWS_PROXY") {
        i.function =
            ctx.function_for(as_string(p.require("IntegrationUri"), p.path("IntegrationUri")),
                             p.path("IntegrationUri"));
      } else {
        ctx.notice(r, "IntegrationType " + type +
                          " is not supported (AWS_PROXY to a Lambda "
                          "function is); its routes have no function");
        p.get("IntegrationUri");
      }
      i.payload_format_version = p.string("PayloadFormatVersion").value_or("");
      i.timeout_in_millis = p.integer("TimeoutInMillis").value_or(0);
      p.finish({"IntegrationMethod", "ContentHandlingStrategy", "PassthroughBehavior",
                "RequestTemplates", "RequestParameters", "TemplateSelectionExpression",
                "CredentialsArn", "Description", "ConnectionType", "ConnectionId",
                "ResponseParameters", "TlsConfig", "IntegrationSubtype"});
      integrations[ctx.ref_resource(r, p.path("")).text] = std::move(i);
    } else if (r.type == "AWS::ApiGatewayV2::Authorizer") {
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-authorizer.html
      Props p(ctx, r);
      PendingAuthorizer a;
      a.api_id = api_of(ctx, p);
      a.authorizer.logical_id = r.logical_id;
      a.authorizer.id = ctx.ref_resource(r, p.path("")).text;
      a.authorizer.name = as_string(p.require("Name"), p.path("Name"));
      std::string type = as_string(p.require("AuthorizerType"), p.path("AuthorizerType"));
      if (type != "REQUEST") {
        ctx.notice(r, "AuthorizerType " + type + " is not supported (REQUEST is), skipped");
        p.finish({"AuthorizerUri", "IdentitySource", "JwtConfiguration", "AuthorizerCredentialsArn",
                  "AuthorizerResultTtlInSeconds", "AuthorizerPayloadFormatVersion",
                  "EnableSimpleResponses", "IdentityValidationExpression"});
        continue;
      }
      a.authorizer.function = ctx.function_for(
          as_string(p.require("AuthorizerUri"), p.path("AuthorizerUri")), p.path("AuthorizerUri"));
      if (const Value* sources = p.get("IdentitySource")) {
        a.authorizer.identity_source = as_strings(*sources, p.path("IdentitySource"));
      }
      if (api_by_id(s, a.api_id)->protocol == "HTTP") {
        // Required for HTTP APIs' Lambda authorizers; simple responses need format 2.0.
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
        a.authorizer.payload_format_version = as_string(p.require("AuthorizerPayloadFormatVersion"),
                                                        p.path("AuthorizerPayloadFormatVersion"));
        if (a.authorizer.payload_format_version != "1.0" &&
            a.authorizer.payload_format_version != "2.0") {
          fail(p.path("AuthorizerPayloadFormatVersion"),
               "expected one of 1.0, 2.0, got \"" + a.authorizer.payload_format_version + "\"");
        }
        a.authorizer.enable_simple_responses = p.boolean("EnableSimpleResponses").value_or(false);
        if (a.authorizer.enable_simple_responses && a.authorizer.payload_format_version != "2.0") {
          fail(p.path("EnableSimpleResponses"), "simple responses need format version 2.0");
        }
        a.authorizer.result_ttl_in_seconds = result_ttl(p.integer("AuthorizerResultTtlInSeconds"),
                                                        !a.authorizer.identity_source.empty(),
                                                        p.path("AuthorizerResultTtlInSeconds"));
      } else if (p.integer("AuthorizerResultTtlInSeconds").value_or(0) != 0) {
        // API Gateway caches only HTTP APIs' authorizers and refuses a TTL on a WebSocket API's
        // ("AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET protocol Apis").
        fail(p.path("AuthorizerResultTtlInSeconds"),
             "not supported on WebSocket APIs (API Gateway caches HTTP APIs' authorizers only)");
      }
      p.finish({"AuthorizerCredentialsArn", "IdentityValidationExpression"});
      authorizers.push_back(std::move(a));
    }
  }
  for (auto& a : authorizers) api_by_id(s, a.api_id)->authorizers.push_back(a.authorizer);

  for (const auto& r : ctx.resources()) {
    if (!r.created || r.type != "AWS::ApiGatewayV2::Route") continue;
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-route.html
    Props p(ctx, r);
    PendingRoute pr;
    pr.api_id = api_of(ctx, p);
    Route& route = pr.route;
    route.logical_id = r.logical_id;
    route.id = ctx.ref_resource(r, p.path("")).text;
    route.route_key = as_string(p.require("RouteKey"), p.path("RouteKey"));
    if (auto target = p.string("Target")) {
      const std::string prefix = "integrations/";
      if (target->rfind(prefix, 0) != 0) {
        fail(p.path("Target"),
             "expected \"integrations/<IntegrationId>\", got \"" + *target + "\"");
      }
      auto it = integrations.find(target->substr(prefix.size()));
      if (it == integrations.end() || it->second.api_id != pr.api_id) {
        fail(p.path("Target"), "\"" + *target + "\" is not an integration of this API");
      }
      route.function = it->second.function;
      route.payload_format_version = it->second.payload_format_version;
      route.timeout_in_millis = it->second.timeout_in_millis;
    }
    route.authorization_type = p.string("AuthorizationType").value_or("NONE");
    if (route.authorization_type != "NONE" && route.authorization_type != "CUSTOM" &&
        route.authorization_type != "AWS_IAM" && route.authorization_type != "JWT") {
      fail(p.path("AuthorizationType"),
           "expected one of NONE, AWS_IAM, CUSTOM, JWT, got \"" + route.authorization_type + "\"");
    }
    if (route.authorization_type == "AWS_IAM" || route.authorization_type == "JWT") {
      ctx.notice(r, "AuthorizationType " + route.authorization_type + " accepted, not enforced");
    }
    if (auto id = p.string("AuthorizerId")) {
      const auto& list = api_by_id(s, pr.api_id)->authorizers;
      auto it = std::find_if(list.begin(), list.end(), [&](const auto& a) { return a.id == *id; });
      if (it == list.end())
        fail(p.path("AuthorizerId"), "\"" + *id + "\" is not an authorizer of this API");
      route.authorizer = it->name;
    }
    if (route.authorization_type == "CUSTOM" && !route.authorizer) {
      fail(p.path("AuthorizerId"), "required when AuthorizationType is CUSTOM");
    }
    p.finish({"ApiKeyRequired", "OperationName", "RouteResponseSelectionExpression",
              "RequestModels", "RequestParameters", "ModelSelectionExpression",
              "AuthorizationScopes"});
    routes.push_back(std::move(pr));
  }

  for (const auto& r : ctx.resources()) {
    if (!r.created) continue;
    if (r.type == "AWS::ApiGatewayV2::RouteResponse") {
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-response.html
      Props p(ctx, r);
      std::string api = api_of(ctx, p);
      std::string route_id = as_string(p.require("RouteId"), p.path("RouteId"));
      std::string key = as_string(p.require("RouteResponseKey"), p.path("RouteResponseKey"));
      auto it = std::find_if(routes.begin(), routes.end(), [&](const PendingRoute& pr) {
        return pr.route.id == route_id && pr.api_id == api;
      });
      if (it == routes.end())
        fail(p.path("RouteId"), "\"" + route_id + "\" is not a route of this API");
      if (key == "$default") {
        it->route.route_response = true;
      } else {
        ctx.notice(r, "RouteResponseKey " + key + " is not supported ($default is), skipped");
      }
      p.finish({"ModelSelectionExpression", "ResponseModels", "ResponseParameters"});
    } else if (r.type == "AWS::ApiGatewayV2::Stage") {
      Props p(ctx, r);
      Api* api = api_by_id(s, api_of(ctx, p));
      std::string stage = as_string(p.require("StageName"), p.path("StageName"));
      if (api->stage) {
        ctx.notice(r, "a second stage of " + api->logical_id + " is not supported, skipped");
      } else {
        api->stage = stage;
      }
      p.finish({"AutoDeploy", "DeploymentId", "DefaultRouteSettings", "RouteSettings",
                "StageVariables", "AccessLogSettings", "Description", "Tags", "ClientCertificateId",
                "AccessPolicyId"});
    } else if (r.type == "AWS::ApiGatewayV2::Deployment") {
      // Every route is live as soon as the plane starts: a deployment has nothing to add.
      Props p(ctx, r);
      api_of(ctx, p);
      p.get("StageName");
      p.get("Description");
      p.finish({});
    }
  }
  for (auto& pr : routes) api_by_id(s, pr.api_id)->routes.push_back(std::move(pr.route));

  for (const auto& e : ctx.http_events) {
    std::string logical = e.api_logical_id.empty() ? "ServerlessHttpApi" : e.api_logical_id;
    auto it = std::find_if(s.http_apis.begin(), s.http_apis.end(),
                           [&](const Api& a) { return a.logical_id == logical; });
    Route route;
    route.route_key = e.route_key;
    route.function = e.function;
    route.payload_format_version =
        e.payload_format_version.empty() ? "2.0" : e.payload_format_version;
    route.timeout_in_millis = e.timeout_in_millis;
    // The event's Auth.Authorizer, else the API's DefaultAuthorizer; NONE opts out.
    std::optional<std::string> authorizer = e.authorizer;
    if (!authorizer) {
      if (auto d = default_authorizers.find(logical); d != default_authorizers.end()) {
        authorizer = d->second;
      }
    }
    if (authorizer && *authorizer != "NONE") {
      const auto& list = it->authorizers;
      if (std::none_of(list.begin(), list.end(),
                       [&](const Authorizer& z) { return z.name == *authorizer; })) {
        fail("Resources." + e.function_logical_id + ".Properties.Events." + e.event +
                 ".Properties.Auth.Authorizer",
             "\"" + *authorizer + "\" is not an authorizer of " + logical);
      }
      route.authorization_type = "CUSTOM";
      route.authorizer = *authorizer;
    }
    it->routes.push_back(std::move(route));
  }
  for (auto& a : s.websocket_apis) {
    if (!a.stage) s.notices.push_back(a.logical_id + " (AWS::ApiGatewayV2::Api): has no stage");
  }
}

}  // namespace tmpl::detail
