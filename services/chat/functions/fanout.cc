// chat-fanout: the chat table's stream consumer (schemas/chat.yaml's FanoutFunction). For each
// record of a batch, in order: the frame of chat/fanout.h, posted to every connection of its
// audience through @connections.
//
// - Audiences: a conversation's members (GetItem of the conversation), each member's
//   connections (Query USER#<u>, begins_with CONN#); the lobby and presence: every open
//   connection (the `connections` index, its 16 partitions). All of a batch's read at once, in
//   parallel, before its first post (chat/audiences.h).
// - Presence: the batch's changes are one `presence` frame to every connection, posted after
//   the batch's other frames (chat::PresenceBatch), not one frame per change.
// - Posts run on a pool of threads (chat/post_pool.h), each with its own keep-alive @connections
//   clients (one per endpoint) and DynamoDB client. Each connection has its own queue, taken by
//   one thread at a time: a connection gets its frames in record order, and a slow or dead
//   client holds up only its own queue.
// - The deadline (Lambda-Runtime-Deadline-Ms): posting stops kStopMarginMs before it, no
//   attempt of a post or of a DynamoDB call starts that could end within kAnswerMarginMs of it
//   (an endpoint that takes requests and never answers costs each call its retries' timeouts),
//   and the lowest record with a frame not posted is reported failed, so that the retry resumes
//   there instead of a timed-out invocation being retried whole.
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

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "awsproto/clock.h"
#include "awsproto/connections.h"
#include "chat/audiences.h"
#include "chat/config.h"
#include "chat/fanout.h"
#include "chat/post_pool.h"
#include "chat/store.h"
#include "runtime/runtime.h"

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Clock = std::chrono::steady_clock;

using chat::PostPool;
constexpr size_t kNone = PostPool::kNone;
// A thread posts a share of the ready connections with their queued frames at once, pipelined
// on its keep-alive connection (one write, the answers read in order): a round trip for many
// posts. One post a round trip needed 24 threads for a lobby broadcast to 1,000 connections
// (bench/results/2026-12-02-chat-2.md); pipelined, fewer threads wake less. 6: once a
// connection's frames went together, 6 threads did better than 12 (at 1,000 msg/s in groups
// of 10, p50 delivery 6.0-6.7 -> 5.5-6.1 ms and chat-fanout 30-37 -> 28-29 us a delivery over
// four pairs of runs; the lobby and a broadcast to 1,000 the same: 2026-12-04-chat-10.md).
constexpr int kPostThreads = 6;
constexpr size_t kPostBatch = 32;
// A post's attempt is bounded by these (loopback or a regional endpoint: a connect is quick).
constexpr std::chrono::milliseconds kConnectTimeout{1000};
constexpr std::chrono::milliseconds kIoTimeout{2500};
// Posting stops this long before the deadline (a fifth of the time left when less), and no
// attempt of a post (its retries included) starts that could end later than kAnswerMarginMs
// before it, so that the posts in flight finish and the function answers before it times out.
constexpr int64_t kStopMarginMs = 4000;
constexpr int64_t kAnswerMarginMs = 500;
static_assert(kStopMarginMs >= (kConnectTimeout + kIoTimeout).count() + kAnswerMarginMs);

// The clients' timeouts, for @connections and DynamoDB alike: every call's attempts are bounded
// by them and none starts that could end after the invocation's answer time.
awsproto::HttpClientOptions client_http() {
  awsproto::HttpClientOptions http;
  http.connect_timeout = kConnectTimeout;
  http.io_timeout = kIoTimeout;
  return http;
}
// Threads that read a batch's audiences (a GetItem or a Query each).
constexpr int kReadThreads = 8;

