// API Gateway resources: WebSocket APIs with routes, integrations, authorizers, route responses
// and stages; HTTP APIs from SAM events and ApiGatewayV2 resources.
#include "template/test_support.h"

namespace tmpl {
namespace {

using testing::error_of;
using testing::has_notice;
using testing::output_of;
using testing::plan;

const Route* route_of(const Api& api, const std::string& key) {
  for (const auto& r : api.routes) {
    if (r.route_key == key) return &r;
  }
  return nullptr;
}

TEST(WebSocketApis, TheEchoTemplate) {
  Options o;
  o.stack_name = "echo";
  o.region = "eu-west-1";
  Stack s = load_stack(TEMPLATE_TEST_DIR "/websocket_echo.yaml", o);
  ASSERT_EQ(s.websocket_apis.size(), 1u);
  const Api& api = s.websocket_apis[0];
  EXPECT_EQ(api.name, "echo-echo");
  EXPECT_EQ(api.stage, "test");
  EXPECT_EQ(api.route_selection_expression, "$request.body.action");
  EXPECT_EQ(api.endpoint, "wss://" + api.id + ".execute-api.eu-west-1.amazonaws.com");
  ASSERT_EQ(api.routes.size(), 4u);
  const char* keys[][2] = {{"$connect", "echo-connect"},
                           {"$disconnect", "echo-disconnect"},
                           {"$default", "echo-default"},
                           {"sendMessage", "echo-send"}};
  for (auto [key, function] : keys) {
    const Route* r = route_of(api, key);
    ASSERT_NE(r, nullptr) << key;
    EXPECT_EQ(r->function, function);
    EXPECT_EQ(r->route_response, std::string(key) == "sendMessage") << key;
    EXPECT_FALSE(r->authorizer);
  }
  EXPECT_EQ(output_of(s, "WebSocketURI"),
            "wss://" + api.id + ".execute-api.eu-west-1.amazonaws.com/test");
  ASSERT_EQ(s.functions.size(), 4u);
  EXPECT_EQ(s.functions[0].code_uri,
            std::string(TEMPLATE_TEST_DIR).substr(0, std::string(TEMPLATE_TEST_DIR).rfind('/')) +
                "/functions/ws_connect");
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(s.tables[0].name, "echo-connections");
  EXPECT_TRUE(s.tables[0].stream_arn);
  EXPECT_EQ(s.tables[0].ttl_attribute, "expiresAt");
  EXPECT_TRUE(has_notice(s, "ConnectPermission (AWS::Lambda::Permission): accepted, not enforced"));
  // A deployment has nothing to add locally: no notice beyond its DependsOn.
  for (const auto& n : s.notices) {
    if (n.rfind("Deployment ", 0) == 0) {
      EXPECT_EQ(n, "Deployment (AWS::ApiGatewayV2::Deployment): DependsOn accepted, not enforced");
    }
  }
  o.parameter_overrides = {{"StageName", "prod"}};
  EXPECT_EQ(load_stack(TEMPLATE_TEST_DIR "/websocket_echo.yaml", o).websocket_apis[0].stage,
            "prod");
}

TEST(WebSocketApis, AuthorizersAndHttpApis) {
  Options o;
  o.stack_name = "authchat";
  Stack s = load_stack(TEMPLATE_TEST_DIR "/template_authorized_chat.yaml", o);
  ASSERT_EQ(s.websocket_apis.size(), 1u);
  const Api& chat = s.websocket_apis[0];
  ASSERT_EQ(chat.authorizers.size(), 1u);
  EXPECT_EQ(chat.authorizers[0].name, "TokenAuthorizer");
  EXPECT_EQ(chat.authorizers[0].function, "AuthFunction");
  EXPECT_EQ(chat.authorizers[0].identity_source,
            std::vector<std::string>{"route.request.querystring.token"});
  const Route* connect = route_of(chat, "$connect");
  ASSERT_NE(connect, nullptr);
  EXPECT_EQ(connect->function, "ConnectFunction");
  EXPECT_EQ(connect->authorization_type, "CUSTOM");
  EXPECT_EQ(connect->authorizer, "TokenAuthorizer");
  EXPECT_EQ(chat.stage, "dev");
  EXPECT_EQ(output_of(s, "ChatUrl"), chat.endpoint);

  // The explicit SAM HTTP API and the implicit one SAM creates for events without ApiId.
  ASSERT_EQ(s.http_apis.size(), 2u);
  const Api& history = s.http_apis[0];
  EXPECT_EQ(history.logical_id, "HistoryApi");
  EXPECT_EQ(history.stage, "dev");
  EXPECT_EQ(history.endpoint, "https://" + history.id + ".execute-api.us-east-1.amazonaws.com");
  ASSERT_EQ(history.routes.size(), 1u);
  EXPECT_EQ(history.routes[0].route_key, "GET /history/{room}");
  EXPECT_EQ(history.routes[0].function, "HistoryFunction");
  EXPECT_EQ(history.routes[0].payload_format_version, "2.0");
  const Api& implicit = s.http_apis[1];
  EXPECT_EQ(implicit.logical_id, "ServerlessHttpApi");
  EXPECT_EQ(implicit.stage, "$default");
  ASSERT_EQ(implicit.routes.size(), 1u);
  EXPECT_EQ(implicit.routes[0].route_key, "ANY /hello");
  EXPECT_EQ(implicit.routes[0].payload_format_version, "1.0");
  EXPECT_EQ(output_of(s, "HistoryUrl"), history.endpoint + "/dev");
  EXPECT_EQ(s.outputs[1].description, "history of authchat");

  ASSERT_EQ(s.event_source_mappings.size(), 1u);
  EXPECT_EQ(s.event_source_mappings[0].table_name, "authchat-rooms");
  EXPECT_EQ(s.event_source_mappings[0].function, "FanoutFunction");
  EXPECT_TRUE(has_notice(s,
                         "ChatStage (AWS::ApiGatewayV2::Stage): AutoDeploy accepted, not "
                         "enforced"));
}

// A WebSocket API with one function; `extra` adds resources.
std::string api_with(const std::string& extra) {
  return R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: c, Runtime: provided.al2023, Handler: b}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub
        arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
)" + extra;
}

