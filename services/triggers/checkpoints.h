// Where each mapping left off in each shard, kept across restarts of the host.
//
// One small JSON file per mapping (DIR/<mapping>.json), replaced atomically: written to a
// temporary file, fsync'd, renamed over the old one, and the directory fsync'd, so that a
// kill -9 or a power cut leaves either the old or the new checkpoint, never a torn one. Without
// a directory the store lives in memory (the host's in-memory mode).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triggers {

struct ShardCheckpoint {
  std::string after;  // the last sequence number handled; empty: from the shard's start
  bool done = false;  // closed, read to its end and every record handled
  // ParallelizationFactor N > 1: for each of the shard's N lanes, the last record handled past
  // `after` ("": none). A lane handles its records in order, so a restart with the same N skips
  // a lane's records up to it: only the batches that were in flight are delivered again.
  std::vector<std::string> lanes;
};

struct MappingCheckpoint {
  std::string stream_arn;  // the stream the positions belong to (a new table: a new stream)
  std::map<std::string, ShardCheckpoint> shards;  // by shard id; shards not listed start fresh
};

// The file's text, and back (std::invalid_argument for a file that is not one).
std::string to_json(const MappingCheckpoint& checkpoint);
MappingCheckpoint checkpoint_from_json(std::string_view text);

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir);  // "" keeps checkpoints in memory

  // nullopt when the mapping has none yet. A file that cannot be read as a checkpoint is
  // reported by std::runtime_error naming it (the host refuses to guess a position).
  std::optional<MappingCheckpoint> load(const std::string& mapping);
  // Durable when this returns; throws std::runtime_error on an I/O error.
  void save(const std::string& mapping, const MappingCheckpoint& checkpoint);

  const std::string& dir() const { return dir_; }
  // DIR/<mapping>.json, the mapping's logical id with anything outside [A-Za-z0-9._-] as '_'.
  std::string path_for(const std::string& mapping) const;

 private:
  std::string dir_;
  std::mutex mutex_;
  std::map<std::string, MappingCheckpoint> memory_;
};

}  // namespace triggers
