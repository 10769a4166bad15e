// The DynamoDB Streams calls a stream mapping makes, as Lambda makes them: DescribeTable (the
// table's LatestStreamArn), DescribeStream (shards and lineage), GetShardIterator, GetRecords.
// StreamsApi is the seam the shard logic is tested through; HttpStreamsClient speaks the wire
// through awsproto::JsonClient (JSON 1.0, SigV4 with service "dynamodb", which is how DynamoDB
// Streams signs; the SDKs' standard retries for throttling and 5xx).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "awsproto/env.h"
#include "awsproto/http_client.h"
#include "awsproto/json.h"
#include "awsproto/json_client.h"

namespace triggers {

struct ShardInfo {
  std::string id, parent;           // parent empty for a first shard
  std::string first_seq, last_seq;  // last_seq empty while the shard is open
};

struct GetRecordsResult {
  rapidjson::Document records{rapidjson::kArrayType};  // the wire's Records[]
  std::optional<std::string> next_iterator;            // none: a closed shard read to its end
};

// Errors are awsproto::AwsError (a service error: ExpiredIteratorException,
// TrimmedDataAccessException, ResourceNotFoundException...) or awsproto::HttpError (no answer).
class StreamsApi {
 public:
  virtual ~StreamsApi() = default;
  // The table's LatestStreamArn; nullopt when the table has no stream.
  virtual std::optional<std::string> latest_stream_arn(const std::string& table) = 0;
  // Every shard (all pages), in the order DescribeStream lists them.
  virtual std::vector<ShardInfo> describe_stream(const std::string& stream_arn) = 0;
  // type TRIM_HORIZON, LATEST, AFTER_SEQUENCE_NUMBER or AT_SEQUENCE_NUMBER.
  virtual std::string get_shard_iterator(const std::string& stream_arn, const std::string& shard,
                                         const std::string& type, const std::string& sequence) = 0;
  virtual GetRecordsResult get_records(const std::string& iterator, int limit) = 0;
};

class HttpStreamsClient : public StreamsApi {
 public:
  // `endpoint` is the DynamoDB Streams endpoint (the emulator serves it on DynamoDB's port).
  HttpStreamsClient(const std::string& endpoint, std::string region,
                    awsproto::Credentials credentials);

  std::optional<std::string> latest_stream_arn(const std::string& table) override;
  std::vector<ShardInfo> describe_stream(const std::string& stream_arn) override;
  std::string get_shard_iterator(const std::string& stream_arn, const std::string& shard,
                                 const std::string& type, const std::string& sequence) override;
  GetRecordsResult get_records(const std::string& iterator, int limit) override;

 private:
  awsproto::JsonClient json_;
};

}  // namespace triggers
