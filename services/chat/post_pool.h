// The fanout's post pool (chat-fanout, services/chat/functions/fanout.cc), apart from
// @connections so that its queueing and its deadline stop are unit-tested with a fake post.
//
// post() queues a frame for a connection; wait() returns once every queued frame has been
// posted (or dropped for a gone connection), or at the stop time: then no post starts any more,
// the posts in flight finish, and the lowest record with a frame not posted is reported as
// failed, so that Lambda's retry (ReportBatchItemFailures) resumes there and does not post again
// what this invocation already did.
// https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
//
// Each connection has its own queue, taken by one thread at a time: a connection gets its
// frames in record order, and a slow or dead client holds up only its own queue. A thread takes
// several ready queues at once (an even share of what is ready among the threads not posting),
// each with all its queued frames, at most `max_batch` frames in all, and posts them together
// in that order: chat-fanout pipelines them on one keep-alive connection, which the gateway
// answers in order, so a connection's frames still arrive in record order and a burst of
// messages costs a member one round trip, not one a message.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "chat/store.h"

namespace chat {

class PostPool {
 public:
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();

  enum class Outcome {
    Done,   // posted, or refused for good (a 4xx that a retry would get again)
    Gone,   // 410: nothing more for this connection in this invocation
    Retry,  // no answer or a 5xx: the record comes again
  };
  // Posts one frame; each thread makes its own (its clients are not shared).
  using Post = std::function<Outcome(const Target&, const std::string& frame)>;
  using MakePost = std::function<Post()>;
  // Posts the frames in the order given (a connection's frames are consecutive, in record
  // order, and must go out in that order); an outcome for each, in order.
  struct Item {
    const Target* target;
    const std::string* frame;
  };
  using PostMany = std::function<std::vector<Outcome>(const std::vector<Item>&)>;
  using MakePostMany = std::function<PostMany()>;

  PostPool(MakePost make_post, int threads);
  PostPool(MakePostMany make_post, int threads, size_t max_batch);
  ~PostPool();
  PostPool(const PostPool&) = delete;
  PostPool& operator=(const PostPool&) = delete;

  // Queues `frame` of Records[record] for the target's connection (nothing once it is gone).
  // Posting starts in wait().
  void post(const Target& target, size_t record, std::shared_ptr<const std::string> frame);

  // Waits for the queues to empty, or until `stop_at`; the lowest record with a failed or
  // unposted frame (kNone: none), and the connections found gone. Resets for the next
  // invocation.
  size_t wait(std::set<std::string>& gone, std::chrono::steady_clock::time_point stop_at =
                                               std::chrono::steady_clock::time_point::max());

 private:
  struct Queue {
    Target target;
    std::deque<std::pair<size_t, std::shared_ptr<const std::string>>> jobs;
    bool busy = false, gone = false;
  };

  void run();

  MakePostMany make_post_;
  size_t max_batch_ = 1;
  size_t thread_count_ = 1;
  std::mutex mutex_;
  std::condition_variable work_, idle_;
  std::unordered_map<std::string, Queue> queues_;
  std::deque<std::string> ready_;
  size_t pending_ = 0;    // queued and in flight
  size_t in_flight_ = 0;  // being posted
  size_t first_failed_ = kNone;
  int waiting_ = 0;        // threads waiting for work
  size_t posting_ = 0;     // threads posting
  bool open_ = false;      // in wait(): posting has started
  bool stopping_ = false;  // past the stop time: no post starts
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace chat
