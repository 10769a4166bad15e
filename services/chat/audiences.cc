#include "chat/audiences.h"

#include <algorithm>
#include <exception>
#include <iterator>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "awsproto/clock.h"
#include "chat/model.h"
#include "chat/ulid.h"

namespace chat {
namespace {

// Users whose connections one job reads: one BatchGetItem's worth.
constexpr size_t kUsersPerRead = kBatchGetKeys;

}  // namespace

struct Audiences::Worker {
  std::unique_ptr<Db> db;
  std::unique_ptr<Store> store;
  std::thread thread;
};

Audiences::Audiences(const MakeDb& make_db, std::string table, int threads, Log log)
    : table_(std::move(table)), log_(std::move(log)) {
  for (int i = 0; i < std::max(threads, 1); ++i) {
    auto w = std::make_unique<Worker>();
    w->db = make_db();
    w->store = std::make_unique<Store>(
        Store{*w->db, table_, [] { return awsproto::Clock::now_ms(); }, process_ulids()});
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) w->thread = std::thread([this, &w = *w] { work(w); });
}

Audiences::~Audiences() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto& w : workers_) w->thread.join();
}

void Audiences::run(size_t n, const std::function<void(Store&, size_t)>& job,
                    std::vector<std::string>& errors) {
  errors.assign(n, {});
  if (n == 0) return;
  std::unique_lock lock(mutex_);
  job_ = &job;
  errors_ = &errors;
  jobs_ = n;
  next_ = finished_ = 0;
  start_.notify_all();
  done_.wait(lock, [&] { return finished_ == jobs_; });
  jobs_ = next_ = finished_ = 0;
  job_ = nullptr;
  errors_ = nullptr;
}

void Audiences::work(Worker& w) {
  std::unique_lock lock(mutex_);
  for (;;) {
    start_.wait(lock, [&] { return stop_ || next_ < jobs_; });
    if (stop_) return;
    size_t i = next_++;
    const auto* job = job_;
    auto* errors = errors_;
    lock.unlock();
    std::string error;
    try {
      (*job)(*w.store, i);
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "failed";
    }
    lock.lock();
    // Each job writes only its own element, and run() reads them once all have ended.
    (*errors)[i] = std::move(error);
    if (++finished_ == jobs_) done_.notify_all();
  }
}

void Audiences::resolve(const std::vector<const Delivery*>& deliveries, bool everyone) {
  conversations_.clear();
  everyone_.reset();
  for (const Delivery* d : deliveries) {
    if (d->audience == Delivery::Audience::Everyone) everyone = true;
    if (d->audience == Delivery::Audience::Conversation) conversations_[d->conversation_id];
  }

  // 1. The members of conversations not seen before; each conversation takes its own copy, so
  // that the cache forgetting everything in the middle of a batch loses none of them.
  std::vector<std::string> unknown;
  for (auto& [cid, r] : conversations_) {
    if (const auto* kept = members_.find(cid)) {
      r.members = *kept;
    } else {
      unknown.push_back(cid);
    }
  }
  std::vector<std::optional<std::vector<std::string>>> found(unknown.size());
  std::vector<std::string> errors;
  run(
      unknown.size(), [&](Store& s, size_t i) { found[i] = conversation_members(s, unknown[i]); },
      errors);
  for (size_t i = 0; i < unknown.size(); ++i) {
    Resolved& r = conversations_[unknown[i]];
    if (!errors[i].empty()) {
      r.error = std::move(errors[i]);
    } else if (!found[i]) {
      log_("fanout: conversation " + unknown[i] + " not found; nothing delivered");
    } else {
      r.members = *found[i];
      members_.put(unknown[i], std::move(*found[i]));
    }
  }

  // 2. The connections of every member of those conversations, and of everyone.
  std::vector<std::string> users;
  {
    std::set<std::string> distinct;
    for (const auto& [cid, r] : conversations_) distinct.insert(r.members.begin(), r.members.end());
    users.assign(distinct.begin(), distinct.end());
  }
  // One job for every kUsersPerRead users (a BatchGetItem of their CONNS items), and one for
  // each of the connections index's partitions.
  size_t buckets = everyone ? kConnectionBuckets : 0;
  size_t chunks = (users.size() + kUsersPerRead - 1) / kUsersPerRead;
  std::vector<std::vector<Target>> read(users.size() + buckets);
  std::vector<std::string> chunk_errors;
  run(
      chunks + buckets,
      [&](Store& s, size_t j) {
        if (j >= chunks) {
          read[users.size() + j - chunks] = bucket_connections(s, static_cast<int>(j - chunks));
          return;
        }
        size_t from = j * kUsersPerRead, to = std::min(users.size(), from + kUsersPerRead);
        auto got = users_connections(
            s, std::vector<std::string>(users.begin() + static_cast<std::ptrdiff_t>(from),
                                        users.begin() + static_cast<std::ptrdiff_t>(to)));
        for (size_t i = from; i < to; ++i) read[i] = std::move(got[i - from]);
      },
      chunk_errors);
  // Each user's and each partition's error, as the reads were one each.
  errors.assign(read.size(), {});
  for (size_t i = 0; i < users.size(); ++i) errors[i] = chunk_errors[i / kUsersPerRead];
  for (size_t b = 0; b < buckets; ++b) errors[users.size() + b] = chunk_errors[chunks + b];

  std::unordered_map<std::string_view, size_t> user_index;
  for (size_t i = 0; i < users.size(); ++i) user_index.emplace(users[i], i);
  for (auto& [cid, r] : conversations_) {
    for (const std::string& member : r.members) {
      size_t i = user_index.at(member);
      if (!errors[i].empty()) {
        r.error = "the connections of " + member + ": " + errors[i];
        r.targets.clear();
        break;
      }
      r.targets.insert(r.targets.end(), read[i].begin(), read[i].end());
    }
  }
  if (everyone) {
    everyone_.emplace();
    for (size_t i = users.size(); i < read.size(); ++i) {
      if (!errors[i].empty()) {
        everyone_->error = "the open connections: " + errors[i];
        everyone_->targets.clear();
        break;
      }
      everyone_->targets.insert(everyone_->targets.end(), std::make_move_iterator(read[i].begin()),
                                std::make_move_iterator(read[i].end()));
    }
  }
}

Audiences::Result Audiences::everyone() const {
  if (!everyone_) return {nullptr, "every open connection was not asked for"};
  if (everyone_->error) return {nullptr, *everyone_->error};
  return {&everyone_->targets, {}};
}

Audiences::Result Audiences::of(const Delivery& d) const {
  if (d.audience != Delivery::Audience::Conversation) return everyone();
  auto it = conversations_.find(d.conversation_id);
  if (it == conversations_.end())
    return {nullptr, "conversation " + d.conversation_id + " was not resolved"};
  if (it->second.error) return {nullptr, *it->second.error};
  return {&it->second.targets, {}};
}

}  // namespace chat
