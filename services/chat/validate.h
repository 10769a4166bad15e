// The checks every chat function applies to what a client sent (schemas/chat-protocol.md):
// usernames, message text, and the limits of the other members. Pure functions; a failed check
// is an Error with the protocol's code and a message meant for the client.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

// The error codes of the protocol's `error` frame.
enum class ErrorCode {
  BadRequest,
  MessageTooLong,
  NotAParticipant,
  NotFound,
  UnknownAction,
  TooManyMembers,
  InvalidUsername,
  InternalError,
};
std::string_view code_name(ErrorCode code);  // "BadRequest"

struct Error {
  ErrorCode code = ErrorCode::BadRequest;
  std::string message;
};

inline constexpr size_t kMinUsername = 2, kMaxUsername = 20;
inline constexpr size_t kMaxTextCodePoints = 1000;
inline constexpr size_t kMaxClientMessageId = 64;
inline constexpr size_t kMaxRequestId = 64;
inline constexpr size_t kMaxGroupName = 100;
inline constexpr size_t kMaxEmojiCodePoints = 8;
inline constexpr size_t kMaxGroupOthers = 98;  // 99 with the caller: creation puts 1 + 99 items

// 2 to 20 characters, each an ASCII letter or digit, a space, '-' or '_', neither the first nor
// the last a space.
bool is_valid_username(std::string_view name);
std::optional<Error> check_username(std::string_view name);  // InvalidUsername

// The code points of valid UTF-8 (no overlong forms, no surrogates, none above U+10FFFF), or
// nullopt.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view text);
std::optional<size_t> count_code_points(std::string_view text);  // nullopt: not UTF-8
// Unicode's White_Space property (tab to CR, space, NEL, NBSP, U+1680, U+2000-U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000).
bool is_white_space(char32_t c);
// `text` without white space at either end (text must be valid UTF-8).
std::string_view trim_white_space(std::string_view text);
// The first `max` code points of valid UTF-8 text (the inbox's lastText).
std::string_view first_code_points(std::string_view text, size_t max);

// A message's text: valid UTF-8 (else BadRequest), trimmed; 1 to 1,000 code points (empty:
// BadRequest; longer: MessageTooLong). On success `out` is the trimmed text.
std::optional<Error> normalize_message_text(std::string_view text, std::string& out);
// clientMessageId: 1 to 64 characters (code points), no control characters.
std::optional<Error> check_client_message_id(std::string_view id);
// requestId: at most 64 characters.
std::optional<Error> check_request_id(std::string_view id);
// A group's name, trimmed into `out`: 1 to 100 characters, no control characters.
std::optional<Error> normalize_group_name(std::string_view name, std::string& out);
// An emoji: 1 to 8 code points, none white space or a control character.
std::optional<Error> check_emoji(std::string_view emoji);
// A conversation id of a shape the backend makes: "lobby", "dm-" and 24 lower-case hex digits,
// "grp-" and a ULID.
bool is_conversation_id(std::string_view id);

}  // namespace chat
