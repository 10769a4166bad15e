// The catalog: every table's definition, persisted in LMDB and cached in memory.
// Only the writer thread changes it; readers take immutable snapshots of definitions.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "model/table.h"
#include "storage/lmdb.h"

namespace storage {

using TablePtr = std::shared_ptr<const model::TableDef>;
using StreamPtr = std::shared_ptr<const model::StreamDef>;

struct TableStats {
  uint64_t item_count = 0;
  uint64_t size_bytes = 0;
};

class Catalog {
 public:
  Catalog(MDB_env* env, MDB_dbi meta) : env_(env), meta_(meta) {}

  // Rebuilds the cache from what LMDB holds (at start, and after a failed group commit).
  void load();

  TablePtr find(const std::string& space, std::string_view name) const;
  // Table names of a namespace in ascending order, starting after `after`.
  std::vector<std::string> names(const std::string& space, std::string_view after,
                                 size_t limit, bool* more) const;

  // Writer-thread only: change the definitions inside the group's transaction. The cache
  // follows at once; a failed commit calls load() to roll it back.
  TablePtr create(Txn& txn, model::TableDef def);
  void drop(Txn& txn, const model::TableDef& def);
  // A changed definition of an existing table (same id), e.g. after UpdateTable.
  TablePtr replace(Txn& txn, model::TableDef def);
  uint64_t allocate_id(Txn& txn);
  std::vector<TablePtr> all() const;

  // Streams, current and disabled ones still readable.
  StreamPtr stream(uint64_t id) const;
  std::vector<StreamPtr> streams() const;
  // Writer thread: records a new (id 0: an id is allocated) or changed stream.
  StreamPtr put_stream(Txn& txn, model::StreamDef def);
  void drop_stream(Txn& txn, uint64_t id);
  // Writer thread: the next stream sequence number (shared by all streams, increasing).
  uint64_t next_sequence(Txn& txn);
  // The sequence number the next record will get.
  uint64_t peek_sequence(const Txn& txn) const;

  static TableStats stats(const Txn& txn, MDB_dbi meta, uint64_t id);
  static void add_stats(Txn& txn, MDB_dbi meta, uint64_t id, int64_t items, int64_t bytes);

 private:
  using Key = std::pair<std::string, std::string>;
  MDB_env* env_;
  MDB_dbi meta_;
  mutable std::shared_mutex mu_;
  std::map<Key, TablePtr, std::less<>> tables_;
  std::map<uint64_t, StreamPtr> streams_;
};

}  // namespace storage
