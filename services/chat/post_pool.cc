#include "chat/post_pool.h"

#include <algorithm>
#include <utility>

namespace chat {

PostPool::PostPool(MakePost make_post, int threads)
    : PostPool(
          [make_post = std::move(make_post)] {
            return PostMany([post = make_post()](const std::vector<Item>& items) {
              std::vector<Outcome> out;
              for (const Item& i : items) out.push_back(post(*i.target, *i.frame));
              return out;
            });
          },
          threads, 1) {}

PostPool::PostPool(MakePostMany make_post, int threads, size_t max_batch)
    : make_post_(std::move(make_post)),
      max_batch_(std::max<size_t>(1, max_batch)),
      thread_count_(static_cast<size_t>(std::max(1, threads))) {
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
  }
  q.jobs.emplace_back(record, std::move(frame));
  ++pending_;
}

size_t PostPool::wait(std::set<std::string>& gone, std::chrono::steady_clock::time_point stop_at) {
  std::unique_lock lock(mutex_);
  // The threads start on what post() queued now, all of it there: each takes its share at once.
  open_ = true;
  if (waiting_ > 0 && !ready_.empty()) work_.notify_all();
  size_t failed = kNone;
  if (!idle_.wait_until(lock, stop_at, [&] { return pending_ == 0; })) {
    // Out of time: the posts in flight finish; what is still queued is not posted. The lowest
    // record over every queued frame (not each queue's first: a batch's presence frame comes
    // last under the batch's first presence record, below the messages queued before it).
    stopping_ = true;
    idle_.wait(lock, [&] { return in_flight_ == 0; });
    for (const auto& [id, q] : queues_) {
      if (q.gone) continue;
      for (const auto& job : q.jobs) failed = std::min(failed, job.first);
    }
    ready_.clear();
    pending_ = 0;
    stopping_ = false;
  }
  for (const auto& [id, q] : queues_) {
    if (q.gone) gone.insert(id);
  }
  queues_.clear();
  open_ = false;
  failed = std::min(failed, first_failed_);
  first_failed_ = kNone;
  return failed;
}

void PostPool::run() {
  PostMany post_many = make_post_();
  struct Taken {
    std::string id;
    Target target;
    size_t record;
    std::shared_ptr<const std::string> frame;
  };
  std::vector<Taken> taken;
  std::vector<Item> items;
  std::unique_lock lock(mutex_);
  for (;;) {
    ++waiting_;
    work_.wait(lock, [&] { return stop_ || (open_ && !stopping_ && !ready_.empty()); });
    --waiting_;
    if (stop_) return;
    // An even share of what is ready among the threads that are not posting (this one, those
    // waiting and any not started yet), so that they have theirs at once. (A share of the
    // pool's size left the last threads to wake a frame each, and the frames after them to go
    // one by one: a post alone is a round trip.)
    size_t takers = thread_count_ - posting_;
    size_t share = std::max<size_t>(1, (ready_.size() + takers - 1) / takers);
    // Each connection taken gives all its queued frames, in order, as far as max_batch goes: a
    // burst in one conversation queues several frames for each member, and posted one at a
    // time they were a round trip each, in sequence.
    taken.clear();
    for (size_t k = 0; k < share && taken.size() < max_batch_ && !ready_.empty(); ++k) {
      std::string id = std::move(ready_.front());
      ready_.pop_front();
      Queue& q = queues_[id];
      q.busy = true;
      do {
        auto [record, frame] = std::move(q.jobs.front());
        q.jobs.pop_front();
        ++in_flight_;
        taken.push_back({id, q.target, record, std::move(frame)});
      } while (!q.jobs.empty() && taken.size() < max_batch_);
    }
    items.clear();
    for (const Taken& t : taken) items.push_back({&t.target, t.frame.get()});
    ++posting_;
    lock.unlock();
    std::vector<Outcome> outcomes = post_many(items);
    outcomes.resize(taken.size(), Outcome::Retry);
    lock.lock();
    --posting_;
    for (size_t k = 0; k < taken.size(); ++k) {
      Taken& t = taken[k];
      --in_flight_;
      Queue& after = queues_[t.id];
      after.busy = false;
      if (stopping_) {
        // wait() reports the lowest record of the frames left in the queues, then clears them:
        // a failed post counts as unposted.
        if (outcomes[k] == Outcome::Retry) after.jobs.emplace_back(t.record, std::move(t.frame));
        if (outcomes[k] == Outcome::Gone) after.gone = true;
        continue;
      }
      --pending_;
      if (outcomes[k] == Outcome::Gone) {
        after.gone = true;
        pending_ -= after.jobs.size();
        after.jobs.clear();
      } else if (outcomes[k] == Outcome::Retry && !after.gone && t.record < first_failed_) {
        first_failed_ = t.record;  // (a frame to a connection found gone needs no retry)
      }
      // Ready again after its last frame of this batch.
      bool last = k + 1 == taken.size() || taken[k + 1].id != t.id;
      if (last && !after.gone && !after.jobs.empty()) ready_.push_back(t.id);
    }
    // This thread takes a share of what is ready again itself; when there is more than its
    // share (a connection cut off by max_batch, with others still ready), the threads that ran
    // out of work take theirs.
    if (!stopping_ && waiting_ > 0 && ready_.size() > 1) work_.notify_all();
    if (stopping_ && in_flight_ == 0) idle_.notify_all();
    if (!stopping_ && pending_ == 0) idle_.notify_all();
  }
}

}  // namespace chat
