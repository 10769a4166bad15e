#include "chat/protocol.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace chat {
namespace {

Error error_of(std::string_view frame) {
  ParseResult r = parse_request(frame);
  EXPECT_FALSE(r.request) << frame;
  return r.error;
}

Request request_of(std::string_view frame) {
  ParseResult r = parse_request(frame);
  EXPECT_TRUE(r.request) << frame << ": " << r.error.message;
  return r.request.value_or(Request{});
}

TEST(Parse, SendMessage) {
  Request r = request_of(
      R"({"action":"sendMessage","conversationId":"lobby","text":"  hi  ","clientMessageId":"c-1",)"
      R"("requestId":"r1","extra":[1,2]})");
  EXPECT_EQ(r.action, Action::SendMessage);
  EXPECT_EQ(r.conversation_id, "lobby");
  EXPECT_EQ(r.text, "hi");
  EXPECT_EQ(r.client_message_id, "c-1");
  EXPECT_EQ(r.request_id, "r1");
}

TEST(Parse, FramesThatAreNotRequests) {
  EXPECT_EQ(error_of("hello").message, "the frame is not JSON");
  EXPECT_EQ(error_of("").message, "the frame is not JSON");
  EXPECT_EQ(error_of("{} {}").message, "the frame is not JSON");
  EXPECT_EQ(error_of("[1]").message, "the frame is not a JSON object");
  EXPECT_EQ(error_of("\"x\"").code, ErrorCode::BadRequest);
  EXPECT_EQ(error_of("{}").message, "missing \"action\"");
  EXPECT_EQ(error_of(R"({"action":7})").message, "\"action\" must be a string");
  EXPECT_EQ(error_of("{\"action\":\"\xFF\"}").message, "the frame is not JSON");
  // Nesting costs no stack.
  std::string deep(30000, '[');
  EXPECT_EQ(error_of(R"({"action":"heartbeat","x":)" + deep).code, ErrorCode::BadRequest);
  EXPECT_EQ(error_of(std::string(kMaxFrameBytes + 1, ' ')).code, ErrorCode::BadRequest);
}

TEST(Parse, UnknownActionQuotesIt) {
  Error e = error_of(R"({"action":"oops"})");
  EXPECT_EQ(e.code, ErrorCode::UnknownAction);
  EXPECT_EQ(e.message, "unknown action \"oops\"");
  Error long_one = error_of(R"({"action":")" + std::string(200, 'a') + "\"}");
  EXPECT_EQ(long_one.message, "unknown action \"" + std::string(64, 'a') + "...\"");
}

TEST(Parse, RequestIdIsKeptForTheErrorFrame) {
  ParseResult r = parse_request(R"({"action":"oops","requestId":"r9"})");
  EXPECT_EQ(r.request_id, "r9");
  r = parse_request(R"({"action":"heartbeat","requestId":5})");
  EXPECT_FALSE(r.request);
  EXPECT_FALSE(r.request_id);
  EXPECT_EQ(r.error.message, "\"requestId\" must be a string");
  r = parse_request(R"({"action":"heartbeat","requestId":")" + std::string(65, 'r') + "\"}");
  EXPECT_FALSE(r.request);
}

TEST(Parse, SendMessageMembers) {
  EXPECT_EQ(error_of(R"({"action":"sendMessage","text":"hi","clientMessageId":"c"})").message,
            "missing \"conversationId\"");
  EXPECT_EQ(error_of(R"({"action":"sendMessage","conversationId":"lobby","text":5,)"
                     R"("clientMessageId":"c"})")
                .message,
            "\"text\" must be a string");
  EXPECT_EQ(error_of(R"({"action":"sendMessage","conversationId":"lobby","text":"  ",)"
                     R"("clientMessageId":"c"})")
                .message,
            "text is empty");
  EXPECT_EQ(error_of(R"({"action":"sendMessage","conversationId":"lobby","text":")" +
                     std::string(1001, 'x') + R"(","clientMessageId":"c"})")
                .code,
            ErrorCode::MessageTooLong);
  EXPECT_EQ(error_of(R"({"action":"sendMessage","conversationId":"lobby","text":"x",)"
                     R"("clientMessageId":""})")
                .code,
            ErrorCode::BadRequest);
  Error missing = error_of(R"({"action":"sendMessage","conversationId":"nowhere","text":"x"})");
  EXPECT_EQ(missing.code, ErrorCode::NotFound);
  EXPECT_EQ(missing.message, "no conversation \"nowhere\"");
  EXPECT_EQ(error_of(R"({"action":"sendMessage","conversationId":null,"text":"x"})").message,
            "missing \"conversationId\"");
}

