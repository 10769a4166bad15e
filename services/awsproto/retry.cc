#include "awsproto/retry.h"

#include <algorithm>
#include <array>
#include <thread>

namespace awsproto {
namespace {

// botocore's lists (ThrottledRetryableChecker, TransientRetryableChecker), the same in every SDK.
constexpr std::array<std::string_view, 14> kThrottlingCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};
constexpr std::array<std::string_view, 3> kTransientCodes = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"};

}  // namespace

RetryPolicy RetryPolicy::with_max_attempts(int attempts) const {
  RetryPolicy out = *this;
  if (attempts > 0) out.max_attempts = attempts;
  return out;
}

bool is_throttling_code(std::string_view type) {
  return std::find(kThrottlingCodes.begin(), kThrottlingCodes.end(), type) !=
         kThrottlingCodes.end();
}

RetryKind classify_error(int status, std::string_view type) {
  if (is_throttling_code(type)) return RetryKind::Throttling;
  if (std::find(kTransientCodes.begin(), kTransientCodes.end(), type) != kTransientCodes.end()) {
    return RetryKind::Transient;
  }
  if (status == 500 || status == 502 || status == 503 || status == 504) {
    return RetryKind::Transient;
  }
  return RetryKind::None;
}

Retrier::Retrier(RetryPolicy policy) : policy_(policy), engine_(std::random_device{}()) {}

std::chrono::milliseconds Retrier::backoff(int attempt, RetryKind kind,
                                           std::optional<std::chrono::milliseconds> retry_after,
                                           double r) const {
  using ms = std::chrono::milliseconds;
  ms base = kind == RetryKind::Throttling ? policy_.throttling_base : policy_.transient_base;
  double cap = static_cast<double>(policy_.max_backoff.count());
  double grown = static_cast<double>(base.count());
  for (int i = 1; i < attempt && grown < cap; ++i) grown *= 2;
  double delay = r * std::min(grown, cap);
  if (retry_after) {
    double hint = static_cast<double>(retry_after->count());
    delay = std::max(delay, std::min(hint, delay + 5000.0));
  }
  return ms(static_cast<int64_t>(delay));
}

bool Retrier::retry(int attempt, RetryKind kind,
                    std::optional<std::chrono::milliseconds> retry_after) {
  if (kind == RetryKind::None || attempt >= policy_.max_attempts) return false;
  int cost = kind == RetryKind::Throttling ? kThrottlingCost : kTransientCost;
  if (quota_ < cost) return false;
  quota_ -= cost;
  acquired_ = cost;
  double r = random_ ? random_() : std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
  std::chrono::milliseconds delay = backoff(attempt, kind, retry_after, r);
  if (sleep_) {
    sleep_(delay);
  } else if (delay.count() > 0) {
    std::this_thread::sleep_for(delay);
  }
  return true;
}

void Retrier::succeeded() {
  quota_ = std::min(kQuota, quota_ + (acquired_ ? acquired_ : 1));
  acquired_ = 0;
}

}  // namespace awsproto
