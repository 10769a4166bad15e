#include "chat/validate.h"

#include "chat/ulid.h"

namespace chat {

namespace {

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c < 0xA0); }

bool has_control(const std::vector<char32_t>& points) {
  for (char32_t c : points) {
    if (is_control(c)) return true;
  }
  return false;
}

Error bad(std::string message) { return {ErrorCode::BadRequest, std::move(message)}; }

// The length of the UTF-8 sequence starting at text[i] and its code point, or 0 when invalid.
size_t next_code_point(std::string_view text, size_t i, char32_t& out) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    out = b0;
    return 1;
  }
  size_t len;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, out = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, out = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, out = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    out = out << 6 | (byte(i + k) & 0x3F);
  }
  if (out < min || out > 0x10FFFF || (out >= 0xD800 && out <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string_view code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadRequest: return "BadRequest";
    case ErrorCode::MessageTooLong: return "MessageTooLong";
    case ErrorCode::NotAParticipant: return "NotAParticipant";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::UnknownAction: return "UnknownAction";
    case ErrorCode::TooManyMembers: return "TooManyMembers";
    case ErrorCode::InvalidUsername: return "InvalidUsername";
    case ErrorCode::InternalError: return "InternalError";
  }
  return "InternalError";
}

bool is_valid_username(std::string_view name) {
  if (name.size() < kMinUsername || name.size() > kMaxUsername) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ' ' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::optional<Error> check_username(std::string_view name) {
  if (is_valid_username(name)) return std::nullopt;
  return Error{ErrorCode::InvalidUsername,
               "a username is 2 to 20 letters, digits, spaces, '-' or '_', not starting or "
               "ending with a space"};
}

std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    char32_t c;
    size_t len = next_code_point(text, i, c);
    if (len == 0) return std::nullopt;
    out.push_back(c);
    i += len;
  }
  return out;
}

std::optional<size_t> count_code_points(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++n) {
    char32_t c;
    size_t len = next_code_point(text, i, c);
    if (len == 0) return std::nullopt;
    i += len;
  }
  return n;
}

bool is_white_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

std::string_view trim_white_space(std::string_view text) {
  size_t begin = 0, end = 0;  // [begin, end): from the first to past the last non-space
  bool seen = false;
  for (size_t i = 0; i < text.size();) {
    char32_t c;
    size_t len = next_code_point(text, i, c);
    if (len == 0) len = 1, c = 0xFFFD;  // not UTF-8: kept as it is
    if (!is_white_space(c)) {
      if (!seen) begin = i, seen = true;
      end = i + len;
    }
    i += len;
  }
  return seen ? text.substr(begin, end - begin) : std::string_view();
}

std::string_view first_code_points(std::string_view text, size_t max) {
  size_t i = 0;
  for (size_t n = 0; n < max && i < text.size(); ++n) {
    char32_t c;
    size_t len = next_code_point(text, i, c);
    i += len == 0 ? 1 : len;
  }
  return text.substr(0, i);
}

std::optional<Error> normalize_message_text(std::string_view text, std::string& out) {
  if (!count_code_points(text)) return bad("text is not valid UTF-8");
  std::string_view trimmed = trim_white_space(text);
  size_t n = *count_code_points(trimmed);
  if (n == 0) return bad("text is empty");
  if (n > kMaxTextCodePoints) {
    return Error{ErrorCode::MessageTooLong,
                 "text is " + std::to_string(n) + " characters long; at most 1000 are allowed"};
  }
  out.assign(trimmed);
  return std::nullopt;
}

std::optional<Error> check_client_message_id(std::string_view id) {
  auto points = decode_utf8(id);
  if (!points || points->empty() || points->size() > kMaxClientMessageId || has_control(*points)) {
    return bad("clientMessageId must be 1 to 64 characters");
  }
  return std::nullopt;
}

std::optional<Error> check_request_id(std::string_view id) {
  auto n = count_code_points(id);
  if (!n || *n > kMaxRequestId) return bad("requestId must be at most 64 characters");
  return std::nullopt;
}

std::optional<Error> normalize_group_name(std::string_view name, std::string& out) {
  auto points = decode_utf8(name);
  if (!points) return bad("name is not valid UTF-8");
  std::string_view trimmed = trim_white_space(name);
  auto inner = decode_utf8(trimmed);
  if (inner->empty() || inner->size() > kMaxGroupName || has_control(*inner)) {
    return bad("a group's name must be 1 to 100 characters");
  }
  out.assign(trimmed);
  return std::nullopt;
}

std::optional<Error> check_emoji(std::string_view emoji) {
  auto points = decode_utf8(emoji);
  bool ok =
      points && !points->empty() && points->size() <= kMaxEmojiCodePoints && !has_control(*points);
  for (size_t i = 0; ok && i < points->size(); ++i) ok = !is_white_space((*points)[i]);
  if (!ok) return bad("emoji must be 1 to 8 characters without spaces");
  return std::nullopt;
}

bool is_conversation_id(std::string_view id) {
  if (id == "lobby") return true;
  if (id.starts_with("dm-") && id.size() == 27) {
    for (char c : id.substr(3)) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }
  return id.starts_with("grp-") && is_ulid(id.substr(4));
}

}  // namespace chat
