// The WebSocket wire protocol (RFC 6455) as pure functions: bytes in, a frame or an error out,
// so that a fuzz target can drive them without a socket. The gateway reads client frames with
// these and writes its own with encode_frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gateway::ws {

enum Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes (RFC 6455 7.4.1) that the gateway sends or reports.
enum CloseCode : uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,
  kProtocolError = 1002,
  kUnsupportedData = 1003,
  kNoStatus = 1005,  // never on the wire: "the close frame had no code"
  kAbnormal = 1006,  // never on the wire: "no close frame at all"
  kInvalidPayload = 1007,
  kTooBig = 1009,
};

struct Frame {
  bool fin = true;
  uint8_t opcode = kText;
  std::string payload;  // unmasked
};

struct FrameResult {
  enum class Status { Incomplete, Ok, Error } status = Status::Incomplete;
  Frame frame;
  size_t consumed = 0;      // bytes of the input that the frame took (Ok)
  uint16_t close_code = 0;  // Error: the code to close the connection with
  std::string error;        // Error: why, for the log and the close reason
};

// Reads one client frame from the front of `bytes`. Client frames must be masked, use no RSV
// bits (no extension is negotiated) and a known opcode; control frames are final and carry at
// most 125 bytes. A payload longer than `max_frame_bytes` is refused from the header alone
// (1009), before its bytes arrive.
FrameResult parse_frame(std::string_view bytes, size_t max_frame_bytes);

// Joins fragments into messages and enforces the message limit. Control frames pass through. A
// text message whose bytes, once joined, are not UTF-8 fails with 1007 (RFC 6455 5.6 and 8.1: a
// fragment may end inside a code point, the whole message may not).
class MessageAssembler {
 public:
  explicit MessageAssembler(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  struct Output {
    enum class Kind { None, Message, Control, Error } kind = Kind::None;
    uint8_t opcode = 0;  // Message: kText or kBinary; Control: kClose, kPing, kPong
    std::string payload;
    uint16_t close_code = 0;  // Error
    std::string error;
  };

  Output feed(Frame frame);

 private:
  size_t max_message_bytes_;
  bool in_message_ = false;
  uint8_t message_opcode_ = 0;
  std::string buffer_;
};

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view text);

// A server frame (unmasked, final).
std::string encode_frame(uint8_t opcode, std::string_view payload);
// A close frame's payload: the code in network order, then the reason (cut to fit 125 bytes).
std::string close_payload(uint16_t code, std::string_view reason);

struct ClosePayload {
  uint16_t code = kNoStatus;
  std::string reason;
};
// nullopt for a malformed payload (one byte, or a code that may not be sent).
std::optional<ClosePayload> parse_close_payload(std::string_view payload);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string accept_key(std::string_view sec_websocket_key);

}  // namespace gateway::ws
