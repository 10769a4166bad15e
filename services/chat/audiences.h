// Who a batch's deliveries go to (chat-fanout, services/chat/functions/fanout.cc), resolved in
// parallel: every read of a batch's audiences is a round trip to DynamoDB, and one after the
// other they were most of an invocation (a batch of 100 messages in 100 groups of 10 is 1,000
// member Queries: bench/results/2026-12-02-chat-4.md).
//
// resolve() reads, on a fixed set of threads each with its own Db (a keep-alive client is not
// thread-safe):
//   1. the members of each conversation not seen before (GetItem; kept across calls: members
//      never change once a conversation exists, chat/store.h);
//   2. the connections of each distinct member of the batch's conversations (their CONNS
//      items, a BatchGetItem for every 100 members: a user in several conversations is read
//      once), and, when asked for, every open connection (the connections index's 16
//      partitions, one Query each).
// Then of() gives each delivery's connections, or why they could not be read.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "chat/fanout.h"
#include "chat/store.h"

namespace chat {

class Audiences {
 public:
  using MakeDb = std::function<std::unique_ptr<Db>()>;
  using Log = std::function<void(const std::string&)>;

  // `make_db` is called once per thread, here (so that a bad configuration fails at init).
  Audiences(const MakeDb& make_db, std::string table, int threads, Log log);
  ~Audiences();
  Audiences(const Audiences&) = delete;
  Audiences& operator=(const Audiences&) = delete;

  // Reads the audiences of `deliveries` (Audience::Conversation and Audience::Everyone; others
  // are ignored), and every open connection when `everyone` (the lobby, or presence). Forgets
  // the previous call's connections, never throws: a failed read is kept for of().
  void resolve(const std::vector<const Delivery*>& deliveries, bool everyone);

  struct Result {
    const std::vector<Target>* targets = nullptr;  // nullptr: not read (see error)
    std::string error;
  };
  // The connections of a delivery of the last resolve() (Audience::Everyone: every open
  // connection). A conversation that does not exist has no connections (logged), which is no
  // failure: a retry would find none either.
  Result of(const Delivery& d) const;
  Result everyone() const;

 private:
  struct Worker;
  // Runs job(store, i) for every i < n on the threads; returns when all have ended. A job's
  // exception is its error (errors[i]; empty when it succeeded).
  void run(size_t n, const std::function<void(Store&, size_t)>& job,
           std::vector<std::string>& errors);
  void work(Worker& w);

  std::string table_;
  Log log_;

  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(Store&, size_t)>* job_ = nullptr;
  std::vector<std::string>* errors_ = nullptr;
  size_t jobs_ = 0, next_ = 0, finished_ = 0;
  bool stop_ = false;
  std::vector<std::unique_ptr<Worker>> workers_;

  MembersCache members_;  // kept across calls
  // The last resolve()'s: each conversation's members and connections (no members: not found,
  // or not read), and every open connection.
  struct Resolved {
    std::vector<std::string> members;
    std::vector<Target> targets;
    std::optional<std::string> error;
  };
  std::map<std::string, Resolved> conversations_;
  std::optional<Resolved> everyone_;
};

}  // namespace chat
