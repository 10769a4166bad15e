// DescribeStream (DynamoDB Streams): status, key schema and shards with their sequence
// number ranges and lineage, paged by ExclusiveStartShardId.
#include "actions/actions.h"
#include "actions/common/stream_access.h"
#include "api/request.h"
#include "streams/stream_log.h"

namespace ddb::actions {

void describe_stream(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto arn = model::get_string(body, "StreamArn");
  auto limit = model::get_integer(body, "Limit");
  auto start = model::get_string(body, "ExclusiveStartShardId");
  const model::Json* filter = model::get_object(body, "ShardFilter");
  std::optional<std::string_view> filter_type, filter_shard;
  if (filter) {
    filter_type = model::get_string(*filter, "Type");
    filter_shard = model::get_string(*filter, "ShardId");
  }
  if (arn) check_stream_arn(*arn);
  api::Constraints c;
  c.not_null("streamArn", arn.has_value());
  c.length("streamArn", arn, 37, 1024);
  c.at_least("limit", limit, 1);
  c.at_most("limit", limit, 100);
  c.length("exclusiveStartShardId", start, 28, 65);
  c.one_of("shardFilter.type", filter_type, {"CHILD_SHARDS"});
  c.length("shardFilter.shardId", filter_shard, 28, 65);
  c.check();
  auto s = stream_by_arn(*call, *arn);

  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("StreamDescription");
  w.StartObject();
  w.Key("StreamArn");
  model::write_string(w, s->arn());
  w.Key("StreamLabel");
  model::write_string(w, s->label);
  w.Key("StreamStatus");
  w.String(s->enabled ? "ENABLED" : "DISABLED");
  w.Key("StreamViewType");
  model::write_string(w, s->view_type);
  w.Key("CreationRequestDateTime");
  w.Double(static_cast<double>(s->created_ms) / 1000);
  w.Key("TableName");
  model::write_string(w, s->table_name);
  w.Key("KeySchema");
  w.StartArray();
  for (const model::KeyAttribute* k : {&s->hash, s->range ? &*s->range : nullptr}) {
    if (!k) continue;
    w.StartObject();
    w.Key("AttributeName");
    model::write_string(w, k->name);
    w.Key("KeyType");
    w.String(k == &s->hash ? "HASH" : "RANGE");
    w.EndObject();
  }
  w.EndArray();
  // ShardFilter CHILD_SHARDS: only the shards whose parent is the one named.
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_ShardFilter.html
  std::vector<const model::ShardDef*> shards;
  for (const auto& sh : s->shards)
    if (!filter_shard || sh.parent == *filter_shard) shards.push_back(&sh);
  w.Key("Shards");
  w.StartArray();
  // An ExclusiveStartShardId that names no shard of the stream lists nothing (DynamoDB answers
  // an empty Shards, not an error and not the whole list): ScyllaDB's
  // test/alternator/test_streams.py test_describe_stream_with_nonexistent_last_shard, checked
  // against DynamoDB.
  size_t from = 0, n = static_cast<size_t>(limit.value_or(100)), i;
  if (start) {
    from = shards.size();
    for (size_t k = 0; k < shards.size(); ++k)
      if (shards[k]->id == *start) from = k + 1;
  }
  for (i = from; i < shards.size() && i < from + n; ++i) {
    const auto& sh = *shards[i];
    w.StartObject();
    w.Key("ShardId");
    model::write_string(w, sh.id);
    w.Key("SequenceNumberRange");
    w.StartObject();
    w.Key("StartingSequenceNumber");
    model::write_string(w, streams::sequence_text(sh.first_seq));
    if (!sh.open()) {
      w.Key("EndingSequenceNumber");
      model::write_string(w, streams::sequence_text(sh.last_seq));
    }
    w.EndObject();
    if (!sh.parent.empty()) {
      w.Key("ParentShardId");
      model::write_string(w, sh.parent);
    }
    w.EndObject();
  }
  w.EndArray();
  if (i < shards.size()) {
    w.Key("LastEvaluatedShardId");
    model::write_string(w, shards[i - 1]->id);
  }
  w.EndObject();
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
