#include "chat/audiences.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "awsproto/json.h"
#include "chat/model.h"

namespace chat {
namespace {

// A chat table in memory, shared by every thread's FakeDb: conversations' members, users'
// connections (each also in the connections index), and reads that fail or wait.
struct Table {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::vector<std::string>> conversations;
  std::map<std::string, std::vector<std::string>> connections;  // user -> connection ids
  // "GetItem CONV#x", "Query CONNS#3", "BatchGetItem USER#u" (the whole batch fails)
  std::set<std::string> failing;
  std::vector<std::string> calls;  // a BatchGetItem is one entry per key
  int batches = 0;
  int in_flight = 0, most_in_flight = 0;
  int hold_until_in_flight = 0;  // a call waits (up to 1 s) until this many were ever in flight
};

std::string json(const awsproto::AttributeMap& item) { return awsproto::to_json(item); }

class FakeDb : public Db {
 public:
  explicit FakeDb(Table& t) : t_(t) {}

  rapidjson::Document call(std::string_view op, std::string_view body) override {
    rapidjson::Document req;
    req.Parse(body.data(), body.size());
    if (op == "BatchGetItem") return batch_get(req);
    std::string what = std::string(op) + " " + subject(op, req);
    {
      std::unique_lock lock(t_.mutex);
      t_.calls.push_back(what);
      ++t_.in_flight;
      t_.most_in_flight = std::max(t_.most_in_flight, t_.in_flight);
      t_.changed.notify_all();
      t_.changed.wait_for(lock, std::chrono::seconds(1),
                          [&] { return t_.most_in_flight >= t_.hold_until_in_flight; });
      --t_.in_flight;
      if (t_.failing.count(what)) throw std::runtime_error("read failed: " + what);
    }
    rapidjson::Document answer;
    answer.Parse(answer_for(op, what).c_str());
    return answer;
  }

 private:
  static std::string subject(std::string_view op, const rapidjson::Document& req) {
    if (op == "GetItem") return req["Key"]["pk"]["S"].GetString();
    const auto& values = req["ExpressionAttributeValues"];
    if (values.HasMember(":pk")) return values[":pk"]["S"].GetString();
    return values[":b"]["S"].GetString();
  }

  std::string answer_for(std::string_view op, const std::string& what) {
    std::lock_guard lock(t_.mutex);
    std::string key = what.substr(what.find(' ') + 1);
    if (op == "GetItem") {
      std::string cid = key.substr(5);  // CONV#
      auto it = t_.conversations.find(cid);
      if (it == t_.conversations.end()) return "{}";
      Conversation c{cid, "group", "g", it->second, it->second.front(), 1, ""};
      return R"({"Item":)" + json(to_item(c)) + "}";
    }
    std::string items;
    for (const auto& [user, ids] : t_.connections) {
      for (const auto& id : ids) {
        bool match = key.rfind("USER#", 0) == 0
                         ? key == "USER#" + user
                         : key == connection_bucket_pk(connection_bucket(id));
        if (!match) continue;
        if (!items.empty()) items += ",";
        if (key.rfind("USER#", 0) == 0) {
          items += json(to_item(UserConnection{user, id, "d.example", "prod", 0}));
        } else {
          items += R"({"connSk":{"S":")" + id + R"("},"username":{"S":")" + user +
                   R"("},"domainName":{"S":"d.example"},"stage":{"S":"prod"}})";
        }
      }
    }
    return R"({"Items":[)" + items + "]}";
  }

  // The users' CONNS items: {"pk", "conns": SS of "<id> <domain> <stage>"}.
  rapidjson::Document batch_get(const rapidjson::Document& req) {
    std::string items;
    {
      std::lock_guard lock(t_.mutex);
      ++t_.batches;
      std::string failed;
      for (const auto& k : req["RequestItems"]["chat"]["Keys"].GetArray()) {
        std::string pk = k["pk"]["S"].GetString();
        EXPECT_EQ(std::string(k["sk"]["S"].GetString()), "CONNS");
        t_.calls.push_back("BatchGetItem " + pk);
        if (t_.failing.count("BatchGetItem " + pk)) failed = pk;
        auto it = t_.connections.find(pk.substr(5));
        if (it == t_.connections.end()) continue;
        std::vector<std::string> entries;
        for (const auto& id : it->second)
          entries.push_back(connection_entry(id, "d.example", "prod"));
        awsproto::AttributeMap item = {{"pk", awsproto::AttributeValue::s(pk)}};
        if (!entries.empty()) item.emplace_back("conns", awsproto::AttributeValue::ss(entries));
        if (!items.empty()) items += ",";
        items += json(item);
      }
      if (!failed.empty()) throw std::runtime_error("read failed: BatchGetItem " + failed);
    }
    rapidjson::Document answer;
    answer.Parse((R"({"Responses":{"chat":[)" + items + "]}}").c_str());
    return answer;
  }

  Table& t_;
};

