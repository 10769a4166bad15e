#include "chat/fanout.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "awsproto/json.h"
#include "chat/model.h"

namespace chat {
namespace {

// A stream record as Lambda delivers it, with the images given as items.
rapidjson::Document record(const char* event_name, const awsproto::AttributeMap* new_image,
                           const awsproto::AttributeMap* old_image, const char* seq = "100") {
  std::string text = std::string(R"({"eventName":")") + event_name +
                     R"(","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":")" + seq +
                     "\"";
  if (new_image) text += ",\"NewImage\":" + awsproto::to_json(*new_image);
  if (old_image) text += ",\"OldImage\":" + awsproto::to_json(*old_image);
  text += "}}";
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

rapidjson::Document parse(const std::string& frame) {
  rapidjson::Document doc;
  doc.Parse(frame.c_str());
  return doc;
}

Message message(std::string cid) {
  return Message{std::move(cid), "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", "alice", "hi", 1764590400000, "c-1"};
}

TEST(Fanout, AMessageInsertGoesToItsConversation) {
  auto item = to_item(message("grp-01JDX3M6Q0Z7Y8KX2N3H4P5R6S"));
  auto d = delivery_for(record("INSERT", &item, nullptr));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->audience, Delivery::Audience::Conversation);
  EXPECT_EQ(d->conversation_id, "grp-01JDX3M6Q0Z7Y8KX2N3H4P5R6S");
  auto frame = parse(d->frame);
  EXPECT_STREQ(frame["type"].GetString(), "message");
  EXPECT_STREQ(frame["text"].GetString(), "hi");
  EXPECT_STREQ(frame["clientMessageId"].GetString(), "c-1");
}

TEST(Fanout, ALobbyMessageGoesToEveryone) {
  auto item = to_item(message("lobby"));
  auto d = delivery_for(record("INSERT", &item, nullptr));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->audience, Delivery::Audience::Everyone);
}

TEST(Fanout, AMessageModifyOrRemoveIsNotDelivered) {
  auto item = to_item(message("lobby"));
  EXPECT_FALSE(delivery_for(record("MODIFY", &item, &item)));
  EXPECT_FALSE(delivery_for(record("REMOVE", nullptr, &item)));
}

TEST(Fanout, AReactionAddedAndRemoved) {
  auto item = to_item(Reaction{"lobby", "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", "bob", "👍", 1});
  auto added = delivery_for(record("INSERT", &item, nullptr));
  auto removed = delivery_for(record("REMOVE", nullptr, &item));
  ASSERT_TRUE(added && removed);
  EXPECT_TRUE(parse(added->frame)["added"].GetBool());
  EXPECT_FALSE(parse(removed->frame)["added"].GetBool());
  EXPECT_STREQ(parse(removed->frame)["emoji"].GetString(), "👍");
}

TEST(Fanout, AReadReceiptInsertedOrModified) {
  auto item = to_item(ReadReceipt{"lobby", "bob", "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", 5});
  for (const char* name : {"INSERT", "MODIFY"}) {
    auto d = delivery_for(record(name, &item, &item));
    ASSERT_TRUE(d) << name;
    EXPECT_STREQ(parse(d->frame)["type"].GetString(), "read");
    EXPECT_STREQ(parse(d->frame)["username"].GetString(), "bob");
  }
  EXPECT_FALSE(delivery_for(record("REMOVE", nullptr, &item)));
}

TEST(Fanout, PresenceAppearsAndGoesButAHeartbeatIsNothing) {
  auto item = to_item(Presence{"carol", 1, 2});
  auto on = delivery_for(record("INSERT", &item, nullptr));
  auto off = delivery_for(record("REMOVE", nullptr, &item));
  ASSERT_TRUE(on && off);
  EXPECT_EQ(on->audience, Delivery::Audience::Presence);
  EXPECT_EQ(off->audience, Delivery::Audience::Presence);
  EXPECT_EQ(on->username, "carol");
  EXPECT_TRUE(on->online);
  EXPECT_FALSE(off->online);
  EXPECT_FALSE(delivery_for(record("MODIFY", &item, &item)));
}

TEST(Fanout, APresenceBatchIsOneFrameWithEachUsersLatestChange) {
  PresenceBatch batch;
  EXPECT_TRUE(batch.empty());
  batch.add("ann", true, 3);
  batch.add("bob", true, 4);
  batch.add("ann", false, 7);  // ann came and went: she is offline, listed after bob
  batch.add("cy", true, 9);
  EXPECT_FALSE(batch.empty());
  EXPECT_EQ(batch.first_record(), 3u);
  EXPECT_EQ(batch.frame(),
            R"({"type":"presence","users":[{"username":"bob","online":true},)"
            R"({"username":"ann","online":false},{"username":"cy","online":true}]})");
  batch.clear();
  EXPECT_TRUE(batch.empty());
  batch.add("dee", false, 12);
  EXPECT_EQ(batch.first_record(), 12u);
  EXPECT_EQ(batch.frame(), R"({"type":"presence","users":[{"username":"dee","online":false}]})");
}

TEST(Fanout, OtherItemsAndBrokenRecordsAreNothing) {
  auto conn = to_item(Connection{"abc=", "alice", 1, "d", "chat", 2});
  EXPECT_FALSE(delivery_for(record("INSERT", &conn, nullptr)));
  awsproto::AttributeMap broken = {{"type", awsproto::AttributeValue::s("message")}};
  EXPECT_FALSE(delivery_for(record("INSERT", &broken, nullptr)));
  rapidjson::Document empty;
  empty.Parse("{}");
  EXPECT_FALSE(delivery_for(empty));
  EXPECT_EQ(sequence_number(empty), "");
  EXPECT_EQ(sequence_number(record("INSERT", &conn, nullptr, "4200")), "4200");
}
}  // namespace
}  // namespace chat
