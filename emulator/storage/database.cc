#include "storage/database.h"

#include <pthread.h>

#include <iostream>
#include <memory>

namespace ddb::storage {
namespace {
// How long the writer may wait for the previous group's writers to come back (durable mode).
constexpr int kGatherMicros = 1000;
MDB_dbi open_dbi(MDB_env* env, const char* name) {
  Txn txn(env, false);
  MDB_dbi dbi;
  check(mdb_dbi_open(txn.get(), name, MDB_CREATE, &dbi), "mdb_dbi_open");
  txn.commit();
  return dbi;
}
}  // namespace

Database::Database(const Options& o)
    : env_(Env::Options{o.path, o.durable}),
      durable_(o.durable),
      items_(open_dbi(env_.get(), "items")),
      meta_(open_dbi(env_.get(), "meta")),
      indexes_(open_dbi(env_.get(), "indexes")),
      stream_records_(open_dbi(env_.get(), "stream_records")),
      ttl_(open_dbi(env_.get(), "ttl")),
      catalog_(env_.get(), meta_) {
  catalog_.load();
  writer_ = std::thread([this] { run(); });
}

Database::~Database() { close(); }

void Database::close() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void Database::write(Change change, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(Job{std::move(change), std::move(done), nullptr});
      cv_.notify_one();
      return;
    }
  }
  done(std::make_exception_ptr(std::runtime_error("the database is shutting down")));
}

void Database::write_in_batches(std::string what, BatchStep step, std::string after) {
  write_batch(std::move(what), std::move(step), std::move(after), 0);
}

// One batch; `attempt` counts the tries of this batch that failed with their whole group.
void Database::write_batch(std::string what, BatchStep step, std::string after, int attempt) {
  struct Outcome {
    std::optional<std::string> next;
    bool step_failed = false;  // the step itself threw, rather than its group's commit
  };
  auto out = std::make_shared<Outcome>();
  write(
      [step, after, out](Txn& txn) {
        try {
          out->next = step(txn, after);
        } catch (...) {
          out->step_failed = true;
          throw;
        }
      },
      [this, what, step, after, out, attempt](std::exception_ptr e) {
        if (!e) {
          if (out->next) write_batch(what, step, std::move(*out->next), 0);
          return;
        }
        if (closing()) return;  // the next start resumes the work
        // A group that failed to commit (another change's doing, or a full disk) is no
        // verdict on this batch: it is tried again, a few times.
        if (!out->step_failed && attempt < 3) {
          write_batch(what, step, after, attempt + 1);
          return;
        }
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          std::cerr << "emulator: " << what << " stopped: " << x.what() << std::endl;
        }
      });
}

// Group commit: every change that arrived while the previous group was being made durable
// goes into the next transaction, so N concurrent writers pay for one fsync, not N.
void Database::run() {
  pthread_setname_np(pthread_self(), "writer");
  catalog_.set_writer_thread(std::this_thread::get_id());
  std::vector<Job> jobs;
  size_t last_group = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted is committed
      // The writers of the last group are getting their replies and will be back in a
      // moment; starting a commit with a few of them would make the rest wait a whole fsync.
      // So when far fewer changes are queued than the last group held, wait briefly for them.
      if (durable_ && queue_.size() * 2 < last_group)
        cv_.wait_for(lock, std::chrono::microseconds(kGatherMicros),
                     [&] { return stopping_ || queue_.size() * 2 >= last_group; });
      jobs.swap(queue_);
    }
    last_group = jobs.size();
    commit_group(jobs);
    jobs.clear();
  }
}

void Database::commit_group(std::vector<Job>& jobs) {
  std::exception_ptr group_error;
  try {
    Txn txn(env_.get(), false);
    for (auto& job : jobs) {
      Txn child(env_.get(), false, txn.get());
      catalog_.begin_change();
      try {
        job.change(child);
        child.commit();
      } catch (...) {
        job.error = std::current_exception();
        catalog_.undo_change();
      }
    }
    txn.commit();
    catalog_.publish();
  } catch (...) {
    group_error = std::current_exception();
    catalog_.discard();  // the lost group's definitions never become visible
  }
  for (auto& job : jobs) job.done(group_error ? group_error : job.error);
}

}  // namespace ddb::storage
