#include "chat/store.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <deque>
#include <functional>

#include "chat/handlers.h"

namespace chat {
namespace {

constexpr int64_t kNow = 1764590400000;

// Records every call; answers from a queue of scripted answers (JSON text, or an error body to
// throw as a 400 AwsError), then "{}".
class FakeDb : public Db {
 public:
  struct Call {
    std::string op;
    rapidjson::Document body;
  };
  struct Answer {
    std::string op, json;
    bool error = false;
  };

  rapidjson::Document call(std::string_view op, std::string_view body) override {
    Call c{std::string(op), {}};
    c.body.Parse(body.data(), body.size());
    EXPECT_FALSE(c.body.HasParseError()) << body;
    calls.push_back(std::move(c));
    std::string json = "{}";
    if (!answers.empty()) {
      Answer a = answers.front();
      answers.pop_front();
      EXPECT_EQ(a.op, op);
      if (a.error) throw awsproto::parse_aws_error(400, a.json);
      json = a.json;
    }
    rapidjson::Document d;
    d.Parse(json.c_str());
    return d;
  }

  void answer(std::string op, std::string json) { answers.push_back({op, json, false}); }
  void fail(std::string op, std::string json) { answers.push_back({op, json, true}); }
  // A TransactionCanceledException with these codes; `old` (DynamoDB JSON) for item i, when
  // given.
  void cancel(std::vector<std::string> codes, int old_index = -1, std::string old = {}) {
    std::string reasons;
    for (size_t i = 0; i < codes.size(); ++i) {
      if (i) reasons += ",";
      reasons += R"({"Code":")" + codes[i] + "\"";
      if (static_cast<int>(i) == old_index) reasons += R"(,"Item":)" + old;
      reasons += "}";
    }
    fail("TransactWriteItems",
         R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
         R"("message":"Transaction cancelled","CancellationReasons":[)" +
             reasons + "]}");
  }