TEST(WebSocketApis, ErrorsNameTheResourceAndProperty) {
  EXPECT_EQ(
      error_of(api_with("  R:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: "
                        "{ApiId: !Ref Api, RouteKey: $default, Target: integrations/nope}\n")),
      "template: Resources.R.Properties.Target: \"integrations/nope\" is not an integration "
      "of this API");
  EXPECT_EQ(error_of(api_with("  R:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: "
                              "{ApiId: !Ref Api, RouteKey: $default, Target: !Ref Integration}\n")),
            "template: Resources.R.Properties.Target: expected \"integrations/<IntegrationId>\", "
            "got \"" +
                plan(api_with("Outputs:\n  I: {Value: !Ref Integration}\n")).outputs[0].value +
                "\"");
  EXPECT_EQ(
      error_of(api_with("  R:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: "
                        "{ApiId: !Ref Api, RouteKey: $connect, AuthorizationType: CUSTOM}\n")),
      "template: Resources.R.Properties.AuthorizerId: required when AuthorizationType is "
      "CUSTOM");
  EXPECT_EQ(error_of(api_with("  I2:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties: "
                              "{ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: "
                              "arn:aws:lambda:us-east-1:123456789012:function:other}\n")),
            "template: Resources.I2.Properties.IntegrationUri: names function other, which the "
            "template does not define");
  EXPECT_EQ(error_of(api_with("  S:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties: "
                              "{ApiId: abc, StageName: x}\n")),
            "template: Resources.S.Properties.ApiId: \"abc\" is not the id of an API in the "
            "template");
  EXPECT_EQ(error_of(api_with("  RR:\n    Type: AWS::ApiGatewayV2::RouteResponse\n    Properties: "
                              "{ApiId: !Ref Api, RouteId: r1, RouteResponseKey: $default}\n")),
            "template: Resources.RR.Properties.RouteId: \"r1\" is not a route of this API");
  EXPECT_EQ(error_of(R"(
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: WEBSOCKET}
)"),
            "template: Resources.Api.Properties.RouteSelectionExpression: required property is "
            "missing");
}

TEST(WebSocketApis, IntegrationsBeyondLambdaProxyAreReported) {
  auto s = plan(api_with(R"(  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: MOCK}
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: ping, Target: !Sub "integrations/${Mock}"}
  Direct:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $default, Target: !Sub "integrations/${Integration}"}
)"));
  const Api& api = s.websocket_apis.at(0);
  EXPECT_EQ(route_of(api, "ping")->function, "");
  EXPECT_EQ(route_of(api, "$default")->function, "Fn");
  EXPECT_FALSE(api.stage);
  EXPECT_TRUE(has_notice(s,
                         "Mock (AWS::ApiGatewayV2::Integration): IntegrationType MOCK is not "
                         "supported (AWS_PROXY to a Lambda function is); its routes have no "
                         "function"));
  EXPECT_TRUE(has_notice(s, "Api (AWS::ApiGatewayV2::Api): has no stage"));
}

