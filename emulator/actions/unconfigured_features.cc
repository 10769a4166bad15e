// The read calls infrastructure tools make on every refresh for features the emulator does
// not have (Kinesis streaming, Contributor Insights, replica auto scaling, on-demand backups,
// resource policies): each answers as DynamoDB does for a table where nothing is configured,
// so a Terraform, CloudFormation/CDK or Pulumi refresh against the emulator sees no drift.
// The table must exist, with DynamoDB's errors when it does not.
#include "actions/actions.h"
#include "actions/common/tables.h"
#include "actions/common/tags.h"
#include "api/request.h"

namespace ddb::actions {
namespace {

storage::TablePtr existing_table(const api::Call& call) {
  std::string name = table_name_or_arn(call);
  return table_for_describe(call, name);
}

}  // namespace

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeKinesisStreamingDestination.html
void describe_kinesis_streaming_destination(const api::CallPtr& call) {
  auto table = existing_table(*call);
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("TableName");
  model::write_string(w, table->name);
  w.Key("KinesisDataStreamDestinations");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContributorInsights.html
void describe_contributor_insights(const api::CallPtr& call) {
  auto index = model::get_string(call->body(), "IndexName");
  std::string name = table_name_or_arn(*call);
  if (index && (index->size() < 3 || index->size() > 255))
    invalid("IndexName must be at least 3 characters long and at most 255 characters long");
  auto table = table_for_describe(*call, name);
  if (index && !table->index(*index))
    fail(Code::ResourceNotFound,
         "Requested resource not found: Index: " + std::string(*index) + " not found");
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("TableName");
  model::write_string(w, table->name);
  if (index) {
    w.Key("IndexName");
    model::write_string(w, *index);
  }
  w.Key("ContributorInsightsStatus");
  w.String("DISABLED");
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTableReplicaAutoScaling.html
void describe_table_replica_auto_scaling(const api::CallPtr& call) {
  auto table = existing_table(*call);
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("TableAutoScalingDescription");
  w.StartObject();
  w.Key("TableName");
  model::write_string(w, table->name);
  w.Key("TableStatus");
  w.String("ACTIVE");
  w.Key("Replicas");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListBackups.html
void list_backups(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  auto limit = model::get_integer(body, "Limit");
  auto start = model::get_string(body, "ExclusiveStartBackupArn");
  auto type = model::get_string(body, "BackupType");
  api::Constraints c;
  c.length("tableName", name, 1, 1024);
  c.at_least("limit", limit, 1);
  c.at_most("limit", limit, 100);
  c.length("exclusiveStartBackupArn", start, 37, 1024);
  c.one_of("backupType", type, {"USER", "SYSTEM", "AWS_BACKUP", "ALL"});
  c.check();
  call->reply(R"({"BackupSummaries":[]})");
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetResourcePolicy.html
void get_resource_policy(const api::CallPtr& call) {
  auto arn = model::get_string(call->body(), "ResourceArn");
  api::Constraints c;
  c.not_null("resourceArn", arn.has_value());
  c.length("resourceArn", arn, 1, 1283);
  c.check();
  ResourceArn parsed = parse_resource_arn(*arn);
  if (parsed.region != call->region)
    invalid("One or more parameter values were invalid: Invalid resource Arn: " +
            std::string(*arn));
  if (parsed.account != "000000000000")
    fail(Code::ResourceNotFound,
         "Requested resource not found: Table: " + parsed.table + " not found");
  table_for_describe(*call, parsed.table);
  fail(Code::PolicyNotFound,
       "Resource-based policy not found for the provided ResourceArn: " + std::string(*arn));
}

}  // namespace ddb::actions
