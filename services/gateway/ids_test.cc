#include "gateway/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace gateway {
namespace {

TEST(Ids, ShapedLikeApiGatewaysAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_id();
    ASSERT_EQ(id.size(), 16u);
    EXPECT_EQ(id.back(), '=');
    for (char c : id.substr(0, 15)) {
      EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
    }
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, Times) {
  // 2026-12-01T12:00:00.042Z
  const int64_t ms = 1796126400042;
  EXPECT_EQ(clf_time(ms), "01/Dec/2026:12:00:00 +0000");
  EXPECT_EQ(iso8601_ms(ms), "2026-12-01T12:00:00.042Z");
  EXPECT_EQ(clf_time(1612842944011), "09/Feb/2021:03:55:44 +0000");
}

}  // namespace
}  // namespace gateway
