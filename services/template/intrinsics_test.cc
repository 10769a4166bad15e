// Intrinsic functions (short and long forms), parameters, pseudo parameters and conditions,
// observed through the outputs and properties they resolve.
#include "template/test_support.h"

namespace tmpl {
namespace {

using testing::env_of;
using testing::error_of;
using testing::function_named;
using testing::output_of;
using testing::plan;

// A stack with a bit of everything for expressions to refer to; `outputs` is the Outputs
// section's body (indented by four spaces per member).
std::string with_outputs(const std::string& outputs, const std::string& extra_conditions = "") {
  return R"(
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
  Count: {Type: Number, Default: 3}
Mappings:
  Sizes:
    us-east-1: {Memory: 256}
    eu-west-1: {Memory: 512}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: {"Fn::Equals": [{"Ref": "Env"}, "dev"]}
)" + extra_conditions +
         R"(
Resources:
  Messages:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: msgs
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Send:
    Type: AWS::Serverless::Function
    Properties:
      {CodeUri: code, Runtime: provided.al2023, Handler: bootstrap, FunctionName: chat-send}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      {Name: chat, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  ProdStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: prod}
Outputs:
)" + outputs;
}

std::string out(const std::string& expression, Options options = {}) {
  return output_of(plan(with_outputs("  Out:\n    Value: " + expression + "\n"), options), "Out");
}

TEST(Intrinsics, RefOfParametersAndPseudoParameters) {
  EXPECT_EQ(out("!Ref Env"), "dev");
  EXPECT_EQ(out("{Ref: Count}"), "3");
  Options o;
  o.region = "eu-west-1";
  o.stack_name = "mystack";
  EXPECT_EQ(out("!Ref AWS::Region", o), "eu-west-1");
  EXPECT_EQ(out("!Ref AWS::StackName", o), "mystack");
  EXPECT_EQ(out("!Ref AWS::AccountId"), "123456789012");
  o.account_id = "000000000042";
  EXPECT_EQ(out("!Ref AWS::AccountId", o), "000000000042");
  EXPECT_EQ(out("!Ref AWS::Partition"), "aws");
  EXPECT_EQ(out("!Ref AWS::URLSuffix"), "amazonaws.com");
  EXPECT_EQ(error_of(with_outputs("  Out:\n    Value: !Ref AWS::Bogus\n")),
            "template: Outputs.Out.Value.Ref: unknown pseudo parameter AWS::Bogus");
}