  std::deque<Answer> answers;
  std::vector<Call> calls;
};

struct Fixture {
  FakeDb db;
  UlidGenerator ulids;
  Store store{db, "chat", [] { return kNow; }, ulids};
};

std::string s(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }
const rapidjson::Value& tx(const FakeDb::Call& c, size_t i, const char* kind) {
  return c.body["TransactItems"][static_cast<rapidjson::SizeType>(i)][kind];
}

const char* kConversation =
    R"({"Item":{"pk":{"S":"CONV#dm-141a4cd242b67e82edf4a78b"},"sk":{"S":"META"},)"
    R"("type":{"S":"conversation"},"conversationId":{"S":"dm-141a4cd242b67e82edf4a78b"},)"
    R"("kind":{"S":"direct"},"name":{"S":""},"members":{"L":[{"S":"alice"},{"S":"bob"}]},)"
    R"("createdBy":{"S":"alice"},"createdAt":{"N":"1"}}})";
const char* kDm = "dm-141a4cd242b67e82edf4a78b";

TEST(Store, ConnectWritesItsItemsAndTheUsersEntryInOneTransaction) {
  Fixture f;
  connect(f.store, {"abc=", "alice", kNow, "api.example", "chat", kNow / 1000 + 10800});
  ASSERT_EQ(f.db.calls.size(), 1u);
  const auto& c = f.db.calls[0];
  EXPECT_EQ(c.op, "TransactWriteItems");
  ASSERT_EQ(c.body["TransactItems"].Size(), 4u);
  EXPECT_EQ(s(tx(c, 0, "Put")["Item"]["pk"]["S"]), "CONN#abc=");
  EXPECT_EQ(s(tx(c, 1, "Put")["Item"]["sk"]["S"]), "CONN#abc=");
  EXPECT_EQ(s(tx(c, 2, "Put")["Item"]["sk"]["S"]), "PRESENCE");
  EXPECT_EQ(s(tx(c, 2, "Put")["Item"]["expiresAt"]["N"]), std::to_string(kNow / 1000 + 90));
  const auto& entry = tx(c, 3, "Update");
  EXPECT_EQ(s(entry["Key"]["pk"]["S"]), "USER#alice");
  EXPECT_EQ(s(entry["Key"]["sk"]["S"]), "CONNS");
  EXPECT_EQ(s(entry["UpdateExpression"]), "ADD conns :c SET #type = :type, expiresAt = :exp");
  ASSERT_EQ(entry["ExpressionAttributeValues"][":c"]["SS"].Size(), 1u);
  EXPECT_EQ(s(entry["ExpressionAttributeValues"][":c"]["SS"][0]), "abc= api.example chat");
  EXPECT_EQ(s(entry["ExpressionAttributeValues"][":exp"]["N"]),
            std::to_string(kNow / 1000 + 10800));
}

TEST(Store, UsersConnectionsAreOneBatchGetOfTheirEntries) {
  Fixture f;
  f.db.answer(
      "BatchGetItem",
      R"({"Responses":{"chat":[)"
      R"({"pk":{"S":"USER#bob"},"conns":{"SS":["b1 api.example chat","b2 other.example v2"]}},)"
      R"({"pk":{"S":"USER#ann"}}]},)"
      R"("UnprocessedKeys":{"chat":{"Keys":[{"pk":{"S":"USER#cat"},"sk":{"S":"CONNS"}}]}}})");
  f.db.answer(
      "BatchGetItem",
      R"({"Responses":{"chat":[{"pk":{"S":"USER#cat"},"conns":{"SS":["c1 api.example chat"]}}]}})");
  auto got = users_connections(f.store, {"ann", "bob", "cat", "bob"});
  ASSERT_EQ(got.size(), 4u);
  EXPECT_TRUE(got[0].empty());
  ASSERT_EQ(got[1].size(), 2u);
  EXPECT_EQ(got[1][1].connection_id, "b2");
  EXPECT_EQ(got[1][1].username, "bob");
  EXPECT_EQ(got[1][1].domain_name, "other.example");
  EXPECT_EQ(got[1][1].stage, "v2");
  ASSERT_EQ(got[2].size(), 1u);
  EXPECT_EQ(got[2][0].connection_id, "c1");
  EXPECT_EQ(got[3].size(), 2u);  // bob twice: read once
  ASSERT_EQ(f.db.calls.size(), 2u);
  const auto& req = f.db.calls[0].body["RequestItems"]["chat"];
  EXPECT_EQ(req["Keys"].Size(), 3u);
  EXPECT_TRUE(req["ConsistentRead"].GetBool());
  EXPECT_EQ(s(req["ProjectionExpression"]), "pk, conns");
  EXPECT_EQ(f.db.calls[1].body["RequestItems"]["chat"]["Keys"].Size(), 1u);
}

TEST(Store, LobbySendIsOneTransactionOfThreeConditionalItems) {
  Fixture f;
  auto out = send_message(f.store, "alice", "lobby", "hi", "c-1");
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(f.db.calls.size(), 1u);
  const auto& c = f.db.calls[0];
  ASSERT_EQ(c.body["TransactItems"].Size(), 3u);
  const auto& update = tx(c, 0, "Update");
  EXPECT_EQ(s(update["ConditionExpression"]),
            "attribute_exists(pk) AND (attribute_not_exists(lastMessageId) OR lastMessageId < "
            ":id)");
  EXPECT_EQ(s(update["ExpressionAttributeValues"][":id"]["S"]), out.value.message_id);
  EXPECT_EQ(s(tx(c, 1, "Put")["ConditionExpression"]), "attribute_not_exists(pk)");
  EXPECT_EQ(s(tx(c, 2, "Put")["Item"]["sk"]["S"]), "CLIENT#alice#c-1");
  EXPECT_EQ(out.value.created_at, *ulid_time_ms(out.value.message_id));
  EXPECT_EQ(out.value.created_at, kNow);
}

TEST(Store, ASendBelowTheNewestIdIsRetriedAboveIt) {
  Fixture f;
  std::string newest = f.ulids.next(kNow + 5000);  // another process's later id
  UlidGenerator fresh;
  Store st{f.db, "chat", [] { return kNow; }, fresh};
  f.db.cancel(
      {"ConditionalCheckFailed", "None", "None"}, 0,
      R"({"pk":{"S":"CONV#lobby"},"sk":{"S":"META"},"lastMessageId":{"S":")" + newest + "\"}}");
  auto out = send_message(st, "alice", "lobby", "hi", "c-1");
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(f.db.calls.size(), 2u);
  EXPECT_GT(out.value.message_id, newest);
  EXPECT_EQ(s(tx(f.db.calls[1], 0, "Update")["ExpressionAttributeValues"][":id"]["S"]),
            out.value.message_id);
}

TEST(Store, TheLobbyIsCreatedOnItsFirstMessage) {
  Fixture f;
  f.db.cancel({"ConditionalCheckFailed", "None", "None"});
  auto out = send_message(f.store, "alice", "lobby", "hi", "c-1");
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(f.db.calls.size(), 3u);
  EXPECT_EQ(f.db.calls[1].op, "PutItem");
  EXPECT_EQ(s(f.db.calls[1].body["ConditionExpression"]), "attribute_not_exists(pk)");
  EXPECT_EQ(s(f.db.calls[1].body["Item"]["kind"]["S"]), "lobby");
  EXPECT_EQ(f.db.calls[2].op, "TransactWriteItems");
}

TEST(Store, ARepeatedClientMessageIdAnswersTheFirstAck) {
  Fixture f;
  f.db.cancel({"None", "None", "ConditionalCheckFailed"}, 2,
              R"({"pk":{"S":"CONV#lobby"},"sk":{"S":"CLIENT#alice#c-1"},)"
              R"("messageId":{"S":"01KBCWHCG0Z7Y8KX2N3H4P5R6S"},"createdAt":{"N":"42"},)"
              R"("expiresAt":{"N":"99"}})");
  auto out = send_message(f.store, "alice", "lobby", "hi", "c-1");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value.message_id, "01KBCWHCG0Z7Y8KX2N3H4P5R6S");
  EXPECT_EQ(out.value.created_at, 42);
  EXPECT_EQ(f.db.calls.size(), 1u);
  EXPECT_EQ(render_ack(out.value, std::string("r1")),
            R"({"type":"ack","clientMessageId":"c-1","messageId":"01KBCWHCG0Z7Y8KX2N3H4P5R6S",)"
            R"("conversationId":"lobby","createdAt":42,"requestId":"r1"})");
}

TEST(Store, ASendWritesTheConversationNotTheMembersEntriesAndChecksTheSender) {
  Fixture f;
  f.db.answer("GetItem", kConversation);
  auto out = send_message(f.store, "alice", kDm, std::string(150, 'x'), "c-1");
  ASSERT_TRUE(out.ok());
  const auto& c = f.db.calls[1];
  ASSERT_EQ(c.body["TransactItems"].Size(), 4u);  // whatever the group's size
  const auto& last = tx(c, 0, "Update");
  EXPECT_EQ(s(last["Key"]["pk"]["S"]), std::string("CONV#") + kDm);
  EXPECT_EQ(s(last["UpdateExpression"]),
            "SET lastMessageId = :id, lastSender = :ls, lastText = :lt");
  EXPECT_EQ(s(last["ExpressionAttributeValues"][":ls"]["S"]), "alice");
  EXPECT_EQ(s(last["ExpressionAttributeValues"][":lt"]["S"]), std::string(100, 'x'));
  EXPECT_EQ(s(tx(c, 1, "Put")["Item"]["type"]["S"]), "message");
  const auto& own = tx(c, 3, "ConditionCheck");
  EXPECT_EQ(s(own["Key"]["pk"]["S"]), "USER#alice");
  EXPECT_EQ(s(own["ConditionExpression"]), "attribute_exists(pk)");

  // The sender's entry missing is NotAParticipant.
  Fixture g;
  g.db.answer("GetItem", kConversation);
  g.db.cancel({"None", "None", "None", "ConditionalCheckFailed"});
  auto refused = send_message(g.store, "alice", kDm, "hello", "c-1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error->code, ErrorCode::NotAParticipant);
}

TEST(Store, KeptMembersAreReadOnceForEverySend) {
  Fixture f;
  MembersCache members;
  f.store.members = &members;
  f.db.answer("GetItem", kConversation);
  ASSERT_TRUE(send_message(f.store, "alice", kDm, "one", "c-1").ok());
  ASSERT_TRUE(send_message(f.store, "bob", kDm, "two", "c-2").ok());
  ASSERT_EQ(f.db.calls.size(), 3u);  // GetItem, then one transaction a send
  EXPECT_EQ(f.db.calls[1].op, "TransactWriteItems");
  EXPECT_EQ(f.db.calls[2].op, "TransactWriteItems");
  EXPECT_EQ(f.db.calls[2].body["TransactItems"].Size(), 4u);
  // An outsider is still refused from the kept members, before any write.
  auto outsider = send_message(f.store, "carol", kDm, "x", "c");
  EXPECT_EQ(outsider.error->code, ErrorCode::NotAParticipant);
  EXPECT_EQ(f.db.calls.size(), 3u);
  // A conversation that does not exist is not kept.
  f.db.answer("GetItem", "{}");
  EXPECT_EQ(send_message(f.store, "alice", "grp-x", "x", "c").error->code, ErrorCode::NotFound);
  f.db.answer("GetItem", "{}");
  EXPECT_EQ(send_message(f.store, "alice", "grp-x", "x", "c").error->code, ErrorCode::NotFound);
  EXPECT_EQ(f.db.calls.size(), 5u);
}

TEST(Store, SendErrorsBeforeAnyWrite) {
  Fixture f;
  f.db.answer("GetItem", "{}");
  auto missing = send_message(f.store, "alice", kDm, "x", "c");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->code, ErrorCode::NotFound);
  f.db.answer("GetItem", kConversation);
  auto outsider = send_message(f.store, "carol", kDm, "x", "c");
  ASSERT_FALSE(outsider.ok());
  EXPECT_EQ(outsider.error->code, ErrorCode::NotAParticipant);
  EXPECT_EQ(f.db.calls.size(), 2u);
}

TEST(Store, ABusyConversationGivesUpAfterTheBoundedAttempts) {
  Fixture f;
  for (int i = 0; i < kMaxSendAttempts; ++i) {
    f.db.cancel({"TransactionConflict", "None", "None"});
  }
  auto out = send_message(f.store, "alice", "lobby", "x", "c");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error->code, ErrorCode::InternalError);
  EXPECT_EQ(f.db.calls.size(), static_cast<size_t>(kMaxSendAttempts));
}

TEST(Store, ADirectConversationThatExistedIsAnsweredWithCreatedFalse) {
  Fixture f;
  rapidjson::Document existing;
  existing.Parse(kConversation);
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  existing["Item"].Accept(w);
  f.db.cancel({"ConditionalCheckFailed", "None", "None"}, 0, b.GetString());
  auto out = create_conversation(f.store, "bob", "direct", "", {"alice"});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out.value.created);
  EXPECT_EQ(out.value.conversation.conversation_id, kDm);
  EXPECT_EQ(out.value.conversation.created_at, 1);
  const auto& c = f.db.calls[0];
  EXPECT_EQ(s(tx(c, 0, "Put")["ConditionExpression"]), "attribute_not_exists(pk)");
  EXPECT_EQ(s(tx(c, 1, "Put")["Item"]["pk"]["S"]), "USER#alice");
  EXPECT_EQ(s(tx(c, 2, "Put")["Item"]["pk"]["S"]), "USER#bob");
}

TEST(Store, MarkReadMovesTheEntrysLastReadForwardWithTheReceiptInOneTransaction) {
  Fixture f;
  const std::string read = "01KBCWHCG0Z7Y8KX2N3H4P5R6S";
  EXPECT_FALSE(mark_read(f.store, "alice", kDm, read));
  ASSERT_EQ(f.db.calls.size(), 1u);  // no read: the inbox counts, not markRead
  const auto& t = f.db.calls[0];
  EXPECT_EQ(s(tx(t, 0, "ConditionCheck")["Key"]["sk"]["S"]), "MSG#" + read);
  const auto& update = tx(t, 1, "Update");
  EXPECT_EQ(s(update["Key"]["pk"]["S"]), "USER#alice");
  EXPECT_EQ(s(update["UpdateExpression"]), "SET lastReadMessageId = :m");
  EXPECT_EQ(s(update["ConditionExpression"]),
            "attribute_exists(pk) AND (attribute_not_exists(lastReadMessageId) OR "
            "lastReadMessageId < :m)");
  EXPECT_EQ(s(tx(t, 2, "Put")["Item"]["sk"]["S"]), "READ#alice");

  // A later message read already: nothing to do. No entry: not a participant.
  Fixture g;
  g.db.cancel({"None", "ConditionalCheckFailed", "None"}, 1,
              R"({"pk":{"S":"USER#alice"},"sk":{"S":"CONV#x"}})");
  EXPECT_FALSE(mark_read(g.store, "alice", kDm, read));
  Fixture h;
  h.db.cancel({"None", "ConditionalCheckFailed", "None"});
  h.db.answer("GetItem", kConversation);
  auto outsider = mark_read(h.store, "carol", kDm, read);
  ASSERT_TRUE(outsider);
  EXPECT_EQ(outsider->code, ErrorCode::NotAParticipant);
  Fixture m;
  m.db.cancel({"ConditionalCheckFailed", "None", "None"});
  auto missing = mark_read(m.store, "alice", kDm, read);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->code, ErrorCode::NotFound);
}

namespace {
std::string entry_item(const std::string& user, const std::string& cid, const std::string& read) {
  return R"({"pk":{"S":"USER#)" + user + R"("},"sk":{"S":"CONV#)" + cid +
         R"("},"type":{"S":"inbox"},"conversationId":{"S":")" + cid +
         R"("},"kind":{"S":"group"},"name":{"S":"g"},"members":{"L":[{"S":")" + user + R"("}]})" +
         (read.empty() ? "" : R"(,"lastReadMessageId":{"S":")" + read + "\"}") + "}";
}
std::string conversation_item(const std::string& cid, int64_t created, const std::string& last) {
  return R"({"pk":{"S":"CONV#)" + cid +
         R"("},"sk":{"S":"META"},"type":{"S":"conversation"},)"
         R"("conversationId":{"S":")" +
         cid +
         R"("},"kind":{"S":"group"},"name":{"S":"g"},)"
         R"("members":{"L":[{"S":"alice"}]},"createdAt":{"N":")" +
         std::to_string(created) + "\"}" +
         (last.empty() ? ""
                       : R"(,"lastMessageId":{"S":")" + last +
                             R"("},"lastSender":{"S":"bob"},"lastText":{"S":"hi"})") +
         "}";
}
}  // namespace

