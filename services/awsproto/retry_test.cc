#include "awsproto/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace awsproto {
namespace {

using std::chrono::milliseconds;

TEST(Retry, ClassifiesAsTheSdksDo) {
  for (const char* code :
       {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "LimitExceededException", "TooManyRequestsException", "Throttling", "SlowDown"}) {
    EXPECT_EQ(classify_error(400, code), RetryKind::Throttling) << code;
  }
  EXPECT_EQ(classify_error(400, "RequestTimeout"), RetryKind::Transient);
  EXPECT_EQ(classify_error(500, "InternalServerError"), RetryKind::Transient);
  for (int status : {500, 502, 503, 504})
    EXPECT_EQ(classify_error(status, ""), RetryKind::Transient);
  // Neither transient nor throttling: returned at once.
  for (const char* code :
       {"ConditionalCheckFailedException", "TransactionCanceledException",
        "TransactionConflictException", "ValidationException", "ResourceNotFoundException",
        "GoneException", "ItemCollectionSizeLimitExceededException"}) {
    EXPECT_EQ(classify_error(400, code), RetryKind::None) << code;
  }
  EXPECT_EQ(classify_error(410, "GoneException"), RetryKind::None);
  EXPECT_EQ(classify_error(501, ""), RetryKind::None);
  EXPECT_EQ(classify_error(429, ""), RetryKind::None);  // only the code says throttling
}

TEST(Retry, BackoffIsExponentialWithJitterAndCapped) {
  Retrier dynamodb(RetryPolicy::dynamodb());
  // rand * min(base * 2^(i-1), 20 s)
  EXPECT_EQ(dynamodb.backoff(1, RetryKind::Transient, std::nullopt, 0.999).count(), 24);
  EXPECT_EQ(dynamodb.backoff(2, RetryKind::Transient, std::nullopt, 0.5).count(), 25);
  EXPECT_EQ(dynamodb.backoff(3, RetryKind::Transient, std::nullopt, 0.5).count(), 50);
  EXPECT_EQ(dynamodb.backoff(1, RetryKind::Throttling, std::nullopt, 0.5).count(), 500);
  EXPECT_EQ(dynamodb.backoff(3, RetryKind::Throttling, std::nullopt, 0.5).count(), 2000);
  EXPECT_EQ(dynamodb.backoff(30, RetryKind::Throttling, std::nullopt, 0.5).count(), 10000);
  EXPECT_EQ(dynamodb.backoff(1, RetryKind::Transient, std::nullopt, 0.0).count(), 0);
  Retrier standard(RetryPolicy::standard());
  EXPECT_EQ(standard.backoff(1, RetryKind::Transient, std::nullopt, 0.5).count(), 25);
  EXPECT_EQ(standard.backoff(2, RetryKind::Transient, std::nullopt, 0.5).count(), 50);
  // x-amz-retry-after raises the delay, to at most the delay + 5 s.
  EXPECT_EQ(standard.backoff(1, RetryKind::Transient, milliseconds(300), 0.5).count(), 300);
  EXPECT_EQ(standard.backoff(1, RetryKind::Transient, milliseconds(60000), 0.5).count(), 5025);
  EXPECT_EQ(standard.backoff(2, RetryKind::Transient, milliseconds(1), 0.5).count(), 50);
}

TEST(Retry, StopsAtMaxAttemptsAndForWhatIsNotRetryable) {
  Retrier r(RetryPolicy::dynamodb());
  std::vector<milliseconds> slept;
  r.set_sleep([&](milliseconds d) { slept.push_back(d); });
  r.set_random([] { return 0.5; });
  r.start_call();
  EXPECT_TRUE(r.retry(1, RetryKind::Transient));
  EXPECT_TRUE(r.retry(2, RetryKind::Transient));
  EXPECT_TRUE(r.retry(3, RetryKind::Throttling));
  EXPECT_FALSE(r.retry(4, RetryKind::Transient));  // 4 attempts made
  EXPECT_EQ(slept,
            (std::vector<milliseconds>{milliseconds(12), milliseconds(25), milliseconds(2000)}));
  EXPECT_FALSE(r.retry(1, RetryKind::None));
  EXPECT_EQ(slept.size(), 3u);
  EXPECT_EQ(RetryPolicy::standard().with_max_attempts(0).max_attempts, 3);
  EXPECT_EQ(RetryPolicy::standard().with_max_attempts(1).max_attempts, 1);
  Retrier once(RetryPolicy::standard().with_max_attempts(1));
  EXPECT_FALSE(once.retry(1, RetryKind::Transient));
}

TEST(Retry, TheQuotaRunsOutAndSuccessesRefillIt) {
  Retrier r(RetryPolicy::standard());
  r.set_sleep([](milliseconds) {});
  int retries = 0;
  for (int call = 0; call < 100; ++call) {
    r.start_call();
    for (int attempt = 1; r.retry(attempt, RetryKind::Transient); ++attempt) ++retries;
  }
  // 500 tokens at 14 a retry.
  EXPECT_EQ(retries, 500 / Retrier::kTransientCost);
  EXPECT_EQ(r.quota(), 500 % Retrier::kTransientCost);
  // Out of quota: no retry, even for the first failure.
  r.start_call();
  EXPECT_FALSE(r.retry(1, RetryKind::Transient));
  // A call that succeeds at once gives 1 back; one that needed a retry gives back its cost.
  for (int i = 0; i < 10; ++i) {
    r.start_call();
    r.succeeded();
  }
  EXPECT_EQ(r.quota(), 500 % Retrier::kTransientCost + 10);
  r.start_call();
  EXPECT_TRUE(r.retry(1, RetryKind::Throttling));  // costs 5
  EXPECT_EQ(r.quota(), 500 % Retrier::kTransientCost + 5);
  r.succeeded();
  EXPECT_EQ(r.quota(), 500 % Retrier::kTransientCost + 10);
  for (int i = 0; i < 1000; ++i) r.succeeded();
  EXPECT_EQ(r.quota(), Retrier::kQuota);
}

}  // namespace
}  // namespace awsproto