TEST(HttpApis, ApiGatewayV2HttpProtocol) {
  auto s = plan(R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: c, Runtime: provided.al2023, Handler: b}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: h, ProtocolType: HTTP}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Http, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn,
                 PayloadFormatVersion: "1.0", TimeoutInMillis: 5000}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      {ApiId: !Ref Http, RouteKey: "POST /items", Target: !Sub "integrations/${Integration}"}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Http, StageName: $default}
)");
  ASSERT_EQ(s.http_apis.size(), 1u);
  EXPECT_TRUE(s.websocket_apis.empty());
  const Api& api = s.http_apis[0];
  EXPECT_EQ(api.stage, "$default");
  EXPECT_EQ(api.endpoint.rfind("https://", 0), 0u);
  ASSERT_EQ(api.routes.size(), 1u);
  EXPECT_EQ(api.routes[0].route_key, "POST /items");
  EXPECT_EQ(api.routes[0].function, "Fn");
  EXPECT_EQ(api.routes[0].payload_format_version, "1.0");
  EXPECT_EQ(api.routes[0].timeout_in_millis, 5000);
}

TEST(HttpApis, CorsAndAuthorizersOfApiGatewayV2) {
  auto s = plan(R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: c, Runtime: provided.al2023, Handler: b}
  Auth:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a, Runtime: provided.al2023, Handler: b}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: h
      ProtocolType: HTTP
      CorsConfiguration:
        AllowOrigins: [https://example.com]
        AllowMethods: [GET, POST]
        AllowHeaders: [authorization]
        MaxAge: 300
        AllowCredentials: true
  Authorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Http
      Name: Lambda
      AuthorizerType: REQUEST
      AuthorizerUri: !Sub "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Auth.Arn}/invocations"
      IdentitySource: [$request.header.Authorization]
      AuthorizerPayloadFormatVersion: "2.0"
      EnableSimpleResponses: true
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Http, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn,
                 PayloadFormatVersion: "2.0"}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: "GET /items"
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Authorizer
      Target: !Sub "integrations/${Integration}"
)");
  const Api& api = s.http_apis.at(0);
  ASSERT_TRUE(api.cors.is_map());
  EXPECT_EQ(api.cors.find("allowOrigins")->list.at(0).text, "https://example.com");
  EXPECT_EQ(api.cors.find("allowMethods")->list.size(), 2u);
  EXPECT_EQ(api.cors.find("maxAge")->text, "300");
  EXPECT_TRUE(api.cors.find("allowCredentials")->boolean);
  ASSERT_EQ(api.authorizers.size(), 1u);
  EXPECT_EQ(api.authorizers[0].function, "Auth");
  EXPECT_EQ(api.authorizers[0].payload_format_version, "2.0");
  EXPECT_TRUE(api.authorizers[0].enable_simple_responses);
  EXPECT_EQ(api.routes.at(0).authorizer, "Lambda");
  EXPECT_NE(to_json(s).find("\"enableSimpleResponses\": true"), std::string::npos);
  // AuthorizerResultTtlInSeconds unset, with an identity source: API Gateway's 300.
  EXPECT_EQ(api.authorizers[0].result_ttl_in_seconds, 300);
  EXPECT_NE(to_json(s).find("\"resultTtlInSeconds\": 300"), std::string::npos);
}

// An HTTP (or WebSocket) API with one REQUEST authorizer whose properties end with `extra`.
std::string authorizer_template(const std::string& protocol, const std::string& extra) {
  std::string out = R"(
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a, Runtime: provided.al2023, Handler: b}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: h, ProtocolType: )" +
                    protocol;
  if (protocol == "WEBSOCKET") out += ", RouteSelectionExpression: $request.body.action";
  out += R"(}
  Authorizer:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: Lambda
      AuthorizerType: REQUEST
      AuthorizerUri: !GetAtt Auth.Arn
)";
  if (protocol == "HTTP") out += "      AuthorizerPayloadFormatVersion: \"2.0\"\n";
  return out + extra;
}

