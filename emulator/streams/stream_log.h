// The stream log: one record per item change, written in the same LMDB transaction as the
// change, so a crash never leaves a change without its record or a record without its change.
// Records are keyed by (stream id, sequence number); a shard is a range of sequence numbers.
#pragma once

#include <cstdint>
#include <string>

#include "model/table.h"
#include "model/value.h"
#include "storage/database.h"

namespace ddb::streams {

// Who made a change: a caller, or the TTL sweeper (whose REMOVE records carry the service's
// userIdentity).
enum class Origin { User, Ttl };

// Appends the record of `old` -> `next` (either may be null) to the table's stream, when it
// has one and the item really changed; rolls the open shard over when it is old enough.
void append(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
            const model::Item* old, const model::Item* next, Origin origin);

// A new stream for `t` (CreateTable / UpdateTable enabling streams), with its first shard.
storage::StreamPtr create_stream(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
                                 const std::string& view_type);
// Marks a stream DISABLED (its shard closed); it stays readable until its records expire.
void disable_stream(storage::Txn& txn, storage::Database& db, uint64_t stream_id);

// "000000000000000000123": sequence numbers as DynamoDB Streams prints them.
std::string sequence_text(uint64_t seq);
std::string record_key(uint64_t stream_id, uint64_t seq);
uint64_t record_seq(std::string_view key);

// Settings (from flags): how long a shard stays open, how long records are kept.
struct Settings {
  int64_t shard_ms = 4 * 3600 * 1000;
  int64_t retention_ms = 24 * 3600 * 1000;
};
Settings& settings();

// Deletes records older than the retention period, and streams that are disabled and empty.
// Returns how many records it removed (at most `budget`).
size_t trim(storage::Txn& txn, storage::Database& db, size_t budget);

}  // namespace ddb::streams