TEST(Intrinsics, RefOfResourcesIsWhatCloudFormationDocuments) {
  EXPECT_EQ(out("!Ref Send"), "chat-send");
  EXPECT_EQ(out("!Ref Messages"), "msgs");
  std::string api_id = out("!Ref Api");
  EXPECT_EQ(api_id.size(), 10u);
  EXPECT_EQ(api_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
  EXPECT_EQ(out("!Ref ProdStage"), "prod");
  EXPECT_EQ(error_of(with_outputs("  Out:\n    Value: !Ref Nope\n")),
            "template: Outputs.Out.Value.Ref: Ref to Nope, which is neither a parameter nor a "
            "resource");
}

TEST(Intrinsics, ApiIdsAreStablePerStackAndDifferBetweenStacks) {
  Options a, b;
  a.stack_name = "one";
  b.stack_name = "two";
  EXPECT_EQ(out("!Ref Api", a), out("!Ref Api", a));
  EXPECT_NE(out("!Ref Api", a), out("!Ref Api", b));
}

TEST(Intrinsics, GetAttInEveryForm) {
  std::string fn_arn = "arn:aws:lambda:us-east-1:123456789012:function:chat-send";
  EXPECT_EQ(out("!GetAtt Send.Arn"), fn_arn);
  EXPECT_EQ(out("!GetAtt [Send, Arn]"), fn_arn);
  EXPECT_EQ(out("{\"Fn::GetAtt\": [Send, Arn]}"), fn_arn);
  EXPECT_EQ(out("{\"Fn::GetAtt\": Messages.Arn}"),
            "arn:aws:dynamodb:us-east-1:123456789012:table/msgs");
  EXPECT_EQ(out("!GetAtt Messages.StreamArn"),
            std::string("arn:aws:dynamodb:us-east-1:123456789012:table/msgs/stream/") +
                kStreamLabelPlaceholder);
  std::string id = out("!Ref Api");
  EXPECT_EQ(out("!GetAtt Api.ApiId"), id);
  EXPECT_EQ(out("!GetAtt Api.ApiEndpoint"), "wss://" + id + ".execute-api.us-east-1.amazonaws.com");
  EXPECT_EQ(error_of(with_outputs("  Out:\n    Value: !GetAtt Send.Nope\n")),
            "template: Outputs.Out.Value.Fn::GetAtt: Fn::GetAtt: Send (AWS::Serverless::Function) "
            "has no attribute Nope that a local stack can resolve");
}

TEST(Intrinsics, SubInEveryForm) {
  std::string id = out("!Ref Api");
  EXPECT_EQ(out("!Sub \"${AWS::Region}-${Env}-${Send}\""), "us-east-1-dev-chat-send");
  EXPECT_EQ(out("!Sub \"wss://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ProdStage}\""),
            "wss://" + id + ".execute-api.us-east-1.amazonaws.com/prod");
  EXPECT_EQ(out("!Sub \"${Send.Arn}\""),
            "arn:aws:lambda:us-east-1:123456789012:function:chat-send");
  EXPECT_EQ(out("!Sub [\"${X}/${Env}\", {X: !GetAtt Messages.Arn}]"),
            "arn:aws:dynamodb:us-east-1:123456789012:table/msgs/dev");
  EXPECT_EQ(out("{\"Fn::Sub\": \"literal ${!NotAVariable} ${ Env }\"}"),
            "literal ${NotAVariable} dev");
  EXPECT_EQ(out("{\"Fn::Sub\": [\"${A}${A}\", {A: x}]}"), "xx");
  EXPECT_EQ(error_of(with_outputs("  Out:\n    Value: !Sub \"${Names}\"\n")),
            "template: Outputs.Out.Value.Fn::Sub: ${Names} is a list, not a string");
  EXPECT_EQ(error_of(with_outputs("  Out:\n    Value: !Sub \"${Env\"\n")),
            "template: Outputs.Out.Value.Fn::Sub: unterminated ${ in \"${Env\"");
}

TEST(Intrinsics, JoinSelectSplit) {
  EXPECT_EQ(out("!Join [\"-\", [a, !Ref Env, 3]]"), "a-dev-3");
  EXPECT_EQ(out("{\"Fn::Join\": [\",\", {Ref: Names}]}"), "a,b,c");
  EXPECT_EQ(out("!Select [1, !Ref Names]"), "b");
  EXPECT_EQ(out("{\"Fn::Select\": [\"2\", [x, y, z]]}"), "z");
  EXPECT_EQ(out("!Select [0, !Split [\"/\", \"p/q/r\"]]"), "p");
  EXPECT_EQ(out("!Join [\"+\", {\"Fn::Split\": [\"::\", \"a::b::\"]}]"), "a+b+");
  EXPECT_EQ(error_of(with_outputs("  Out:\n    Value: !Select [3, [a, b]]\n")),
            "template: Outputs.Out.Value.Fn::Select: index 3 is out of range for a list of 2");
  EXPECT_EQ(error_of(with_outputs("  Out:\n    Value: !Join [\"-\"]\n")),
            "template: Outputs.Out.Value.Fn::Join: expected a list of 2 items, got a list");
}

TEST(Intrinsics, IfAndTheConditionFunctions) {
  EXPECT_EQ(out("!If [IsProd, big, small]"), "small");
  EXPECT_EQ(out("{\"Fn::If\": [IsDev, yes, no]}"), "yes");
  Options prod;
  prod.parameter_overrides = {{"Env", "prod"}};
  EXPECT_EQ(out("!If [IsProd, big, small]", prod), "big");
  std::string more = R"(  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, {Condition: NotProd}]
  Either: {"Fn::Or": [{Condition: IsProd}, !Equals [!Ref Count, 3]]}
  Neither: {"Fn::Not": [{"Fn::Or": [!Condition IsProd, !Equals [x, y]]}]}
  Mapped: !Equals [!FindInMap [Sizes, !Ref "AWS::Region", Memory], 256]
  LongAnd: {"Fn::And": [{Condition: IsDev}, {"Fn::Not": [{Condition: IsProd}]}]}
)";
  auto s =
      plan(with_outputs("  A: {Value: !If [NotProd, t, f]}\n  B: {Value: !If [Both, t, f]}\n"
                        "  C: {Value: !If [Either, t, f]}\n  D: {Value: !If [Neither, t, f]}\n"
                        "  E: {Value: !If [Mapped, t, f]}\n",
                        more));
  EXPECT_EQ(output_of(s, "A"), "t");
  EXPECT_EQ(output_of(s, "B"), "t");
  EXPECT_EQ(output_of(s, "C"), "t");
  EXPECT_EQ(output_of(s, "D"), "t");
  EXPECT_EQ(output_of(s, "E"), "t");
  EXPECT_EQ(output_of(plan(with_outputs("  A: {Value: !If [LongAnd, t, f]}\n", more)), "A"), "t");
  EXPECT_EQ(output_of(plan(with_outputs("  A: {Value: !If [LongAnd, t, f]}\n", more), prod), "A"),
            "f");
  auto p = plan(with_outputs("  A: {Value: !If [NotProd, t, f]}\n  B: {Value: !If [Both, t, f]}\n"
                             "  C: {Value: !If [Either, t, f]}\n  D: {Value: !If [Neither, t, f]}\n"
                             "  E: {Value: !If [Mapped, t, f]}\n",
                             more),
                prod);
  EXPECT_EQ(output_of(p, "A"), "f");
  EXPECT_EQ(output_of(p, "B"), "f");
  EXPECT_EQ(output_of(p, "C"), "t");
  EXPECT_EQ(output_of(p, "D"), "f");
}

