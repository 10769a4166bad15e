// Content-Encoding: gzip and deflate bodies decoded, everything else refused, and nothing
// inflated past the limit.
#include "http/decode.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace ddb::http {
namespace {

std::string compress(std::string_view data, bool gzip) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, gzip ? 16 + MAX_WBITS : MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

TEST(DecodeBody, GzipAndDeflate) {
  std::string body = R"({"TableName":"t"})", out;
  EXPECT_EQ(decode_body("gzip", compress(body, true), 1000, out), Decoded::Ok);
  EXPECT_EQ(out, body);
  EXPECT_EQ(decode_body("Deflate", compress(body, false), 1000, out), Decoded::Ok);
  EXPECT_EQ(out, body);
  EXPECT_EQ(decode_body("identity", body, 1000, out), Decoded::Ok);
  EXPECT_EQ(out, body);
  // Two codings, applied in the order listed: undone last first.
  EXPECT_EQ(decode_body("deflate, gzip", compress(compress(body, false), true), 1000, out),
            Decoded::Ok);
  EXPECT_EQ(out, body);
  // Concatenated gzip members are one body (RFC 1952 2.2).
  EXPECT_EQ(decode_body("gzip", compress("{\"a\":", true) + compress("1}", true), 1000, out),
            Decoded::Ok);
  EXPECT_EQ(out, "{\"a\":1}");
}

TEST(DecodeBody, BrokenEmptyUnknownAndTrailingData) {
  std::string body = R"({"TableName":"t"})", out;
  std::string gz = compress(body, true);
  EXPECT_EQ(decode_body("gzip", body, 1000, out), Decoded::Bad);
  EXPECT_EQ(decode_body("gzip", "", 1000, out), Decoded::Bad);
  EXPECT_EQ(decode_body("deflate", "", 1000, out), Decoded::Bad);
  EXPECT_EQ(decode_body("gzip", gz.substr(0, gz.size() - 1), 1000, out), Decoded::Bad);
  EXPECT_EQ(decode_body("gzip", gz + "junk", 1000, out), Decoded::Bad);
  EXPECT_EQ(decode_body("br", gz, 1000, out), Decoded::Bad);
  EXPECT_EQ(decode_body("gzip, gzip", gz, 1000, out), Decoded::Bad);
  std::string z = compress(body, false);
  EXPECT_EQ(decode_body("deflate", z + z, 1000, out), Decoded::Bad);  // one stream only
  EXPECT_EQ(decode_body("gzip", z, 1000, out), Decoded::Bad);
}

TEST(DecodeBody, StopsAtTheLimit) {
  std::string big(64 * 1024 * 1024, ' '), out;
  std::string bomb = compress(big, true);
  ASSERT_LT(bomb.size(), 100u * 1024);
  EXPECT_EQ(decode_body("gzip", bomb, 16 * 1024 * 1024, out), Decoded::TooLarge);
  EXPECT_LE(out.size(), 16u * 1024 * 1024);
  EXPECT_EQ(decode_body("gzip", compress(std::string(1000, 'x'), true), 1000, out), Decoded::Ok);
  EXPECT_EQ(decode_body("gzip", compress(std::string(1001, 'x'), true), 1000, out),
            Decoded::TooLarge);
}

}  // namespace
}  // namespace ddb::http
