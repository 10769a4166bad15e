// GetShardIterator (DynamoDB Streams): a position in a shard, by TRIM_HORIZON, LATEST,
// AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER; valid for 15 minutes.
#include "actions/actions.h"
#include "actions/common/stream_access.h"
#include "api/request.h"
#include "model/clock.h"
#include "streams/stream_log.h"

namespace ddb::actions {

void get_shard_iterator(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto arn = model::get_string(body, "StreamArn");
  auto shard_id = model::get_string(body, "ShardId");
  auto type = model::get_string(body, "ShardIteratorType");
  auto seq_text = model::get_string(body, "SequenceNumber");
  if (arn) check_stream_arn(*arn);
  api::Constraints c;
  c.not_null("streamArn", arn.has_value());
  c.length("streamArn", arn, 37, 1024);
  c.not_null("shardId", shard_id.has_value());
  c.length("shardId", shard_id, 28, 65);
  c.not_null("shardIteratorType", type.has_value());
  c.one_of("shardIteratorType", type,
           {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"});
  c.length("sequenceNumber", seq_text, 21, 40);
  c.check();
  auto s = stream_by_arn(*call, *arn);
  const model::ShardDef* shard = shard_by_id(*s, *shard_id);
  if (!shard) fail(Code::ResourceNotFound, "Requested resource not found: Shard does not exist");

  Iterator it{s->id, shard->id, 0, model::Clock::now_ms()};
  bool at = *type == "AT_SEQUENCE_NUMBER", after = *type == "AFTER_SEQUENCE_NUMBER";
  if (at || after) {
    if (!seq_text)
      invalid("Exactly one of SequenceNumber should be specified for ShardIteratorType " +
              std::string(*type));
    uint64_t seq = 0;
    for (char ch : *seq_text) {
      if (ch < '0' || ch > '9') invalid("Invalid SequenceNumber: " + std::string(*seq_text));
      seq = seq * 10 + static_cast<uint64_t>(ch - '0');
    }
    if (seq < shard->first_seq || (!shard->open() && seq > shard->last_seq))
      invalid("Invalid SequenceNumber for ShardIteratorType " + std::string(*type) +
              ": the sequence number is outside the shard " + shard->id);
    if (seq <= s->trimmed_through)
      fail(Code::TrimmedDataAccess,
           "The operation attempted to read past the oldest stream record in a shard.");
    it.position = after ? seq + 1 : seq;
  } else if (*type == "TRIM_HORIZON") {
    it.position = std::max(shard->first_seq, s->trimmed_through + 1);
  } else {  // LATEST: just after the newest record
    if (shard->open()) {
      storage::Txn txn = call->svc.db.read();
      it.position = call->svc.db.catalog().peek_sequence(txn);
    } else {
      it.position = shard->last_seq + 1;
    }
  }
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("ShardIterator");
  model::write_string(w, encode_iterator(it));
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
