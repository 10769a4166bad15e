#include "background.h"

#include <pthread.h>

#include <future>
#include <iostream>

#include "items/write.h"
#include "storage/garbage.h"
#include "streams/stream_log.h"

namespace ddb {
namespace {
constexpr size_t kTtlBatch = 1000;
constexpr size_t kTrimBatch = 5000;
constexpr size_t kGarbageBatch = 5000;
}  // namespace

Maintenance::Maintenance(storage::Database& db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval), thread_([this] { run(); }) {}

Maintenance::~Maintenance() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

size_t Maintenance::round() {
  auto removed = std::make_shared<size_t>(0);
  std::promise<void> done;
  auto finished = done.get_future();
  db_.write(
      [this, removed](storage::Txn& txn) {
        size_t expired = items::expire(txn, db_, kTtlBatch);
        size_t trimmed = streams::trim(txn, db_, kTrimBatch);
        size_t collected = storage::collect_garbage(txn, db_, kGarbageBatch);
        // A full batch of anything means more is due.
        *removed = (expired >= kTtlBatch || trimmed >= kTrimBatch || collected >= kGarbageBatch)
                       ? kTtlBatch
                       : expired + trimmed + collected;
      },
      [this, &done](std::exception_ptr e) {
        if (e && !db_.closing()) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& x) {
            std::cerr << "emulator: maintenance: " << x.what() << std::endl;
          }
        }
        done.set_value();
      });
  finished.wait();
  return *removed;
}

void Maintenance::run() {
  pthread_setname_np(pthread_self(), "maintenance");
  for (;;) {
    // A full batch means more is due: go again at once, else sleep until the next round.
    bool more = round() >= kTtlBatch;
    std::unique_lock lock(mu_);
    if (!more) cv_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace ddb
