#include "chat/post_pool.h"

#include <algorithm>
#include <utility>

namespace chat {

PostPool::PostPool(MakePost make_post, int threads) : make_post_(std::move(make_post)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

PostPool::~PostPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_.notify_all();
  for (auto& t : threads_) t.join();
}

void PostPool::post(const Target& target, size_t record, std::shared_ptr<const std::string> frame) {
  std::lock_guard lock(mutex_);
  Queue& q = queues_[target.connection_id];
  if (q.gone) return;
  if (q.jobs.empty() && !q.busy) {
    q.target = target;
    ready_.push_back(target.connection_id);
    if (waiting_ > 0) work_.notify_one();
  }
  q.jobs.emplace_back(record, std::move(frame));
  ++pending_;
}

size_t PostPool::wait(std::set<std::string>& gone, std::chrono::steady_clock::time_point stop_at) {
  std::unique_lock lock(mutex_);
  size_t failed = kNone;
  if (!idle_.wait_until(lock, stop_at, [&] { return pending_ == 0; })) {
    // Out of time: the posts in flight finish; what is still queued is not posted. A queue's
    // jobs are in record order, so its first is its lowest record.
    stopping_ = true;
    idle_.wait(lock, [&] { return in_flight_ == 0; });
    for (const auto& [id, q] : queues_) {
      if (!q.gone && !q.jobs.empty()) failed = std::min(failed, q.jobs.front().first);
    }
    ready_.clear();
    pending_ = 0;
    stopping_ = false;
  }
  for (const auto& [id, q] : queues_) {
    if (q.gone) gone.insert(id);
  }
  queues_.clear();
  failed = std::min(failed, first_failed_);
  first_failed_ = kNone;
  return failed;
}

void PostPool::run() {
  Post post_one = make_post_();
  std::unique_lock lock(mutex_);
  for (;;) {
    ++waiting_;
    work_.wait(lock, [&] { return stop_ || (!stopping_ && !ready_.empty()); });
    --waiting_;
    if (stop_) return;
    std::string id = std::move(ready_.front());
    ready_.pop_front();
    Queue& q = queues_[id];
    auto [record, frame] = std::move(q.jobs.front());
    q.jobs.pop_front();
    q.busy = true;
    ++in_flight_;
    Target target = q.target;
    lock.unlock();
    Outcome outcome = post_one(target, *frame);
    lock.lock();
    --in_flight_;
    Queue& after = queues_[id];
    after.busy = false;
    if (stopping_) {
      // wait() takes the queues as they are; a failed post counts as unposted.
      if (outcome == Outcome::Retry) after.jobs.emplace_front(record, std::move(frame));
      if (outcome == Outcome::Gone) after.gone = true;
      if (in_flight_ == 0) idle_.notify_all();
      continue;
    }
    --pending_;
    if (outcome == Outcome::Gone) {
      after.gone = true;
      pending_ -= after.jobs.size();
      after.jobs.clear();
    } else if (outcome == Outcome::Retry && record < first_failed_) {
      first_failed_ = record;
    }
    // This thread takes the next ready queue itself: waking another for it would cost two
    // context switches a post.
    if (!after.jobs.empty()) ready_.push_back(id);
    if (pending_ == 0) idle_.notify_all();
  }
}

}  // namespace chat