TEST(Store, TheInboxReadsTheEntriesAndTheirConversationsAndCountsUnreadForThePage) {
  // Three conversations, newest first: a (a message, none read), c (an older message, read up
  // to the one before it), b (no message: its creation, at 5 ms, orders it last).
  const std::string a = "grp-01KBCWHCG0Z7Y8KX2N3H4P5R6A", b = "grp-01KBCWHCG0Z7Y8KX2N3H4P5R6B",
                    c = "grp-01KBCWHCG0Z7Y8KX2N3H4P5R6C";
  const std::string a_last = "01KBCWHCG1Z7Y8KX2N3H4P5R6S", c_read = "01KBCWHCG0Z7Y8KX2N3H4P5R6S",
                    c_last = "01KBCWHCG0Z7Y8KX2N3H4P5R70";
  auto script = [&](Fixture& f) {
    f.db.answer("Query", R"({"Items":[)" + entry_item("alice", a, "") + "," +
                             entry_item("alice", b, "") + "," + entry_item("alice", c, c_read) +
                             R"(],"Count":3})");
    f.db.answer("BatchGetItem", R"({"Responses":{"chat":[)" + conversation_item(c, 2, c_last) +
                                    "," + conversation_item(a, 1, a_last) + "," +
                                    conversation_item(b, 5, "") + "]}}");
  };
  Fixture f;
  script(f);
  f.db.answer("Query", R"({"Count":7,"ScannedCount":9})");  // a: all of it, none read
  auto first = list_conversations(f.store, "alice", 2, std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first.value.entries.size(), 2u);
  EXPECT_EQ(first.value.entries[0].conversation_id, a);
  EXPECT_EQ(first.value.entries[0].unread, 7);
  EXPECT_EQ(first.value.entries[0].last_sender, "bob");
  EXPECT_EQ(first.value.entries[0].last_activity, *ulid_time_ms(a_last));
  EXPECT_EQ(first.value.entries[1].conversation_id, c);
  ASSERT_EQ(f.db.calls.size(), 4u);
  EXPECT_EQ(s(f.db.calls[0].body["KeyConditionExpression"]), "pk = :pk AND begins_with(sk, :conv)");
  EXPECT_EQ(f.db.calls[1].body["RequestItems"]["chat"]["Keys"].Size(), 3u);
  const auto& count = f.db.calls[2].body;
  EXPECT_EQ(s(count["Select"]), "COUNT");
  EXPECT_EQ(s(count["FilterExpression"]), "sender <> :me AND messageId <> :read");
  EXPECT_EQ(s(count["ExpressionAttributeValues"][":from"]["S"]), "MSG#");
  EXPECT_EQ(s(count["ExpressionAttributeValues"][":to"]["S"]), "MSG#" + a_last);
  EXPECT_EQ(s(count["ExpressionAttributeValues"][":me"]["S"]), "alice");
  const auto& count_c = f.db.calls[3].body;  // c: after the one read
  EXPECT_EQ(s(count_c["ExpressionAttributeValues"][":from"]["S"]), "MSG#" + c_read);
  EXPECT_EQ(s(count_c["ExpressionAttributeValues"][":read"]["S"]), c_read);
  ASSERT_TRUE(first.value.cursor);

  // The next page goes on after c: b, with no message (nothing to count), and no cursor.
  auto cursor = decode_inbox_cursor(*first.value.cursor);
  ASSERT_TRUE(cursor);
  Fixture g;
  script(g);
  auto second = list_conversations(g.store, "alice", 2, cursor);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second.value.entries.size(), 1u);
  EXPECT_EQ(second.value.entries[0].conversation_id, b);
  EXPECT_EQ(second.value.entries[0].last_activity, 5);
  EXPECT_EQ(second.value.entries[0].unread, 0);
  EXPECT_FALSE(second.value.cursor);
  EXPECT_EQ(g.db.calls.size(), 2u);
  // Another user's cursor is refused.
  Fixture h;
  EXPECT_EQ(list_conversations(h.store, "bob", 2, cursor).error->code, ErrorCode::BadRequest);
}

