#include "chat/post_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace chat {
namespace {

using namespace std::chrono_literals;

Target target(const std::string& id) { return Target{id, "u-" + id, "d", "chat"}; }

std::shared_ptr<const std::string> frame(const std::string& text) {
  return std::make_shared<const std::string>(text);
}

// Records what was posted, per connection, in order.
struct Log {
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> posted;
  void add(const Target& t, const std::string& f) {
    std::lock_guard lock(mutex);
    posted[t.connection_id].push_back(f);
  }
};

TEST(PostPool, PostsEveryFrameInOrderPerConnection) {
  Log log;
  PostPool poster(
      [&] {
        return PostPool::Post([&](const Target& t, const std::string& f) {
          log.add(t, f);
          return PostPool::Outcome::Done;
        });
      },
      4);
  for (int r = 0; r < 20; ++r) {
    for (const char* id : {"a", "b", "c"}) poster.post(target(id), r, frame(std::to_string(r)));
  }
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  EXPECT_TRUE(gone.empty());
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_EQ(log.posted[id].size(), 20u) << id;
    for (int r = 0; r < 20; ++r) EXPECT_EQ(log.posted[id][r], std::to_string(r));
  }
}

TEST(PostPool, AGoneConnectionGetsNothingMoreAndAFailedPostIsTheLowestRecord) {
  Log log;
  PostPool poster(
      [&] {
        return PostPool::Post([&](const Target& t, const std::string& f) {
          log.add(t, f);
          if (t.connection_id == "gone") return PostPool::Outcome::Gone;
          if (t.connection_id == "flaky" && f == "2") return PostPool::Outcome::Retry;
          return PostPool::Outcome::Done;
        });
      },
      2);
  for (int r = 0; r < 5; ++r) {
    for (const char* id : {"gone", "flaky", "fine"})
      poster.post(target(id), r, frame(std::to_string(r)));
  }
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone), 2u);
  EXPECT_EQ(gone, std::set<std::string>{"gone"});
  EXPECT_EQ(log.posted["gone"].size(), 1u);
  EXPECT_EQ(log.posted["flaky"].size(), 5u);
  EXPECT_EQ(log.posted["fine"].size(), 5u);
  // The next invocation starts afresh.
  poster.post(target("gone"), 0, frame("again"));
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  EXPECT_EQ(log.posted["gone"].size(), 2u);
}

// 21 connections with 10 frames each on 2 threads, at most 8 frames a batch: a batch holds
// several connections and each connection's frames are consecutive, in record order; every
// connection's frames arrive in order; a Gone one gets nothing after the batch that found it
// gone, and nothing it still had queued.
TEST(PostPool, ABatchTakesSeveralConnectionsWithTheirQueuedFrames) {
  Log log;
  std::mutex mutex;
  size_t largest = 0, batches_with_several = 0, batches_with_gone = 0;
  bool interleaved = false;
  PostPool poster(
      [&] {
        return PostPool::PostMany([&](const std::vector<PostPool::Item>& items) {
          std::vector<PostPool::Outcome> out;
          std::set<std::string> ids;
          std::string previous;
          bool gone = false;
          for (const auto& i : items) {
            const std::string& id = i.target->connection_id;
            if (id != previous) interleaved |= !ids.insert(id).second;
            previous = id;
            gone |= id == "gone";
            log.add(*i.target, *i.frame);
            out.push_back(id == "gone" ? PostPool::Outcome::Gone : PostPool::Outcome::Done);
          }
          std::lock_guard lock(mutex);
          largest = std::max(largest, items.size());
          batches_with_several += ids.size() > 1;
          batches_with_gone += gone;
          std::this_thread::sleep_for(1ms);
          return out;
        });
      },
      2, 8);
  std::vector<std::string> ids = {"gone"};
  for (int c = 0; c < 20; ++c) ids.push_back("c" + std::to_string(c));
  for (int r = 0; r < 10; ++r) {
    for (const auto& id : ids) poster.post(target(id), r, frame(std::to_string(r)));
  }
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  EXPECT_EQ(gone, std::set<std::string>{"gone"});
  EXPECT_FALSE(interleaved);
  EXPECT_GT(batches_with_several, 0u);
  EXPECT_LE(largest, 8u);
  EXPECT_EQ(batches_with_gone, 1u);
  const auto& to_gone = log.posted["gone"];
  EXPECT_GE(to_gone.size(), 1u);
  EXPECT_LE(to_gone.size(), 8u);
  for (size_t r = 0; r < to_gone.size(); ++r) EXPECT_EQ(to_gone[r], std::to_string(r));
  for (int c = 0; c < 20; ++c) {
    const auto& got = log.posted["c" + std::to_string(c)];
    ASSERT_EQ(got.size(), 10u);
    for (int r = 0; r < 10; ++r) EXPECT_EQ(got[r], std::to_string(r));
  }
}