struct Fixture {
  Table table;
  std::vector<std::string> logged;
  std::unique_ptr<Audiences> audiences;

  explicit Fixture(int threads = 4) {
    table.conversations = {{"grp-a", {"ann", "bob", "cat"}}, {"grp-b", {"bob", "dan"}}};
    table.connections = {{"ann", {"c-ann"}},
                         {"bob", {"c-bob1", "c-bob2"}},
                         {"cat", {}},
                         {"dan", {"c-dan"}},
                         {"eve", {"c-eve"}}};
    audiences =
        std::make_unique<Audiences>([this] { return std::make_unique<FakeDb>(table); }, "chat",
                                    threads, [this](const std::string& s) { logged.push_back(s); });
  }
  int count(const std::string& call) {
    return static_cast<int>(std::count(table.calls.begin(), table.calls.end(), call));
  }
};

Delivery to(std::string cid) {
  Delivery d;
  d.audience = Delivery::Audience::Conversation;
  d.conversation_id = std::move(cid);
  return d;
}

std::set<std::string> ids(const Audiences::Result& r) {
  std::set<std::string> out;
  if (r.targets) {
    for (const auto& t : *r.targets) out.insert(t.connection_id);
  }
  return out;
}

TEST(Audiences, EachConversationGetsItsMembersConnectionsEachUserReadOnce) {
  Fixture f;
  Delivery a = to("grp-a"), b = to("grp-b");
  f.audiences->resolve({&a, &b, &a}, false);
  EXPECT_EQ(ids(f.audiences->of(a)), (std::set<std::string>{"c-ann", "c-bob1", "c-bob2"}));
  EXPECT_EQ(ids(f.audiences->of(b)), (std::set<std::string>{"c-bob1", "c-bob2", "c-dan"}));
  // bob is in both: read once, and every member in one BatchGetItem. No connections index read
  // without everyone.
  EXPECT_EQ(f.count("BatchGetItem USER#bob"), 1);
  EXPECT_EQ(f.table.batches, 1);
  EXPECT_EQ(f.table.calls.size(), 2u + 4u);
  EXPECT_FALSE(f.audiences->everyone().targets);
}

TEST(Audiences, MembersAreKeptConnectionsReadAgain) {
  Fixture f;
  Delivery a = to("grp-a");
  f.audiences->resolve({&a}, false);
  f.table.connections["cat"] = {"c-cat"};
  f.audiences->resolve({&a}, false);
  EXPECT_EQ(f.count("GetItem CONV#grp-a"), 1);
  EXPECT_EQ(f.count("BatchGetItem USER#cat"), 2);
  EXPECT_EQ(ids(f.audiences->of(a)), (std::set<std::string>{"c-ann", "c-bob1", "c-bob2", "c-cat"}));
}