TEST(Store, ReactAddsThenRemovesWhenTheReactionExisted) {
  Fixture f;
  f.db.cancel({"None", "ConditionalCheckFailed"});
  auto out = react(f.store, "alice", "lobby", "01KBCWHCG0Z7Y8KX2N3H4P5R6S", "+1");
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out.value);
  ASSERT_EQ(f.db.calls.size(), 2u);
  EXPECT_TRUE(tx(f.db.calls[0], 1, "Put").IsObject());
  const auto& del = tx(f.db.calls[1], 1, "Delete");
  EXPECT_EQ(s(del["Key"]["sk"]["S"]), "REACT#01KBCWHCG0Z7Y8KX2N3H4P5R6S#alice#+1");
  EXPECT_EQ(s(del["ConditionExpression"]), "attribute_exists(pk)");

  Fixture g;
  g.db.cancel({"ConditionalCheckFailed", "None"});
  auto missing = react(g.store, "alice", "lobby", "01KBCWHCG0Z7Y8KX2N3H4P5R6S", "+1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->code, ErrorCode::NotFound);
}

TEST(Store, TheLastDisconnectDeletesThePresenceIfNoConnectIntervened) {
  Fixture f;
  f.db.answer("DeleteItem",
              R"({"Attributes":{"pk":{"S":"CONN#abc="},"sk":{"S":"META"},)"
              R"("type":{"S":"connection"},"connectionId":{"S":"abc="},"username":{"S":"bob"},)"
              R"("domainName":{"S":"api.example"},"stage":{"S":"chat"}}})");
  f.db.answer("DeleteItem", "{}");
  f.db.answer("UpdateItem", "{}");
  f.db.answer("GetItem",
              R"({"Item":{"pk":{"S":"USER#bob"},"sk":{"S":"PRESENCE"},"type":{"S":"presence"},)"
              R"("username":{"S":"bob"},"lastSeen":{"N":"77"},"expiresAt":{"N":"1"}}})");
  f.db.answer("Query", R"({"Items":[],"Count":0})");
  EXPECT_EQ(disconnect(f.store, "abc=", ""), "bob");
  ASSERT_EQ(f.db.calls.size(), 6u);
  EXPECT_EQ(s(f.db.calls[0].body["ReturnValues"]), "ALL_OLD");
  EXPECT_EQ(s(f.db.calls[1].body["Key"]["sk"]["S"]), "CONN#abc=");
  // The user's entry for it goes (the connection item gave its endpoint).
  const auto& entry = f.db.calls[2].body;
  EXPECT_EQ(s(entry["Key"]["sk"]["S"]), "CONNS");
  EXPECT_EQ(s(entry["UpdateExpression"]), "DELETE conns :c");
  EXPECT_EQ(s(entry["ConditionExpression"]), "attribute_exists(pk)");
  EXPECT_EQ(s(entry["ExpressionAttributeValues"][":c"]["SS"][0]), "abc= api.example chat");
  const auto& del = f.db.calls[5].body;
  EXPECT_EQ(s(del["Key"]["sk"]["S"]), "PRESENCE");
  EXPECT_EQ(s(del["ConditionExpression"]), "lastSeen = :seen");
  EXPECT_EQ(s(del["ExpressionAttributeValues"][":seen"]["N"]), "77");
}

