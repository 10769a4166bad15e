// The record -> Lambda event conversion and the partial batch response.
#include "triggers/records.h"

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace triggers {
namespace {

const char* kArn = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

TEST(LambdaRecord, AddsTheSourceArnAndKeepsTheWireMembers) {
  auto wire = parse(
      R"({"eventID":"abc","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",)"
      R"("awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1700000000,)"
      R"("Keys":{"id":{"S":"a"}},"NewImage":{"id":{"S":"a"},"n":{"N":"5"}},)"
      R"("SequenceNumber":"000000000000000000101","SizeBytes":12,"StreamViewType":"NEW_IMAGE"}})");
  Record r = to_lambda_record(wire, kArn);
  EXPECT_EQ(r.sequence, "000000000000000000101");
  EXPECT_EQ(r.created_ms, 1700000000000);
  auto event = parse(r.json);
  EXPECT_EQ(std::string(event["eventSourceARN"].GetString()), kArn);
  EXPECT_EQ(std::string(event["eventName"].GetString()), "INSERT");
  EXPECT_EQ(std::string(event["eventSource"].GetString()), "aws:dynamodb");
  EXPECT_EQ(std::string(event["eventVersion"].GetString()), "1.1");
  EXPECT_EQ(std::string(event["awsRegion"].GetString()), "us-east-1");
  EXPECT_EQ(event["dynamodb"]["ApproximateCreationDateTime"].GetInt64(), 1700000000);
  EXPECT_EQ(std::string(event["dynamodb"]["NewImage"]["n"]["N"].GetString()), "5");
  EXPECT_EQ(event["dynamodb"]["SizeBytes"].GetInt(), 12);
  EXPECT_FALSE(event.HasMember("userIdentity"));
}

// The Document a filter judges is the record that is sent: same members, same order.
TEST(LambdaRecord, TheFilterDocumentIsTheRecordSent) {
  for (const char* text :
       {R"({"eventID":"abc","eventName":"INSERT","dynamodb":{"Keys":{"id":{"S":"a"}},)"
        R"("NewImage":{"id":{"S":"a"},"n":{"N":"5"}},"SequenceNumber":"101"},"awsRegion":"r"})",
        R"({"eventSourceARN":"theirs","eventName":"REMOVE","dynamodb":{"SequenceNumber":"7"},)"
        R"("userIdentity":{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}})",
        R"({"eventName":"MODIFY","x":[1,2.5,true,null]})"}) {
    auto wire = parse(text);
    rapidjson::Document doc;
    lambda_record_document(wire, kArn, doc);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    doc.Accept(w);
    std::string from_doc(buffer.GetString(), buffer.GetSize());
    EXPECT_NE(from_doc.find(R"("eventSourceARN":")" + std::string(kArn) + "\""), std::string::npos);
    if (wire.HasMember("dynamodb")) {
      EXPECT_EQ(from_doc, to_lambda_record(wire, kArn).json) << text;
      EXPECT_EQ(to_lambda_record(wire, kArn, false).json, "");
      EXPECT_EQ(to_lambda_record(wire, kArn, false).sequence,
                to_lambda_record(wire, kArn).sequence);
    }
  }
  rapidjson::Document doc;
  EXPECT_THROW(lambda_record_document(parse("[]"), kArn, doc), std::invalid_argument);
}

TEST(LambdaRecord, TtlDeletionsCarryALowerCaseUserIdentity) {
  auto wire =
      parse(R"({"eventID":"x","eventName":"REMOVE","dynamodb":{"Keys":{"id":{"S":"a"}},)"
            R"("SequenceNumber":"7"},"userIdentity":{"PrincipalId":"dynamodb.amazonaws.com",)"
            R"("Type":"Service"}})");
  auto event = parse(to_lambda_record(wire, kArn).json);
  ASSERT_TRUE(event.HasMember("userIdentity"));
  EXPECT_EQ(std::string(event["userIdentity"]["type"].GetString()), "Service");
  EXPECT_EQ(std::string(event["userIdentity"]["principalId"].GetString()),
            "dynamodb.amazonaws.com");
  EXPECT_FALSE(event["userIdentity"].HasMember("Type"));
  EXPECT_FALSE(event["userIdentity"].HasMember("PrincipalId"));
}

TEST(LambdaRecord, RefusesARecordWithoutASequenceNumber) {
  EXPECT_THROW(to_lambda_record(parse(R"({"dynamodb":{}})"), kArn), std::invalid_argument);
  EXPECT_THROW(to_lambda_record(parse(R"([])"), kArn), std::invalid_argument);
  EXPECT_THROW(to_lambda_record(parse(R"({"eventName":"INSERT"})"), kArn), std::invalid_argument);
}

