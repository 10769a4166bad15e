// Tables, functions (with Globals), stream mappings, notices and the errors they raise.
#include "template/test_support.h"

namespace tmpl {
namespace {

using testing::env_of;
using testing::error_of;
using testing::function_named;
using testing::has_notice;
using testing::plan;

TEST(Tables, DynamoDBTableBecomesACreateTableRequest) {
  auto s = plan(R"(
Resources:
  Messages:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {AttributeName: room, AttributeType: S}
        - {AttributeName: ts, AttributeType: N}
        - {AttributeName: user, AttributeType: S}
      KeySchema: [{AttributeName: room, KeyType: HASH}, {AttributeName: ts, KeyType: RANGE}]
      ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: "2"}
      GlobalSecondaryIndexes:
        - IndexName: byUser
          KeySchema: [{AttributeName: user, KeyType: HASH}]
          Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [text]}
          ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
      LocalSecondaryIndexes:
        - IndexName: byUserInRoom
          KeySchema: [{AttributeName: room, KeyType: HASH}, {AttributeName: user, KeyType: RANGE}]
          Projection: {ProjectionType: KEYS_ONLY}
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
      TimeToLiveSpecification: {AttributeName: expiresAt, Enabled: true}
      SSESpecification: {SSEEnabled: true}
)");
  ASSERT_EQ(s.tables.size(), 1u);
  const Table& t = s.tables[0];
  EXPECT_EQ(t.name, "Messages");  // the logical id when TableName is not given
  EXPECT_EQ(t.arn, "arn:aws:dynamodb:us-east-1:123456789012:table/Messages");
  EXPECT_EQ(t.ttl_attribute, "expiresAt");
  EXPECT_TRUE(t.ttl_enabled);
  EXPECT_EQ(to_json(t.create_table),
            R"({
  "TableName": "Messages",
  "AttributeDefinitions": [
    {
      "AttributeName": "room",
      "AttributeType": "S"
    },
    {
      "AttributeName": "ts",
      "AttributeType": "N"
    },
    {
      "AttributeName": "user",
      "AttributeType": "S"
    }
  ],
  "KeySchema": [
    {
      "AttributeName": "room",
      "KeyType": "HASH"
    },
    {
      "AttributeName": "ts",
      "KeyType": "RANGE"
    }
  ],
  "BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {
    "ReadCapacityUnits": 5,
    "WriteCapacityUnits": 2
  },
  "GlobalSecondaryIndexes": [
    {
      "IndexName": "byUser",
      "KeySchema": [
        {
          "AttributeName": "user",
          "KeyType": "HASH"
        }
      ],
      "Projection": {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": [
          "text"
        ]
      },
      "ProvisionedThroughput": {
        "ReadCapacityUnits": 1,
        "WriteCapacityUnits": 1
      }
    }
  ],
  "LocalSecondaryIndexes": [
    {
      "IndexName": "byUserInRoom",
      "KeySchema": [
        {
          "AttributeName": "room",
          "KeyType": "HASH"
        },
        {
          "AttributeName": "user",
          "KeyType": "RANGE"
        }
      ],
      "Projection": {
        "ProjectionType": "KEYS_ONLY"
      }
    }
  ],
  "StreamSpecification": {
    "StreamEnabled": true,
    "StreamViewType": "NEW_AND_OLD_IMAGES"
  }
})");
  EXPECT_TRUE(
      has_notice(s, "Messages (AWS::DynamoDB::Table): SSESpecification accepted, not enforced"));
}

TEST(Tables, ProvisionedIsTheDefaultAndNeedsAThroughput) {
  EXPECT_EQ(error_of(R"(
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
)"),
            "template: Resources.T.Properties.ProvisionedThroughput: required when BillingMode is "
            "PROVISIONED");
  EXPECT_EQ(error_of(R"(
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: X}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
)"),
            "template: Resources.T.Properties.AttributeDefinitions[0].AttributeType: expected one "
            "of S, N, B, got \"X\"");
}

