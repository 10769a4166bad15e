// An in-memory DynamoDB stream for the unit tests: shards with records, iterators, and the
// errors the real API gives (expired iterators, trimmed data).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "awsproto/clock.h"
#include "triggers/streams_client.h"

namespace triggers::testing {

class FakeStreams : public StreamsApi {
 public:
  struct Shard {
    std::string id, parent;
    std::vector<std::string> records;  // wire JSON, in order
    std::vector<std::string> sequences;
    bool closed = false;
  };

  std::string arn =
      "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";
  bool table_exists = true;
  std::vector<Shard> shards;
  uint64_t next_seq = 100;
  int get_records_calls = 0;

  Shard& open_shard() {
    if (shards.empty() || shards.back().closed) {
      std::string parent = shards.empty() ? "" : shards.back().id;
      shards.push_back({"shardId-" + std::to_string(shards.size() + 1), parent, {}, {}, false});
    }
    return shards.back();
  }
  // Appends an INSERT of {"id": {"S": id}} (plus `extra` attributes, JSON members) and returns
  // its sequence number.
  std::string put(const std::string& id, const std::string& extra = "", bool ttl = false) {
    Shard& s = open_shard();
    std::string seq = std::to_string(next_seq++);
    seq = std::string(21 - seq.size(), '0') + seq;
    std::string image = "{\"id\":{\"S\":\"" + id + "\"}" + (extra.empty() ? "" : "," + extra) + "}";
    s.records.push_back(
        "{\"eventID\":\"e" + seq + "\",\"eventName\":\"" + (ttl ? "REMOVE" : "INSERT") +
        "\",\"eventVersion\":\"1.1\",\"eventSource\":\"aws:dynamodb\",\"awsRegion\":\"us-east-1\","
        "\"dynamodb\":{\"ApproximateCreationDateTime\":" +
        std::to_string(awsproto::Clock::now_ms() / 1000) + ",\"Keys\":{\"id\":{\"S\":\"" + id +
        "\"}},\"NewImage\":" + image + ",\"SequenceNumber\":\"" + seq +
        "\",\"SizeBytes\":10,\"StreamViewType\":\"NEW_IMAGE\"}" +
        (ttl ? ",\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"Type\":\"Service\"}"
             : "") +
        "}");
    s.sequences.push_back(seq);
    return seq;
  }
  void roll_over() {
    if (!shards.empty()) shards.back().closed = true;
    open_shard();
  }

  std::optional<std::string> latest_stream_arn(const std::string&) override {
    if (!table_exists) throw awsproto::AwsError(400, "ResourceNotFoundException", "no table");
    return arn;
  }
  std::vector<ShardInfo> describe_stream(const std::string&) override {
    std::vector<ShardInfo> out;
    for (const auto& s : shards) {
      ShardInfo i{s.id, s.parent, s.sequences.empty() ? "" : s.sequences.front(), ""};
      if (s.closed) i.last_seq = s.sequences.empty() ? "000000000000000000001" : s.sequences.back();
      out.push_back(i);
    }
    return out;
  }
  std::string get_shard_iterator(const std::string&, const std::string& shard,
                                 const std::string& type, const std::string& seq) override {
    const Shard& s = find(shard);
    size_t pos = 0;
    if (type == "LATEST") pos = s.records.size();
    if (type == "AFTER_SEQUENCE_NUMBER") {
      while (pos < s.sequences.size() && s.sequences[pos] <= seq) ++pos;
    }
    return shard + "|" + std::to_string(pos);
  }
  GetRecordsResult get_records(const std::string& iterator, int limit) override {
    ++get_records_calls;
    size_t bar = iterator.find('|');
    const Shard& s = find(iterator.substr(0, bar));
    size_t pos = std::stoul(iterator.substr(bar + 1));
    GetRecordsResult r;
    size_t end = std::min(s.records.size(), pos + static_cast<size_t>(limit));
    for (size_t i = pos; i < end; ++i) {
      rapidjson::Document d(&r.records.GetAllocator());
      d.Parse(s.records[i].c_str());
      r.records.PushBack(rapidjson::Value(d, r.records.GetAllocator()), r.records.GetAllocator());
    }
    if (!s.closed || end < s.records.size()) r.next_iterator = s.id + "|" + std::to_string(end);
    return r;
  }

 private:
  const Shard& find(const std::string& id) const {
    for (const auto& s : shards) {
      if (s.id == id) return s;
    }
    throw awsproto::AwsError(400, "ResourceNotFoundException", "Shard does not exist");
  }
};

}  // namespace triggers::testing
