// Work the emulator does on its own: deleting expired TTL items and trimming stream records
// older than 24 hours. Each round is a change in the group-commit writer, in batches small
// enough not to hold up clients' writes for long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "storage/database.h"

namespace ddb {

class Maintenance {
 public:
  Maintenance(storage::Database& db, std::chrono::milliseconds interval);
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

 private:
  void run();
  size_t round();  // returns how many items and records it removed

  storage::Database& db_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ddb
