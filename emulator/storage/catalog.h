// The catalog: every table's and stream's definition, persisted in LMDB and cached in memory.
// Only the writer thread changes it. Its changes are staged with the group's transaction and
// published when that commits, so readers never see a definition whose data is not yet
// durable (an index ACTIVE before its entries, a table before it exists); a change that fails
// is undone with its nested transaction.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/table.h"
#include "storage/lmdb.h"

namespace ddb::storage {

using TablePtr = std::shared_ptr<const model::TableDef>;
using StreamPtr = std::shared_ptr<const model::StreamDef>;

struct TableStats {
  uint64_t item_count = 0;
  uint64_t size_bytes = 0;
};

class Catalog {
 public:
  Catalog(MDB_env* env, MDB_dbi meta) : env_(env), meta_(meta) {}

  // Builds the cache from what LMDB holds (at start).
  void load();

  // The group-commit writer's protocol.
  void set_writer_thread(std::thread::id id) { writer_ = id; }
  void begin_change() { savepoint_ = staged_; }
  void undo_change() { staged_ = savepoint_; }
  void publish();  // the group committed
  void discard();  // the group failed

  TablePtr find(const std::string& space, std::string_view name) const;
  // Table names of a namespace in ascending order, starting after `after`.
  std::vector<std::string> names(const std::string& space, std::string_view after, size_t limit,
                                 bool* more) const;

  // Writer-thread only: change the definitions inside the group's transaction.
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
  struct State {
    std::map<Key, TablePtr, std::less<>> tables;
    std::map<uint64_t, StreamPtr> streams;
  };
  // What the calling thread sees: the writer its staged state, everyone else the published.
  std::shared_ptr<const State> view() const;
  State& writable();  // copy-on-write of the staged state

  MDB_env* env_;
  MDB_dbi meta_;
  mutable std::shared_mutex mu_;  // guards published_
  std::shared_ptr<const State> published_ = std::make_shared<State>();
  std::shared_ptr<State> staged_, savepoint_;  // writer thread only
  std::thread::id writer_;
};

}  // namespace ddb::storage
