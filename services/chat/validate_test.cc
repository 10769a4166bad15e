#include "chat/validate.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(Username, FollowsTheProtocolsRule) {
  for (const char* ok : {"al", "alice", "Bob_2", "mary-jane", "a b", "12345678901234567890"}) {
    EXPECT_TRUE(is_valid_username(ok)) << ok;
  }
  for (const char* bad : {"", "a", "123456789012345678901", "<script>", "bob!", " bob", "bob ",
                          "b#b", "b\tb", "élan", "a/b", "a.b"}) {
    EXPECT_FALSE(is_valid_username(bad)) << bad;
  }
  EXPECT_EQ(check_username("x")->code, ErrorCode::InvalidUsername);
  EXPECT_FALSE(check_username("xy"));
}

TEST(Utf8, DecodesValidTextAndRefusesEverythingElse) {
  EXPECT_EQ(count_code_points("h\xC3\xA9llo \xF0\x9F\x91\x8B"), 7u);
  EXPECT_FALSE(count_code_points("\xC3"));              // truncated
  EXPECT_FALSE(count_code_points("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(count_code_points("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(count_code_points("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(count_code_points("\xFF"));
  EXPECT_FALSE(count_code_points("\x80"));
}

TEST(Text, IsTrimmedOfUnicodeWhiteSpace) {
  std::string out;
  // NBSP, ideographic space, line separator, tab and newline around the text.
  EXPECT_FALSE(normalize_message_text("\xC2\xA0\xE3\x80\x80\t hi there\n\xE2\x80\xA8", out));
  EXPECT_EQ(out, "hi there");
  EXPECT_EQ(normalize_message_text(" \xE2\x80\x83 ", out)->code, ErrorCode::BadRequest);
  EXPECT_EQ(normalize_message_text("", out)->code, ErrorCode::BadRequest);
  EXPECT_EQ(normalize_message_text("ok\xFF", out)->code, ErrorCode::BadRequest);
}

TEST(Text, CountsCodePointsNotBytes) {
  std::string out;
  std::string thousand_emoji;
  for (int i = 0; i < 1000; ++i) thousand_emoji += "\xF0\x9F\x98\x80";
  EXPECT_FALSE(normalize_message_text("  " + thousand_emoji + "  ", out));
  EXPECT_EQ(out, thousand_emoji);
  auto e = normalize_message_text(thousand_emoji + "!", out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, ErrorCode::MessageTooLong);
  EXPECT_EQ(e->message, "text is 1001 characters long; at most 1000 are allowed");
}

TEST(Limits, OfTheOtherMembers) {
  EXPECT_FALSE(check_client_message_id("c-1"));
  EXPECT_FALSE(check_client_message_id(std::string(64, 'x')));
  EXPECT_TRUE(check_client_message_id(std::string(65, 'x')));
  EXPECT_TRUE(check_client_message_id(""));
  EXPECT_TRUE(check_client_message_id("a\nb"));
  EXPECT_FALSE(check_request_id(""));
  EXPECT_FALSE(check_request_id(std::string(64, 'r')));
  EXPECT_TRUE(check_request_id(std::string(65, 'r')));
  std::string name;
  EXPECT_FALSE(normalize_group_name("  the team ", name));
  EXPECT_EQ(name, "the team");
  EXPECT_TRUE(normalize_group_name("   ", name));
  EXPECT_TRUE(normalize_group_name(std::string(101, 'n'), name));
  EXPECT_FALSE(normalize_group_name(std::string(100, 'n'), name));
  EXPECT_FALSE(check_emoji("\xF0\x9F\x91\x8D"));
  // A family: four people joined by three zero-width joiners is seven code points.
  EXPECT_FALSE(
      check_emoji("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91"
                  "\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6"));
  EXPECT_TRUE(check_emoji("123456789"));
  EXPECT_TRUE(check_emoji(""));
  EXPECT_TRUE(check_emoji("a b"));
}

TEST(ConversationId, OnlyTheShapesTheBackendMakes) {
  EXPECT_TRUE(is_conversation_id("lobby"));
  EXPECT_TRUE(is_conversation_id("dm-6f1c0e2a9b7d4c3e5f6a7b8c"));
  EXPECT_TRUE(is_conversation_id("grp-01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_FALSE(is_conversation_id("dm-6F1C0E2A9B7D4C3E5F6A7B8C"));
  EXPECT_FALSE(is_conversation_id("dm-6f1c"));
  EXPECT_FALSE(is_conversation_id("grp-x"));
  EXPECT_FALSE(is_conversation_id("Lobby"));
  EXPECT_FALSE(is_conversation_id(""));
}

TEST(ErrorCodes, HaveTheProtocolsNames) {
  EXPECT_EQ(code_name(ErrorCode::BadRequest), "BadRequest");
  EXPECT_EQ(code_name(ErrorCode::NotAParticipant), "NotAParticipant");
  EXPECT_EQ(code_name(ErrorCode::InternalError), "InternalError");
}

}  // namespace
}  // namespace chat