// The handlers: events in, proxy results out.
class NoPoster : public Poster {
 public:
  awsproto::ConnectionResult post(std::string_view, std::string_view id,
                                  std::string_view data) override {
    posted.emplace_back(std::string(id), std::string(data));
    return {};
  }
  std::vector<std::pair<std::string, std::string>> posted;
};

// A route's event; `authorized` names the user as the $connect authorizer's context does.
std::string message_event(const std::string& body, const char* authorized = nullptr) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value ctx(rapidjson::kObjectType);
  ctx.AddMember("connectionId", "abc=", a);
  ctx.AddMember("domainName", "api.example", a);
  ctx.AddMember("stage", "chat", a);
  if (authorized) {
    rapidjson::Value auth(rapidjson::kObjectType);
    auth.AddMember("principalId", rapidjson::Value(authorized, a), a);
    auth.AddMember("username", rapidjson::Value(authorized, a), a);
    ctx.AddMember("authorizer", auth, a);
  }
  d.AddMember("requestContext", ctx, a);
  d.AddMember("body", rapidjson::Value(body.c_str(), a), a);
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  d.Accept(w);
  return b.GetString();
}

std::string body_of(const std::string& result) {
  rapidjson::Document d;
  d.Parse(result.c_str());
  EXPECT_EQ(d["statusCode"].GetInt(), 200);
  return d.HasMember("body") ? s(d["body"]) : std::string();
}