TEST(HttpApis, AuthorizerResultTtlInSeconds) {
  const std::string header = "      IdentitySource: [$request.header.Authorization]\n";
  auto ttl_of = [](const std::string& yaml) {
    return plan(yaml).http_apis.at(0).authorizers.at(0).result_ttl_in_seconds;
  };
  EXPECT_EQ(ttl_of(authorizer_template("HTTP", header + "      AuthorizerResultTtlInSeconds: 0\n")),
            0);
  EXPECT_EQ(
      ttl_of(authorizer_template("HTTP", header + "      AuthorizerResultTtlInSeconds: 3600\n")),
      3600);
  // No identity source: nothing to key the cache on, no caching.
  EXPECT_EQ(ttl_of(authorizer_template("HTTP", "")), 0);
  EXPECT_EQ(
      error_of(authorizer_template("HTTP", "      AuthorizerResultTtlInSeconds: 60\n")),
      "template: Resources.Authorizer.Properties.AuthorizerResultTtlInSeconds: caching (a TTL "
      "above 0) needs at least one identity source");
  EXPECT_EQ(
      error_of(authorizer_template("HTTP", header + "      AuthorizerResultTtlInSeconds: 3601\n")),
      "template: Resources.Authorizer.Properties.AuthorizerResultTtlInSeconds: expected 0 to "
      "3600, got 3601");
  // WebSocket APIs do not cache.
  const std::string ws = "      IdentitySource: [route.request.querystring.token]\n";
  EXPECT_EQ(
      error_of(authorizer_template("WEBSOCKET", ws + "      AuthorizerResultTtlInSeconds: 300\n")),
      "template: Resources.Authorizer.Properties.AuthorizerResultTtlInSeconds: not "
      "supported on WebSocket APIs (API Gateway caches HTTP APIs' authorizers only)");
  Stack w = plan(authorizer_template("WEBSOCKET", ws + "      AuthorizerResultTtlInSeconds: 0\n"));
  EXPECT_EQ(w.websocket_apis.at(0).authorizers.at(0).result_ttl_in_seconds, 0);
  EXPECT_EQ(to_json(w).find("resultTtlInSeconds"), std::string::npos);
}

const char* kSamAuth = R"(
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: a, Runtime: provided.al2023, Handler: b}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: c
      Runtime: provided.al2023
      Handler: b
      Events:
        Guarded: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /a, Method: get}}
        Open:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /b, Method: get, Auth: {Authorizer: NONE}}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: true
      Auth:
        DefaultAuthorizer: Token
        Authorizers:
          Token:
            FunctionArn: !GetAtt Auth.Arn
            Identity: {Headers: [Authorization], QueryStrings: [tenant]}
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
)";

TEST(HttpApis, SamAuthAndCors) {
  auto s = plan(kSamAuth);
  const Api& api = s.http_apis.at(0);
  EXPECT_EQ(api.cors.find("allowOrigins")->list.at(0).text, "*");
  ASSERT_EQ(api.authorizers.size(), 1u);
  EXPECT_EQ(api.authorizers[0].name, "Token");
  EXPECT_EQ(
      api.authorizers[0].identity_source,
      (std::vector<std::string>{"$request.header.Authorization", "$request.querystring.tenant"}));
  EXPECT_TRUE(api.authorizers[0].enable_simple_responses);
  EXPECT_EQ(route_of(api, "GET /a")->authorizer, "Token");
  EXPECT_EQ(route_of(api, "GET /a")->authorization_type, "CUSTOM");
  EXPECT_FALSE(route_of(api, "GET /b")->authorizer);
  EXPECT_EQ(api.authorizers[0].result_ttl_in_seconds, 300);  // no ReauthorizeEvery: the default
  auto with_reauthorize = [](const std::string& every) {
    std::string t = kSamAuth;
    t.replace(t.find("QueryStrings: [tenant]}"), 23,
              "QueryStrings: [tenant], ReauthorizeEvery: " + every + "}");
    return t;
  };
  EXPECT_EQ(plan(with_reauthorize("0")).http_apis.at(0).authorizers[0].result_ttl_in_seconds, 0);
  EXPECT_EQ(plan(with_reauthorize("120")).http_apis.at(0).authorizers[0].result_ttl_in_seconds,
            120);
  EXPECT_EQ(error_of(with_reauthorize("7200")),
            "template: Resources.Api.Properties.Auth.Authorizers.Token.Identity.ReauthorizeEvery: "
            "expected 0 to 3600, got 7200");
  std::string bad = kSamAuth;
  bad.replace(bad.find("DefaultAuthorizer: Token"), 24, "DefaultAuthorizer: Nope");
  EXPECT_EQ(error_of(bad),
            "template: Resources.Api.Properties.Auth.DefaultAuthorizer: \"Nope\" is not in "
            "Auth.Authorizers");
}

}  // namespace
}  // namespace tmpl
