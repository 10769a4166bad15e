// Where each mapping left off in each shard, kept across restarts of the host.
//
// Two small JSON files per mapping (DIR/<mapping>.json and DIR/<mapping>.json.1), written in
// turn: each save overwrites the older one in place (one write and one fdatasync: the host saves
// after every batch, and a temporary file, its rename and the directory's fsync cost it a fifth
// of its CPU under load). Each carries a save count and a CRC-32 of its text, so a save torn by
// a power cut is told apart and the other file, one save older, is read: a restart redelivers
// at most one batch more than the ones in flight, never skips one. A kill -9 loses nothing (the
// page cache keeps the write). Without a directory the store lives in memory (the host's
// in-memory mode).
#pragma once

#include <array>
#include <cstdint>
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

// The file's text, and back (std::invalid_argument for a file that is not one, or whose CRC
// does not match). `saves` numbers the saves of a mapping, so that the newer file wins; a file
// of the first form (version 1: one file replaced by rename, no count) reads as save 0.
std::string to_json(const MappingCheckpoint& checkpoint, uint64_t saves = 0);
MappingCheckpoint checkpoint_from_json(std::string_view text, uint64_t* saves = nullptr);

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir);  // "" keeps checkpoints in memory

  // nullopt when the mapping has none yet. A file that cannot be read as a checkpoint is
  // reported by std::runtime_error naming it (the host refuses to guess a position).
  std::optional<MappingCheckpoint> load(const std::string& mapping);
  // Durable when this returns; throws std::runtime_error on an I/O error.
  void save(const std::string& mapping, const MappingCheckpoint& checkpoint);

  const std::string& dir() const { return dir_; }
  // DIR/<mapping>.json, the mapping's logical id with anything outside [A-Za-z0-9._-] as '_';
  // the second file is this path with ".1" after it.
  std::string path_for(const std::string& mapping) const;

  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;
  ~CheckpointStore();

 private:
  struct Files {
    std::array<std::string, 2> path;  // paths_for(mapping), once the files are open
    int fd[2] = {-1, -1};
    size_t size[2] = {0, 0};  // the files' lengths: a shorter text is padded, never truncated
    uint64_t saves = 0;       // the newest save on disk
    int newest = 1;           // the file that holds it (the next save goes to the other)
    bool scanned = false;     // saves and newest read from the files
  };
  std::array<std::string, 2> paths_for(const std::string& mapping) const;  // the two files
  std::optional<MappingCheckpoint> scan(const std::string& mapping);       // under mutex_
  Files& files_for(const std::string& mapping);

  std::string dir_;
  std::mutex mutex_;
  std::map<std::string, MappingCheckpoint> memory_;
  std::map<std::string, Files> files_;
};

}  // namespace triggers
