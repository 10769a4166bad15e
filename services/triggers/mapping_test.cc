// The shard state machine against an in-memory stream and a fake function: order across shard
// lineage, batching, bisect, partial batch failures, retries, record age, filters, LATEST and
// TRIM_HORIZON, resuming from the checkpoint store, and ParallelizationFactor's lanes.
#include "triggers/mapping.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "awsproto/clock.h"
#include "triggers/fake_streams.h"
#include "triggers/poller.h"

namespace triggers {
namespace {

using testing::FakeStreams;

// The sequence numbers of each invocation's records, in the order the invocations started. The
// invoker may be called from several threads (ParallelizationFactor > 1).
struct Recorder {
  std::vector<std::vector<std::string>> calls;
  std::vector<std::vector<std::string>> ids;  // Keys.id.S of each call's records
  // Decides the outcome from the batch's sequence numbers; success when unset.
  std::function<InvokeOutcome(const std::vector<std::string>&)> answer;
  int sleep_ms = 0;  // each invocation takes this long (real time)
  int running = 0, max_running = 0;
  mutable std::mutex mutex;

  Invoker invoker() {
    return [this](const std::string& function, const std::string& payload) {
      EXPECT_EQ(function, "fn");
      rapidjson::Document d;
      d.Parse(payload.c_str());
      std::vector<std::string> seqs, keys;
      for (const auto& r : d["Records"].GetArray()) {
        EXPECT_EQ(std::string(r["eventSourceARN"].GetString()).substr(0, 16), "arn:aws:dynamodb");
        seqs.push_back(r["dynamodb"]["SequenceNumber"].GetString());
        keys.push_back(r["dynamodb"]["Keys"]["id"]["S"].GetString());
      }
      {
        std::lock_guard lock(mutex);
        calls.push_back(seqs);
        ids.push_back(keys);
        max_running = std::max(max_running, ++running);
      }
      if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
      InvokeOutcome out = answer ? answer(seqs) : InvokeOutcome{};
      std::lock_guard lock(mutex);
      --running;
      return out;
    };
  }
  std::vector<std::string> delivered() const {
    std::lock_guard lock(mutex);
    std::vector<std::string> all;
    for (const auto& c : calls) all.insert(all.end(), c.begin(), c.end());
    return all;
  }
  size_t count() const {
    std::lock_guard lock(mutex);
    return calls.size();
  }
};

struct Harness {
  FakeStreams stream;
  Recorder fn;
  CheckpointStore store{""};
  std::vector<std::string> log;
  MappingConfig config;
  std::unique_ptr<MappingRunner> runner;