TEST(LambdaRecord, TheItemKeyIsThePartitionAndSortKeyWhateverTheirOrder) {
  auto a = parse(R"({"dynamodb":{"Keys":{"pk":{"S":"u1"},"sk":{"N":"2"}},"SequenceNumber":"1"}})");
  auto b = parse(R"({"dynamodb":{"SequenceNumber":"2","Keys":{"sk":{"N":"2"},"pk":{"S":"u1"}}}})");
  auto c = parse(R"({"dynamodb":{"Keys":{"pk":{"S":"u1"},"sk":{"N":"3"}},"SequenceNumber":"3"}})");
  std::string ka = to_lambda_record(a, kArn).key;
  EXPECT_EQ(ka, R"(["pk",{"S":"u1"},"sk",{"N":"2"}])");
  EXPECT_EQ(to_lambda_record(b, kArn).key, ka);
  EXPECT_NE(to_lambda_record(c, kArn).key, ka);  // same partition, another item
  EXPECT_EQ(to_lambda_record(parse(R"({"dynamodb":{"SequenceNumber":"4"}})"), kArn).key, "");
}

TEST(LambdaRecord, EventPayloadListsTheRecords) {
  std::vector<Record> records(3);
  records[0].json = "{\"a\":1}";
  records[1].json = "{\"b\":2}";
  records[2].json = "{\"c\":3}";
  EXPECT_EQ(event_payload(records, 1, 3), "{\"Records\":[{\"b\":2},{\"c\":3}]}");
}

TEST(SequenceNumbers, CompareByValue) {
  EXPECT_LT(compare_sequence("9", "10"), 0);
  EXPECT_EQ(compare_sequence("000123", "123"), 0);
  EXPECT_GT(compare_sequence("400000000000000000000000000001", "399999999999999999999"), 0);
}

std::vector<Record> batch() {
  std::vector<Record> r(3);
  r[0].sequence = "101";
  r[1].sequence = "102";
  r[2].sequence = "103";
  return r;
}

TEST(BatchResponse, SuccessForEmptyNullOrNoList) {
  for (const char* body : {"", "null", "{}", "{\"batchItemFailures\":[]}",
                           "{\"batchItemFailures\":null}", "\"done\"", "not json"}) {
    EXPECT_EQ(parse_batch_response(body, batch(), 0, 3).kind, BatchVerdict::Kind::Success) << body;
  }
}

// A function's response nested a million deep is no response (success), not the host's stack
// overflowing; 64 levels are still read.
TEST(BatchResponse, AResponseNestedAMillionDeepIsNoResponse) {
  for (std::string body :
       {std::string(1000000, '['), std::string(500000, '[') + std::string(500000, ']'),
        R"({"batchItemFailures":)" + std::string(300000, '[') + std::string(300000, ']') + "}"}) {
    EXPECT_EQ(parse_batch_response(body, batch(), 0, 3).kind, BatchVerdict::Kind::Success);
  }
  std::string deep = R"({"batchItemFailures":[{"itemIdentifier":"102","x":)" +
                     std::string(61, '[') + std::string(61, ']') + "}]}";
  auto v = parse_batch_response(deep, batch(), 0, 3);
  EXPECT_EQ(v.kind, BatchVerdict::Kind::Partial);
}

TEST(BatchResponse, PartialAtTheLowestReportedSequenceNumber) {
  auto v = parse_batch_response(
      R"({"batchItemFailures":[{"itemIdentifier":"103"},{"itemIdentifier":"102"}]})", batch(), 0,
      3);
  EXPECT_EQ(v.kind, BatchVerdict::Kind::Partial);
  EXPECT_EQ(v.first_failed, 1u);
}

TEST(BatchResponse, BadIdentifiersFailTheWholeBatch) {
  for (const char* body : {R"({"batchItemFailures":[{"itemIdentifier":""}]})",
                           R"({"batchItemFailures":[{"itemIdentifier":null}]})",
                           R"({"batchItemFailures":[{"itemId":"102"}]})",
                           R"({"batchItemFailures":[{"itemIdentifier":"999"}]})",
                           R"({"batchItemFailures":[{"itemIdentifier":102}]})",
                           R"({"batchItemFailures":["102"]})", R"({"batchItemFailures":{}})"}) {
    EXPECT_EQ(parse_batch_response(body, batch(), 0, 3).kind, BatchVerdict::Kind::Failure) << body;
  }
  // A record outside the batch given (but in the vector) is not one of the batch.
  EXPECT_EQ(
      parse_batch_response(R"({"batchItemFailures":[{"itemIdentifier":"103"}]})", batch(), 0, 2)
          .kind,
      BatchVerdict::Kind::Failure);
}

}  // namespace
}  // namespace triggers
