// GetRecords (DynamoDB Streams): up to Limit (1000) records of a shard from an iterator,
// and the iterator to continue with; a closed shard read to its end has no next iterator.
#include "actions/actions.h"
#include "actions/common/stream_access.h"
#include "api/request.h"
#include "model/clock.h"
#include "streams/stream_log.h"

namespace ddb::actions {

void get_records(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto text = model::get_string(body, "ShardIterator");
  auto limit = model::get_integer(body, "Limit");
  api::Constraints c;
  c.not_null("shardIterator", text.has_value());
  c.length("shardIterator", text, 1, 2048);
  c.at_least("limit", limit, 1);
  c.at_most("limit", limit, 1000);
  c.check();
  Iterator it = decode_iterator(*text);
  int64_t now = model::Clock::now_ms();
  if (now - it.issued_ms > kIteratorLifetimeMs)
    fail(Code::ExpiredIterator, "Iterator expired. The iterator was created at time " +
                                    std::to_string(it.issued_ms) + " while right now it is " +
                                    std::to_string(now) + ".");
  auto& db = call->svc.db;
  auto s = db.catalog().stream(it.stream_id);
  if (!s || s->space != call->space)
    fail(Code::ResourceNotFound, "Requested resource not found: Stream not found");
  const model::ShardDef* shard = shard_by_id(*s, it.shard_id);
  if (!shard) fail(Code::ResourceNotFound, "Requested resource not found: Shard does not exist");
  if (it.position <= s->trimmed_through)
    fail(Code::TrimmedDataAccess,
         "The operation attempted to read past the oldest stream record in a shard.");

  size_t max = static_cast<size_t>(limit.value_or(1000));
  uint64_t end = shard->open() ? UINT64_MAX : shard->last_seq;
  uint64_t next = it.position;
  storage::Txn txn = db.read();
  storage::Cursor cursor(txn, db.stream_records());
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Records");
  w.StartArray();
  std::string prefix = streams::record_key(s->id, 0).substr(0, 8);
  constexpr size_t kMaxBytes = 1024 * 1024;
  size_t n = 0, bytes = 0;
  bool exhausted = true;  // no record of the shard is left past what was read
  for (bool ok = cursor.seek(streams::record_key(s->id, it.position));
       ok && cursor.key().starts_with(prefix); ok = cursor.next()) {
    uint64_t seq = streams::record_seq(cursor.key());
    if (seq > end) break;
    std::string_view record = cursor.value().substr(8);
    // At most Limit records or 1 MB of data, whichever comes first (at least one record).
    if (n == max || (n > 0 && bytes + record.size() > kMaxBytes)) {
      exhausted = false;
      break;
    }
    bytes += record.size();
    w.RawValue(record.data(), record.size(), rapidjson::kObjectType);
    next = seq + 1;
    ++n;
  }
  w.EndArray();
  // A closed shard read to its end has no next iterator; the reader moves to its children.
  if (shard->open() || !exhausted) {
    w.Key("NextShardIterator");
    model::write_string(w, encode_iterator({s->id, shard->id, next, now}));
  }
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
