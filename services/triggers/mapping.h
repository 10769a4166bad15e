// One event source mapping: a DynamoDB stream's shards read in order (a child shard only once
// its parent is drained), one batch at a time per shard, handed to a function, checkpointed
// after each batch that succeeds. Lambda's semantics for stream sources:
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
//
// MappingRunner is a state machine driven by step(), which does what is due on the plane's
// clock (awsproto::Clock) and says when it wants to run again; the Poller gives each mapping a
// thread that calls it. Everything outside (the Streams API, the function, the checkpoint
// store, the filter, the log) comes in through the constructor, so that tests drive it with
// fakes.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "triggers/checkpoints.h"
#include "triggers/config.h"
#include "triggers/records.h"
#include "triggers/streams_client.h"

namespace triggers {

// What invoking the function gave: `ok` false when it could not be invoked at all (the host is
// stopping); `function_error` for X-Amz-Function-Error (a thrown error, a crash, a timeout).
struct InvokeOutcome {
  bool ok = true;
  bool function_error = false;
  std::string payload;
};
using Invoker =
    std::function<InvokeOutcome(const std::string& function, const std::string& payload)>;
// True when the record (in the Lambda event's shape) passes the mapping's FilterCriteria.
using RecordFilter = std::function<bool(const rapidjson::Value& record)>;
using Logger = std::function<void(const std::string& line)>;

// A DynamoDB stream record stays 24 hours; MaximumRecordAgeInSeconds -1 means that long.
constexpr int64_t kStreamRetentionMs = 24 * 3600 * 1000;
// Lambda's payload limit for a synchronous invocation: a batch stops growing before it.
constexpr size_t kMaxBatchPayloadBytes = 6 * 1024 * 1024;
// An idle shard is polled again after 10 ms, doubling to 40 ms while it stays idle: a new
// record reaches its function within tens of milliseconds (AWS polls four times a second).
constexpr int64_t kIdlePollMinMs = 10;
constexpr int64_t kIdlePollMaxMs = 40;
// A failed batch waits 1 s, doubling with each failure, at most 60 s (on the plane's clock).
int64_t retry_delay_ms(int failures);

class MappingRunner {
 public:
  MappingRunner(MappingConfig config, StreamsApi& api, Invoker invoke, CheckpointStore& store,
                RecordFilter filter, Logger log);

  // Does what is due now; returns the milliseconds until it wants to run again (0: at once).
  int64_t step();

  const MappingConfig& config() const { return config_; }
  const std::string& stream_arn() const { return stream_arn_; }
  // Shards with a reader right now (for tests).
  std::vector<std::string> active_shards() const;

 private:
  struct Shard {
    std::string id;
    std::string iterator;         // empty: get one at read_after
    std::string read_after;       // the last sequence number read; empty: the shard's start
    std::string read_through;     // the same, for the checkpoint once nothing is pending
    bool end = false;             // read to its end (closed)
    bool gone = false;            // no longer in the stream
    std::vector<Record> pending;  // read, passed the filter, not yet handled; in order
    std::deque<size_t> segments;  // bisected halves still to send, front first
    int64_t retry_at = 0;
    int64_t window_start = 0;
    int64_t next_read_at = 0;
    int64_t idle_ms = 0;
    bool error_logged = false;
  };

  bool find_stream(int64_t now);
  bool refresh_shards(int64_t now);
  void choose_latest();
  int64_t step_shard(Shard& s, int64_t now);
  bool read(Shard& s, int64_t now);
  void drop_expired(Shard& s, int64_t now);
  void invoke(Shard& s, size_t count, int64_t now);
  void commit(Shard& s, size_t count, int64_t now);
  void fail(Shard& s, size_t count, const std::string& reason, bool bisect, int64_t now);
  void drop(Shard& s, size_t count, const std::string& why);
  void save();
  std::string describe(const Shard& s, size_t count) const;

  MappingConfig config_;
  StreamsApi& api_;
  Invoker invoke_;
  CheckpointStore& store_;
  RecordFilter filter_;
  Logger log_;

  std::string stream_arn_;
  MappingCheckpoint checkpoint_;
  bool choose_latest_ = false;
  bool waiting_logged_ = false;
  int64_t next_find_at_ = 0;
  int64_t next_describe_at_ = 0;
  std::vector<ShardInfo> shards_;
  std::map<std::string, std::unique_ptr<Shard>> active_;
};

}  // namespace triggers