const char* kCaller =
    R"({"Item":{"pk":{"S":"CONN#abc="},"sk":{"S":"META"},"type":{"S":"connection"},)"
    R"("connectionId":{"S":"abc="},"username":{"S":"alice"}}})";

// A 410 deletes the connection item only if it was stored more than 30 s ago or is gone: a
// connection still in its $connect answers 410 too.
TEST(Store, AGoneConnectionIsDeletedOnlyOnceOlderThanAConnectCanRun) {
  rapidjson::Document body;
  body.Parse(gone_connection_delete("chat", "abc=", kNow).c_str());
  ASSERT_TRUE(body.IsObject());
  EXPECT_STREQ(body["TableName"].GetString(), "chat");
  EXPECT_STREQ(body["Key"]["pk"]["S"].GetString(), "CONN#abc=");
  EXPECT_STREQ(body["Key"]["sk"]["S"].GetString(), "META");
  EXPECT_EQ(body["Key"].MemberCount(), 2u);
  EXPECT_STREQ(body["ConditionExpression"].GetString(),
               "attribute_not_exists(pk) OR connectedAt < :young");
  EXPECT_STREQ(body["ExpressionAttributeValues"][":young"]["N"].GetString(), "1764590370000");
  EXPECT_EQ(body.MemberCount(), 4u);
}

