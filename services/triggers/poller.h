// Runs the plan's stream mappings: one thread per enabled mapping, each with its own Streams
// client, driving a MappingRunner until stop() (a mapping with ParallelizationFactor N > 1 also
// has N threads that invoke its function). The function is invoked through the host's
// callback, so that this library does not depend on the Lambda host.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "awsproto/sigv4.h"
#include "triggers/checkpoints.h"
#include "triggers/mapping.h"

namespace triggers {

struct PollerOptions {
  std::string streams_endpoint;  // the DynamoDB Streams endpoint (the emulator's URL)
  std::string region = "us-east-1";
  awsproto::Credentials credentials;
  std::string state_dir;  // checkpoints; empty: in memory
};

// Builds the filter of a mapping from its FilterCriteria (the plan's JSON text); an empty
// function when there is none. Throws std::invalid_argument naming what is wrong.
RecordFilter make_filter(const std::string& filter_criteria_json);

class Poller {
 public:
  Poller(std::vector<MappingConfig> mappings, PollerOptions options, Invoker invoke, Logger log);
  ~Poller();  // stop()

  void start();
  // Stops every thread: the batches being invoked finish first (their checkpoints are saved);
  // those not started yet are read again next time.
  void stop();

 private:
  void run(const MappingConfig& config, RecordFilter filter);

  std::vector<MappingConfig> mappings_;
  std::vector<RecordFilter> filters_;
  PollerOptions options_;
  Invoker invoke_;
  Logger log_;
  CheckpointStore store_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace triggers
