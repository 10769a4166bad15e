#include "triggers/streams_client.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace triggers {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string member_string(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

namespace {

awsproto::JsonClientOptions streams_options() {
  awsproto::JsonClientOptions options;
  options.signing_name = "dynamodb";
  options.retry = awsproto::RetryPolicy::dynamodb();
  // DescribeTable goes to the same endpoint; the emulator's x-amz-crc32 is checked on it.
  options.check_crc32 = true;
  return options;
}

}  // namespace

HttpStreamsClient::HttpStreamsClient(const std::string& endpoint, std::string region,
                                     awsproto::Credentials credentials)
    : json_(endpoint, std::move(region), std::move(credentials), streams_options()) {}

std::optional<std::string> HttpStreamsClient::latest_stream_arn(const std::string& table) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("TableName");
  str(w, table);
  w.EndObject();
  rapidjson::Document doc = json_.call("DynamoDB_20120810.DescribeTable", b.GetString());
  auto t = doc.FindMember("Table");
  if (t == doc.MemberEnd()) return std::nullopt;
  // A table whose stream was turned off keeps its LatestStreamArn; only an enabled one counts.
  auto spec = t->value.FindMember("StreamSpecification");
  if (spec != t->value.MemberEnd() && spec->value.IsObject()) {
    auto on = spec->value.FindMember("StreamEnabled");
    if (on != spec->value.MemberEnd() && on->value.IsBool() && !on->value.GetBool()) {
      return std::nullopt;
    }
  }
  std::string arn = member_string(t->value, "LatestStreamArn");
  if (arn.empty()) return std::nullopt;
  return arn;
}

std::vector<ShardInfo> HttpStreamsClient::describe_stream(const std::string& stream_arn) {
  std::vector<ShardInfo> shards;
  std::string start;
  for (;;) {
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("StreamArn");
    str(w, stream_arn);
    if (!start.empty()) {
      w.Key("ExclusiveStartShardId");
      str(w, start);
    }
    w.EndObject();
    rapidjson::Document doc = json_.call("DynamoDBStreams_20120810.DescribeStream", b.GetString());
    auto d = doc.FindMember("StreamDescription");
    if (d == doc.MemberEnd() || !d->value.IsObject()) break;
    auto list = d->value.FindMember("Shards");
    if (list != d->value.MemberEnd() && list->value.IsArray()) {
      for (const auto& s : list->value.GetArray()) {
        ShardInfo info;
        info.id = member_string(s, "ShardId");
        info.parent = member_string(s, "ParentShardId");
        if (auto r = s.FindMember("SequenceNumberRange"); r != s.MemberEnd()) {
          info.first_seq = member_string(r->value, "StartingSequenceNumber");
          info.last_seq = member_string(r->value, "EndingSequenceNumber");
        }
        if (!info.id.empty()) shards.push_back(std::move(info));
      }
    }
    start = member_string(d->value, "LastEvaluatedShardId");
    if (start.empty()) break;
  }
  return shards;
}

std::string HttpStreamsClient::get_shard_iterator(const std::string& stream_arn,
                                                  const std::string& shard, const std::string& type,
                                                  const std::string& sequence) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("StreamArn");
  str(w, stream_arn);
  w.Key("ShardId");
  str(w, shard);
  w.Key("ShardIteratorType");
  str(w, type);
  if (!sequence.empty()) {
    w.Key("SequenceNumber");
    str(w, sequence);
  }
  w.EndObject();
  rapidjson::Document doc = json_.call("DynamoDBStreams_20120810.GetShardIterator", b.GetString());
  std::string it = member_string(doc, "ShardIterator");
  if (it.empty()) {
    throw awsproto::HttpError(awsproto::HttpError::Kind::Protocol,
                              "GetShardIterator: no ShardIterator in the answer");
  }
  return it;
}

GetRecordsResult HttpStreamsClient::get_records(const std::string& iterator, int limit) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("ShardIterator");
  str(w, iterator);
  w.Key("Limit");
  w.Int(limit);
  w.EndObject();
  rapidjson::Document doc = json_.call("DynamoDBStreams_20120810.GetRecords", b.GetString());
  GetRecordsResult result;
  auto records = doc.FindMember("Records");
  if (records != doc.MemberEnd() && records->value.IsArray()) {
    result.records.CopyFrom(records->value, result.records.GetAllocator());
  }
  std::string next = member_string(doc, "NextShardIterator");
  if (!next.empty()) result.next_iterator = next;
  return result;
}

}  // namespace triggers
