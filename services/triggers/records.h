// DynamoDB Streams records as Lambda delivers them, and the function's answer about a batch.
// Pure functions of their input, for tests and fuzzing.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triggers {

// One record read from a shard, already in the shape of the Lambda event.
struct Record {
  std::string sequence;    // dynamodb.SequenceNumber
  int64_t created_ms = 0;  // dynamodb.ApproximateCreationDateTime, in milliseconds
  std::string json;        // the record as it goes into the event's Records[]
  std::string key;         // its item (dynamodb.Keys) as item_key() writes it
  int failures = 0;        // failed invocations it was part of
  uint64_t position = 0;   // its place among the shard's records (set by the mapping)
};

// The item a record is about: dynamodb.Keys (partition and sort key) written canonically, the
// attributes in name order, so that two records of one item give the same text whatever the
// order of their members. "" for a record without Keys.
std::string item_key(const rapidjson::Value& keys);

// Converts one GetRecords record into Lambda's event record: the wire's members as they are,
// plus eventSourceARN and its item key, with userIdentity's `Type` / `PrincipalId` written as
// Lambda writes them
// (`type` / `principalId`):
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (the TTL example). Throws
// std::invalid_argument for a record without dynamodb.SequenceNumber. Without `with_json`,
// Record::json stays empty (a record that a filter is still to judge).
Record to_lambda_record(const rapidjson::Value& wire, std::string_view stream_arn,
                        bool with_json = true);

// The same record as a Document (for FilterCriteria), without writing it out and reading it
// back; its JSON text is to_lambda_record's. Throws std::invalid_argument for a wire record
// that is not an object.
void lambda_record_document(const rapidjson::Value& wire, std::string_view stream_arn,
                            rapidjson::Document& out);

// {"Records":[...]} of records [begin, end).
std::string event_payload(const std::vector<Record>& records, size_t begin, size_t end);

// Orders decimal sequence numbers by value (DynamoDB's have from 21 to 40 digits).
int compare_sequence(std::string_view a, std::string_view b);

// What a function with ReportBatchItemFailures said about a batch of `count` records
// (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html):
// success for an empty or null batchItemFailures, an empty or null response; the index of the
// record with the lowest reported sequence number otherwise (Lambda checkpoints there and
// retries from it); failure of the whole batch for an itemIdentifier that is empty, null, not
// a string, missing (a wrong key name) or not the sequence number of a record of the batch.
struct BatchVerdict {
  enum class Kind { Success, Partial, Failure } kind = Kind::Success;
  size_t first_failed = 0;  // Partial: index into the batch
  std::string reason;       // Failure: why, for the log
};
BatchVerdict parse_batch_response(std::string_view payload, const std::vector<Record>& records,
                                  size_t begin, size_t end);

}  // namespace triggers
