// The database: one LMDB environment holding the catalog and every table's items, and the
// group-commit writer through which every change goes.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/table.h"
#include "storage/catalog.h"
#include "storage/lmdb.h"

namespace ddb::storage {

class Database {
 public:
  struct Options {
    std::string path;     // database file
    bool durable = true;  // fsync every group commit
  };
  explicit Database(const Options& o);
  ~Database();

  // A change runs on the writer thread inside a nested transaction of the current group:
  // if it throws, only its own writes are undone. `done` is called on the writer thread once
  // the group is committed (durable), with the change's exception, if any. Keep it short.
  using Change = std::function<void(Txn&)>;
  using Done = std::function<void(std::exception_ptr)>;
  void write(Change change, Done done);

  // Long work over many keys, a batch per group commit so that other writers go on between
  // batches: `step` runs in the writer with the key the previous batch stopped after ("" at
  // first) and returns where to go on, or nothing when done. A failing step is logged
  // (`what` names the work) and ends the run; a batch whose whole group failed to commit is
  // tried again, and a run cut short by closing the database is resumed by the next start.
  using BatchStep = std::function<std::optional<std::string>(Txn&, const std::string& after)>;
  void write_in_batches(std::string what, BatchStep step, std::string after = "");

  Txn read() const { return Txn(env_.get(), true); }
  MDB_env* env() const { return env_.get(); }
  MDB_dbi items() const { return items_; }
  MDB_dbi meta() const { return meta_; }
  MDB_dbi indexes() const { return indexes_; }
  MDB_dbi stream_records() const { return stream_records_; }
  MDB_dbi ttl() const { return ttl_; }
  Catalog& catalog() { return catalog_; }
  bool durable() const { return durable_; }

  // Stops the writer after the changes already submitted are committed.
  void close();
  bool closing() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

 private:
  struct Job {
    Change change;
    Done done;
    std::exception_ptr error;
  };
  void run();
  void commit_group(std::vector<Job>& jobs);
  void write_batch(std::string what, BatchStep step, std::string after, int attempt);

  Env env_;
  bool durable_;
  MDB_dbi items_ = 0, meta_ = 0, indexes_ = 0, stream_records_ = 0, ttl_ = 0;
  Catalog catalog_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Job> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace ddb::storage
