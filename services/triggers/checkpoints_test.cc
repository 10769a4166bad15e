// The checkpoint files: their form, the two files written in turn (a torn save falls back to the
// other), and the in-memory store.
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
  // Two files per mapping, their name made safe.
  EXPECT_TRUE(std::filesystem::exists(dir + "/Fanout_Stream.json"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/Fanout_Stream.json.1"));
  std::filesystem::remove_all(dir);
}

MappingCheckpoint at(const std::string& after) {
  MappingCheckpoint c;
  c.stream_arn = "arn:aws:dynamodb:us-east-1:1:table/t/stream/x";
  c.shards["shardId-1"] = {after, false};
  return c;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Checkpoints, SavesGoToTheTwoFilesInTurnAndTheNewestWins) {
  std::string dir = temp_dir();
  {
    CheckpointStore store(dir);
    store.save("M", at("000000000000000000300"));  // a long text first: the files keep length
    store.save("M", at("7"));
    store.save("M", at("8"));
  }
  // Save 3 went over save 1 (longer), padded with blanks to its length, and still reads.
  std::string first = read(dir + "/M.json"), second = read(dir + "/M.json.1");
  EXPECT_NE(first.find("\"saves\":3"), std::string::npos) << first;
  EXPECT_NE(second.find("\"saves\":2"), std::string::npos) << second;
  EXPECT_EQ(first.back(), ' ');
  CheckpointStore again(dir);
  EXPECT_EQ(again.load("M")->shards["shardId-1"].after, "8");
  // The next save replaces the older file (save 2), not the one just read.
  again.save("M", at("9"));
  EXPECT_NE(read(dir + "/M.json.1").find("\"saves\":4"), std::string::npos);
  EXPECT_EQ(CheckpointStore(dir).load("M")->shards["shardId-1"].after, "9");
  std::filesystem::remove_all(dir);
}

TEST(Checkpoints, ATornSaveFallsBackToTheSaveBefore) {
  // A power cut in the middle of save 2: a byte of it changed, or its end never written.
  for (bool cut : {false, true}) {
    std::string dir = temp_dir();
    CheckpointStore(dir).save("M", at("10"));
    CheckpointStore(dir).save("M", at("11"));  // a new store goes on counting: M.json.1
    std::string text = read(dir + "/M.json.1");
    ASSERT_NE(text.find("\"saves\":2"), std::string::npos) << text;
    if (cut) {
      text.resize(text.size() / 2);
    } else {
      text.replace(text.find("\"11\""), 4, "\"12\"");
    }
    std::ofstream(dir + "/M.json.1", std::ios::binary | std::ios::trunc) << text;
    CheckpointStore again(dir);
    EXPECT_EQ(again.load("M")->shards["shardId-1"].after, "10") << cut;
    again.save("M", at("13"));  // goes over the torn file
    EXPECT_EQ(CheckpointStore(dir).load("M")->shards["shardId-1"].after, "13") << cut;
    std::filesystem::remove_all(dir);
  }
}

TEST(Checkpoints, TheFirstFormStillReads) {
  std::string dir = temp_dir();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/M.json") << "{\"version\":1,\"streamArn\":\"a\",\"shards\":{\"s\":"
                                    "{\"after\":\"5\",\"done\":false}}}\n";
  CheckpointStore store(dir);
  EXPECT_EQ(store.load("M")->shards["s"].after, "5");
  store.save("M", at("6"));  // into M.json.1, as save 1
  EXPECT_EQ(CheckpointStore(dir).load("M")->shards["shardId-1"].after, "6");
  std::filesystem::remove_all(dir);
}

TEST(Checkpoints, ACorruptFileIsReportedNotGuessed) {
  std::string dir = temp_dir();
  CheckpointStore store(dir);
  std::ofstream(store.path_for("M")) << "{\"version\":1,";
  EXPECT_THROW(store.load("M"), std::runtime_error);
  // Both files torn is no checkpoint either.
  std::ofstream(store.path_for("M") + ".1") << "{\"version\":2,";
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
