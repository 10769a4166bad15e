#include "chat/model.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>

namespace chat {
namespace {

rapidjson::Document as_json(const awsproto::AttributeMap& item) {
  rapidjson::Document d;
  std::string text = awsproto::to_json(item);
  d.Parse(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

std::string attr(const awsproto::AttributeMap& item, const std::string& name) {
  for (const auto& [n, v] : item) {
    if (n == name) return v.text();
  }
  return "<missing>";
}

template <class T>
T round_trip(const T& in) {
  T out;
  EXPECT_TRUE(from_item(as_json(to_item(in)), out));
  return out;
}

TEST(Keys, AsTheTableDocumentSays) {
  EXPECT_EQ(conversation_pk("lobby"), "CONV#lobby");
  EXPECT_EQ(message_sk("01A"), "MSG#01A");
  EXPECT_EQ(claim_sk("alice", "c-1"), "CLIENT#alice#c-1");
  EXPECT_EQ(reaction_sk("01A", "bob", "+"), "REACT#01A#bob#+");
  EXPECT_EQ(read_sk("bob"), "READ#bob");
  EXPECT_EQ(user_pk("bob"), "USER#bob");
  EXPECT_EQ(membership_sk("lobby"), "CONV#lobby");
  EXPECT_EQ(connection_pk("abc="), "CONN#abc=");
  EXPECT_EQ(inbox_pk("bob"), "INBOX#bob");
  EXPECT_EQ(inbox_sort_key(1764590400000, "dm-x"), "1764590400000#dm-x");
  EXPECT_EQ(inbox_sort_key(42, "lobby"), "0000000000042#lobby");
  EXPECT_EQ(user_messages_pk("bob"), "USERMSG#bob");
}

TEST(Keys, ConnectionBucketsSpreadOverSixteen) {
  std::set<int> seen;
  for (int i = 0; i < 400; ++i) {
    int b = connection_bucket("conn" + std::to_string(i) + "=");
    EXPECT_GE(b, 0);
    EXPECT_LT(b, 16);
    seen.insert(b);
  }
  EXPECT_EQ(seen.size(), 16u);
  EXPECT_EQ(connection_bucket("abc"), connection_bucket("abc"));
  EXPECT_EQ(connection_bucket_pk(7), "CONNS#7");
}

TEST(DirectConversation, IsTheSameForBothMembers) {
  std::string id = direct_conversation_id("alice", "bob");
  EXPECT_EQ(id, direct_conversation_id("bob", "alice"));
  // printf 'alice\0bob' | openssl dgst -sha256: 141a4cd242b67e82edf4a78b...
  EXPECT_EQ(id, "dm-141a4cd242b67e82edf4a78b");
  EXPECT_TRUE(is_conversation_id(id));
  EXPECT_NE(id, direct_conversation_id("alice", "bobb"));
  // The separator keeps "ab"+"c" apart from "a"+"bc".
  EXPECT_NE(direct_conversation_id("ab", "c"), direct_conversation_id("a", "bc"));
}

TEST(Members, TheCallerAndTheOthersSorted) {
  std::vector<std::string> out;
  EXPECT_FALSE(conversation_members("carol", "group", {"bob", "alice", "bob", "carol"}, out));
  EXPECT_EQ(out, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(conversation_members("bob", "direct", {"bob"}, out)->code, ErrorCode::BadRequest);
  EXPECT_EQ(conversation_members("bob", "group", {"bob"}, out)->code, ErrorCode::BadRequest);
  std::vector<std::string> many;
  for (int i = 0; i < 99; ++i) many.push_back("u" + std::to_string(i));
  EXPECT_EQ(conversation_members("me", "group", many, out)->code, ErrorCode::TooManyMembers);
  many.pop_back();
  EXPECT_FALSE(conversation_members("me", "group", many, out));
  EXPECT_EQ(out.size(), 99u);
}

TEST(Items, MessageWithItsIndexAttributes) {
  Message m{"lobby", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "alice", "hi", 1764590400000, "c-1"};
  auto item = to_item(m);
  EXPECT_EQ(attr(item, "pk"), "CONV#lobby");
  EXPECT_EQ(attr(item, "sk"), "MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(attr(item, "type"), "message");
  EXPECT_EQ(attr(item, "userPk"), "USERMSG#alice");
  EXPECT_EQ(attr(item, "userSk"), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(attr(item, "createdAt"), "1764590400000");
  Message back = round_trip(m);
  EXPECT_EQ(back.text, "hi");
  EXPECT_EQ(back.client_message_id, "c-1");
  EXPECT_EQ(back.created_at, 1764590400000);
}

TEST(Items, EveryKindRoundTrips) {
  Conversation c{"grp-01ARZ3NDEKTSV4RRFFQ69G5FAV", "group", "team", {"a1", "b1"}, "a1", 5, ""};
  Conversation cb = round_trip(c);
  EXPECT_EQ(cb.members, c.members);
  EXPECT_EQ(cb.last_message_id, "");
  EXPECT_EQ(attr(to_item(c), "lastMessageId"), "<missing>");
  Conversation lobby{"lobby", "lobby", "Lobby", {}, "system", 1, "01ARZ3NDEKTSV4RRFFQ69G5FAV"};
  EXPECT_EQ(round_trip(lobby).last_message_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(attr(to_item(lobby), "members"), "<missing>");

  Claim claim{"lobby", "alice", "c#1", "01ARZ3NDEKTSV4RRFFQ69G5FAV", 5, 86405};
  Claim cl = round_trip(claim);
  EXPECT_EQ(cl.sender, "alice");
  EXPECT_EQ(cl.client_message_id, "c#1");
  EXPECT_EQ(cl.expires_at, 86405);

  Reaction r{"lobby", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "bob", "\xF0\x9F\x91\x8D", 9};
  EXPECT_EQ(round_trip(r).emoji, r.emoji);
  ReadReceipt rr{"lobby", "bob", "01ARZ3NDEKTSV4RRFFQ69G5FAV", 10};
  EXPECT_EQ(round_trip(rr).read_at, 10);

  Conversation said{"grp-01ARZ3NDEKTSV4RRFFQ69G5FAV",
                    "group",
                    "team",
                    {"a1", "b1"},
                    "a1",
                    5,
                    "01ARZ3NDEKTSV4RRFFQ69G5FAV",
                    "b1",
                    std::string(150, 'x')};
  EXPECT_EQ(attr(to_item(said), "lastText"), std::string(100, 'x'));
  EXPECT_EQ(round_trip(said).last_sender, "b1");

  // A member's entry holds the membership and what was read, nothing a send changes.
  InboxEntry e{"bob",
               "dm-6f1c0e2a9b7d4c3e5f6a7b8c",
               "direct",
               "",
               {"alice", "bob"},
               2,
               "01ARZ3NDEKTSV4RRFFQ69G5FAV",
               "01ARZ3NDEKTSV4RRFFQ69G5FAA",
               1764590400000,
               "alice",
               "hi"};
  auto item = to_item(e);
  for (const char* gone : {"inboxPk", "inboxSk", "unread", "lastMessageId", "lastText"}) {
    EXPECT_EQ(attr(item, gone), "<missing>") << gone;
  }
  InboxEntry eb = round_trip(e);
  EXPECT_EQ(eb.username, "bob");
  EXPECT_EQ(eb.members, e.members);
  EXPECT_EQ(eb.unread, 0);
  EXPECT_EQ(eb.last_read_message_id, "01ARZ3NDEKTSV4RRFFQ69G5FAA");

  Connection conn{"abc=", "alice", 1, "x.execute-api", "chat", 10801};
  auto ci = to_item(conn);
  EXPECT_EQ(attr(ci, "connBucket"), connection_bucket_pk(connection_bucket("abc=")));
  EXPECT_EQ(attr(ci, "connSk"), "abc=");
  EXPECT_EQ(round_trip(conn).username, "alice");
  UserConnection uc{"alice", "abc=", "x.execute-api", "chat", 10801};
  EXPECT_EQ(attr(to_item(uc), "sk"), "CONN#abc=");
  EXPECT_EQ(round_trip(uc).username, "alice");
  Presence p{"alice", 1000, 91};
  EXPECT_EQ(attr(to_item(p), "sk"), "PRESENCE");
  EXPECT_EQ(round_trip(p).last_seen, 1000);
}

TEST(Items, ReadingTheWrongKindFails) {
  Message m{"lobby", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "alice", "hi", 1, "c"};
  auto doc = as_json(to_item(m));
  Reaction r;
  Presence p;
  EXPECT_FALSE(from_item(doc, r));
  EXPECT_FALSE(from_item(doc, p));
  EXPECT_EQ(item_type(doc), "message");
  // A key that does not match the attributes.
  auto item = to_item(m);
  item[1].second = awsproto::AttributeValue::s("MSG#other");
  Message out;
  EXPECT_FALSE(from_item(as_json(item), out));
  rapidjson::Document junk;
  junk.Parse("[1]");
  EXPECT_FALSE(from_item(junk, out));
  EXPECT_EQ(item_type(junk), "");
}

TEST(Cursor, HistoryKeysRoundTrip) {
  auto key_map = key("CONV#lobby", "MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV");
  std::string cursor = encode_cursor(key_map);
  EXPECT_EQ(cursor.find_first_of("+/="), std::string::npos);
  auto c = decode_history_cursor(cursor);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->conversation_id, "lobby");
  EXPECT_EQ(awsproto::to_json(c->key), awsproto::to_json(key_map));
  // The same from a LastEvaluatedKey as DynamoDB returns it (any member order).
  rapidjson::Document lek;
  lek.Parse(R"({"sk":{"S":"MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV"},"pk":{"S":"CONV#lobby"}})");
  ASSERT_TRUE(decode_history_cursor(encode_cursor(lek)));
}

TEST(Cursor, RefusesEverythingThatIsNotAKeyOfTheRightShape) {
  auto enc = [](const std::string& json) { return base64url_encode(json); };
  EXPECT_FALSE(decode_history_cursor(""));
  EXPECT_FALSE(decode_history_cursor("!!!!"));
  EXPECT_FALSE(decode_history_cursor(enc("not json")));
  EXPECT_FALSE(decode_history_cursor(enc("[]")));
  EXPECT_FALSE(decode_history_cursor(enc(R"({"pk":{"S":"CONV#lobby"}})")));
  EXPECT_FALSE(decode_history_cursor(enc(R"({"pk":{"S":"CONV#lobby"},"sk":{"S":"READ#bob"}})")));
  EXPECT_FALSE(decode_history_cursor(
      enc(R"({"pk":{"N":"1"},"sk":{"S":"MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV"}})")));
  EXPECT_FALSE(decode_history_cursor(enc(
      R"({"pk":{"S":"CONV#lobby"},"sk":{"S":"MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV"},"x":{"S":""}})")));
  EXPECT_FALSE(decode_history_cursor(
      enc(R"({"pk":{"S":"CONV#lobby","N":"1"},"sk":{"S":"MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV"}})")));
  std::string padded = encode_cursor(key("CONV#lobby", "MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV")) + "=";
  EXPECT_FALSE(decode_history_cursor(padded));
  EXPECT_FALSE(decode_history_cursor(std::string(kMaxCursorLength + 4, 'A')));
}

TEST(Cursor, InboxKeysCarryTheIndexKeys) {
  auto k = key("USER#bob", "CONV#lobby");
  k.emplace_back("inboxPk", awsproto::AttributeValue::s("INBOX#bob"));
  k.emplace_back("inboxSk", awsproto::AttributeValue::s("1764590400000#lobby"));
  auto c = decode_inbox_cursor(encode_cursor(k));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "bob");
  EXPECT_EQ(c->conversation_id, "lobby");
  EXPECT_EQ(c->key.size(), 4u);
  auto wrong_user = k;
  wrong_user[2].second = awsproto::AttributeValue::s("INBOX#eve");
  EXPECT_FALSE(decode_inbox_cursor(encode_cursor(wrong_user)));
  auto wrong_sk = k;
  wrong_sk[3].second = awsproto::AttributeValue::s("176459040000x#lobby");
  EXPECT_FALSE(decode_inbox_cursor(encode_cursor(wrong_sk)));
  EXPECT_FALSE(decode_inbox_cursor(encode_cursor(key("USER#bob", "CONV#lobby"))));
}

}  // namespace
}  // namespace chat
