// libFuzzer target for whole requests: the first byte picks an operation, the rest is its
// JSON body, handled exactly as the HTTP layer hands it over (parsed object, then the
// handler, then the writer for changes) against one in-memory database that lives for the
// whole run. Every request must be answered, and never with a 500 (an internal error is a
// bug, as is a crash, a hang or a sanitizer report). Two more selectors run a maintenance
// round and advance the clock, so that TTL, stream trimming and garbage collection meet the
// fuzzed data too. Built by scripts/fuzz.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>

#include "actions/registry.h"
#include "api/call.h"
#include "api/request.h"
#include "items/write.h"
#include "model/clock.h"
#include "storage/database.h"
#include "storage/garbage.h"
#include "streams/stream_log.h"

using namespace ddb;  // a fuzz target is a program of its own

namespace {

constexpr const char* kOperations[] = {"BatchGetItem",
                                       "BatchWriteItem",
                                       "CreateTable",
                                       "DeleteItem",
                                       "DeleteTable",
                                       "DescribeTable",
                                       "DescribeTimeToLive",
                                       "GetItem",
                                       "ListTables",
                                       "PutItem",
                                       "Query",
                                       "Scan",
                                       "TransactGetItems",
                                       "TransactWriteItems",
                                       "UpdateItem",
                                       "UpdateTable",
                                       "UpdateTimeToLive"};
constexpr const char* kStreamOperations[] = {"DescribeStream", "GetRecords", "GetShardIterator",
                                             "ListStreams"};
// Two more selectors drive what the emulator does on its own: a maintenance round (TTL
// sweep, stream trim, garbage collection) and advancing the clock by the body's seconds.
// Operations added later come after them, so that the saved inputs keep their meaning.
constexpr const char* kLaterOperations[] = {"TagResource",
                                            "UntagResource",
                                            "ListTagsOfResource",
                                            "DescribeContinuousBackups",
                                            "UpdateContinuousBackups",
                                            "DescribeEndpoints",
                                            "DescribeLimits",
                                            "DescribeKinesisStreamingDestination",
                                            "DescribeContributorInsights",
                                            "DescribeTableReplicaAutoScaling",
                                            "ListBackups",
                                            "GetResourcePolicy",
                                            "BatchExecuteStatement",
                                            "ExecuteTransaction",
                                            "ExecuteStatement"};
constexpr size_t kMaintenance = std::size(kOperations) + std::size(kStreamOperations);
constexpr size_t kAdvanceClock = kMaintenance + 1;
constexpr size_t kOperationCount = kAdvanceClock + 1 + std::size(kLaterOperations);

api::Handler handler_for(uint8_t selector) {
  size_t i = selector % kOperationCount;  // not kMaintenance or kAdvanceClock
  if (i < std::size(kOperations)) return actions::find_action(kOperations[i]);
  if (i < kMaintenance)
    return actions::find_stream_action(kStreamOperations[i - std::size(kOperations)]);
  return actions::find_action(kLaterOperations[i - kAdvanceClock - 1]);
}

struct World {
  storage::Database* db;
  api::Services services;
};

std::filesystem::path g_dir;  // the database's folder, removed at exit

// Sends one request through `handler` and returns the HTTP status of its answer (its body
// goes to `answer`).
int handle(World& w, api::Handler handler, std::string_view body, std::string* answer = nullptr) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return 400;  // the HTTP layer's answer
  std::promise<int> answered;
  auto future = answered.get_future();
  auto call = std::make_shared<api::Call>(
      w.services, std::move(doc), "fuzz_us-east-1", "us-east-1",
      [&answered, answer](int status, std::string json) {
        if (status >= 500) std::fprintf(stderr, "answered %d: %s\n", status, json.c_str());
        if (answer) *answer = json;
        answered.set_value(status);
      },
      [](std::function<void()> fn) { fn(); });
  try {
    handler(call);
  } catch (...) {
    call->reply_current_exception();
  }
  return future.get();
}

World& world() {
  static World* w = [] {
    g_dir = std::filesystem::path(std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp") /
            ("emulator-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(g_dir);
    auto* db = new storage::Database({(g_dir / "emulator.mdb").string(), false});
    auto* world = new World{db, api::Services{*db}};
    std::atexit([] { std::filesystem::remove_all(g_dir); });
    // Tables the corpus addresses: hash only; hash and range with both index kinds and a
    // stream; TTL on the first.
    const char* setup[][2] = {
        {"CreateTable",
         R"({"TableName":"hash","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
             "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})"},
        {"CreateTable",
         R"({"TableName":"range","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
             {"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"},
             {"AttributeName":"l","AttributeType":"B"}],
             "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
             "GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},
               {"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],
             "LocalSecondaryIndexes":[{"IndexName":"by_l","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
               {"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
             "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"},
             "BillingMode":"PAY_PER_REQUEST"})"},
        {"UpdateTimeToLive",
         R"({"TableName":"hash","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})"},
    };
    for (auto& [op, body] : setup) {
      std::string answer;
      if (handle(*world, actions::find_action(op), body, &answer) != 200) {
        std::fprintf(stderr, "fuzz_request: set-up %s failed: %s\n", op, answer.c_str());
        std::abort();
      }
    }
    return world;
  }();
  return *w;
}

}  // namespace

void maintenance_round(World& w) {
  std::promise<void> done;
  w.db->write(
      [&w](storage::Txn& txn) {
        items::expire(txn, *w.db, 1000);
        streams::trim(txn, *w.db, 1000);
        storage::collect_garbage(txn, *w.db, 1000);
      },
      [&done](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);  // a failing round is a bug: let it crash
        done.set_value();
      });
  done.get_future().get();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (model::too_deep(body)) return 0;  // refused by the HTTP layer before parsing
  World& w = world();
  size_t selector = data[0] % kOperationCount;
  if (selector == kMaintenance) {
    maintenance_round(w);
  } else if (selector == kAdvanceClock) {
    double seconds = std::strtod(std::string(body.substr(0, 32)).c_str(), nullptr);
    // Forward only, and never past about 30,000 years in all (the HTTP layer bounds each step).
    if (seconds > 0 && seconds < 1e9 && model::Clock::offset_ms() < 1'000'000'000'000'000)
      model::Clock::advance_ms(static_cast<int64_t>(seconds * 1000));
  } else if (handle(w, handler_for(data[0]), body) >= 500) {
    std::abort();
  }
  return 0;
}