  Harness() {
    config.logical_id = "M";
    config.function = "fn";
    config.table_name = "t";
    config.starting_position = "TRIM_HORIZON";
  }
  MappingRunner& start(RecordFilter filter = {}) {
    runner = std::make_unique<MappingRunner>(config, stream, fn.invoker(), store, filter,
                                             [this](const std::string& l) { log.push_back(l); });
    return *runner;
  }
  // Steps the runner `n` times, moving the plane's clock by each wait it asks for.
  void run(int n = 2000) {
    for (int i = 0; i < n; ++i) {
      int64_t wait = runner->step();
      if (wait > 0) awsproto::Clock::advance_ms(wait);
    }
  }
  // Steps the runner until `done` holds (at most 10 s of real time): while batches are with the
  // workers it waits for them, otherwise it moves the plane's clock by the wait asked for.
  bool run_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int64_t wait = runner->step();
      if (done()) return true;
      if (runner->in_flight() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      } else if (wait > 0) {
        awsproto::Clock::advance_ms(wait);
      }
    }
    return false;
  }
  std::string checkpoint() {
    auto c = store.load("M");
    return c ? c->shards["shardId-1"].after : "none";
  }
  bool logged(const std::string& text) const {
    for (const auto& l : log) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

std::vector<std::string> seqs(FakeStreams& s, int from, int to) {
  std::vector<std::string> out;
  for (const auto& shard : s.shards) {
    for (const auto& q : shard.sequences) {
      int v = std::stoi(q);
      if (v >= from && v <= to) out.push_back(q);
    }
  }
  return out;
}

TEST(Mapping, BatchesInOrderAcrossAShardRollover) {
  Harness h;
  h.config.batch_size = 2;
  for (int i = 0; i < 5; ++i) h.stream.put("a" + std::to_string(i));  // 100..104
  h.stream.roll_over();
  for (int i = 0; i < 3; ++i) h.stream.put("b" + std::to_string(i));  // 105..107
  h.start();
  h.run();
  std::vector<std::vector<std::string>> want = {seqs(h.stream, 100, 101), seqs(h.stream, 102, 103),
                                                seqs(h.stream, 104, 104), seqs(h.stream, 105, 106),
                                                seqs(h.stream, 107, 107)};
  EXPECT_EQ(h.fn.calls, want);
  // The parent is done; the child is read on.
  auto c = h.store.load("M");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->shards["shardId-1"].done);
  EXPECT_EQ(c->shards["shardId-2"].after, seqs(h.stream, 107, 107)[0]);
  EXPECT_EQ(h.runner->active_shards(), std::vector<std::string>{"shardId-2"});
}

TEST(Mapping, AChildShardWaitsForItsParent) {
  Harness h;
  h.stream.put("a");  // 100
  h.stream.roll_over();
  h.stream.put("b");  // 101
  int blocked = 0;
  h.fn.answer = [&](const std::vector<std::string>& s) {
    if (s[0] == seqs(h.stream, 100, 100)[0] && blocked++ < 3) return InvokeOutcome{true, true, "x"};
    return InvokeOutcome{};
  };
  h.start();
  h.run();
  // 100 failed three times before 101 was ever sent.
  ASSERT_EQ(h.fn.calls.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(h.fn.calls[i], seqs(h.stream, 100, 100));
  EXPECT_EQ(h.fn.calls[4], seqs(h.stream, 101, 101));
}

TEST(Mapping, NewRecordsAreDeliveredAsTheyCome) {
  Harness h;
  h.start();
  h.run(5);
  EXPECT_TRUE(h.fn.calls.empty());
  h.stream.put("x");
  h.run(5);
  ASSERT_EQ(h.fn.calls.size(), 1u);
  h.stream.put("y");
  h.stream.put("z");
  h.run(5);
  ASSERT_EQ(h.fn.calls.size(), 2u);
  EXPECT_EQ(h.fn.calls[1].size(), 2u);
}

TEST(Mapping, AShardWithRecentRecordsIsPolledOftenThenLessOften) {
  Harness h;
  h.start();
  h.stream.put("x");
  h.run(3);
  ASSERT_EQ(h.fn.calls.size(), 1u);
  // For a second after records came, an empty shard is read every kIdlePollMinMs.
  int reads = h.stream.get_records_calls;
  int64_t waited = 0;
  while (waited < kBusyHoldMs - 2 * kIdlePollMinMs) {
    int64_t wait = h.runner->step();
    ASSERT_GT(wait, 0);
    EXPECT_LE(wait, kIdlePollMinMs);
    awsproto::Clock::advance_ms(wait);
    waited += wait;
  }
  EXPECT_GE(h.stream.get_records_calls - reads,
            (kBusyHoldMs - 2 * kIdlePollMinMs) / kIdlePollMinMs - 1);
  // Then the polls thin out, to kIdlePollMaxMs apart.
  h.run(20);
  EXPECT_EQ(h.runner->step(), kIdlePollMaxMs);
  // A new record is read at the next poll and resets the pace.
  h.stream.put("y");
  h.run(5);
  ASSERT_EQ(h.fn.calls.size(), 2u);
  EXPECT_EQ(h.runner->step(), kIdlePollMinMs);
}

TEST(Mapping, BatchingWindowWaitsToFill) {
  Harness h;
  h.config.batch_size = 3;
  h.config.maximum_batching_window_in_seconds = 2;
  h.start();
  h.stream.put("a");
  h.runner->step();
  EXPECT_TRUE(h.fn.calls.empty());  // the window is open
  h.stream.put("b");
  h.stream.put("c");
  h.runner->step();
  ASSERT_EQ(h.fn.calls.size(), 1u);  // full: sent at once
  EXPECT_EQ(h.fn.calls[0].size(), 3u);
  h.stream.put("d");
  h.runner->step();
  EXPECT_EQ(h.fn.calls.size(), 1u);
  awsproto::Clock::advance_ms(2001);
  h.runner->step();
  ASSERT_EQ(h.fn.calls.size(), 2u);  // the window ran out
  EXPECT_EQ(h.fn.calls[1].size(), 1u);
}

TEST(Mapping, BisectsAFailingBatchDownToThePoisonRecord) {
  Harness h;
  h.config.batch_size = 4;
  h.config.bisect_batch_on_function_error = true;
  h.config.maximum_retry_attempts = 2;
  for (int i = 0; i < 4; ++i) h.stream.put("r" + std::to_string(i));  // 100..103
  std::string poison = seqs(h.stream, 102, 102)[0];
  h.fn.answer = [&](const std::vector<std::string>& s) {
    for (const auto& q : s) {
      if (q == poison) return InvokeOutcome{true, true, "{\"errorType\":\"Poison\"}"};
    }
    return InvokeOutcome{};
  };
  h.start();
  h.run();
  // Splitting a batch does not count against the retries: the poison record alone gets its
  // attempt and two retries.
  std::vector<std::vector<std::string>> want = {
      seqs(h.stream, 100, 103),  // fails: split
      seqs(h.stream, 100, 101),  // the first half succeeds
      seqs(h.stream, 102, 103),  // fails: split
      seqs(h.stream, 102, 102),  // fails: attempt 1
      seqs(h.stream, 102, 102),  // retry 1
      seqs(h.stream, 102, 102),  // retry 2, then dropped
      seqs(h.stream, 103, 103)};
  EXPECT_EQ(h.fn.calls, want);
  EXPECT_TRUE(h.logged("dropped 1 record of shard shardId-1 (sequence numbers " + poison +
                       "): retry attempts exhausted (2)"));
  EXPECT_TRUE(
      h.logged("failed (attempt 1, split in two, not counted against the retry "
               "attempts)"));
}

// With more halvings than retries (16 records, MaximumRetryAttempts 1), the records beside the
// poison one are still delivered: only the poison record is dropped.
TEST(Mapping, BisectingPastTheRetryAttemptsDropsOnlyThePoisonRecord) {
  Harness h;
  h.config.batch_size = 16;
  h.config.bisect_batch_on_function_error = true;
  h.config.maximum_retry_attempts = 1;
  for (int i = 0; i < 16; ++i) h.stream.put("r" + std::to_string(i));  // 100..115
  std::string poison = seqs(h.stream, 109, 109)[0];
  h.fn.answer = [&](const std::vector<std::string>& s) {
    for (const auto& q : s) {
      if (q == poison) return InvokeOutcome{true, true, "{\"errorType\":\"Poison\"}"};
    }
    return InvokeOutcome{};
  };
  h.start();
  h.run();
  std::vector<std::string> good = seqs(h.stream, 100, 115), handled;
  good.erase(good.begin() + 9);
  for (const auto& c : h.fn.calls) {
    if (std::find(c.begin(), c.end(), poison) == c.end()) {
      handled.insert(handled.end(), c.begin(), c.end());
    }
  }
  EXPECT_EQ(handled, good);  // each once, in order
  EXPECT_TRUE(h.logged("dropped 1 record of shard shardId-1 (sequence numbers " + poison +
                       "): retry attempts exhausted (1)"));
  EXPECT_EQ(h.checkpoint(), seqs(h.stream, 115, 115)[0]);
}

TEST(Mapping, PartialBatchFailureResumesAtTheLowestReportedRecord) {
  Harness h;
  h.config.report_batch_item_failures = true;
  for (int i = 0; i < 5; ++i) h.stream.put("r" + std::to_string(i));  // 100..104
  int calls = 0;
  h.fn.answer = [&](const std::vector<std::string>& s) {
    if (calls++ == 0) {
      return InvokeOutcome{true, false,
                           "{\"batchItemFailures\":[{\"itemIdentifier\":\"" + s[4] +
                               "\"},{\"itemIdentifier\":\"" + s[2] + "\"}]}"};
    }
    return InvokeOutcome{};
  };
  h.start();
  h.run();
  ASSERT_EQ(h.fn.calls.size(), 2u);
  EXPECT_EQ(h.fn.calls[0], seqs(h.stream, 100, 104));
  EXPECT_EQ(h.fn.calls[1], seqs(h.stream, 102, 104));
}

TEST(Mapping, PartialResponsesAreIgnoredWithoutReportBatchItemFailures) {
  Harness h;
  h.stream.put("a");
  h.fn.answer = [&](const std::vector<std::string>& s) {
    return InvokeOutcome{true, false,
                         "{\"batchItemFailures\":[{\"itemIdentifier\":\"" + s[0] + "\"}]}"};
  };
  h.start();
  h.run();
  EXPECT_EQ(h.fn.calls.size(), 1u);
}

TEST(Mapping, AnInvalidItemIdentifierFailsTheWholeBatch) {
  Harness h;
  h.config.report_batch_item_failures = true;
  h.config.maximum_retry_attempts = 1;
  h.stream.put("a");
  h.stream.put("b");
  h.fn.answer = [&](const std::vector<std::string>&) {
    return InvokeOutcome{true, false, "{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}"};
  };
  h.start();
  h.run();
  ASSERT_EQ(h.fn.calls.size(), 2u);  // the attempt and one retry, whole both times
  EXPECT_EQ(h.fn.calls[1].size(), 2u);
  EXPECT_TRUE(h.logged("dropped 2 records"));
}

TEST(Mapping, RetriesWaitOnThePlaneClockAndBlockTheShard) {
  Harness h;
  h.stream.put("a");
  h.stream.put("b");
  h.config.batch_size = 1;
  int failures = 0;
  h.fn.answer = [&](const std::vector<std::string>& s) {
    if (s[0] == seqs(h.stream, 100, 100)[0] && failures++ < 2) return InvokeOutcome{true, true, ""};
    return InvokeOutcome{};
  };
  h.start();
  int64_t before = awsproto::Clock::now_ms();
  h.runner->step();
  ASSERT_EQ(h.fn.calls.size(), 1u);
  for (int i = 0; i < 20; ++i) h.runner->step();  // no time passes: no retry, nothing after it
  EXPECT_EQ(h.fn.calls.size(), 1u);
  h.run();
  EXPECT_EQ(h.fn.delivered(),
            (std::vector<std::string>{seqs(h.stream, 100, 100)[0], seqs(h.stream, 100, 100)[0],
                                      seqs(h.stream, 100, 100)[0], seqs(h.stream, 101, 101)[0]}));
  // 1 s, then 2 s.
  EXPECT_GE(awsproto::Clock::now_ms() - before, retry_delay_ms(1) + retry_delay_ms(2));
}

TEST(Mapping, RecordsOlderThanTheMaximumAgeAreDropped) {
  Harness h;
  h.config.maximum_record_age_in_seconds = 60;
  h.stream.put("old");
  h.fn.answer = [](const std::vector<std::string>&) { return InvokeOutcome{true, true, ""}; };
  h.start();
  h.runner->step();
  ASSERT_EQ(h.fn.calls.size(), 1u);
  awsproto::Clock::advance_ms(61'000);
  h.stream.put("new");
  h.fn.answer = nullptr;
  h.run();
  EXPECT_TRUE(h.logged("dropped 1 record of shard shardId-1 (sequence numbers " +
                       seqs(h.stream, 100, 100)[0] +
                       "): older than the maximum record age (60 s)"));
  ASSERT_EQ(h.fn.calls.size(), 2u);
  EXPECT_EQ(h.fn.calls[1], seqs(h.stream, 101, 101));
}

TEST(Mapping, UnlimitedRetriesEndWhenTheRecordExpires) {
  Harness h;
  h.stream.put("a");
  h.fn.answer = [](const std::vector<std::string>&) { return InvokeOutcome{true, true, ""}; };
  h.start();
  h.runner->step();
  awsproto::Clock::advance_ms(kStreamRetentionMs + 1000);
  h.run(5);
  EXPECT_TRUE(h.logged("older than the maximum record age (86400 s)"));
}

TEST(Mapping, FilteredRecordsAreSkippedAndTheCheckpointMovesPast) {
  Harness h;
  h.stream.put("a", "\"keep\":{\"BOOL\":true}");
  h.stream.put("b");
  h.stream.put("c", "\"keep\":{\"BOOL\":true}");
  h.stream.put("d");
  RecordFilter filter = make_filter(
      R"({"Filters":[{"Pattern":"{\"dynamodb\":{\"NewImage\":{\"keep\":{\"BOOL\":[true]}}}}"}]})");
  ASSERT_TRUE(filter);
  h.start(filter);
  h.run();
  ASSERT_EQ(h.fn.calls.size(), 1u);
  EXPECT_EQ(h.fn.calls[0],
            (std::vector<std::string>{seqs(h.stream, 100, 100)[0], seqs(h.stream, 102, 102)[0]}));
  EXPECT_EQ(h.store.load("M")->shards["shardId-1"].after, seqs(h.stream, 103, 103)[0]);
}

TEST(Mapping, NoFilterCriteriaLetsEverythingThrough) {
  EXPECT_FALSE(make_filter("null"));
  EXPECT_FALSE(make_filter(""));
  EXPECT_THROW(make_filter(R"({"Filters":[{"Pattern":"not json"}]})"), std::invalid_argument);
}

TEST(Mapping, LatestSkipsWhatCameBeforeTheFirstStart) {
  Harness h;
  h.config.starting_position = "LATEST";
  h.stream.put("before1");
  h.stream.roll_over();
  h.stream.put("before2");
  h.start();
  h.run(10);
  EXPECT_TRUE(h.fn.calls.empty());
  h.stream.put("after");
  h.run(10);
  ASSERT_EQ(h.fn.calls.size(), 1u);
  EXPECT_EQ(h.fn.calls[0], seqs(h.stream, 102, 102));
}

TEST(Mapping, LatestIsChosenOnceAndKeptAcrossARestart) {
  Harness h;
  h.config.starting_position = "LATEST";
  h.stream.put("before");
  h.start();
  h.run(3);
  h.runner.reset();            // the host is down...
  h.stream.put("while down");  // ...while this is written
  h.start();
  h.run(10);
  ASSERT_EQ(h.fn.calls.size(), 1u);
  EXPECT_EQ(h.fn.calls[0], seqs(h.stream, 101, 101));
}

TEST(Mapping, TrimHorizonReadsEverything) {
  Harness h;
  h.stream.put("a");
  h.stream.put("b");
  h.start();
  h.run(10);
  EXPECT_EQ(h.fn.delivered(), seqs(h.stream, 100, 101));
}

TEST(Mapping, ResumesFromTheCheckpointAfterARestart) {
  Harness h;
  h.config.batch_size = 2;
  for (int i = 0; i < 4; ++i) h.stream.put("r" + std::to_string(i));
  h.start();
  h.runner->step();  // one batch: 100, 101
  ASSERT_EQ(h.fn.calls.size(), 1u);
  h.runner.reset();
  h.start();
  h.run(10);
  EXPECT_EQ(h.fn.delivered(), seqs(h.stream, 100, 103));  // nothing twice, nothing skipped
}

TEST(Mapping, WaitsForTheTableToExist) {
  Harness h;
  h.stream.table_exists = false;
  h.start();
  h.run(5);
  EXPECT_TRUE(h.logged("waiting for table t"));
  h.stream.table_exists = true;
  h.stream.put("a");
  h.run(20);
  EXPECT_EQ(h.fn.calls.size(), 1u);
}

TEST(Mapping, TtlDeletionsReachTheFunctionWithLambdasUserIdentity) {
  Harness h;
  std::string payload;
  h.stream.put("gone", "", true);
  h.start(nullptr);
  h.runner = std::make_unique<MappingRunner>(
      h.config, h.stream,
      [&](const std::string&, const std::string& p) {
        payload = p;
        return InvokeOutcome{};
      },
      h.store, nullptr, [](const std::string&) {});
  h.run(5);
  EXPECT_NE(payload.find("\"userIdentity\":{\"principalId\":\"dynamodb.amazonaws.com\","
                         "\"type\":\"Service\"}"),
            std::string::npos)
      << payload;
}

// The lane of FakeStreams::put(id)'s record among `lanes`.
size_t lane_for(const std::string& id, int lanes) {
  rapidjson::Document keys;
  keys.Parse(("{\"id\":{\"S\":\"" + id + "\"}}").c_str());
  return lane_of(item_key(keys), lanes);
}

TEST(Parallelization, BatchesOfAShardOverlapAndEachItemKeepsItsOrder) {
  Harness h;
  h.config.parallelization_factor = 4;
  h.config.batch_size = 3;
  h.fn.sleep_ms = 20;
  std::vector<std::string> all;
  for (int round = 0; round < 6; ++round) {
    for (int k = 0; k < 8; ++k) {
      all.push_back(
          h.stream.put("k" + std::to_string(k), "\"v\":{\"N\":\"" + std::to_string(round) + "\"}"));
    }
  }
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.fn.delivered().size() >= all.size(); }));
  h.runner.reset();
  // Each record once.
  std::vector<std::string> got = h.fn.delivered();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, all);
  // Batches ran at once, never more than the factor.
  EXPECT_GT(h.fn.max_running, 1);
  EXPECT_LE(h.fn.max_running, 4);
  // In the order the invocations started, each item's records come in sequence order; a batch
  // holds one lane's records, at most BatchSize of them.
  std::map<std::string, std::string> last;
  for (size_t c = 0; c < h.fn.calls.size(); ++c) {
    EXPECT_LE(h.fn.calls[c].size(), 3u);
    for (size_t i = 0; i < h.fn.calls[c].size(); ++i) {
      const std::string& id = h.fn.ids[c][i];
      EXPECT_EQ(lane_for(id, 4), lane_for(h.fn.ids[c][0], 4));
      EXPECT_LT(last[id], h.fn.calls[c][i]) << id;
      last[id] = h.fn.calls[c][i];
    }
  }
}

