// The input shapes: DynamoDB's SerializationException for each kind of member, nested members
// reached, the first bad member in body order, nulls and unknown members left alone.
#include "api/shapes.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace ddb {
namespace {

// The SerializationException message for `json` read as `op`'s input, or "" when accepted.
std::string fault(const char* op, const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  EXPECT_FALSE(doc.HasParseError()) << json;
  try {
    api::check_shape(op, doc);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, Code::Serialization) << json;
    return e.message;
  }
  return "";
}

TEST(Shapes, EveryRegisteredOperationHasOne) {
  for (const char* op : {"BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem",
                         "DeleteTable", "DescribeTable", "GetItem", "PutItem", "Query", "Scan",
                         "TransactGetItems", "TransactWriteItems", "UpdateItem", "UpdateTable",
                         "DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"})
    EXPECT_TRUE(api::has_shape(op)) << op;
  EXPECT_FALSE(api::has_shape("NoSuchOperation"));
}

TEST(Shapes, Scalars) {
  EXPECT_EQ(fault("Scan", R"({"IndexName":5})"), "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(fault("Scan", R"({"IndexName":5.5})"), "DECIMAL_VALUE cannot be converted to String");
  EXPECT_EQ(fault("Scan", R"({"IndexName":true})"), "TRUE_VALUE cannot be converted to String");
  EXPECT_EQ(fault("Scan", R"({"IndexName":{}})"),
            "Start of structure or map found where not expected");
  EXPECT_EQ(fault("Scan", R"({"IndexName":[]})"), "UnknownError");
  EXPECT_EQ(fault("Scan", R"({"Limit":"5"})"), "STRING_VALUE cannot be converted to Integer");
  EXPECT_EQ(fault("Scan", R"({"Limit":5.5})"), "");
  EXPECT_EQ(fault("Scan", R"({"ConsistentRead":"TRUE"})"), "");
  EXPECT_EQ(fault("Scan", R"({"ConsistentRead":"yes"})"), "Unexpected token received from parser");
  EXPECT_EQ(fault("Scan", R"({"ConsistentRead":0})"),
            "NUMBER_VALUE cannot be converted to Boolean");
  EXPECT_EQ(fault("UpdateTable", R"({"ProvisionedThroughput":{"ReadCapacityUnits":false}})"),
            "FALSE_VALUE cannot be converted to Long");
}

TEST(Shapes, Containers) {
  EXPECT_EQ(fault("UpdateTable", R"({"ProvisionedThroughput":"a"})"), "Unexpected field type");
  EXPECT_EQ(fault("Scan", R"({"AttributesToGet":{}})"),
            "Start of structure or map found where not expected");
  EXPECT_EQ(fault("PutItem", R"({"Item":{"a":5}})"), "Unexpected value type in payload");
  EXPECT_EQ(fault("BatchWriteItem", R"({"RequestItems":{"t":5}})"), "UnknownError");
  EXPECT_EQ(fault("BatchGetItem", R"({"RequestItems":{"t":{"Keys":[5]}}})"), "UnknownError");
  EXPECT_EQ(fault("UpdateTable", R"({"GlobalSecondaryIndexUpdates":["a"]})"),
            "Unexpected value type in payload");
}

TEST(Shapes, AttributeValuesAndBlobs) {
  EXPECT_EQ(fault("PutItem", R"({"Item":{"a":{"S":1}}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(fault("PutItem", R"({"Item":{"a":{"L":[{"M":{"b":{"NS":["1",2]}}}]}}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(fault("PutItem", R"({"Item":{"a":{"B":5}}})"),
            "only base-64-encoded strings are convertible to bytes");
  EXPECT_EQ(fault("PutItem", R"({"Item":{"a":{"B":"23456"}}})"),
            "Base64 encoded length is expected a multiple of 4 bytes but found: 5");
  EXPECT_EQ(fault("PutItem", R"({"Item":{"a":{"BS":["AQ==","=+/="]}}})"),
            "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(fault("PutItem", R"({"Item":{"a":{"S":"x","Other":5,"N":null}}})"), "");
}

TEST(Shapes, TheFirstBadMemberInBodyOrderWins) {
  EXPECT_EQ(fault("Scan", R"({"Limit":"5","IndexName":5})"),
            "STRING_VALUE cannot be converted to Integer");
  EXPECT_EQ(fault("Scan", R"({"IndexName":5,"Limit":"5"})"),
            "NUMBER_VALUE cannot be converted to String");
}

TEST(Shapes, NullsAndUnknownMembersAreLeftAlone) {
  EXPECT_EQ(fault("Scan", R"({"IndexName":null,"Limit":null,"Unknown":5})"), "");
  EXPECT_EQ(fault("Scan", R"({"AttributesToGet":[null]})"), "");
  EXPECT_EQ(fault("NoSuchOperation", R"({"TableName":5})"), "");
}

}  // namespace
}  // namespace ddb