TEST(Tables, SimpleTableDefaultsToAnOnDemandStringKeyNamedId) {
  auto s = plan(R"(
Resources:
  Plain: {Type: AWS::Serverless::SimpleTable}
  Counted:
    Type: AWS::Serverless::SimpleTable
    Properties:
      TableName: counters
      PrimaryKey: {Name: n, Type: Number}
      ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 3}
)");
  ASSERT_EQ(s.tables.size(), 2u);
  const Value& plain = s.tables[0].create_table;
  EXPECT_EQ(*plain.find("BillingMode"), Value::string("PAY_PER_REQUEST"));
  EXPECT_EQ(*plain.find("KeySchema")->list[0].find("AttributeName"), Value::string("id"));
  EXPECT_EQ(*plain.find("AttributeDefinitions")->list[0].find("AttributeType"), Value::string("S"));
  const Value& counted = s.tables[1].create_table;
  EXPECT_EQ(s.tables[1].name, "counters");
  EXPECT_EQ(*counted.find("BillingMode"), Value::string("PROVISIONED"));
  EXPECT_EQ(*counted.find("AttributeDefinitions")->list[0].find("AttributeType"),
            Value::string("N"));
}

const char* kGlobals = R"(
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 10
    Layers: [global-layer]
    Environment:
      Variables: {TABLE: t, LEVEL: info}
Resources:
  Uses:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../functions/send/
      Timeout: 20
      MemorySize: 512
      ReservedConcurrentExecutions: 5
      Environment:
        Variables: {LEVEL: debug, EXTRA: "1"}
  Inherits:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-inherits"
      CodeUri: /abs/code
  Plain:
    Type: AWS::Lambda::Function
    Properties: {Code: code, Runtime: python3.12, Handler: app.handler}
)";

TEST(Functions, GlobalsMergeAsSamMergesThem) {
  auto s = plan(kGlobals);
  const Function* uses = function_named(s, "Uses");
  ASSERT_NE(uses, nullptr);
  EXPECT_EQ(uses->name, "Uses");
  EXPECT_EQ(uses->arn, "arn:aws:lambda:us-east-1:123456789012:function:Uses");
  EXPECT_EQ(uses->code_uri, "/base/functions/send");
  EXPECT_EQ(uses->runtime, "provided.al2023");
  EXPECT_EQ(uses->timeout, 20);  // the function's own value wins
  EXPECT_EQ(uses->memory_size, 512);
  EXPECT_EQ(uses->reserved_concurrency, 5);
  EXPECT_EQ(env_of(*uses, "TABLE"), "t");  // maps merge
  EXPECT_EQ(env_of(*uses, "LEVEL"), "debug");
  EXPECT_EQ(env_of(*uses, "EXTRA"), "1");
  const Function* inherits = function_named(s, "Inherits");
  ASSERT_NE(inherits, nullptr);
  EXPECT_EQ(inherits->name, "test-inherits");
  EXPECT_EQ(inherits->code_uri, "/abs/code");
  EXPECT_EQ(inherits->timeout, 10);
  EXPECT_EQ(inherits->memory_size, 128);
  EXPECT_FALSE(inherits->reserved_concurrency);
  EXPECT_EQ(env_of(*inherits, "LEVEL"), "info");
  // Globals apply to SAM functions only.
  const Function* p = function_named(s, "Plain");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->timeout, 3);
  EXPECT_EQ(p->code_uri, "/base/dir/code");
  EXPECT_TRUE(p->environment.empty());
  EXPECT_TRUE(has_notice(s, "Uses (AWS::Serverless::Function): Layers accepted, not enforced"));
}

TEST(Functions, RuntimesTheHostDoesNotRunGetANotice) {
  auto s = plan(R"(
Resources:
  Node: {Type: AWS::Serverless::Function, Properties: {CodeUri: c, Runtime: nodejs22.x, Handler: a.b}}
  Py: {Type: AWS::Serverless::Function, Properties: {CodeUri: c, Runtime: python3.13, Handler: a.b}}
  Own: {Type: AWS::Serverless::Function, Properties: {CodeUri: c, Runtime: provided.al2, Handler: b}}
  Java: {Type: AWS::Serverless::Function, Properties: {CodeUri: c, Runtime: java21, Handler: a::b}}
  Net: {Type: AWS::Lambda::Function, Properties: {Code: c, Runtime: dotnet8, Handler: a::b::c}}
)");
  std::string tail =
      " is not supported (provided.al2023, provided.al2, nodejs18.x, nodejs20.x, nodejs22.x and "
      "python3.x are): it is started as a custom runtime, from CodeUri/bootstrap";
  EXPECT_TRUE(has_notice(s, "Java (AWS::Serverless::Function): Runtime java21" + tail));
  EXPECT_TRUE(has_notice(s, "Net (AWS::Lambda::Function): Runtime dotnet8" + tail));
  EXPECT_EQ(s.notices.size(), 2u);
}

