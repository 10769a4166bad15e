// Shared by the DynamoDB Streams operations: finding a stream by ARN within the caller's
// namespace, and shard iterators.
#pragma once

#include <string>
#include <string_view>

#include "api/call.h"
#include "storage/catalog.h"

namespace ddb::actions {

// A StreamArn that is not arn:<partition>:dynamodb:<region>:<account>:table/<name>/stream/<label>
// is DynamoDB Streams' ValidationException "Invalid StreamArn", reported before the
// constraint list (a short one included).
void check_stream_arn(std::string_view arn);
storage::StreamPtr stream_by_arn(const api::Call& call, std::string_view arn);
const model::ShardDef* shard_by_id(const model::StreamDef& s, std::string_view id);

struct Iterator {
  uint64_t stream_id = 0;
  std::string shard_id;
  uint64_t position = 0;  // the next sequence number to read
  int64_t issued_ms = 0;
};
std::string encode_iterator(const Iterator& it);
// Throws ValidationException for a malformed iterator.
Iterator decode_iterator(std::string_view text);

constexpr int64_t kIteratorLifetimeMs = 15 * 60 * 1000;

}  // namespace ddb::actions
