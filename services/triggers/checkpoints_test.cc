// The checkpoint file: its form, atomic replacement, and the in-memory store.
#include "triggers/checkpoints.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace triggers {
namespace {

std::string temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("triggers-test-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir.string();
}

MappingCheckpoint sample() {
  MappingCheckpoint c;
  c.stream_arn = "arn:aws:dynamodb:us-east-1:1:table/t/stream/x";
  c.shards["shardId-1"] = {"000000000000000000105", true};
  c.shards["shardId-2"] = {"", false};
  c.shards["shardId-3"] = {"000000000000000000200", false, {"", "000000000000000000204"}};
  return c;
}

TEST(Checkpoints, RoundTripThroughJson) {
  MappingCheckpoint back = checkpoint_from_json(to_json(sample()));
  EXPECT_EQ(back.stream_arn, sample().stream_arn);
  ASSERT_EQ(back.shards.size(), 3u);
  EXPECT_EQ(back.shards["shardId-1"].after, "000000000000000000105");
  EXPECT_TRUE(back.shards["shardId-1"].done);
  EXPECT_EQ(back.shards["shardId-2"].after, "");
  EXPECT_FALSE(back.shards["shardId-2"].done);
  EXPECT_TRUE(back.shards["shardId-2"].lanes.empty());
  EXPECT_EQ(back.shards["shardId-3"].lanes,
            (std::vector<std::string>{"", "000000000000000000204"}));
}

TEST(Checkpoints, RefusesWhatIsNotACheckpoint) {
  for (const char* text : {"", "[]", "{\"version\":2,\"streamArn\":\"a\",\"shards\":{}}",
                           "{\"version\":1,\"shards\":{}}",
                           "{\"version\":1,\"streamArn\":\"a\",\"shards\":{\"s\":{\"after\":\"1x\","
                           "\"done\":false}}}",
                           "{\"version\":1,\"streamArn\":\"a\",\"shards\":{\"s\":{\"after\":\"1\","
                           "\"done\":false,\"lanes\":[\"2\",null]}}}"}) {
    EXPECT_THROW(checkpoint_from_json(text), std::invalid_argument) << text;
  }
}

TEST(Checkpoints, FileStoreSurvivesANewStore) {
  std::string dir = temp_dir();
  {
    CheckpointStore store(dir);
    EXPECT_FALSE(store.load("Fanout/Stream").has_value());
    store.save("Fanout/Stream", sample());
  }
  CheckpointStore again(dir);
  auto c = again.load("Fanout/Stream");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->shards["shardId-1"].after, "000000000000000000105");
  // One file per mapping, its name made safe; no temporary file left behind.
  EXPECT_TRUE(std::filesystem::exists(dir + "/Fanout_Stream.json"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/Fanout_Stream.json.tmp"));
  std::filesystem::remove_all(dir);
}

TEST(Checkpoints, ACorruptFileIsReportedNotGuessed) {
  std::string dir = temp_dir();
  CheckpointStore store(dir);
  std::ofstream(store.path_for("M")) << "{\"version\":1,";
  EXPECT_THROW(store.load("M"), std::runtime_error);
  std::filesystem::remove_all(dir);
}

TEST(Checkpoints, MemoryStoreWithoutADirectory) {
  CheckpointStore store("");
  EXPECT_FALSE(store.load("M").has_value());
  store.save("M", sample());
  EXPECT_EQ(store.load("M")->shards.size(), 3u);
}

}  // namespace
}  // namespace triggers
