// The AWS SDKs' standard retry mode, as the SDKs define it from 2026 on (AWS_NEW_RETRIES_2026;
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html, the table in
// https://github.com/aws/aws-sdk-cpp/issues/3832, botocore/retries/standard.py):
//  * which failures are retried: no answer at all (connect errors, timeouts, a connection cut;
//    not a TLS verification failure, which would fail the same way again), HTTP 500, 502, 503
//    and 504, the transient codes RequestTimeout, RequestTimeoutException and
//    PriorRequestNotComplete, and the throttling codes (ThrottlingException,
//    ProvisionedThroughputExceededException, RequestLimitExceeded, LimitExceededException,
//    TooManyRequestsException...). Nothing else: a ConditionalCheckFailedException, a
//    TransactionCanceledException (even one cancelled for a TransactionConflict) or a
//    ValidationException is returned at once.
//  * how many attempts: 3, or 4 for DynamoDB and DynamoDB Streams; AWS_MAX_ATTEMPTS replaces it.
//  * how long to wait before attempt i+1 (i = 1, 2, ...): rand(0,1) * min(base * 2^(i-1), 20 s),
//    base 1 s after a throttling error, else 50 ms (25 ms for DynamoDB); a server's
//    x-amz-retry-after (ms) raises that to at most the delay + 5 s.
//  * the retry quota, per client: 500 tokens; a retry costs 5 after throttling, 14 otherwise; a
//    call that succeeds gives back what its last retry took, or 1 when it needed none. An empty
//    quota means no more retries (the call fails at once), so a failing service is not hit
//    three or four times per call.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string_view>

namespace awsproto {

struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds transient_base{50};
  std::chrono::milliseconds throttling_base{1000};
  std::chrono::milliseconds max_backoff{20000};

  static RetryPolicy standard() { return {}; }
  static RetryPolicy dynamodb() { return {4, std::chrono::milliseconds(25)}; }
  // `max_attempts` when positive (an Env's AWS_MAX_ATTEMPTS), else this policy's.
  RetryPolicy with_max_attempts(int attempts) const;
};

enum class RetryKind { None, Transient, Throttling };

// The kind of a service's error answer, from its status and its error code (the __type's short
// name, or x-amzn-ErrorType).
RetryKind classify_error(int status, std::string_view type);
bool is_throttling_code(std::string_view type);

// Retry decisions and the quota of one client. Not thread-safe, like the clients that own it.
class Retrier {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  using Random = std::function<double()>;  // uniform in [0, 1)

  explicit Retrier(RetryPolicy policy = {});

  // Call once per call, before its first attempt.
  void start_call() { acquired_ = 0; }
  // Attempt `attempt` (1-based) failed with `kind`: true after sleeping the backoff when there is
  // another attempt, false when the caller must give up (not retryable, out of attempts, or out
  // of quota).
  bool retry(int attempt, RetryKind kind,
             std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  // The call succeeded: gives quota back.
  void succeeded();

  // The wait before the attempt after `attempt`, for a random draw `r` in [0, 1).
  std::chrono::milliseconds backoff(int attempt, RetryKind kind,
                                    std::optional<std::chrono::milliseconds> retry_after,
                                    double r) const;

  const RetryPolicy& policy() const { return policy_; }
  int quota() const { return quota_; }
  // For tests: what sleeping and drawing do.
  void set_sleep(Sleep sleep) { sleep_ = std::move(sleep); }
  void set_random(Random random) { random_ = std::move(random); }

  static constexpr int kQuota = 500;
  static constexpr int kTransientCost = 14;
  static constexpr int kThrottlingCost = 5;

 private:
  RetryPolicy policy_;
  int quota_ = kQuota;
  int acquired_ = 0;  // the cost of the current call's last retry
  Sleep sleep_;
  Random random_;
  std::mt19937_64 engine_;
};

}  // namespace awsproto