// The young connection keeps both items; an old one loses both.
TEST(Store, RemoveGoneConnectionDeletesBothItemsUnlessTheConnectionIsYoung) {
  Fixture f;
  f.db.fail("DeleteItem",
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
            R"("message":"The conditional request failed"})");
  Target t{"abc=", "alice", "example.com", "prod"};
  EXPECT_FALSE(remove_gone_connection(f.store, t));
  ASSERT_EQ(f.db.calls.size(), 1u);
  EXPECT_EQ(s(f.db.calls[0].body["ExpressionAttributeValues"][":young"]["N"]), "1764590370000");

  EXPECT_TRUE(remove_gone_connection(f.store, t));
  ASSERT_EQ(f.db.calls.size(), 4u);
  EXPECT_EQ(f.db.calls[1].op, "DeleteItem");
  EXPECT_EQ(s(f.db.calls[1].body["Key"]["pk"]["S"]), "CONN#abc=");
  EXPECT_EQ(f.db.calls[2].op, "DeleteItem");
  EXPECT_EQ(s(f.db.calls[2].body["Key"]["pk"]["S"]), "USER#alice");
  EXPECT_EQ(s(f.db.calls[2].body["Key"]["sk"]["S"]), "CONN#abc=");
  EXPECT_FALSE(f.db.calls[2].body.HasMember("ConditionExpression"));
  EXPECT_EQ(f.db.calls[3].op, "UpdateItem");
  EXPECT_EQ(s(f.db.calls[3].body["ExpressionAttributeValues"][":c"]["SS"][0]),
            "abc= example.com prod");
}

TEST(Handlers, AFrameThatDoesNotParseIsTheErrorFrameWithoutAnyCall) {
  Fixture f;
  NoPoster poster;
  Services services{f.store, poster, {}, "secret"};
  EXPECT_EQ(body_of(handle_send(services, message_event("nope"))),
            R"({"type":"error","code":"BadRequest","message":"the frame is not JSON"})");
  EXPECT_EQ(body_of(handle_send(services, message_event(R"({"action":"x","requestId":"r"})"))),
            R"({"type":"error","code":"UnknownAction","message":"unknown action \"x\"",)"
            R"("requestId":"r"})");
  EXPECT_TRUE(f.db.calls.empty());
}

TEST(Handlers, HeartbeatRefreshesThePresenceOfTheConnectionsUser) {
  Fixture f;
  NoPoster poster;
  Services services{f.store, poster, {}, "secret"};
  f.db.answer("GetItem", kCaller);
  EXPECT_EQ(
      body_of(handle_send(services, message_event(R"({"action":"heartbeat","requestId":"h1"})"))),
      R"({"type":"pong","requestId":"h1"})");
  ASSERT_EQ(f.db.calls.size(), 2u);
  EXPECT_EQ(s(f.db.calls[0].body["Key"]["pk"]["S"]), "CONN#abc=");
  EXPECT_EQ(f.db.calls[1].op, "PutItem");
  EXPECT_EQ(s(f.db.calls[1].body["Item"]["pk"]["S"]), "USER#alice");
}

TEST(Handlers, TheAuthorizersUserNeedsNoReadOfTheConnection) {
  Fixture f;
  NoPoster poster;
  Services services{f.store, poster, {}, "secret"};
  EXPECT_EQ(body_of(handle_send(
                services, message_event(R"({"action":"heartbeat","requestId":"h1"})", "carol"))),
            R"({"type":"pong","requestId":"h1"})");
  ASSERT_EQ(f.db.calls.size(), 1u);
  EXPECT_EQ(f.db.calls[0].op, "PutItem");
  EXPECT_EQ(s(f.db.calls[0].body["Item"]["pk"]["S"]), "USER#carol");
}

std::string presence_item(const std::string& user, int64_t last_seen, int64_t expires_at) {
  return R"({"pk":{"S":"USER#)" + user + R"("},"sk":{"S":"PRESENCE"},"type":{"S":"presence"},)" +
         R"("username":{"S":")" + user + R"("},"lastSeen":{"N":")" + std::to_string(last_seen) +
         R"("},"expiresAt":{"N":")" + std::to_string(expires_at) + R"("}})";
}