// A burst: 10 messages in one conversation of 10 members, 12 threads. Each member's 10 frames
// go out in one batch, in order: one round trip a member, not ten in sequence.
TEST(PostPool, AConnectionsQueuedFramesGoInOneBatch) {
  Log log;
  std::mutex mutex;
  size_t batches = 0;
  PostPool poster(
      [&] {
        return PostPool::PostMany([&](const std::vector<PostPool::Item>& items) {
          for (const auto& i : items) log.add(*i.target, *i.frame);
          std::lock_guard lock(mutex);
          ++batches;
          return std::vector<PostPool::Outcome>(items.size(), PostPool::Outcome::Done);
        });
      },
      12, 32);
  for (int r = 0; r < 10; ++r) {
    for (int m = 0; m < 10; ++m)
      poster.post(target("m" + std::to_string(m)), r, frame(std::to_string(r)));
  }
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  std::lock_guard lock(mutex);
  EXPECT_LE(batches, 10u);
  for (int m = 0; m < 10; ++m) {
    const auto& got = log.posted["m" + std::to_string(m)];
    ASSERT_EQ(got.size(), 10u);
    for (int r = 0; r < 10; ++r) EXPECT_EQ(got[r], std::to_string(r));
  }
}

// 45 connections with a frame each, on 12 threads: the frames are shared out evenly in one
// round, a call per thread at most, none posted alone while others go several at a time.
TEST(PostPool, ReadyFramesAreSharedEvenlyInOneRound) {
  std::mutex mutex;
  std::condition_variable all_taken;
  std::vector<size_t> sizes;
  size_t taken = 0;
  PostPool poster(
      [&] {
        return PostPool::PostMany([&](const std::vector<PostPool::Item>& items) {
          std::unique_lock lock(mutex);
          sizes.push_back(items.size());
          taken += items.size();
          all_taken.notify_all();
          // No post ends before every frame is taken, however the threads are scheduled.
          all_taken.wait_for(lock, 5s, [&] { return taken == 45; });
          return std::vector<PostPool::Outcome>(items.size(), PostPool::Outcome::Done);
        });
      },
      12, 32);
  for (int c = 0; c < 45; ++c) poster.post(target("c" + std::to_string(c)), 0, frame("0"));
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  std::lock_guard lock(mutex);
  size_t total = 0;
  for (size_t n : sizes) total += n;
  EXPECT_EQ(total, 45u);
  EXPECT_LE(sizes.size(), 12u);
  EXPECT_GE(*std::min_element(sizes.begin(), sizes.end()), 3u);
}