TEST(Intrinsics, ConditionsRefuseResourcesAndOtherFunctions) {
  EXPECT_EQ(error_of(with_outputs("  Out: {Value: !If [Bad, a, b]}\n",
                                  "  Bad: !Equals [!Ref Send, chat-send]\n")),
            "template: Conditions.Bad.Fn::Equals[0].Ref: a condition can refer to parameters only, "
            "not to Send");
  EXPECT_EQ(
      error_of(with_outputs("  Out: {Value: !If [Bad, a, b]}\n", "  Bad: !Select [0, [true]]\n")),
      "template: Conditions.Bad.Fn::Select: is not a condition function (Fn::Equals, "
      "Fn::Not, Fn::And, Fn::Or, Condition)");
  EXPECT_EQ(error_of(with_outputs("  Out: {Value: !If [Loop, a, b]}\n",
                                  "  Loop: !Not [!Condition Loop]\n")),
            "template: Conditions.Loop.Fn::Not[0].Condition: condition Loop refers to itself");
  EXPECT_EQ(error_of(with_outputs("  Out: {Value: !If [Missing, a, b]}\n")),
            "template: Outputs.Out.Value.Fn::If[0]: unknown condition Missing");
}

TEST(Intrinsics, FindInMapAndBase64) {
  EXPECT_EQ(out("!FindInMap [Sizes, !Ref AWS::Region, Memory]"), "256");
  Options eu;
  eu.region = "eu-west-1";
  EXPECT_EQ(out("{\"Fn::FindInMap\": [Sizes, {Ref: \"AWS::Region\"}, Memory]}", eu), "512");
  EXPECT_EQ(out("!Base64 hi"), "aGk=");
  EXPECT_EQ(out("{\"Fn::Base64\": !Sub \"${Env}!\"}"), "ZGV2IQ==");
  EXPECT_EQ(error_of(with_outputs("  Out: {Value: !FindInMap [Sizes, ap-south-1, Memory]}\n")),
            "template: Outputs.Out.Value.Fn::FindInMap: Mappings.Sizes has no key ap-south-1");
}

