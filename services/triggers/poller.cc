#include "triggers/poller.h"

#include <algorithm>
#include <chrono>

namespace triggers {

// Record ages and retry delays are on the plane's clock, which an admin call can move at any
// moment: a thread never sleeps longer than this before it looks at the clock again.
constexpr int64_t kMaxSleepMs = 50;

Poller::Poller(std::vector<MappingConfig> mappings, PollerOptions options, Invoker invoke,
               Logger log)
    : mappings_(std::move(mappings)),
      options_(std::move(options)),
      invoke_(std::move(invoke)),
      log_(std::move(log)),
      store_(options_.state_dir) {
  // Bad filter criteria are the plan's error: found before anything starts.
  for (const auto& m : mappings_) {
    try {
      filters_.push_back(make_filter(m.filter_criteria));
    } catch (const std::exception& e) {
      throw std::invalid_argument("mapping " + m.logical_id + ": FilterCriteria: " + e.what());
    }
  }
}

Poller::~Poller() { stop(); }

void Poller::start() {
  for (size_t i = 0; i < mappings_.size(); ++i) {
    const MappingConfig& m = mappings_[i];
    if (!m.enabled) {
      log_("mapping " + m.logical_id + ": disabled (Enabled: false), not polled");
      continue;
    }
    threads_.emplace_back([this, &m, i] { run(m, filters_[i]); });
  }
}

void Poller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Poller::run(const MappingConfig& config, RecordFilter filter) {
  try {
    HttpStreamsClient client(options_.streams_endpoint, options_.region, options_.credentials);
    // An invocation that ends on one of the mapping's workers (ParallelizationFactor > 1) wakes
    // the thread at once.
    bool woken = false;
    auto wake = [this, &woken] {
      {
        std::lock_guard lock(mutex_);
        woken = true;
      }
      cv_.notify_all();
    };
    MappingRunner runner(config, client, invoke_, store_, std::move(filter), log_, wake);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      woken = false;
      lock.unlock();
      int64_t wait = runner.step();
      lock.lock();
      if (wait <= 0 || woken) continue;
      cv_.wait_for(lock, std::chrono::milliseconds(std::min(wait, kMaxSleepMs)),
                   [this, &woken] { return stopping_ || woken; });
    }
    lock.unlock();  // the runner's destructor waits for its invocations, which may wake us
  } catch (const std::exception& e) {
    log_("mapping " + config.logical_id + ": stopped: " + e.what());
  }
}

}  // namespace triggers