TEST(Store, PresenceIsOneBatchGetAndAnExpiredItemIsOffline) {
  Fixture f;
  // bob's presence is fresh, carol's expired a second ago (TTL has not removed it yet), dave has
  // none; erin's key came back unprocessed and is asked for again.
  f.db.answer("BatchGetItem",
              R"({"Responses":{"chat":[)" + presence_item("bob", kNow - 1000, kNow / 1000 + 60) +
                  "," + presence_item("carol", kNow - 91000, kNow / 1000 - 1) +
                  R"(]},"UnprocessedKeys":{"chat":{"Keys":[{"pk":{"S":"USER#erin"},)"
                  R"("sk":{"S":"PRESENCE"}}],"ConsistentRead":true}}})");
  f.db.answer("BatchGetItem", R"({"Responses":{"chat":[)" +
                                  presence_item("erin", kNow - 5, kNow / 1000 + 90) +
                                  R"(]},"UnprocessedKeys":{}})");
  auto states = get_presence(f.store, {"bob", "carol", "dave", "erin"});
  ASSERT_EQ(states.size(), 4u);
  EXPECT_TRUE(states[0].online);
  EXPECT_EQ(states[0].last_seen, kNow - 1000);
  EXPECT_FALSE(states[1].online);
  EXPECT_EQ(states[1].last_seen, kNow - 91000);
  EXPECT_FALSE(states[2].online);
  EXPECT_EQ(states[2].last_seen, 0);
  EXPECT_TRUE(states[3].online);
  ASSERT_EQ(f.db.calls.size(), 2u);
  const auto& asked = f.db.calls[0].body["RequestItems"]["chat"];
  EXPECT_TRUE(asked["ConsistentRead"].GetBool());
  ASSERT_EQ(asked["Keys"].Size(), 4u);
  EXPECT_EQ(s(asked["Keys"][3]["pk"]["S"]), "USER#erin");
  EXPECT_EQ(s(asked["Keys"][3]["sk"]["S"]), "PRESENCE");
  ASSERT_EQ(f.db.calls[1].body["RequestItems"]["chat"]["Keys"].Size(), 1u);
}

TEST(Handlers, ADynamoDbFailureIsInternalErrorAndTheActionsWithoutReplyHaveNoBody) {
  Fixture f;
  NoPoster poster;
  Services services{f.store, poster, {}, "secret"};
  f.db.fail("GetItem", R"({"__type":"x#ResourceNotFoundException","message":"no table"})");
  EXPECT_EQ(
      body_of(handle_send(services, message_event(R"({"action":"getToken","requestId":"t"})"))),
      R"({"type":"error","code":"InternalError","message":"internal error",)"
      R"("requestId":"t"})");
  f.db.answer("GetItem", kCaller);
  EXPECT_EQ(
      body_of(handle_send(services, message_event(R"({"action":"react",)"
                                                  R"("conversationId":"lobby",)"
                                                  R"("messageId":"01KBCWHCG0Z7Y8KX2N3H4P5R6S",)"
                                                  R"("emoji":"+1"})"))),
      "");
}

TEST(Handlers, ConnectNeedsTheAuthorizersUsername) {
  Fixture f;
  NoPoster poster;
  Services services{f.store, poster, {}, ""};
  EXPECT_EQ(handle_connect(services, R"({"requestContext":{"connectionId":"abc="}})"),
            R"({"statusCode":401})");
  EXPECT_TRUE(f.db.calls.empty());
  EXPECT_EQ(handle_connect(services, R"({"requestContext":{"connectionId":"abc=",)"
                                     R"("authorizer":{"principalId":"alice"}}})"),
            R"({"statusCode":200})");
  ASSERT_EQ(f.db.calls.size(), 1u);
  EXPECT_EQ(s(tx(f.db.calls[0], 0, "Put")["Item"]["username"]["S"]), "alice");
}

}  // namespace
}  // namespace chat

namespace chat {
namespace {

// The fanout keeps a conversation's members and asks only for their connections each time.
TEST(Store, ConversationMembersAndTheirConnections) {
  Fixture f;
  f.db.answer("GetItem", kConversation);
  auto members = conversation_members(f.store, kDm);
  ASSERT_TRUE(members);
  EXPECT_EQ(*members, (std::vector<std::string>{"alice", "bob"}));
  f.db.answer("GetItem", "{}");
  EXPECT_FALSE(conversation_members(f.store, "dm-000000000000000000000000"));
  f.db.answer("BatchGetItem",
              R"({"Responses":{"chat":[{"pk":{"S":"USER#bob"},"conns":{"SS":["b1= d chat"]}}]}})");
  auto targets = members_connections(f.store, *members, "alice");
  ASSERT_EQ(f.db.calls.size(), 3u);  // alice left out: bob's entries alone
  EXPECT_EQ(f.db.calls[2].op, "BatchGetItem");
  EXPECT_EQ(f.db.calls[2].body["RequestItems"]["chat"]["Keys"].Size(), 1u);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].connection_id, "b1=");
  EXPECT_EQ(targets[0].username, "bob");
}

}  // namespace
}  // namespace chat