TEST(Parallelization, AFailingBatchHoldsUpOnlyItsLaneAndTheCheckpoint) {
  Harness h;
  h.config.parallelization_factor = 2;
  // Two items in different lanes.
  std::string a = "a", b = "b0";
  for (int i = 1; lane_for(b, 2) == lane_for(a, 2); ++i) b = "b" + std::to_string(i);
  std::string a1 = h.stream.put(a);  // fails three times
  std::string b1 = h.stream.put(b);
  std::string b2 = h.stream.put(b);
  std::string a2 = h.stream.put(a);
  std::atomic<int> failures = 0;  // attempts of a's batch
  h.fn.answer = [&](const std::vector<std::string>& s) {
    if (s[0] == a1 && failures++ < 3) return InvokeOutcome{true, true, "{}"};
    return InvokeOutcome{};
  };
  h.start();
  auto delivered = [&](const std::string& seq) {
    auto d = h.fn.delivered();
    return std::find(d.begin(), d.end(), seq) != d.end();
  };
  ASSERT_TRUE(h.run_until([&] { return delivered(b2) && failures >= 1; }));
  // b's records went on while a's batch failed; the checkpoint stays before a's first record.
  EXPECT_EQ(h.checkpoint(), "");
  EXPECT_LT(failures, 4);
  ASSERT_TRUE(h.run_until([&] { return h.checkpoint() == a2; }));
  EXPECT_EQ(failures, 4);
  // a2 was only ever sent behind a1, in a's batch.
  for (const auto& c : h.fn.calls) {
    if (std::find(c.begin(), c.end(), a2) != c.end()) {
      EXPECT_EQ(c, (std::vector<std::string>{a1, a2}));
    }
  }
  EXPECT_EQ(h.fn.calls.size(), 5u);  // a's batch four times, b's once
  EXPECT_TRUE(h.logged("failed (attempt 3)"));
}

