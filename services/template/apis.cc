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
    ctx.stack().http_apis.push_back(std::move(a));
  }
  p.finish({"Description", "ApiKeySelectionExpression", "Tags", "DisableExecuteApiEndpoint",
            "DisableSchemaValidation", "CorsConfiguration", "Version", "FailOnWarnings"});
}

void plan_serverless_http_api(Context& ctx, const Resource* r, const std::string& logical_id) {
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
    p.finish({"Auth", "CorsConfiguration", "DefinitionBody", "DefinitionUri", "Description",
              "DisableExecuteApiEndpoint", "Domain", "FailOnWarnings", "RouteSettings",
              "StageVariables", "Tags", "AccessLogSettings", "DefaultRouteSettings"});
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
  for (const auto& r : ctx.resources()) {
    if (!r.created) continue;
    if (r.type == "AWS::ApiGatewayV2::Api") plan_v2_api(ctx, r);
    if (r.type == "AWS::Serverless::HttpApi") plan_serverless_http_api(ctx, &r, r.logical_id);
  }
  if (implicit_http_api && !ctx.find_resource("ServerlessHttpApi")) {
    plan_serverless_http_api(ctx, nullptr, "ServerlessHttpApi");
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
      p.finish({"AuthorizerCredentialsArn", "AuthorizerResultTtlInSeconds",
                "AuthorizerPayloadFormatVersion", "EnableSimpleResponses",
                "IdentityValidationExpression"});
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
    it->routes.push_back(std::move(route));
  }
  for (auto& a : s.websocket_apis) {
    if (!a.stage) s.notices.push_back(a.logical_id + " (AWS::ApiGatewayV2::Api): has no stage");
  }
}

}  // namespace tmpl::detail
