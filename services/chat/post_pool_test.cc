#include "chat/post_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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

// Batches: the next frame of several connections at once, never two of one connection, each
// connection's frames still in order, a Gone one dropped with what it still had queued.
TEST(PostPool, ABatchTakesTheNextFrameOfSeveralConnections) {
  Log log;
  std::mutex mutex;
  size_t largest = 0;
  bool repeated = false;
  PostPool poster(
      [&] {
        return PostPool::PostMany([&](const std::vector<PostPool::Item>& items) {
          std::vector<PostPool::Outcome> out;
          std::set<std::string> ids;
          for (const auto& i : items) {
            repeated |= !ids.insert(i.target->connection_id).second;
            log.add(*i.target, *i.frame);
            out.push_back(i.target->connection_id == "gone" ? PostPool::Outcome::Gone
                                                            : PostPool::Outcome::Done);
          }
          std::lock_guard lock(mutex);
          largest = std::max(largest, items.size());
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
  EXPECT_FALSE(repeated);
  EXPECT_GT(largest, 1u);
  EXPECT_LE(largest, 8u);
  EXPECT_EQ(log.posted["gone"].size(), 1u);
  for (int c = 0; c < 20; ++c) {
    const auto& got = log.posted["c" + std::to_string(c)];
    ASSERT_EQ(got.size(), 10u);
    for (int r = 0; r < 10; ++r) EXPECT_EQ(got[r], std::to_string(r));
  }
}

// One thread's batch holds a slow post and three connections with more frames; the other
// thread runs out of work meanwhile. When the slow batch ends, the frames it puts back are
// shared: the idle thread takes some, rather than the slow batch's thread posting them all.
TEST(PostPool, FramesPutBackAfterABatchAreSharedWithIdleThreads) {
  std::mutex mutex;
  std::map<std::string, std::vector<std::thread::id>> by;
  PostPool poster(
      [&] {
        return PostPool::PostMany([&](const std::vector<PostPool::Item>& items) {
          bool slow = false;
          {
            std::lock_guard lock(mutex);
            for (const auto& i : items) {
              by[i.target->connection_id].push_back(std::this_thread::get_id());
              slow |= i.target->connection_id == "slow";
            }
          }
          std::this_thread::sleep_for(slow ? 100ms : 5ms);
          return std::vector<PostPool::Outcome>(items.size(), PostPool::Outcome::Done);
        });
      },
      2, 8);
  poster.post(target("slow"), 0, frame("0"));
  for (int r = 0; r < 3; ++r) {
    for (const char* id : {"a", "b", "c", "d", "e", "f"}) {
      poster.post(target(id), r, frame(std::to_string(r)));
    }
  }
  std::set<std::string> gone;
  EXPECT_EQ(poster.wait(gone), PostPool::kNone);
  std::lock_guard lock(mutex);
  const std::thread::id slow_thread = by["slow"].front();
  size_t later_elsewhere = 0;
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_EQ(by[id].size(), 3u) << id;
    if (by[id].front() != slow_thread) continue;  // not in the slow batch
    for (size_t k = 1; k < 3; ++k) later_elsewhere += by[id][k] != slow_thread;
  }
  EXPECT_GT(later_elsewhere, 0u);
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

}  // namespace
}  // namespace chat
