#include "gateway/frame.h"

#include <openssl/sha.h>

#include "awsproto/encoding.h"

namespace gateway::ws {
namespace {

FrameResult error(uint16_t code, std::string why) {
  FrameResult r;
  r.status = FrameResult::Status::Error;
  r.close_code = code;
  r.error = std::move(why);
  return r;
}

bool is_control(uint8_t opcode) { return opcode >= 0x8; }

bool known_opcode(uint8_t opcode) {
  return opcode == kContinuation || opcode == kText || opcode == kBinary || opcode == kClose ||
         opcode == kPing || opcode == kPong;
}

}  // namespace

FrameResult parse_frame(std::string_view bytes, size_t max_frame_bytes) {
  if (bytes.size() < 2) return {};
  auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  const bool fin = byte(0) & 0x80;
  const uint8_t rsv = byte(0) & 0x70;
  const uint8_t opcode = byte(0) & 0x0F;
  const bool masked = byte(1) & 0x80;
  uint64_t length = byte(1) & 0x7F;
  if (rsv) return error(kProtocolError, "reserved bits set");
  if (!known_opcode(opcode)) return error(kProtocolError, "unknown opcode");
  if (!masked) return error(kProtocolError, "client frame not masked");
  size_t header = 2;
  if (length == 126) {
    if (bytes.size() < 4) return {};
    length = (uint64_t{byte(2)} << 8) | byte(3);
    header = 4;
  } else if (length == 127) {
    if (bytes.size() < 10) return {};
    length = 0;
    for (size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
    if (length >> 63) return error(kProtocolError, "frame length out of range");
    header = 10;
  }
  if (is_control(opcode) && (!fin || length > 125)) {
    return error(kProtocolError, "fragmented or oversized control frame");
  }
  if (length > max_frame_bytes) return error(kTooBig, "frame too big");
  header += 4;  // the masking key
  if (bytes.size() < header || bytes.size() - header < length) return {};
  const size_t key_at = header - 4;
  FrameResult r;
  r.status = FrameResult::Status::Ok;
  r.frame.fin = fin;
  r.frame.opcode = opcode;
  r.frame.payload.assign(bytes.substr(header, static_cast<size_t>(length)));
  for (size_t i = 0; i < r.frame.payload.size(); ++i) {
    r.frame.payload[i] = static_cast<char>(r.frame.payload[i] ^ bytes[key_at + (i & 3)]);
  }
  r.consumed = header + static_cast<size_t>(length);
  return r;
}

MessageAssembler::Output MessageAssembler::feed(Frame frame) {
  Output out;
  auto fail = [&](uint16_t code, std::string why) {
    out.kind = Output::Kind::Error;
    out.close_code = code;
    out.error = std::move(why);
    in_message_ = false;
    buffer_.clear();
    return out;
  };
  if (is_control(frame.opcode)) {
    out.kind = Output::Kind::Control;
    out.opcode = frame.opcode;
    out.payload = std::move(frame.payload);
    return out;
  }
  if (frame.opcode == kContinuation) {
    if (!in_message_) return fail(kProtocolError, "continuation without a message");
  } else {
    if (in_message_) return fail(kProtocolError, "new message inside a fragmented one");
    // API Gateway refuses binary frames and closes with 1003:
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-binary-media-types.html
    if (frame.opcode == kBinary) return fail(kUnsupportedData, "binary frames are not supported");
    in_message_ = true;
    message_opcode_ = frame.opcode;
    buffer_.clear();
  }
  if (buffer_.size() + frame.payload.size() > max_message_bytes_) {
    return fail(kTooBig, "message too big");
  }
  buffer_ += frame.payload;
  if (!frame.fin) return out;
  if (message_opcode_ == kText && !valid_utf8(buffer_)) {
    return fail(kInvalidPayload, "text message is not valid UTF-8");
  }
  in_message_ = false;
  out.kind = Output::Kind::Message;
  out.opcode = message_opcode_;
  out.payload = std::move(buffer_);
  buffer_.clear();
  return out;
}

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  while (i < n) {
    const uint8_t b = byte(i);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t more;
    uint8_t lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      more = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      more = 2;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      more = 3;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return false;  // a continuation byte, C0/C1 (overlong) or F5-FF
    }
    if (n - i <= more) return false;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return false;
    for (size_t k = 2; k <= more; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return false;
    }
    i += more + 1;
  }
  return true;
}

std::string encode_frame(uint8_t opcode, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 10);
  out += static_cast<char>(0x80 | opcode);
  const uint64_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
  }
  out.append(payload);
  return out;
}

std::string close_payload(uint16_t code, std::string_view reason) {
  std::string out;
  out += static_cast<char>(code >> 8);
  out += static_cast<char>(code & 0xFF);
  out.append(reason.substr(0, 123));
  return out;
}

std::optional<ClosePayload> parse_close_payload(std::string_view payload) {
  ClosePayload out;
  if (payload.empty()) return out;
  if (payload.size() == 1) return std::nullopt;
  out.code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                   static_cast<uint8_t>(payload[1]));
  // Codes an endpoint may send: 1000-1003, 1007-1011, 3000-4999 (RFC 6455 7.4).
  const bool allowed = (out.code >= 1000 && out.code <= 1003) ||
                       (out.code >= 1007 && out.code <= 1014) ||
                       (out.code >= 3000 && out.code <= 4999);
  if (!allowed) return std::nullopt;
  out.reason.assign(payload.substr(2));
  return out;
}

std::string accept_key(std::string_view sec_websocket_key) {
  std::string input(sec_websocket_key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return awsproto::base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace gateway::ws
