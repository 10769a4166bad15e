// One event source mapping: a DynamoDB stream's shards read in order (a child shard only once
// its parent is drained), handed to a function in batches, checkpointed as batches succeed.
// Lambda's semantics for stream sources:
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
//
// ParallelizationFactor N splits each shard into N lanes by a hash of each record's item key
// (partition and sort key): a lane sends one batch at a time, in order, so that records of one
// item never overtake each other ("Lambda still ensures in-order processing at the item
// (partition and sort key) level", the page above), while the N lanes of a shard run at once. A
// failing batch holds up its lane only. The checkpoint moves over the prefix of the shard in which
// every record is done. With N = 1 there is one lane: one batch at a time per shard.
//
// MappingRunner is a state machine driven by step(), which does what is due on the plane's
// clock (awsproto::Clock) and says when it wants to run again; the Poller gives each mapping a
// thread that calls it. With N = 1 the function is invoked inside step(); with N > 1 the mapping
// has N worker threads that invoke it, and step() takes in their outcomes. Everything outside
// (the Streams API, the function, the checkpoint store, the filter, the log) comes in through the
// constructor, so that tests drive it with fakes.
#pragma once

#include <rapidjson/document.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
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
// A shard that had records in the last kBusyHoldMs is polled every kIdlePollMinMs; one idle
// for longer, doubling from there to kIdlePollMaxMs. So the records of a steady trickle (a chat
// at ten messages a second) wait 5 ms at most for their poll, not up to 40 ms, and a quiet
// table costs 25 polls a second (AWS polls four times a second).
constexpr int64_t kIdlePollMinMs = 5;
constexpr int64_t kIdlePollMaxMs = 40;
constexpr int64_t kBusyHoldMs = 1000;
// Records read but not yet behind the checkpoint, at most: past it a shard stops reading until
// the record holding the checkpoint back is done (ParallelizationFactor > 1).
constexpr size_t kMaxUncheckpointed = 100'000;
// A failed batch waits 1 s, doubling with each failure, at most 60 s (on the plane's clock).
int64_t retry_delay_ms(int failures);
// The lane (0 .. lanes-1) of a record with this item key (Record::key): FNV-1a, so that it is
// the same in every run.
size_t lane_of(std::string_view item_key, int lanes);

class MappingRunner {
 public:
  // `wake` is called from a worker thread when an invocation ends (N > 1), so that the thread
  // driving step() runs again at once.
  MappingRunner(MappingConfig config, StreamsApi& api, Invoker invoke, CheckpointStore& store,
                RecordFilter filter, Logger log, std::function<void()> wake = {});
  // Waits for the invocations under way and takes in their outcomes (their checkpoints are
  // saved); batches not yet started are left for the next run.
  ~MappingRunner();
  MappingRunner(const MappingRunner&) = delete;
  MappingRunner& operator=(const MappingRunner&) = delete;

  // Does what is due now; returns the milliseconds until it wants to run again (0: at once).
  int64_t step();

  const MappingConfig& config() const { return config_; }
  const std::string& stream_arn() const { return stream_arn_; }
  // Shards with a reader right now (for tests).
  std::vector<std::string> active_shards() const;
  // Batches handed to the worker threads whose outcome step() has not taken in yet.
  size_t in_flight() const { return in_flight_; }

 private:
  // The records of one shard whose item keys hash to it, sent one batch at a time.
  struct Lane {
    size_t index = 0;
    std::vector<Record> pending;  // read, passed the filter, not yet handled; in order
    std::deque<size_t> segments;  // bisected halves still to send, front first
    int64_t retry_at = 0;
    int64_t window_start = 0;
    size_t sent = 0;  // > 0: the first `sent` records are being invoked on a worker
  };
  // A record read and passed to a lane, until the checkpoint has moved past it.
  struct Slot {
    std::string sequence;
    bool done = false;  // delivered or dropped
  };
  struct Shard {
    std::string id;
    uint64_t serial = 0;             // tells outcomes for a shard dropped since apart
    std::string iterator;            // empty: get one at read_after
    std::string read_after;          // the last sequence number read; empty: the shard's start
    std::string read_through;        // the same, for the checkpoint once nothing is pending
    bool end = false;                // read to its end (closed)
    bool gone = false;               // no longer in the stream
    std::vector<Lane> lanes;         // ParallelizationFactor of them
    std::vector<std::string> marks;  // per lane, the last record handled (ShardCheckpoint::lanes)
    std::deque<Slot> slots;          // every record in a lane or done but not yet checkpointed
    uint64_t first_slot = 0;         // the position of slots.front()
    uint64_t next_position = 0;      // the position of the next record read
    int64_t next_read_at = 0;
    int64_t idle_ms = 0;
    int64_t records_at = -kBusyHoldMs;  // when a read last returned records
    bool error_logged = false;
  };
  struct Job {
    uint64_t shard = 0;  // Shard::serial
    size_t lane = 0;
    std::string payload;
  };
  struct Outcome {
    uint64_t shard = 0;
    size_t lane = 0;
    InvokeOutcome out;
  };

  bool find_stream(int64_t now);
  bool refresh_shards(int64_t now);
  void choose_latest();
  size_t read_room(const Shard& s) const;
  int64_t step_shard(Shard& s, int64_t now);
  int64_t step_lane(Shard& s, Lane& lane, int64_t now, int64_t until_read);
  bool read(Shard& s, int64_t now);
  void drop_expired(Shard& s, Lane& lane, int64_t now);
  void send(Shard& s, Lane& lane, size_t count);
  void settle(Shard& s, Lane& lane, size_t count, InvokeOutcome out);
  void commit(Shard& s, Lane& lane, size_t count, int64_t now);
  void fail(Shard& s, Lane& lane, size_t count, const std::string& reason, bool bisect,
            int64_t now);
  void drop(Shard& s, Lane& lane, size_t count, const std::string& why);
  void advance_checkpoint(Shard& s);
  void take_outcomes();
  void work();
  void save();
  std::string describe(const Shard& s, const Lane& lane, size_t count) const;

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
  uint64_t next_serial_ = 1;
  size_t in_flight_ = 0;

  // N > 1: the worker threads and what they share with step()'s thread.
  std::function<void()> wake_;
  std::mutex work_mutex_;
  std::condition_variable work_cv_;
  std::deque<Job> jobs_;
  std::deque<Outcome> outcomes_;
  bool closing_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace triggers