// Each post takes 20 ms on two threads; the stop comes after about 5 of 30 posts. The posts in
// flight finish, nothing starts after the stop, and the lowest record with an unposted frame is
// the one reported: every record below it was posted to every connection.
TEST(PostPool, AtTheStopTimeNoPostStartsAndTheFirstUnpostedRecordIsReported) {
  Log log;
  std::atomic<bool> stopped{false};
  std::atomic<int> after_stop{0};
  PostPool poster(
      [&] {
        return PostPool::Post([&](const Target& t, const std::string& f) {
          if (stopped) ++after_stop;
          std::this_thread::sleep_for(20ms);
          log.add(t, f);
          return PostPool::Outcome::Done;
        });
      },
      2);
  for (int r = 0; r < 10; ++r) {
    for (const char* id : {"a", "b", "c"}) poster.post(target(id), r, frame(std::to_string(r)));
  }
  std::set<std::string> gone;
  auto start = std::chrono::steady_clock::now();
  size_t failed = poster.wait(gone, start + 50ms);
  stopped = true;
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 1s);
  ASSERT_NE(failed, PostPool::kNone);
  EXPECT_LT(failed, 10u);
  size_t posted = 0;
  for (const char* id : {"a", "b", "c"}) {
    const auto& got = log.posted[id];
    posted += got.size();
    // Each connection got records 0.. in order; each record below `failed` reached all three.
    EXPECT_GE(got.size(), failed) << id;
    for (size_t r = 0; r < got.size(); ++r) EXPECT_EQ(got[r], std::to_string(r));
  }
  EXPECT_LT(posted, 30u);
  EXPECT_EQ(after_stop, 0);
  // The queues are dropped: the next invocation posts only its own frames.
  poster.post(target("a"), 0, frame("next"));
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(log.posted["a"].back(), "next");
  EXPECT_EQ(after_stop, 1);
}

// A post that fails while stopping counts as not posted: its record is reported.
TEST(PostPool, APostThatFailsAtTheStopIsUnposted) {
  std::atomic<int> calls{0};
  PostPool poster(
      [&] {
        return PostPool::Post([&](const Target&, const std::string& f) {
          ++calls;
          std::this_thread::sleep_for(30ms);
          return f == "0" ? PostPool::Outcome::Retry : PostPool::Outcome::Done;
        });
      },
      1);
  poster.post(target("a"), 0, frame("0"));
  poster.post(target("a"), 1, frame("1"));
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone, std::chrono::steady_clock::now() + 5ms), 0u);
  EXPECT_EQ(calls, 1);
}

// Posts that each take `how_long` and all end with `outcome`.
PostPool::MakePostMany all_after(std::chrono::milliseconds how_long, PostPool::Outcome outcome) {
  return [how_long, outcome] {
    return PostPool::PostMany([how_long, outcome](const std::vector<PostPool::Item>& items) {
      std::this_thread::sleep_for(how_long);
      return std::vector<PostPool::Outcome>(items.size(), outcome);
    });
  };
}

// A batch of one connection's five frames that all fail while stopping: the lowest record is
// reported, so that the retry posts them all again.
TEST(PostPool, AFailedBatchAtTheStopIsReportedByItsLowestRecord) {
  PostPool poster(all_after(30ms, PostPool::Outcome::Retry), 1, 8);
  for (size_t r = 3; r < 8; ++r) poster.post(target("a"), r, frame(std::to_string(r)));
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone, std::chrono::steady_clock::now() + 5ms), 3u);
}

// A connection's queue need not be in record order: the fanout queues a batch's presence frame
// last, under the batch's first presence record. At the stop the lowest record of every frame
// not posted is reported, not the lowest of each queue's first.
TEST(PostPool, AtTheStopTheLowestRecordOfAnyQueuedFrameIsReported) {
  PostPool poster(all_after(30ms, PostPool::Outcome::Done), 1, 1);
  poster.post(target("busy"), 9, frame("9"));  // the one thread's first batch, past the stop
  poster.post(target("x"), 3, frame("3"));
  poster.post(target("x"), 7, frame("7"));
  poster.post(target("x"), 2, frame("presence"));
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone, std::chrono::steady_clock::now() + 5ms), 2u);
}

// A frame that fails after its connection was found gone in the same batch is no reason to
// retry the record: nothing more goes to that connection.
TEST(PostPool, AFailureAfterGoneInABatchIsNoRetry) {
  PostPool poster(
      [&] {
        return PostPool::PostMany([&](const std::vector<PostPool::Item>& items) {
          std::vector<PostPool::Outcome> out(items.size(), PostPool::Outcome::Retry);
          out[0] = PostPool::Outcome::Gone;
          return out;
        });
      },
      1, 8);
  for (size_t r = 0; r < 3; ++r) poster.post(target("a"), r, frame(std::to_string(r)));
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  EXPECT_EQ(gone, std::set<std::string>{"a"});
}

}  // namespace
}  // namespace chat
