// The input shapes of the operations the emulator serves, from DynamoDB's API model
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html),
// and the walk that checks a request body against one.
//
// What DynamoDB answers for a member of the wrong kind depends on the kind expected and on
// where the member sits (recorded against DynamoDB by dynalite's and floci's suites):
// - a scalar: TRUE_VALUE / FALSE_VALUE / NUMBER_VALUE / DECIMAL_VALUE / STRING_VALUE "cannot be
//   converted to" String, Integer, Long, Double or Boolean; an object "Start of structure or
//   map found where not expected"; a boolean also takes the strings "true" and "false";
// - a blob: "only base-64-encoded strings are convertible to bytes", then the Base64 checks;
// - a list or map given a scalar, or a structure member given a scalar: "Unexpected field
//   type"; a list given an object: "Start of structure or map found where not expected";
// - a structure (an AttributeValue included) inside a list or map given a scalar: "Unexpected
//   value type in payload";
// - an array where no list belongs, and a list or map directly inside another collection given
//   a scalar: "UnknownError" (the Java class names older DynamoDB printed there are gone).
#include "api/shapes.h"

#include <deque>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/base64.h"
#include "model/error.h"

namespace ddb::api {
namespace {

struct Shape {
  enum class Kind { String, Integer, Long, Double, Boolean, Blob, Date, List, Map, Struct, Value };
  Kind kind;
  const Shape* element = nullptr;                             // List, Map
  std::vector<std::pair<std::string, const Shape*>> members;  // Struct
};
using K = Shape::Kind;

// Where a value sits: a structure's member, or an element of a list or map.
enum class Place { Member, Element };

[[noreturn]] void serialization(std::string message) { fail(Code::Serialization, message); }

const char* scalar_name(K k) {
  switch (k) {
    case K::String: return "String";
    case K::Integer: return "Integer";
    case K::Long: return "Long";
    case K::Double: return "Double";
    case K::Boolean: return "Boolean";
    case K::Date: return "Date";
    default: return "Blob";
  }
}

void check_blob(const model::Json& j) {
  if (j.IsArray()) serialization("UnknownError");
  if (j.IsObject()) serialization("Start of structure or map found where not expected");
  if (!j.IsString()) serialization("only base-64-encoded strings are convertible to bytes");
  std::string_view text = model::view(j);
  if (model::base64_decode(text)) return;
  if (text.size() % 4)
    serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                  std::to_string(text.size()));
  serialization("Invalid last non-pad Base64 character dectected");
}

void check(const model::Json& j, const Shape& s, Place place);

void check_value(const model::Json& j, Place place) {
  static const Shape kString{K::String}, kBlob{K::Blob}, kBoolean{K::Boolean};
  static const Shape kStrings{K::List, &kString}, kBlobs{K::List, &kBlob};
  static const Shape kValue{K::Value};
  static const Shape kValues{K::List, &kValue}, kValueMap{K::Map, &kValue};
  if (j.IsArray()) serialization("UnknownError");
  if (!j.IsObject())
    serialization(place == Place::Element ? "Unexpected value type in payload"
                                          : "Unexpected field type");
  for (auto it = j.MemberBegin(); it != j.MemberEnd(); ++it) {
    std::string_view name = model::view(it->name);
    const Shape* s = name == "S" || name == "N"         ? &kString
                     : name == "B"                      ? &kBlob
                     : name == "BOOL" || name == "NULL" ? &kBoolean
                     : name == "SS" || name == "NS"     ? &kStrings
                     : name == "BS"                     ? &kBlobs
                     : name == "L"                      ? &kValues
                     : name == "M"                      ? &kValueMap
                                                        : nullptr;
    if (s && !it->value.IsNull()) check(it->value, *s, Place::Member);
  }
}

void check(const model::Json& j, const Shape& s, Place place) {
  switch (s.kind) {
    case K::String:
    case K::Integer:
    case K::Long:
    case K::Double:
    case K::Date:
    case K::Boolean: {
      bool ok = s.kind == K::String    ? j.IsString()
                : s.kind == K::Boolean ? model::boolean_of(j).has_value()
                                       : j.IsNumber();
      if (!ok) model::wrong_json_type(j, scalar_name(s.kind));
      return;
    }
    case K::Blob: return check_blob(j);
    case K::Value: return check_value(j, place);
    case K::List:
      if (j.IsObject()) serialization("Start of structure or map found where not expected");
      if (!j.IsArray())
        serialization(place == Place::Element ? "UnknownError" : "Unexpected field type");
      for (const auto& e : j.GetArray())
        if (!e.IsNull()) check(e, *s.element, Place::Element);
      return;
    case K::Map:
      if (j.IsArray()) serialization("UnknownError");
      if (!j.IsObject())
        serialization(place == Place::Element ? "UnknownError" : "Unexpected field type");
      for (auto it = j.MemberBegin(); it != j.MemberEnd(); ++it)
        if (!it->value.IsNull()) check(it->value, *s.element, Place::Element);
      return;
    case K::Struct:
      if (j.IsArray()) serialization("UnknownError");
      if (!j.IsObject())
        serialization(place == Place::Element ? "Unexpected value type in payload"
                                              : "Unexpected field type");
      for (auto it = j.MemberBegin(); it != j.MemberEnd(); ++it) {
        if (it->value.IsNull()) continue;
        std::string_view name = model::view(it->name);
        for (const auto& [member, shape] : s.members)
          if (member == name) {
            check(it->value, *shape, Place::Member);
            break;
          }
      }
      return;
  }
}

// The shapes, built once.
class Shapes {
 public:
  Shapes() { define(); }
  const Shape* find(std::string_view op) const {
    auto it = ops_.find(std::string(op));
    return it == ops_.end() ? nullptr : it->second;
  }

