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
  api::Constraints c;
  c.not_null("streamArn", arn.has_value());
  c.length("streamArn", arn, 37, 1024);
  c.at_least("limit", limit, 1);
  c.at_most("limit", limit, 100);
  c.length("exclusiveStartShardId", start, 28, 65);
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
  w.Key("Shards");
  w.StartArray();
  size_t from = 0, n = static_cast<size_t>(limit.value_or(100)), i;
  if (start)
    for (size_t k = 0; k < s->shards.size(); ++k)
      if (s->shards[k].id == *start) from = k + 1;
  for (i = from; i < s->shards.size() && i < from + n; ++i) {
    const auto& sh = s->shards[i];
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
  if (i < s->shards.size()) {
    w.Key("LastEvaluatedShardId");
    model::write_string(w, s->shards[i - 1].id);
  }
  w.EndObject();
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