TEST(Parallelization, TheCheckpointIsTheDonePrefix) {
  Harness h;
  h.config.parallelization_factor = 2;
  h.config.batch_size = 1;
  std::string a = "a", b = "b0";
  for (int i = 1; lane_for(b, 2) == lane_for(a, 2); ++i) b = "b" + std::to_string(i);
  std::string a1 = h.stream.put(a);
  std::string b1 = h.stream.put(b);
  std::string b2 = h.stream.put(b);
  // a1's invocation waits until b's records are through.
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::vector<std::string> seen_checkpoints;
  h.fn.answer = [&](const std::vector<std::string>& s) {
    if (s[0] == a1) {
      std::unique_lock lock(m);
      cv.wait_for(lock, std::chrono::seconds(5), [&] { return release; });
    }
    return InvokeOutcome{};
  };
  h.start();
  ASSERT_TRUE(
      h.run_until([&] { return h.fn.delivered().size() == 3 && h.runner->in_flight() == 1; }));
  EXPECT_EQ(h.checkpoint(), "");  // b1 and b2 are done, a1 before them is not
  std::vector<std::string> marks(2);
  marks[lane_for(b, 2)] = b2;
  EXPECT_EQ(h.store.load("M")->shards["shardId-1"].lanes, marks);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  ASSERT_TRUE(h.run_until([&] { return h.runner->in_flight() == 0 && h.checkpoint() == b2; }));
  EXPECT_TRUE(h.store.load("M")->shards["shardId-1"].lanes.empty());  // caught up
  // A restart reads nothing again.
  h.runner.reset();
  h.start();
  h.stream.put("c");
  ASSERT_TRUE(h.run_until([&] { return h.fn.delivered().size() == 4; }));
  h.runner.reset();
  EXPECT_EQ(h.fn.calls.back(), seqs(h.stream, 103, 103));
}

