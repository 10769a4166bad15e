#include "config.h"

#include <gtest/gtest.h>

namespace ddb {
namespace {

using ddb::parse_args;

TEST(Config, AcceptsDynamoDbLocalFlags) {
  auto c = parse_args({"-port", "9000", "-dbPath", "/tmp/x", "-sharedDb", "-cors", "a.com",
                       "-delayTransientStatuses"});
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.db_path, "/tmp/x");
  EXPECT_TRUE(c.shared_db);
  EXPECT_EQ(c.cors, "a.com");
  EXPECT_TRUE(parse_args({"-inMemory"}).in_memory);
  EXPECT_TRUE(parse_args({"-help"}).help);
}

TEST(Config, AcceptsGnuLongOptions) {
  auto c = parse_args({"--port=0", "--db-path", "d", "--shared-db", "--host", "0.0.0.0",
                       "--threads=3", "--no-cors"});
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.db_path, "d");
  EXPECT_TRUE(c.shared_db);
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.cors, "");
  EXPECT_TRUE(parse_args({"--in-memory"}).in_memory);
  EXPECT_TRUE(parse_args({"--help"}).help);
}

TEST(Config, RejectsBadInput) {
  EXPECT_THROW(parse_args({"--port"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"--port", "eighty"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"--port", "70000"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"--bogus"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"-inMemory", "-dbPath", "x"}), std::invalid_argument);
}

TEST(Config, SignatureFlags) {
  Config c = parse_args({"--verify-signatures", "--credentials", "keys.txt", "--credential",
                         "AKID:se:cret", "--credentials=more.txt"});
  EXPECT_TRUE(c.verify_signatures);
  ASSERT_EQ(c.key_sources.size(), 3u);
  EXPECT_TRUE(c.key_sources[0].file);
  EXPECT_EQ(c.key_sources[0].text, "keys.txt");
  EXPECT_FALSE(c.key_sources[1].file);
  EXPECT_EQ(c.key_sources[1].text, "AKID:se:cret");
  EXPECT_EQ(c.key_sources[2].text, "more.txt");
  EXPECT_FALSE(parse_args({}).verify_signatures);
  EXPECT_THROW(parse_args({"--verify-signatures"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"--credential", "A:B"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"--verify-signatures", "--credential", "AB"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"--verify-signatures", "--credential", ":B"}), std::invalid_argument);
  EXPECT_THROW(parse_args({"--verify-signatures", "--credentials"}), std::invalid_argument);
}

}  // namespace
}  // namespace ddb
