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

}  // namespace
}  // namespace ddb
