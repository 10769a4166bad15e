#include "background.h"

#include <future>
#include <iostream>

#include "streams/stream_log.h"
#include "ttl/ttl.h"

namespace emulator {
namespace {
constexpr size_t kTtlBatch = 1000;
constexpr size_t kTrimBatch = 5000;
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
        *removed = ttl::sweep(txn, db_, kTtlBatch) + streams::trim(txn, db_, kTrimBatch);
      },
      [&done](std::exception_ptr e) {
        if (e) {
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
  for (;;) {
    // A full batch means more is due: go again at once, else sleep until the next round.
    bool more = round() >= kTtlBatch;
    std::unique_lock lock(mu_);
    if (!more) cv_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace emulator
