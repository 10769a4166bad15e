// The instances of one function: started on demand up to its concurrency, reused while warm,
// replaced after a crash, a timeout or an init error.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "lambda/instance.h"
#include "lambda/plan.h"

namespace lambda {

class FunctionPool {
 public:
  FunctionPool(FunctionSpec spec, const HostConfig& host);
  ~FunctionPool();

  const FunctionSpec& spec() const { return spec_; }
  // reservedConcurrency, else the host's --max-instances.
  int capacity() const { return capacity_; }

  // Runs one invocation on an idle instance, or a new one while under capacity. At capacity:
  // with reserved concurrency and `throttle`, nullopt at once (Lambda's 429
  // TooManyRequestsException); otherwise it waits for an instance to come free.
  std::optional<InvocationResult> invoke(const Invocation& invocation, bool throttle);

  // Ends every instance (host shutdown).
  void shutdown();

 private:
  FunctionSpec spec_;
  const HostConfig& host_;
  int capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Instance>> idle_;  // most recently used last
  int running_ = 0;                              // instances running an invocation
  std::vector<Instance*> busy_;                  // those instances, for shutdown()
  bool shut_down_ = false;
};

}  // namespace lambda