TEST(Functions, ContainerImagesAreReportedAndPlannedWithoutCode) {
  auto s = plan(R"(
Resources:
  Sam:
    Type: AWS::Serverless::Function
    Properties: {PackageType: Image, ImageUri: 1.dkr.ecr.us-east-1.amazonaws.com/x:1, Timeout: 9}
    Metadata: {Dockerfile: Dockerfile, DockerContext: ./app}
  Plain:
    Type: AWS::Lambda::Function
    Properties: {PackageType: Image, Code: {ImageUri: repo/x:1}, ImageConfig: {Command: [app]}}
  Zip: {Type: AWS::Serverless::Function, Properties: {CodeUri: c, Runtime: nodejs20.x, Handler: a.b}}
)");
  std::string what =
      "a container image (PackageType Image) is not supported: the function is planned without "
      "code and its invocations fail";
  EXPECT_TRUE(has_notice(s, "Sam (AWS::Serverless::Function): " + what));
  EXPECT_TRUE(has_notice(s, "Plain (AWS::Lambda::Function): " + what));
  EXPECT_EQ(s.notices.size(), 2u);
  const Function* sam = function_named(s, "Sam");
  ASSERT_NE(sam, nullptr);
  EXPECT_EQ(sam->code_uri, "");
  EXPECT_EQ(sam->runtime, "");
  EXPECT_EQ(sam->timeout, 9);
  EXPECT_NE(function_named(s, "Zip")->code_uri, "");
  EXPECT_THROW(plan("Resources:\n  F: {Type: AWS::Serverless::Function, Properties: "
                    "{PackageType: Docker}}\n"),
               std::exception);
}

TEST(Functions, ErrorsNameTheResourceAndProperty) {
  const std::string head =
      "Resources:\n  SendFunction:\n    Type: AWS::Serverless::Function\n"
      "    Properties:\n      Runtime: provided.al2023\n      Handler: b\n";
  EXPECT_EQ(error_of(head + "      CodeUri: c\n      Timeout: abc\n"),
            "template: Resources.SendFunction.Properties.Timeout: expected a number, got \"abc\"");
  EXPECT_EQ(error_of(head + "      CodeUri: c\n      Timeout: 901\n"),
            "template: Resources.SendFunction.Properties.Timeout: expected a value from 1 to 900, "
            "got 901");
  EXPECT_EQ(error_of(head + "      CodeUri: {Bucket: b, Key: k}\n"),
            "template: Resources.SendFunction.Properties.CodeUri: an S3 location is not "
            "supported; give a folder relative to the template");
  EXPECT_EQ(error_of(head + "      InlineCode: print(1)\n"),
            "template: Resources.SendFunction.Properties.InlineCode: inline code is not "
            "supported; give CodeUri, a folder");
  EXPECT_EQ(error_of(head),
            "template: Resources.SendFunction.Properties.CodeUri: required property is missing (a "
            "folder)");
  EXPECT_EQ(error_of("Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                     "      Runtime: python3.12\n      Handler: a.b\n"
                     "      Code: {ZipFile: \"def handler(e, c): pass\"}\n"),
            "template: Resources.F.Properties.Code: Code.ZipFile (inline code) is not supported; "
            "give a folder relative to the template");
  EXPECT_EQ(error_of("Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                     "      Code: c\n      Handler: a.b\n"),
            "template: Resources.F.Properties.Runtime: required property is missing");
  EXPECT_EQ(error_of(head + "      CodeUri: c\n      Environment: {Variables: {A: [1]}}\n"),
            "template: Resources.SendFunction.Properties.Environment.Variables.A: expected a "
            "string, got a list");
}

TEST(Resources, ConditionsDecideWhatIsCreated) {
  const std::string t = R"(
Parameters:
  WithHistory: {Type: String, Default: "false"}
Conditions:
  History: !Equals [!Ref WithHistory, "true"]
Resources:
  HistoryTable:
    Type: AWS::Serverless::SimpleTable
    Condition: History
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: c
      Runtime: provided.al2023
      Handler: b
      Environment:
        Variables:
          HISTORY: !If [History, !Ref HistoryTable, none]
)";
  auto off = plan(t);
  EXPECT_TRUE(off.tables.empty());
  EXPECT_EQ(env_of(off.functions.at(0), "HISTORY"), "none");
  EXPECT_TRUE(has_notice(off,
                         "HistoryTable (AWS::Serverless::SimpleTable): not created (its "
                         "condition is false)"));
  Options on;
  on.parameter_overrides = {{"WithHistory", "true"}};
  auto s = plan(t, on);
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(env_of(s.functions.at(0), "HISTORY"), "HistoryTable");
  EXPECT_EQ(error_of(t + "Outputs:\n  O: {Value: !Ref HistoryTable}\n"),
            "template: Outputs.O.Value.Ref: Ref to HistoryTable, which is not created (its "
            "condition is false)");
}

