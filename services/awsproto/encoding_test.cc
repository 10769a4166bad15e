#include "awsproto/encoding.h"

#include <gtest/gtest.h>

namespace awsproto {
namespace {

TEST(PercentDecode, DecodesEscapesAndKeepsBadOnes) {
  EXPECT_EQ(percent_decode("arn%3Aaws%3alambda"), "arn:aws:lambda");
  EXPECT_EQ(percent_decode("%24LATEST"), "$LATEST");
  EXPECT_EQ(percent_decode("%3d%3D%"), "==%");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(percent_decode("a+b%20c"), "a+b c");
}

TEST(Base64, EncodesEveryLengthInBothAlphabets) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_encode("\xfb\xff", /*url_safe=*/true), "-_8=");
}

TEST(Base64, DecodesWithAndWithoutPaddingAndRefusesOtherCharacters) {
  EXPECT_EQ(base64_decode("eyJhIjoxfQ=="), "{\"a\":1}");
  EXPECT_EQ(base64_decode("eyJhIjoxfQ"), "{\"a\":1}");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("ab$c"));
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

}  // namespace
}  // namespace awsproto