TEST(Parse, GetHistoryLimitAndCursor) {
  Request r = request_of(R"({"action":"getHistory","conversationId":"lobby","cursor":null})");
  EXPECT_EQ(r.limit, kDefaultHistoryLimit);
  EXPECT_FALSE(r.history_cursor);
  r = request_of(R"({"action":"getHistory","conversationId":"lobby","limit":100})");
  EXPECT_EQ(r.limit, 100);
  for (const char* limit : {"0", "101", "1.5", "\"5\"", "-1", "true"}) {
    EXPECT_EQ(error_of(std::string(R"({"action":"getHistory","conversationId":"lobby","limit":)") +
                       limit + "}")
                  .message,
              "\"limit\" must be an integer from 1 to 100")
        << limit;
  }
  std::string cursor = encode_cursor(key("CONV#lobby", "MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  r = request_of(R"({"action":"getHistory","conversationId":"lobby","cursor":")" + cursor + "\"}");
  ASSERT_TRUE(r.history_cursor);
  EXPECT_EQ(r.history_cursor->message_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  // Another conversation's cursor, garbage, a number.
  std::string other =
      encode_cursor(key("CONV#dm-6f1c0e2a9b7d4c3e5f6a7b8c", "MSG#01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_EQ(
      error_of(R"({"action":"getHistory","conversationId":"lobby","cursor":")" + other + "\"}")
          .code,
      ErrorCode::BadRequest);
  EXPECT_EQ(error_of(R"({"action":"getHistory","conversationId":"lobby","cursor":"abc!"})").code,
            ErrorCode::BadRequest);
  EXPECT_EQ(error_of(R"({"action":"getHistory","conversationId":"lobby","cursor":5})").message,
            "\"cursor\" must be a string or null");
}

TEST(Parse, CreateConversation) {
  Request r = request_of(R"({"action":"createConversation","kind":"direct","members":["bob"]})");
  EXPECT_EQ(r.kind, "direct");
  EXPECT_EQ(r.members, std::vector<std::string>{"bob"});
  r = request_of(R"({"action":"createConversation","kind":"group","members":["bob","cy","bob"],)"
                 R"("name":" team "})");
  EXPECT_EQ(r.members, (std::vector<std::string>{"bob", "cy"}));
  EXPECT_EQ(r.name, "team");
  EXPECT_EQ(error_of(R"({"action":"createConversation","kind":"group","members":["bob"]})").message,
            "missing \"name\"");
  EXPECT_EQ(
      error_of(R"({"action":"createConversation","kind":"direct","members":["bob","cy"]})").code,
      ErrorCode::BadRequest);
  EXPECT_EQ(error_of(R"({"action":"createConversation","kind":"direct","members":[]})").code,
            ErrorCode::BadRequest);
  EXPECT_EQ(error_of(R"({"action":"createConversation","kind":"room","members":["bob"]})").code,
            ErrorCode::BadRequest);
  Error bad_name =
      error_of(R"({"action":"createConversation","kind":"direct","members":["<script>"]})");
  EXPECT_EQ(bad_name.code, ErrorCode::InvalidUsername);
  EXPECT_EQ(bad_name.message, "not a username: \"<script>\"");
  std::string many = R"({"action":"createConversation","kind":"group","name":"n","members":[)";
  for (int i = 0; i < 100; ++i) many += (i ? ",\"u" : "\"u") + std::to_string(i) + "\"";
  EXPECT_EQ(error_of(many + "]}").code, ErrorCode::TooManyMembers);
}

TEST(Parse, TheOtherActions) {
  Request r = request_of(R"({"action":"markRead","conversationId":"lobby",)"
                         R"("messageId":"01ARZ3NDEKTSV4RRFFQ69G5FAV"})");
  EXPECT_EQ(r.action, Action::MarkRead);
  EXPECT_EQ(r.message_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(error_of(R"({"action":"markRead","conversationId":"lobby","messageId":"m1"})").code,
            ErrorCode::NotFound);
  r = request_of(R"({"action":"react","conversationId":"lobby",)"
                 R"("messageId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","emoji":"\ud83d\udc4d"})");
  EXPECT_EQ(r.emoji, "\xF0\x9F\x91\x8D");
  EXPECT_EQ(error_of(R"({"action":"react","conversationId":"lobby",)"
                     R"("messageId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","emoji":"too long emoji"})")
                .code,
            ErrorCode::BadRequest);
  EXPECT_EQ(request_of(R"({"action":"typing","conversationId":"lobby"})").action, Action::Typing);
  EXPECT_EQ(request_of(R"({"action":"heartbeat"})").action, Action::Heartbeat);
  EXPECT_EQ(request_of(R"({"action":"getToken"})").action, Action::GetToken);
  r = request_of(R"({"action":"listConversations","limit":3})");
  EXPECT_EQ(r.limit, 3);
  EXPECT_EQ(request_of(R"({"action":"listConversations"})").limit, kDefaultInboxLimit);
  EXPECT_EQ(error_of(R"({"action":"listConversations","cursor":"eyJ9"})").code,
            ErrorCode::BadRequest);
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

TEST(Render, TheProtocolsExamples) {
  Message m{"lobby", "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", "alice", "hi", 1764590400000, "c-1"};
  EXPECT_EQ(render_ack(m, std::nullopt),
            R"({"type":"ack","clientMessageId":"c-1","messageId":"01JDX3M6Q0Z7Y8KX2N3H4P5R6S",)"
            R"("conversationId":"lobby","createdAt":1764590400000})");
  EXPECT_EQ(
      render_message(m),
      R"({"type":"message","conversationId":"lobby","messageId":"01JDX3M6Q0Z7Y8KX2N3H4P5R6S",)"
      R"("sender":"alice","text":"hi","createdAt":1764590400000,"clientMessageId":"c-1"})");
  EXPECT_EQ(render_error({ErrorCode::UnknownAction, "unknown action \"oops\""}, std::nullopt),
            R"({"type":"error","code":"UnknownAction","message":"unknown action \"oops\""})");
  Conversation c{
      "dm-6f1c0e2a9b7d4c3e5f6a7b8c", "direct", "", {"alice", "bob"}, "alice", 1764590400000, ""};
  EXPECT_EQ(render_conversation(c, true, std::nullopt),
            R"({"type":"conversation","conversationId":"dm-6f1c0e2a9b7d4c3e5f6a7b8c",)"
            R"("kind":"direct","name":"","members":["alice","bob"],"createdAt":1764590400000,)"
            R"("created":true})");
}

TEST(Render, EscapesWhatClientsSent) {
  Message m{"lobby", "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", "al", "\"</script>\\\n\x01", 1, "c\"1"};
  rapidjson::Document d = parse(render_message(m));
  EXPECT_STREQ(d["text"].GetString(), "\"</script>\\\n\x01");
  EXPECT_STREQ(d["clientMessageId"].GetString(), "c\"1");
}

TEST(Render, EveryOtherFrame) {
  Message m{"lobby", "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", "al", "x", 1, "c"};
  auto h = parse(render_history("lobby", {m, m}, std::nullopt, std::string("r1")));
  EXPECT_STREQ(h["type"].GetString(), "history");
  EXPECT_EQ(h["messages"].Size(), 2u);
  EXPECT_STREQ(h["messages"][0]["messageId"].GetString(), "01JDX3M6Q0Z7Y8KX2N3H4P5R6S");
  EXPECT_TRUE(h["cursor"].IsNull());
  EXPECT_STREQ(h["requestId"].GetString(), "r1");
  auto body = parse(render_history_body("lobby", {}, std::string("abc")));
  EXPECT_FALSE(body.HasMember("type"));
  EXPECT_STREQ(body["cursor"].GetString(), "abc");
  InboxItem item{"lobby", "group", "g", {"a", "b"}, 3, 77, "", "", ""};
  auto list = parse(render_conversations({item}, std::nullopt, std::nullopt));
  EXPECT_EQ(list["items"][0]["unread"].GetInt(), 3);
  EXPECT_TRUE(list["items"][0]["lastMessageId"].IsNull());
  EXPECT_FALSE(list.HasMember("requestId"));
  EXPECT_EQ(render_read({"lobby", "al", "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", 5}),
            R"({"type":"read","conversationId":"lobby","username":"al",)"
            R"("messageId":"01JDX3M6Q0Z7Y8KX2N3H4P5R6S"})");
  EXPECT_EQ(render_reaction({"lobby", "01JDX3M6Q0Z7Y8KX2N3H4P5R6S", "al", "+", 5}, false),
            R"({"type":"reaction","conversationId":"lobby",)"
            R"("messageId":"01JDX3M6Q0Z7Y8KX2N3H4P5R6S","username":"al","emoji":"+",)"
            R"("added":false})");
  EXPECT_EQ(render_typing("lobby", "al"),
            R"({"type":"typing","conversationId":"lobby","username":"al"})");
  EXPECT_EQ(render_presence({{"al", true}, {"bo", false}}),
            R"({"type":"presence","users":[{"username":"al","online":true},)"
            R"({"username":"bo","online":false}]})");
  EXPECT_EQ(render_pong(std::string("p")), R"({"type":"pong","requestId":"p"})");
  EXPECT_EQ(render_pong(std::nullopt), R"({"type":"pong"})");
  EXPECT_EQ(render_presence_list({{"bob", true, 5}, {"cy", false, 0}}, std::string("q")),
            R"({"type":"presenceList","users":[{"username":"bob","online":true,"lastSeen":5},)"
            R"({"username":"cy","online":false,"lastSeen":null}],"requestId":"q"})");
  EXPECT_EQ(render_token("t.t.t", 99, std::nullopt),
            R"({"type":"token","token":"t.t.t","expiresAt":99})");
  EXPECT_EQ(render_http_error("Unauthorized"), R"({"code":"Unauthorized"})");
}

TEST(Parse, GetPresenceTakesOneToAHundredDistinctUsernames) {
  Request r = request_of(R"({"action":"getPresence","usernames":["bob","carol","bob"]})");
  EXPECT_EQ(r.action, Action::GetPresence);
  EXPECT_EQ(r.usernames, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(error_of(R"({"action":"getPresence"})").message, "missing \"usernames\"");
  EXPECT_EQ(error_of(R"({"action":"getPresence","usernames":[]})").message,
            "\"usernames\" is empty");
  EXPECT_EQ(error_of(R"({"action":"getPresence","usernames":"bob"})").code, ErrorCode::BadRequest);
  EXPECT_EQ(error_of(R"({"action":"getPresence","usernames":[7]})").code, ErrorCode::BadRequest);
  EXPECT_EQ(error_of(R"({"action":"getPresence","usernames":["<b>"]})").code,
            ErrorCode::InvalidUsername);
  std::string names;  // 100 names, then the first again: still 100
  for (int i = 0; i < 100; ++i) names += "\"u" + std::to_string(i) + "\",";
  std::string frame = R"({"action":"getPresence","usernames":[)" + names;
  EXPECT_EQ(request_of(frame + "\"u0\"]}").usernames.size(), 100u);
  EXPECT_EQ(error_of(frame + "\"u100\"]}").message, "\"usernames\" names at most 100 users");
}

TEST(Actions, NamesRoundTrip) {
  for (Action a : {Action::SendMessage, Action::GetHistory, Action::CreateConversation,
                   Action::ListConversations, Action::MarkRead, Action::React, Action::Typing,
                   Action::Heartbeat, Action::GetToken, Action::GetPresence}) {
    EXPECT_EQ(parse_action(action_name(a)), a);
  }
  EXPECT_FALSE(parse_action("SendMessage"));
}

}  // namespace
}  // namespace chat
