// The plane's clock: the system clock plus an offset that a flag sets at start and an admin
// call advances (POST /_plane/clock {"advanceSeconds": N}), so that tests move time instead of
// sleeping for the gateway's idle and lifetime limits and the Lambda host's retry delays. Each
// process has its own offset; the launcher moves them together.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace awsproto {

class Clock {
 public:
  // Milliseconds since the epoch, as the plane sees it.
  static int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() +
           offset_ms_.load(std::memory_order_relaxed);
  }
  static void advance_ms(int64_t ms) { offset_ms_.fetch_add(ms, std::memory_order_relaxed); }
  static int64_t offset_ms() { return offset_ms_.load(std::memory_order_relaxed); }

 private:
  static inline std::atomic<int64_t> offset_ms_{0};
};

}  // namespace awsproto