 private:
  using Members = std::initializer_list<std::pair<const char*, const Shape*>>;
  const Shape* make(Shape s) { return &arena_.emplace_back(std::move(s)); }
  const Shape* str() { return &string_; }
  const Shape* integer() { return &integer_; }
  const Shape* long_() { return &long_shape_; }
  const Shape* boolean() { return &boolean_; }
  const Shape* list(const Shape* e) { return make({K::List, e, {}}); }
  const Shape* map(const Shape* e) { return make({K::Map, e, {}}); }
  const Shape* value() { return &value_; }
  const Shape* item() { return map(value()); }
  const Shape* structure(Members members) {
    Shape s{K::Struct, nullptr, {}};
    for (const auto& [n, m] : members) s.members.emplace_back(n, m);
    return make(std::move(s));
  }
  void op(const char* name, Members members) { ops_[name] = structure(members); }

  void define();

  std::deque<Shape> arena_;
  Shape string_{K::String}, integer_{K::Integer}, long_shape_{K::Long}, boolean_{K::Boolean},
      value_{K::Value};
  std::unordered_map<std::string, const Shape*> ops_;
};

void Shapes::define() {
  const Shape* names = map(str());
  const Shape* values = item();
  const Shape* strings = list(str());
  const Shape* tags = list(structure({{"Key", str()}, {"Value", str()}}));
  const Shape* throughput =
      structure({{"ReadCapacityUnits", long_()}, {"WriteCapacityUnits", long_()}});
  const Shape* on_demand =
      structure({{"MaxReadRequestUnits", long_()}, {"MaxWriteRequestUnits", long_()}});
  const Shape* warm =
      structure({{"ReadUnitsPerSecond", long_()}, {"WriteUnitsPerSecond", long_()}});
  const Shape* key_schema = list(structure({{"AttributeName", str()}, {"KeyType", str()}}));
  const Shape* projection = structure({{"ProjectionType", str()}, {"NonKeyAttributes", strings}});
  const Shape* stream = structure({{"StreamEnabled", boolean()}, {"StreamViewType", str()}});
  const Shape* sse =
      structure({{"Enabled", boolean()}, {"SSEType", str()}, {"KMSMasterKeyId", str()}});
  const Shape* expected_value = structure({{"Value", value()},
                                           {"Exists", boolean()},
                                           {"ComparisonOperator", str()},
                                           {"AttributeValueList", list(value())}});
  const Shape* condition =
      structure({{"AttributeValueList", list(value())}, {"ComparisonOperator", str()}});
  const Shape* attribute_update = structure({{"Value", value()}, {"Action", str()}});
  const Shape* gsi = structure({{"IndexName", str()},
                                {"KeySchema", key_schema},
                                {"Projection", projection},
                                {"ProvisionedThroughput", throughput},
                                {"OnDemandThroughput", on_demand},
                                {"WarmThroughput", warm}});
  const Shape* lsi =
      structure({{"IndexName", str()}, {"KeySchema", key_schema}, {"Projection", projection}});
  const Shape* keys_and_attributes = structure({{"Keys", list(item())},
                                                {"AttributesToGet", strings},
                                                {"ConsistentRead", boolean()},
                                                {"ProjectionExpression", str()},
                                                {"ExpressionAttributeNames", names}});
  const Shape* write_request = structure({{"PutRequest", structure({{"Item", item()}})},
                                          {"DeleteRequest", structure({{"Key", item()}})}});

  // PartiQL's BatchStatementRequest and ParameterizedStatement.
  op("BatchExecuteStatement",
     {{"Statements", list(structure({{"Statement", str()},
                                     {"Parameters", list(value())},
                                     {"ConsistentRead", boolean()},
                                     {"ReturnValuesOnConditionCheckFailure", str()}}))},
      {"ReturnConsumedCapacity", str()}});
  op("BatchGetItem",
     {{"RequestItems", map(keys_and_attributes)}, {"ReturnConsumedCapacity", str()}});
  op("BatchWriteItem", {{"RequestItems", map(list(write_request))},
                        {"ReturnConsumedCapacity", str()},
                        {"ReturnItemCollectionMetrics", str()}});
  op("CreateTable", {{"AttributeDefinitions",
                      list(structure({{"AttributeName", str()}, {"AttributeType", str()}}))},
                     {"TableName", str()},
                     {"KeySchema", key_schema},
                     {"LocalSecondaryIndexes", list(lsi)},
                     {"GlobalSecondaryIndexes", list(gsi)},
                     {"BillingMode", str()},
                     {"ProvisionedThroughput", throughput},
                     {"StreamSpecification", stream},
                     {"SSESpecification", sse},
                     {"Tags", tags},
                     {"TableClass", str()},
                     {"DeletionProtectionEnabled", boolean()},
                     {"WarmThroughput", warm},
                     {"ResourcePolicy", str()},
                     {"OnDemandThroughput", on_demand}});
  op("DeleteItem", {{"TableName", str()},
                    {"Key", item()},
                    {"Expected", map(expected_value)},
                    {"ConditionalOperator", str()},
                    {"ReturnValues", str()},
                    {"ReturnConsumedCapacity", str()},
                    {"ReturnItemCollectionMetrics", str()},
                    {"ConditionExpression", str()},
                    {"ExpressionAttributeNames", names},
                    {"ExpressionAttributeValues", values},
                    {"ReturnValuesOnConditionCheckFailure", str()}});
  op("DeleteTable", {{"TableName", str()}});
  op("DescribeContinuousBackups", {{"TableName", str()}});
  op("DescribeContributorInsights", {{"TableName", str()}, {"IndexName", str()}});
  op("DescribeEndpoints", {});
  op("DescribeKinesisStreamingDestination", {{"TableName", str()}});
  op("DescribeLimits", {});
  op("DescribeTable", {{"TableName", str()}});
  op("DescribeTableReplicaAutoScaling", {{"TableName", str()}});
  op("DescribeTimeToLive", {{"TableName", str()}});
  op("ExecuteTransaction",
     {{"TransactStatements", list(structure({{"Statement", str()},
                                             {"Parameters", list(value())},
                                             {"ReturnValuesOnConditionCheckFailure", str()}}))},
      {"ClientRequestToken", str()},
      {"ReturnConsumedCapacity", str()}});
  op("ExecuteStatement", {{"Statement", str()},
                          {"Parameters", list(value())},
                          {"ConsistentRead", boolean()},
                          {"NextToken", str()},
                          {"ReturnConsumedCapacity", str()},
                          {"Limit", integer()},
                          {"ReturnValuesOnConditionCheckFailure", str()}});
  op("GetItem", {{"TableName", str()},
                 {"Key", item()},
                 {"AttributesToGet", strings},
                 {"ConsistentRead", boolean()},
                 {"ReturnConsumedCapacity", str()},
                 {"ProjectionExpression", str()},
                 {"ExpressionAttributeNames", names}});
  op("GetResourcePolicy", {{"ResourceArn", str()}});
  op("ListBackups", {{"TableName", str()},
                     {"Limit", integer()},
                     {"TimeRangeLowerBound", make({K::Date, nullptr, {}})},
                     {"TimeRangeUpperBound", make({K::Date, nullptr, {}})},
                     {"ExclusiveStartBackupArn", str()},
                     {"BackupType", str()}});
  op("ListTables", {{"ExclusiveStartTableName", str()}, {"Limit", integer()}});
  op("ListTagsOfResource", {{"ResourceArn", str()}, {"NextToken", str()}});
  op("PutItem", {{"TableName", str()},
                 {"Item", item()},
                 {"Expected", map(expected_value)},
                 {"ReturnValues", str()},
                 {"ReturnConsumedCapacity", str()},
                 {"ReturnItemCollectionMetrics", str()},
                 {"ConditionalOperator", str()},
                 {"ConditionExpression", str()},
                 {"ExpressionAttributeNames", names},
                 {"ExpressionAttributeValues", values},
                 {"ReturnValuesOnConditionCheckFailure", str()}});
  op("Query", {{"TableName", str()},
               {"IndexName", str()},
               {"Select", str()},
               {"AttributesToGet", strings},
               {"Limit", integer()},
               {"ConsistentRead", boolean()},
               {"KeyConditions", map(condition)},
               {"QueryFilter", map(condition)},
               {"ConditionalOperator", str()},
               {"ScanIndexForward", boolean()},
               {"ExclusiveStartKey", item()},
               {"ReturnConsumedCapacity", str()},
               {"ProjectionExpression", str()},
               {"FilterExpression", str()},
               {"KeyConditionExpression", str()},
               {"ExpressionAttributeNames", names},
               {"ExpressionAttributeValues", values}});
  op("Scan", {{"TableName", str()},
              {"IndexName", str()},
              {"AttributesToGet", strings},
              {"Limit", integer()},
              {"Select", str()},
              {"ScanFilter", map(condition)},
              {"ConditionalOperator", str()},
              {"ExclusiveStartKey", item()},
              {"ReturnConsumedCapacity", str()},
              {"TotalSegments", integer()},
              {"Segment", integer()},
              {"ProjectionExpression", str()},
              {"FilterExpression", str()},
              {"ExpressionAttributeNames", names},
              {"ExpressionAttributeValues", values},
              {"ConsistentRead", boolean()}});
  op("TagResource", {{"ResourceArn", str()}, {"Tags", tags}});
  op("TransactGetItems",
     {{"TransactItems",
       list(structure({{"Get", structure({{"Key", item()},
                                          {"TableName", str()},
                                          {"ProjectionExpression", str()},
                                          {"ExpressionAttributeNames", names}})}}))},
      {"ReturnConsumedCapacity", str()}});
  const Shape* condition_check = structure({{"Key", item()},
                                            {"TableName", str()},
                                            {"ConditionExpression", str()},
                                            {"ExpressionAttributeNames", names},
                                            {"ExpressionAttributeValues", values},
                                            {"ReturnValuesOnConditionCheckFailure", str()}});
  const Shape* put = structure({{"Item", item()},
                                {"TableName", str()},
                                {"ConditionExpression", str()},
                                {"ExpressionAttributeNames", names},
                                {"ExpressionAttributeValues", values},
                                {"ReturnValuesOnConditionCheckFailure", str()}});
  const Shape* update = structure({{"Key", item()},
                                   {"UpdateExpression", str()},
                                   {"TableName", str()},
                                   {"ConditionExpression", str()},
                                   {"ExpressionAttributeNames", names},
                                   {"ExpressionAttributeValues", values},
                                   {"ReturnValuesOnConditionCheckFailure", str()}});
  op("TransactWriteItems", {{"TransactItems", list(structure({{"ConditionCheck", condition_check},
                                                              {"Put", put},
                                                              {"Delete", condition_check},
                                                              {"Update", update}}))},
                            {"ReturnConsumedCapacity", str()},
                            {"ReturnItemCollectionMetrics", str()},
                            {"ClientRequestToken", str()}});
  op("UntagResource", {{"ResourceArn", str()}, {"TagKeys", strings}});
  op("UpdateContinuousBackups",
     {{"TableName", str()},
      {"PointInTimeRecoverySpecification", structure({{"PointInTimeRecoveryEnabled", boolean()},
                                                      {"RecoveryPeriodInDays", integer()}})}});
  op("UpdateItem", {{"TableName", str()},
                    {"Key", item()},
                    {"AttributeUpdates", map(attribute_update)},
                    {"Expected", map(expected_value)},
                    {"ConditionalOperator", str()},
                    {"ReturnValues", str()},
                    {"ReturnConsumedCapacity", str()},
                    {"ReturnItemCollectionMetrics", str()},
                    {"UpdateExpression", str()},
                    {"ConditionExpression", str()},
                    {"ExpressionAttributeNames", names},
                    {"ExpressionAttributeValues", values},
                    {"ReturnValuesOnConditionCheckFailure", str()}});
  const Shape* gsi_update = structure({{"Update", structure({{"IndexName", str()},
                                                             {"ProvisionedThroughput", throughput},
                                                             {"OnDemandThroughput", on_demand},
                                                             {"WarmThroughput", warm}})},
                                       {"Create", gsi},
                                       {"Delete", structure({{"IndexName", str()}})}});
  op("UpdateTable", {{"AttributeDefinitions",
                      list(structure({{"AttributeName", str()}, {"AttributeType", str()}}))},
                     {"TableName", str()},
                     {"BillingMode", str()},
                     {"ProvisionedThroughput", throughput},
                     {"GlobalSecondaryIndexUpdates", list(gsi_update)},
                     {"StreamSpecification", stream},
                     {"SSESpecification", sse},
                     {"TableClass", str()},
                     {"DeletionProtectionEnabled", boolean()},
                     {"OnDemandThroughput", on_demand},
                     {"WarmThroughput", warm}});
  op("UpdateTimeToLive",
     {{"TableName", str()},
      {"TimeToLiveSpecification", structure({{"Enabled", boolean()}, {"AttributeName", str()}})}});
  // DynamoDB Streams.
  op("DescribeStream", {{"StreamArn", str()},
                        {"Limit", integer()},
                        {"ExclusiveStartShardId", str()},
                        {"ShardFilter", structure({{"Type", str()}, {"ShardId", str()}})}});
  op("GetRecords", {{"ShardIterator", str()}, {"Limit", integer()}});
  op("GetShardIterator", {{"StreamArn", str()},
                          {"ShardId", str()},
                          {"ShardIteratorType", str()},
                          {"SequenceNumber", str()}});
  op("ListStreams",
     {{"TableName", str()}, {"Limit", integer()}, {"ExclusiveStartStreamArn", str()}});
}

const Shapes& shapes() {
  static const Shapes s;
  return s;
}

}  // namespace

void check_shape(std::string_view operation, const model::Json& body) {
  if (const Shape* s = shapes().find(operation)) check(body, *s, Place::Member);
}

bool has_shape(std::string_view operation) { return shapes().find(operation) != nullptr; }

}  // namespace ddb::api