TEST(Parallelization, ARestartSendsAgainOnlyWhatWasNotDone) {
  Harness h;
  h.config.parallelization_factor = 2;
  h.config.batch_size = 1;
  std::string a = "a", b = "b0";
  for (int i = 1; lane_for(b, 2) == lane_for(a, 2); ++i) b = "b" + std::to_string(i);
  std::string a1 = h.stream.put(a);  // fails until the restart
  std::string b1 = h.stream.put(b);
  std::string b2 = h.stream.put(b);
  std::string a2 = h.stream.put(a);
  std::atomic<bool> failing = true;
  h.fn.answer = [&](const std::vector<std::string>& s) {
    return s[0] == a1 && failing ? InvokeOutcome{true, true, "{}"} : InvokeOutcome{};
  };
  h.start();
  auto delivered = [&](const std::string& seq) {
    auto d = h.fn.delivered();
    return std::count(d.begin(), d.end(), seq);
  };
  ASSERT_TRUE(h.run_until([&] { return delivered(b2) == 1 && h.runner->in_flight() == 0; }));
  h.runner.reset();  // the host stops while a1 waits for its retry
  EXPECT_EQ(h.checkpoint(), "");
  failing = false;
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.checkpoint() == a2; }));
  // b's records are not sent again; a's are, in order.
  EXPECT_EQ(delivered(b1), 1);
  EXPECT_EQ(delivered(b2), 1);
  EXPECT_EQ(delivered(a2), 1);
  EXPECT_EQ(h.fn.calls.back(), std::vector<std::string>{a2});
  // With another factor the marks do not apply: what is past the checkpoint comes again.
  h.runner.reset();
  h.store.save("M", [&] {
    MappingCheckpoint c = *h.store.load("M");
    c.shards["shardId-1"] = {a1, false, {"", b2}};
    return c;
  }());
  h.config.parallelization_factor = 1;
  size_t before = h.fn.count();
  h.start();
  h.run(20);
  EXPECT_EQ(std::vector<std::vector<std::string>>(h.fn.calls.begin() + before, h.fn.calls.end()),
            (std::vector<std::vector<std::string>>{{b1}, {b2}, {a2}}));
}

TEST(Parallelization, FactorOneSendsOneBatchAtATimeInSequenceOrder) {
  Harness h;
  h.config.batch_size = 2;
  h.fn.sleep_ms = 2;
  for (int i = 0; i < 6; ++i) h.stream.put("k" + std::to_string(i % 3));  // 100..105
  h.start();
  h.run(50);
  EXPECT_EQ(h.runner->in_flight(), 0u);
  EXPECT_EQ(h.fn.max_running, 1);
  std::vector<std::vector<std::string>> want = {seqs(h.stream, 100, 101), seqs(h.stream, 102, 103),
                                                seqs(h.stream, 104, 105)};
  EXPECT_EQ(h.fn.calls, want);
}

}  // namespace
}  // namespace triggers
