// chat-fanout: the chat table's stream consumer (schemas/chat.yaml's FanoutFunction). For each
// record of a batch, in order: the frame of chat/fanout.h, posted to every connection of its
// audience through @connections.
//
// - Audiences: a conversation's members (GetItem of the conversation), each member's
//   connections (Query USER#<u>, begins_with CONN#); the lobby and presence: every open
//   connection (the `connections` index, its 16 partitions). Resolved once per conversation per
//   invocation (chat/store.h).
// - Posts run on a pool of threads, each with its own keep-alive @connections clients (one per
//   endpoint) and DynamoDB client. Each connection has its own queue, taken by one thread at a
//   time: a connection gets its frames in record order, and a slow or dead client holds up only
//   its own queue.
// - 410 GoneException: the connection's two items are deleted and it gets nothing more in this
//   invocation; that is no failure. Another 4xx is logged (a retry would get the same answer).
// - ReportBatchItemFailures: a DynamoDB failure while resolving a record's audience, or a post
//   that failed for want of an answer or with a 5xx after the client's retries, reports the
//   lowest such record; Lambda checkpoints the records before it and sends the rest again
//   (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html).
//   Processing stops at a record that failed to resolve: the records after it come again anyway.
//   So delivery is at least once: clients de-duplicate by messageId (services/chat/README.md).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "awsproto/clock.h"
#include "awsproto/connections.h"
#include "chat/config.h"
#include "chat/fanout.h"
#include "chat/store.h"
#include "runtime/runtime.h"

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t kNone = std::numeric_limits<size_t>::max();
constexpr int kPostThreads = 8;

void log_line(const std::string& text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

using chat::Target;

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// The post pool. post() queues a frame for a connection; wait() returns once every queued frame
// has been posted (or dropped for a gone connection), with the lowest record whose post failed.
class Poster {
 public:
  Poster(const chat::Config& config, int threads) : config_(config) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  ~Poster() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    work_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void post(const Target& target, size_t record, std::shared_ptr<const std::string> frame) {
    std::lock_guard lock(mutex_);
    Queue& q = queues_[target.connection_id];
    if (q.gone) return;
    if (q.jobs.empty() && !q.busy) {
      q.target = target;
      ready_.push_back(target.connection_id);
      work_.notify_one();
    }
    q.jobs.emplace_back(record, std::move(frame));
    ++pending_;
  }

  // Waits for the queues to empty; the lowest record with a failed post (kNone: none), and the
  // connections found gone. Resets for the next invocation.
  size_t wait(std::set<std::string>& gone) {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return pending_ == 0; });
    for (const auto& [id, q] : queues_) {
      if (q.gone) gone.insert(id);
    }
    queues_.clear();
    size_t failed = first_failed_;
    first_failed_ = kNone;
    return failed;
  }

 private:
  struct Queue {
    Target target;
    std::deque<std::pair<size_t, std::shared_ptr<const std::string>>> jobs;
    bool busy = false, gone = false;
  };

  // Each thread's own clients: neither is thread-safe, both keep their connection alive.
  struct Clients {
    std::map<std::string, std::unique_ptr<awsproto::ConnectionsClient>> connections;
    std::unique_ptr<chat::DynamoDb> ddb;
  };

  void run() {
    Clients clients;
    std::unique_lock lock(mutex_);
    for (;;) {
      work_.wait(lock, [&] { return stop_ || !ready_.empty(); });
      if (stop_) return;
      std::string id = std::move(ready_.front());
      ready_.pop_front();
      Queue& q = queues_[id];
      auto [record, frame] = std::move(q.jobs.front());
      q.jobs.pop_front();
      q.busy = true;
      Target target = q.target;
      lock.unlock();
      Outcome outcome = post_one(clients, target, *frame);
      lock.lock();
      Queue& after = queues_[id];
      after.busy = false;
      --pending_;
      if (outcome == Outcome::Gone) {
        after.gone = true;
        pending_ -= after.jobs.size();
        after.jobs.clear();
      } else if (outcome == Outcome::Retry && record < first_failed_) {
        first_failed_ = record;
      }
      if (!after.jobs.empty()) {
        ready_.push_back(id);
        work_.notify_one();
      }
      if (pending_ == 0) idle_.notify_all();
    }
  }

  enum class Outcome { Done, Gone, Retry };

  Outcome post_one(Clients& clients, const Target& target, const std::string& frame) {
    std::string endpoint;
    try {
      endpoint =
          awsproto::ConnectionsClient::endpoint_for(config_.env, target.domain_name, target.stage);
    } catch (const std::exception& e) {
      log_line("fanout: no @connections endpoint for " + target.connection_id + ": " + e.what());
      return Outcome::Done;
    }
    auto& client = clients.connections[endpoint];
    awsproto::ConnectionResult result;
    try {
      if (!client) {
        awsproto::HttpClientOptions http;
        http.io_timeout = std::chrono::milliseconds(5000);
        client = std::make_unique<awsproto::ConnectionsClient>(endpoint, config_.env.region,
                                                               config_.env.credentials, http);
      }
      result = client->post_to_connection(target.connection_id, frame);
    } catch (const std::exception& e) {
      log_line("fanout: post to " + target.connection_id + " failed: " + e.what());
      return Outcome::Retry;
    }
    if (result.ok()) return Outcome::Done;
    if (result.gone()) {
      remove_connection(clients, target);
      return Outcome::Gone;
    }
    log_line("fanout: post to " + target.connection_id + " failed: " +
             std::to_string(result.http_status) + " " + result.error_type + " " + result.message);
    // No answer, or the service's own failure after the retries: the record comes again.
    // Another 4xx (403, 413) would be refused again: logged, not retried.
    return result.http_status == 0 || result.http_status >= 500 ? Outcome::Retry : Outcome::Done;
  }

  // The connection is gone (its $disconnect never removed it, or is about to), or not open yet
  // (its $connect is still running): its two items go unless it is young (chat/store.h).
  // A failure is only logged: the items' TTL removes them anyway.
  void remove_connection(Clients& clients, const Target& target) {
    try {
      if (!clients.ddb) clients.ddb = std::make_unique<chat::DynamoDb>(config_.env);
      chat::Store store{*clients.ddb, config_.table_name, [] { return awsproto::Clock::now_ms(); },
                        chat::process_ulids()};
      if (!chat::remove_gone_connection(store, target)) {
        log_line("fanout: connection " + target.connection_id + " of " + target.username +
                 " is not open (yet): connected too recently to be deleted");
        return;
      }
      log_line("fanout: connection " + target.connection_id + " of " + target.username +
               " is gone; its items are deleted");
    } catch (const std::exception& e) {
      log_line("fanout: deleting the items of gone connection " + target.connection_id +
               " failed: " + e.what());
    }
  }

  const chat::Config& config_;
  std::mutex mutex_;
  std::condition_variable work_, idle_;
  std::unordered_map<std::string, Queue> queues_;
  std::deque<std::string> ready_;
  size_t pending_ = 0;
  size_t first_failed_ = kNone;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

