#include "gateway/frame.h"

#include <gtest/gtest.h>

namespace gateway::ws {
namespace {

// A client frame: masked with a fixed key.
std::string client_frame(uint8_t first_byte, std::string_view payload, bool mask = true) {
  std::string out;
  out += static_cast<char>(first_byte);
  const uint8_t m = mask ? 0x80 : 0;
  if (payload.size() < 126) {
    out += static_cast<char>(m | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    out += static_cast<char>(m | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  } else {
    out += static_cast<char>(m | 127);
    for (int s = 56; s >= 0; s -= 8) out += static_cast<char>((payload.size() >> s) & 0xFF);
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (mask) out.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out += mask ? static_cast<char>(payload[i] ^ key[i & 3]) : payload[i];
  }
  return out;
}

TEST(ParseFrame, UnmasksATextFrame) {
  auto bytes = client_frame(0x81, "hello");
  auto r = parse_frame(bytes, 1024);
  ASSERT_EQ(r.status, FrameResult::Status::Ok);
  EXPECT_TRUE(r.frame.fin);
  EXPECT_EQ(r.frame.opcode, kText);
  EXPECT_EQ(r.frame.payload, "hello");
  EXPECT_EQ(r.consumed, bytes.size());
}

TEST(ParseFrame, IncompleteUntilEveryByteArrived) {
  auto bytes = client_frame(0x81, std::string(300, 'x'));
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(parse_frame(std::string_view(bytes).substr(0, n), 1024).status,
              FrameResult::Status::Incomplete)
        << n;
  }
  auto r = parse_frame(bytes + "trailing", 1024);
  ASSERT_EQ(r.status, FrameResult::Status::Ok);
  EXPECT_EQ(r.frame.payload, std::string(300, 'x'));
  EXPECT_EQ(r.consumed, bytes.size());
}

TEST(ParseFrame, SixtyFourBitLength) {
  auto r = parse_frame(client_frame(0x81, std::string(70000, 'y')), 100000);
  ASSERT_EQ(r.status, FrameResult::Status::Ok);
  EXPECT_EQ(r.frame.payload.size(), 70000u);
}

TEST(ParseFrame, RefusesAFrameOverTheLimitFromItsHeader) {
  auto bytes = client_frame(0x81, std::string(2000, 'x'));
  auto r = parse_frame(std::string_view(bytes).substr(0, 8), 1024);  // header only
  ASSERT_EQ(r.status, FrameResult::Status::Error);
  EXPECT_EQ(r.close_code, kTooBig);
}

TEST(ParseFrame, ProtocolErrors) {
  EXPECT_EQ(parse_frame(client_frame(0x81, "x", false), 1024).close_code, kProtocolError);
  EXPECT_EQ(parse_frame(client_frame(0xC1, "x"), 1024).close_code, kProtocolError);  // RSV1
  EXPECT_EQ(parse_frame(client_frame(0x83, "x"), 1024).close_code, kProtocolError);  // opcode 3
  EXPECT_EQ(parse_frame(client_frame(0x09, "x"), 1024).close_code, kProtocolError);  // ping !fin
  EXPECT_EQ(parse_frame(client_frame(0x89, std::string(126, 'p')), 1024).close_code,
            kProtocolError);
}

TEST(MessageAssembler, JoinsFragmentsWithControlFramesBetween) {
  MessageAssembler a(100);
  EXPECT_EQ(a.feed({false, kText, "hel"}).kind, MessageAssembler::Output::Kind::None);
  auto ping = a.feed({true, kPing, "p"});
  EXPECT_EQ(ping.kind, MessageAssembler::Output::Kind::Control);
  EXPECT_EQ(ping.opcode, kPing);
  EXPECT_EQ(a.feed({false, kContinuation, "lo "}).kind, MessageAssembler::Output::Kind::None);
  auto done = a.feed({true, kContinuation, "world"});
  ASSERT_EQ(done.kind, MessageAssembler::Output::Kind::Message);
  EXPECT_EQ(done.payload, "hello world");
  auto next = a.feed({true, kText, "again"});
  ASSERT_EQ(next.kind, MessageAssembler::Output::Kind::Message);
  EXPECT_EQ(next.payload, "again");
}

TEST(MessageAssembler, MessageLimitCountsEveryFragment) {
  MessageAssembler a(10);
  EXPECT_EQ(a.feed({false, kText, "123456"}).kind, MessageAssembler::Output::Kind::None);
  auto r = a.feed({true, kContinuation, "78901"});
  EXPECT_EQ(r.kind, MessageAssembler::Output::Kind::Error);
  EXPECT_EQ(r.close_code, kTooBig);
  MessageAssembler exact(10);
  EXPECT_EQ(exact.feed({true, kText, "1234567890"}).kind, MessageAssembler::Output::Kind::Message);
}

TEST(MessageAssembler, BinaryIsUnsupportedData) {
  MessageAssembler a(100);
  auto r = a.feed({true, kBinary, "\x01"});
  EXPECT_EQ(r.kind, MessageAssembler::Output::Kind::Error);
  EXPECT_EQ(r.close_code, kUnsupportedData);
}

TEST(Utf8, WellFormedAndMalformed) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é, €, 😀
  EXPECT_TRUE(valid_utf8("\xED\x9F\xBF"));                               // U+D7FF
  EXPECT_TRUE(valid_utf8("\xEE\x80\x80"));                               // U+E000
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));                           // U+10FFFF
  EXPECT_FALSE(valid_utf8("\x80"));                                      // lone continuation
  EXPECT_FALSE(valid_utf8("\xC3"));                                      // cut short
  EXPECT_FALSE(valid_utf8("\xE2\x82"));
  EXPECT_FALSE(valid_utf8("\xC3\x28"));  // bad continuation
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));  // overlong '/'
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));
  EXPECT_FALSE(valid_utf8("\xF0\x80\x80\xAF"));
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8(std::string_view("a\0\xFE", 3)));
}