TEST(Resources, NoticesForWhatIsAcceptedOrSkipped) {
  auto s = plan(R"(
Resources:
  Role: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
  Perm: {Type: AWS::Lambda::Permission, Properties: {Action: lambda:InvokeFunction}}
  Queue: {Type: AWS::SQS::Queue}
  T:
    Type: AWS::Serverless::SimpleTable
    DependsOn: Role
    Properties: {Frobnicate: 1}
)");
  EXPECT_TRUE(has_notice(s, "Role (AWS::IAM::Role): accepted, not enforced"));
  EXPECT_TRUE(has_notice(s, "Perm (AWS::Lambda::Permission): accepted, not enforced"));
  EXPECT_TRUE(has_notice(s, "Queue (AWS::SQS::Queue): resource type not supported, skipped"));
  EXPECT_TRUE(has_notice(s, "T (AWS::Serverless::SimpleTable): DependsOn accepted, not enforced"));
  EXPECT_TRUE(has_notice(s,
                         "T (AWS::Serverless::SimpleTable): property Frobnicate is not "
                         "supported, skipped"));
  EXPECT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(error_of("Resources:\n  X: {Properties: {}}\n"),
            "template: Resources.X.Type: required property is missing");
  EXPECT_EQ(error_of("Resource: {}\n"), "template: Resource: unknown template section");
  EXPECT_EQ(error_of("Description: x\n"),
            "template: Resources: the template has no Resources section");
}

const char* kStreams = R"(
Resources:
  Messages:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: msgs
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Fanout:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: c
      Runtime: provided.al2023
      Handler: b
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Messages.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumBatchingWindowInSeconds: 1
            MaximumRetryAttempts: 2
            MaximumRecordAgeInSeconds: 60
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria: {Filters: [{Pattern: "{\"eventName\": [\"INSERT\"]}"}]}
            Enabled: false
            ParallelizationFactor: 2
            TumblingWindowInSeconds: 30
        Every:
          Type: Schedule
          Properties: {Schedule: rate(1 minute)}
  Audit:
    Type: AWS::Lambda::Function
    Properties: {Code: c, Runtime: provided.al2023, Handler: b}
  AuditMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Messages.StreamArn
      FunctionName: !GetAtt Audit.Arn
      StartingPosition: LATEST
      DestinationConfig: {OnFailure: {Destination: arn:aws:sqs:us-east-1:123456789012:dlq}}
)";

