#include "streams/stream_log.h"

#include <cstdio>
#include <ctime>
#include <random>

#include "model/clock.h"
#include "model/codec.h"
#include "model/json.h"
#include "model/value.h"

namespace ddb::streams {
namespace {

std::string random_hex(size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(n, '0');
  for (auto& c : s) c = kHex[rng() % 16];
  return s;
}

std::string iso_label(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int the compiler cannot rule out
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

model::ShardDef new_shard(int64_t now_ms, uint64_t first_seq, std::string parent) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020lld", static_cast<long long>(now_ms));
  return {std::string("shardId-") + digits + "-" + random_hex(8), std::move(parent), first_seq, 0,
          now_ms};
}

model::Item key_of(const model::StreamDef& s, const model::Item& item) {
  model::Item k;
  if (auto it = item.find(s.hash.name); it != item.end()) k.insert(*it);
  if (s.range)
    if (auto it = item.find(s.range->name); it != item.end()) k.insert(*it);
  return k;
}

}  // namespace

Settings& settings() {
  static Settings s;
  return s;
}

std::string sequence_text(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021llu", static_cast<unsigned long long>(seq));
  return buf;
}

std::string record_key(uint64_t stream_id, uint64_t seq) {
  return model::be64(stream_id) + model::be64(seq);
}
uint64_t record_seq(std::string_view key) { return model::read_be64(key.substr(8)); }

storage::StreamPtr create_stream(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
                                 const std::string& view_type) {
  int64_t now = model::Clock::now_ms();
  model::StreamDef s;
  s.table_id = t.id;
  s.space = t.space;
  s.table_name = t.name;
  s.region = t.region;
  s.label = iso_label(now);
  s.view_type = view_type;
  s.created_ms = now;
  s.hash = t.hash;
  s.range = t.range;
  s.shards.push_back(new_shard(now, 1, ""));
  return db.catalog().put_stream(txn, std::move(s));
}

void disable_stream(storage::Txn& txn, storage::Database& db, uint64_t stream_id) {
  auto s = db.catalog().stream(stream_id);
  if (!s || !s->enabled) return;
  model::StreamDef def = *s;
  def.enabled = false;
  def.disabled_ms = model::Clock::now_ms();
  // Close the open shard at the last sequence number handed out so far (one of its own
  // records, unless it has none: then a number is spent so that the range is not empty).
  model::ShardDef& shard = def.shards.back();
  if (shard.open()) {
    uint64_t last = db.catalog().peek_sequence(txn) - 1;
    shard.last_seq = last >= shard.first_seq ? last : db.catalog().next_sequence(txn);
  }
  db.catalog().put_stream(txn, std::move(def));
}

void append(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
            const model::Item* old, const model::Item* next, Origin origin) {
  if (!t.stream_id) return;
  if (old && next && model::items_equal(*old, *next))
    return;  // DynamoDB writes no record for a write that changes nothing
  if (!old && !next) return;
  auto stream = db.catalog().stream(t.stream_id);
  if (!stream || !stream->enabled) return;

  int64_t now = model::Clock::now_ms();
  uint64_t seq = db.catalog().next_sequence(txn);
  const model::ShardDef& open = stream->shards.back();
  if (now - open.created_ms >= settings().shard_ms) {
    // Roll over: the open shard ends before this record; its child starts with it.
    model::StreamDef def = *stream;
    def.shards.back().last_seq = seq - 1;
    def.shards.push_back(new_shard(now, seq, def.shards.back().id));
    stream = db.catalog().put_stream(txn, std::move(def));
  }

  const std::string& view = stream->view_type;
  const char* event = !old ? "INSERT" : !next ? "REMOVE" : "MODIFY";
  model::Item keys = key_of(*stream, next ? *next : *old);
  bool new_image = next && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES");
  bool old_image = old && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES");
  size_t size = model::item_size(keys) + (new_image ? model::item_size(*next) : 0) +
                (old_image ? model::item_size(*old) : 0);

  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("eventID");
  model::write_string(w, random_hex(32));
  w.Key("eventName");
  w.String(event);
  w.Key("eventVersion");
  w.String("1.1");
  w.Key("eventSource");
  w.String("aws:dynamodb");
  w.Key("awsRegion");
  model::write_string(w, stream->region);
  w.Key("dynamodb");
  w.StartObject();
  w.Key("ApproximateCreationDateTime");
  w.Int64(now / 1000);
  w.Key("Keys");
  model::write_item(w, keys);
  if (new_image) {
    w.Key("NewImage");
    model::write_item(w, *next);
  }
  if (old_image) {
    w.Key("OldImage");
    model::write_item(w, *old);
  }
  w.Key("SequenceNumber");
  model::write_string(w, sequence_text(seq));
  w.Key("SizeBytes");
  w.Uint64(size);
  w.Key("StreamViewType");
  model::write_string(w, view);
  w.EndObject();
  if (origin == Origin::Ttl) {
    w.Key("userIdentity");
    w.StartObject();
    w.Key("PrincipalId");
    w.String("dynamodb.amazonaws.com");
    w.Key("Type");
    w.String("Service");
    w.EndObject();
  }
  w.EndObject();
  // Value: creation time (for trimming), then the record as GetRecords returns it.
  std::string value = model::be64(static_cast<uint64_t>(now));
  value.append(buf.GetString(), buf.GetSize());
  txn.put(db.stream_records(), record_key(stream->id, seq), value);
}

size_t trim(storage::Txn& txn, storage::Database& db, size_t budget) {
  int64_t cutoff = model::Clock::now_ms() - settings().retention_ms;
  size_t removed = 0;
  for (const auto& s : db.catalog().streams()) {
    std::string prefix = model::be64(s->id);
    bool any_left = false;
    uint64_t trimmed = s->trimmed_through;
    {
      storage::Cursor c(txn, db.stream_records());
      while (c.seek(prefix) && c.key().starts_with(prefix)) {
        if (removed >= budget || static_cast<int64_t>(model::read_be64(c.value())) >= cutoff) {
          any_left = true;
          break;
        }
        trimmed = record_seq(c.key());
        c.del();
        ++removed;
      }
    }
    if (!s->enabled && !any_left && s->disabled_ms < cutoff) {
      db.catalog().drop_stream(txn, s->id);
    } else if (trimmed != s->trimmed_through) {
      model::StreamDef def = *s;
      def.trimmed_through = trimmed;
      db.catalog().put_stream(txn, std::move(def));
    }
  }
  return removed;
}

}  // namespace ddb::streams