TEST(MessageAssembler, TextMustBeUtf8OnceJoined) {
  using Kind = MessageAssembler::Output::Kind;
  // A code point split across fragments is fine: only the whole message counts.
  MessageAssembler a(100);
  EXPECT_EQ(a.feed({false, kText, "\xE2"}).kind, Kind::None);
  EXPECT_EQ(a.feed({false, kContinuation, "\x82"}).kind, Kind::None);
  auto euro = a.feed({true, kContinuation, "\xAC!"});
  ASSERT_EQ(euro.kind, Kind::Message);
  EXPECT_EQ(euro.payload, "\xE2\x82\xAC!");
  // A message that ends inside a code point, or holds a bad byte, fails with 1007.
  auto cut = a.feed({true, kText, "ok \xE2\x82"});
  EXPECT_EQ(cut.kind, Kind::Error);
  EXPECT_EQ(cut.close_code, kInvalidPayload);
  MessageAssembler b(100);
  EXPECT_EQ(b.feed({false, kText, "fine"}).kind, Kind::None);
  auto bad = b.feed({true, kContinuation, "\xFF"});
  EXPECT_EQ(bad.kind, Kind::Error);
  EXPECT_EQ(bad.close_code, kInvalidPayload);
  // Control frames are not text messages.
  EXPECT_EQ(b.feed({true, kPing, "\xFF"}).kind, Kind::Control);
}

TEST(MessageAssembler, ContinuationWithoutStartAndInterleavedMessages) {
  MessageAssembler a(100);
  EXPECT_EQ(a.feed({true, kContinuation, "x"}).close_code, kProtocolError);
  MessageAssembler b(100);
  b.feed({false, kText, "x"});
  EXPECT_EQ(b.feed({true, kText, "y"}).close_code, kProtocolError);
}

TEST(EncodeFrame, LengthForms) {
  EXPECT_EQ(encode_frame(kText, "hi"), std::string("\x81\x02hi"));
  auto medium = encode_frame(kText, std::string(300, 'a'));
  EXPECT_EQ(static_cast<uint8_t>(medium[1]), 126);
  EXPECT_EQ(medium.size(), 4u + 300);
  auto large = encode_frame(kText, std::string(70000, 'a'));
  EXPECT_EQ(static_cast<uint8_t>(large[1]), 127);
  EXPECT_EQ(large.size(), 10u + 70000);
}

TEST(ClosePayload, RoundTripAndMalformed) {
  auto p = parse_close_payload(close_payload(1001, "Going away"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->code, 1001);
  EXPECT_EQ(p->reason, "Going away");
  auto empty = parse_close_payload("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->code, kNoStatus);
  EXPECT_FALSE(parse_close_payload("x"));
  EXPECT_FALSE(parse_close_payload(close_payload(1005, "")));  // may not be sent
  EXPECT_TRUE(parse_close_payload(close_payload(4000, "app")));
}

TEST(AcceptKey, Rfc6455Example) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

}  // namespace
}  // namespace gateway::ws