TEST(Intrinsics, NoValueRemovesTheProperty) {
  auto s = plan(R"(
Conditions:
  Never: !Equals [a, b]
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code
      Runtime: provided.al2023
      Handler: bootstrap
      Timeout: !If [Never, 30, !Ref AWS::NoValue]
      Environment:
        Variables:
          KEPT: "1"
          DROPPED: !If [Never, x, !Ref AWS::NoValue]
)");
  const Function* f = function_named(s, "F");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->timeout, 3);
  EXPECT_EQ(env_of(*f, "KEPT"), "1");
  EXPECT_EQ(env_of(*f, "DROPPED"), "<unset>");
}

TEST(Intrinsics, GetAZsListsThreeZonesOfTheRegion) {
  EXPECT_EQ(out("!Select [2, !GetAZs \"\"]"), "us-east-1c");
  EXPECT_EQ(out("{\"Fn::Join\": [\",\", {\"Fn::GetAZs\": eu-west-1}]}"),
            "eu-west-1a,eu-west-1b,eu-west-1c");
}

TEST(Intrinsics, UnsupportedFunctionsAreRefusedByName) {
  EXPECT_EQ(error_of(with_outputs("  Out: {Value: !ImportValue other-stack-output}\n")),
            "template: Outputs.Out.Value.Fn::ImportValue: is not supported: a local stack has no "
            "other stacks to import from");
  EXPECT_NE(error_of(with_outputs("  Out: {Value: {\"Fn::Cidr\": [a, 1, 2]}}\n"))
                .find("Outputs.Out.Value.Fn::Cidr: is not supported"),
            std::string::npos);
}

TEST(Parameters, OverridesDefaultsAndErrors) {
  Options o;
  o.parameter_overrides = {{"Env", "prod"}, {"Names", "x,y"}};
  auto s = plan(with_outputs("  Out: {Value: !Join [\"|\", !Ref Names]}\n"), o);
  EXPECT_EQ(output_of(s, "Out"), "x|y");
  ASSERT_EQ(s.parameters.size(), 3u);
  EXPECT_EQ(s.parameters[0], (std::pair<std::string, std::string>("Env", "prod")));

  const std::string required = "Parameters:\n  Stage: {Type: String}\nResources: {}\n";
  EXPECT_EQ(error_of(required), "template: Parameters.Stage: Parameters: [Stage] must have values");
  o.parameter_overrides = {{"Stage", "beta"}};
  EXPECT_EQ(plan(required, o).parameters[0].second, "beta");

  o.parameter_overrides = {{"Env", "staging"}};
  EXPECT_EQ(error_of(with_outputs(""), o),
            "template: Parameters.Env: Parameter 'Env' must be one of AllowedValues");
  o.parameter_overrides = {{"Count", "many"}};
  EXPECT_EQ(error_of(with_outputs(""), o),
            "template: Parameters.Count: expected a number, got \"many\"");
  o.parameter_overrides = {{"Nope", "1"}};
  EXPECT_EQ(error_of(with_outputs(""), o),
            "template: --parameter-overrides: Parameters: [Nope] do not exist in the template");
  EXPECT_EQ(error_of("Parameters:\n  P: {Type: String, Default: ab1, AllowedPattern: \"[a-z]+\"}\n"
                     "Resources: {}\n"),
            "template: Parameters.P: Parameter 'P' must match pattern [a-z]+");
  EXPECT_EQ(error_of("Parameters:\n  P: {Type: AWS::SSM::Parameter::Value<String>, Default: x}\n"
                     "Resources: {}\n"),
            "template: Parameters.P.Type: type AWS::SSM::Parameter::Value<String> is not "
            "supported (String, Number, CommaDelimitedList, List<Number>, List<String>)");
}

}  // namespace
}  // namespace tmpl