class Fanout {
 public:
  explicit Fanout(chat::Config config)
      : config_(std::move(config)),
        ddb_(config_.env),
        store_{ddb_, config_.table_name, [] { return awsproto::Clock::now_ms(); },
               chat::process_ulids()},
        poster_(config_, kPostThreads) {}

  std::string handle(const runtime::Invocation& in) {
    rapidjson::Document event;
    event.Parse<rapidjson::kParseIterativeFlag>(in.event.data(), in.event.size());
    if (event.HasParseError() || !event.IsObject()) {
      throw runtime::FunctionError("InvalidEvent", "the event is not a JSON object");
    }
    auto records = event.FindMember("Records");
    if (records == event.MemberEnd() || !records->value.IsArray()) {
      throw runtime::FunctionError("InvalidEvent", "the event has no Records array");
    }
    const auto& list = records->value.GetArray();
    conversations_.clear();
    everyone_.reset();

    size_t failed = kNone;
    for (size_t i = 0; i < list.Size(); ++i) {
      auto delivery = chat::delivery_for(list[i]);
      if (!delivery) continue;
      const std::vector<Target>* targets = nullptr;
      try {
        targets = audience(*delivery);
      } catch (const std::exception& e) {
        log_line("fanout: record " + chat::sequence_number(list[i]) + ": " + e.what());
        failed = i;
        break;
      }
      auto frame = std::make_shared<const std::string>(std::move(delivery->frame));
      for (const Target& t : *targets) poster_.post(t, i, frame);
    }
    std::set<std::string> gone;
    size_t post_failed = poster_.wait(gone);
    if (post_failed < failed) failed = post_failed;

    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("batchItemFailures");
    w.StartArray();
    if (failed != kNone) {
      w.StartObject();
      w.Key("itemIdentifier");
      string(w, chat::sequence_number(list[failed]));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
  }

 private:
  // The connections a delivery goes to, resolved once per invocation. Throws on a DynamoDB
  // failure (awsproto::AwsError, awsproto::HttpError).
  const std::vector<Target>* audience(const chat::Delivery& d) {
    if (d.audience == chat::Delivery::Audience::Everyone) {
      if (!everyone_) everyone_ = chat::all_connections(store_);
      return &*everyone_;
    }
    auto it = conversations_.find(d.conversation_id);
    if (it == conversations_.end()) {
      it = conversations_.emplace(d.conversation_id, participants(d.conversation_id)).first;
    }
    return &it->second;
  }

  std::vector<Target> participants(const std::string& cid) {
    auto out = chat::conversation_connections(store_, cid);
    if (!out) {
      log_line("fanout: conversation " + cid + " not found; nothing delivered");
      return {};
    }
    return std::move(*out);
  }

  chat::Config config_;
  chat::DynamoDb ddb_;
  chat::Store store_;
  Poster poster_;
  std::map<std::string, std::vector<Target>> conversations_;
  std::optional<std::vector<Target>> everyone_;
};

}  // namespace

int main() {
  std::unique_ptr<Fanout> fanout;
  try {
    fanout = std::make_unique<Fanout>(chat::Config::from_environment());
  } catch (const std::exception& e) {
    runtime::report_init_error("Runtime.InitError", e.what());
    return 1;
  }
  return runtime::serve([&](const runtime::Invocation& in) { return fanout->handle(in); });
}