TEST(Audiences, EveryoneIsTheSixteenPartitionsOfTheIndex) {
  Fixture f;
  Delivery lobby;
  lobby.audience = Delivery::Audience::Everyone;
  f.audiences->resolve({&lobby}, false);
  EXPECT_EQ(ids(f.audiences->of(lobby)),
            (std::set<std::string>{"c-ann", "c-bob1", "c-bob2", "c-dan", "c-eve"}));
  EXPECT_EQ(f.table.calls.size(), static_cast<size_t>(kConnectionBuckets));
  // Asked for without a lobby delivery (presence).
  f.audiences->resolve({}, true);
  EXPECT_EQ(ids(f.audiences->everyone()).size(), 5u);
}

TEST(Audiences, AFailedReadFailsOnlyTheConversationsThatNeedIt) {
  Fixture f;
  // A failed read of connections fails the conversations whose members it was to read: here
  // one BatchGetItem held them all.
  f.table.failing = {"BatchGetItem USER#dan"};
  Delivery a = to("grp-a"), b = to("grp-b"), c = to("grp-c");
  f.table.conversations["grp-c"] = {"eve"};
  f.audiences->resolve({&a, &b}, false);
  EXPECT_FALSE(f.audiences->of(a).targets);
  auto r = f.audiences->of(b);
  EXPECT_FALSE(r.targets);
  EXPECT_NE(r.error.find("read failed: BatchGetItem USER#dan"), std::string::npos) << r.error;
  f.audiences->resolve({&c}, false);
  EXPECT_EQ(ids(f.audiences->of(c)), (std::set<std::string>{"c-eve"}));

  // A failed GetItem of the members: that conversation fails, and its members are read again
  // next time (not kept as "no members").
  Fixture g;
  g.table.failing = {"GetItem CONV#grp-b"};
  g.audiences->resolve({&a, &b}, false);
  EXPECT_TRUE(g.audiences->of(a).targets);
  EXPECT_FALSE(g.audiences->of(b).targets);
  g.table.failing.clear();
  g.audiences->resolve({&b}, false);
  EXPECT_EQ(ids(g.audiences->of(b)).size(), 3u);
  EXPECT_EQ(g.count("GetItem CONV#grp-b"), 2);

  // One partition of the index failing fails everyone.
  Fixture h;
  h.table.failing = {"Query " + connection_bucket_pk(connection_bucket("c-eve"))};
  h.audiences->resolve({}, true);
  EXPECT_FALSE(h.audiences->everyone().targets);
}

TEST(Audiences, AMissingConversationHasNoConnectionsAndIsLogged) {
  Fixture f;
  Delivery x = to("grp-x");
  f.audiences->resolve({&x}, false);
  auto r = f.audiences->of(x);
  ASSERT_TRUE(r.targets);
  EXPECT_TRUE(r.targets->empty());
  ASSERT_EQ(f.logged.size(), 1u);
  EXPECT_NE(f.logged[0].find("grp-x not found"), std::string::npos);
}

TEST(Audiences, AHundredUsersAreOneRead) {
  Fixture f;
  std::vector<std::string> members;
  for (int i = 0; i < 250; ++i) {
    members.push_back("u" + std::to_string(i));
    f.table.connections[members.back()] = {"c-" + members.back()};
  }
  f.table.conversations["grp-big"] = members;
  Delivery big = to("grp-big");
  f.audiences->resolve({&big}, false);
  EXPECT_EQ(ids(f.audiences->of(big)).size(), 250u);
  EXPECT_EQ(f.table.batches, 3);  // 100 + 100 + 50
}

TEST(Audiences, ReadsRunInParallel) {
  Fixture f(4);
  // The calls wait until four have been in flight at once (one thread at a time: never).
  f.table.hold_until_in_flight = 4;
  f.audiences->resolve({}, true);
  EXPECT_EQ(f.table.most_in_flight, 4);
  EXPECT_EQ(ids(f.audiences->everyone()).size(), 5u);
}

}  // namespace
}  // namespace chat