void log_line(const std::string& text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

using chat::Target;

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// One thread's post: its own keep-alive @connections clients (one per endpoint) and DynamoDB
// client, neither thread-safe.
class ConnectionPost {
 public:
  // `answer_by`: the invocation's time by which every post has ended.
  ConnectionPost(const chat::Config& config, const chat::AnswerBy& answer_by)
      : config_(config), answer_by_(answer_by) {}

  // The batch's posts, those to one endpoint pipelined together (ConnectionsClient::
  // post_to_connections): one round trip, not one a post.
  std::vector<PostPool::Outcome> operator()(const std::vector<PostPool::Item>& items) {
    std::vector<PostPool::Outcome> out(items.size(), PostPool::Outcome::Done);
    std::map<std::string, std::vector<size_t>> by_endpoint;
    for (size_t i = 0; i < items.size(); ++i) {
      const Target& target = *items[i].target;
      try {
        by_endpoint[awsproto::ConnectionsClient::endpoint_for(config_.env, target.domain_name,
                                                              target.stage)]
            .push_back(i);
      } catch (const std::exception& e) {
        log_line("fanout: no @connections endpoint for " + target.connection_id + ": " + e.what());
      }
    }
    for (const auto& [endpoint, indexes] : by_endpoint) {
      std::vector<awsproto::ConnectionsClient::Post> posts;
      for (size_t i : indexes) posts.push_back({items[i].target->connection_id, *items[i].frame});
      std::vector<awsproto::ConnectionResult> results;
      try {
        auto& client = connections_[endpoint];
        if (!client) {
          client = std::make_shared<awsproto::ConnectionsClient>(
              endpoint, config_.env.region, config_.env.credentials, client_http());
        }
        results = client->post_to_connections(posts, answer_by_.get());
      } catch (const std::exception& e) {
        for (size_t i : indexes) {
          log_line("fanout: post to " + items[i].target->connection_id + " failed: " + e.what());
          out[i] = PostPool::Outcome::Retry;
        }
        continue;
      }
      std::set<std::string_view> removed;  // a connection's several frames: one removal
      for (size_t k = 0; k < indexes.size(); ++k) {
        const Target& target = *items[indexes[k]].target;
        if (results[k].gone()) {
          if (removed.insert(target.connection_id).second) remove_connection(target);
          out[indexes[k]] = PostPool::Outcome::Gone;
          continue;
        }
        out[indexes[k]] = settle(target, results[k]);
      }
    }
    return out;
  }

 private:
  // A result that is not Gone.
  PostPool::Outcome settle(const Target& target, const awsproto::ConnectionResult& result) {
    if (result.ok()) return PostPool::Outcome::Done;
    log_line("fanout: post to " + target.connection_id + " failed: " +
             std::to_string(result.http_status) + " " + result.error_type + " " + result.message);
    // No answer, or the service's own failure after the retries: the record comes again.
    // Another 4xx (403, 413) would be refused again: logged, not retried.
    return result.http_status == 0 || result.http_status >= 500 ? PostPool::Outcome::Retry
                                                                : PostPool::Outcome::Done;
  }

  // The connection is gone (its $disconnect never removed it, or is about to), or not open yet
  // (its $connect is still running): its two items go unless it is young (chat/store.h).
  // A failure is only logged: the items' TTL removes them anyway.
  void remove_connection(const Target& target) {
    try {
      if (!ddb_) ddb_ = std::make_shared<chat::DynamoDb>(config_.env, client_http(), &answer_by_);
      chat::Store store{*ddb_, config_.table_name, [] { return awsproto::Clock::now_ms(); },
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
  const chat::AnswerBy& answer_by_;
  // Shared pointers: the PostPool keeps this object in a std::function, which copies.
  std::map<std::string, std::shared_ptr<awsproto::ConnectionsClient>> connections_;
  std::shared_ptr<chat::DynamoDb> ddb_;
};

class Fanout {
 public:
  explicit Fanout(chat::Config config)
      : config_(std::move(config)),
        audiences_(
            [this] {
              return std::make_unique<chat::DynamoDb>(config_.env, client_http(), &answer_by_);
            },
            config_.table_name, kReadThreads, log_line),
        poster_([this] { return PostPool::PostMany(ConnectionPost(config_, answer_by_)); },
                kPostThreads, kPostBatch) {}

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

    // Posting stops before the deadline (chat/post_pool.h): a timed-out invocation would be
    // retried whole, posting again everything it did.
    auto stop_at = Clock::time_point::max();
    auto answer_by = Clock::time_point::max();
    if (in.deadline_ms > 0) {
      int64_t left = in.remaining_ms();
      int64_t margin = std::min<int64_t>(kStopMarginMs, left / 5);
      auto now = Clock::now();
      stop_at = now + std::chrono::milliseconds(left - margin);
      answer_by = now + std::chrono::milliseconds(left - std::min(kAnswerMarginMs, margin));
    }
    answer_by_.set(answer_by);

    // Every record's delivery, then all of their audiences at once.
    std::vector<std::optional<chat::Delivery>> deliveries(list.Size());
    std::vector<const chat::Delivery*> resolve;
    bool presence = false;
    for (size_t i = 0; i < list.Size(); ++i) {
      deliveries[i] = chat::delivery_for(list[i]);
      if (!deliveries[i]) continue;
      if (deliveries[i]->audience == chat::Delivery::Audience::Presence) {
        presence = true;
      } else {
        resolve.push_back(&*deliveries[i]);
      }
    }
    audiences_.resolve(resolve, presence);

    size_t failed = kNone;
    presence_.clear();
    for (size_t i = 0; i < list.Size(); ++i) {
      auto& delivery = deliveries[i];
      if (!delivery) continue;
      if (delivery->audience == chat::Delivery::Audience::Presence) {
        presence_.add(delivery->username, delivery->online, i);
        continue;
      }
      if (Clock::now() >= stop_at) {
        failed = i;
        break;
      }
      auto audience = audiences_.of(*delivery);
      if (!audience.targets) {
        log_line("fanout: record " + chat::sequence_number(list[i]) + ": " + audience.error);
        failed = i;
        break;
      }
      auto frame = std::make_shared<const std::string>(std::move(delivery->frame));
      for (const Target& t : *audience.targets) poster_.post(t, i, frame);
    }
    // The batch's presence changes (those before a stop): one frame to every connection.
    if (!presence_.empty()) {
      auto everyone = audiences_.everyone();
      if (everyone.targets) {
        auto frame = std::make_shared<const std::string>(presence_.frame());
        for (const Target& t : *everyone.targets) poster_.post(t, presence_.first_record(), frame);
      } else {
        log_line("fanout: record " + chat::sequence_number(list[presence_.first_record()]) + ": " +
                 everyone.error);
        failed = std::min(failed, presence_.first_record());
      }
    }
    std::set<std::string> gone;
    size_t post_failed = poster_.wait(gone, stop_at);
    if (post_failed < failed) failed = post_failed;
    if (failed != kNone && Clock::now() >= stop_at) {
      log_line("fanout: stopped " + std::to_string(kStopMarginMs) +
               " ms or less before the deadline; records from " +
               chat::sequence_number(list[failed]) + " are reported failed, to come again");
    }

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
  chat::Config config_;
  // Before audiences_ and poster_, whose threads read it.
  chat::AnswerBy answer_by_;
  chat::Audiences audiences_;
  PostPool poster_;
  chat::PresenceBatch presence_;
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
