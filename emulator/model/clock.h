// The one clock every time-based behaviour reads: TTL expiry, stream record times, trimming,
// shard rollover, iterator expiry. It is the system clock plus an offset that a flag sets at
// start and an admin call advances, so tests can move time instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace ddb::model {

class Clock {
 public:
  // Milliseconds since the epoch, as this emulator sees it.
  static int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() +
           offset_ms_.load(std::memory_order_relaxed);
  }
  static double now_seconds() { return static_cast<double>(now_ms()) / 1000.0; }
  static void advance_ms(int64_t ms) { offset_ms_.fetch_add(ms, std::memory_order_relaxed); }
  static int64_t offset_ms() { return offset_ms_.load(std::memory_order_relaxed); }

 private:
  static inline std::atomic<int64_t> offset_ms_{0};
};

}  // namespace ddb::model