TEST(Streams, FunctionEventsAndMappingResources) {
  auto s = plan(kStreams);
  ASSERT_EQ(s.event_source_mappings.size(), 2u);
  const EventSourceMapping& e = s.event_source_mappings[0];
  EXPECT_EQ(e.logical_id, "FanoutStream");
  EXPECT_EQ(e.function, "Fanout");
  EXPECT_EQ(e.table_logical_id, "Messages");
  EXPECT_EQ(e.table_name, "msgs");
  EXPECT_EQ(e.stream_arn, s.tables[0].stream_arn);
  EXPECT_EQ(e.starting_position, "TRIM_HORIZON");
  EXPECT_EQ(e.batch_size, 10);
  EXPECT_EQ(e.maximum_batching_window_in_seconds, 1);
  EXPECT_EQ(e.maximum_retry_attempts, 2);
  EXPECT_EQ(e.maximum_record_age_in_seconds, 60);
  EXPECT_TRUE(e.bisect_batch_on_function_error);
  EXPECT_EQ(e.function_response_types, std::vector<std::string>{"ReportBatchItemFailures"});
  EXPECT_EQ(e.filter_criteria.find("Filters")->list.size(), 1u);
  EXPECT_FALSE(e.enabled);
  EXPECT_EQ(e.parallelization_factor, 2);
  // Lambda's defaults where the template says nothing.
  const EventSourceMapping& m = s.event_source_mappings[1];
  EXPECT_EQ(m.logical_id, "AuditMapping");
  EXPECT_EQ(m.function, "Audit");
  EXPECT_EQ(m.starting_position, "LATEST");
  EXPECT_EQ(m.batch_size, 100);
  EXPECT_EQ(m.maximum_retry_attempts, -1);
  EXPECT_EQ(m.maximum_record_age_in_seconds, -1);
  EXPECT_TRUE(m.enabled);
  EXPECT_TRUE(m.filter_criteria.is_null());
  EXPECT_EQ(m.parallelization_factor, 1);
  EXPECT_FALSE(has_notice(s,
                          "Fanout (AWS::Serverless::Function): Events.Stream.Properties."
                          "ParallelizationFactor accepted, not enforced"));
  EXPECT_TRUE(has_notice(s,
                         "Fanout (AWS::Serverless::Function): Events.Stream.Properties."
                         "TumblingWindowInSeconds accepted, not enforced"));
  EXPECT_TRUE(has_notice(s,
                         "AuditMapping (AWS::Lambda::EventSourceMapping): DestinationConfig "
                         "accepted, not enforced"));
  EXPECT_TRUE(has_notice(s,
                         "Fanout (AWS::Serverless::Function): Events.Every (type Schedule) is "
                         "not supported, skipped"));
}

TEST(Streams, MappingErrors) {
  std::string t = kStreams;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string copy = t;
    copy.replace(copy.find(from), from.size(), to);
    return copy;
  };
  EXPECT_EQ(error_of(replace("StartingPosition: TRIM_HORIZON", "StartingPosition: AT_TIMESTAMP")),
            "template: Resources.Fanout.Properties.Events.Stream.Properties.StartingPosition: "
            "expected one of TRIM_HORIZON, LATEST, got \"AT_TIMESTAMP\"");
  EXPECT_EQ(error_of(replace("BatchSize: 10", "BatchSize: 0")),
            "template: Resources.Fanout.Properties.Events.Stream.Properties.BatchSize: expected a "
            "value from 1 to 10000, got 0");
  EXPECT_EQ(error_of(replace("ParallelizationFactor: 2", "ParallelizationFactor: 11")),
            "template: Resources.Fanout.Properties.Events.Stream.Properties."
            "ParallelizationFactor: expected a value from 1 to 10, got 11");
  EXPECT_EQ(error_of(replace("TumblingWindowInSeconds: 30", "TumblingWindowInSeconds: 901")),
            "template: Resources.Fanout.Properties.Events.Stream.Properties."
            "TumblingWindowInSeconds: expected a value from 0 to 900, got 901");
  EXPECT_EQ(error_of(replace("MaximumRecordAgeInSeconds: 60", "MaximumRecordAgeInSeconds: 59")),
            "template: Resources.Fanout.Properties.Events.Stream.Properties."
            "MaximumRecordAgeInSeconds: expected a value from 60 to 604800, got 59");
  EXPECT_EQ(error_of(replace("Stream: !GetAtt Messages.StreamArn", "Stream: arn:aws:x")),
            "template: Resources.Fanout.Properties.Events.Stream.Properties.Stream: \"arn:aws:x\" "
            "is not the stream of a table in the template");
  EXPECT_EQ(error_of(replace("FunctionName: !GetAtt Audit.Arn", "FunctionName: Other")),
            "template: Resources.AuditMapping.Properties.FunctionName: names function Other, "
            "which the template does not define");
}

}  // namespace
}  // namespace tmpl
