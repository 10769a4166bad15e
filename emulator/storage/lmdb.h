// RAII wrappers for LMDB handles. A transaction aborts unless it is committed.
#pragma once

#include <lmdb.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ddb::storage {

struct LmdbError : std::runtime_error {
  LmdbError(const char* what, int rc)
      : std::runtime_error(std::string(what) + ": " + mdb_strerror(rc)), code(rc) {}
  int code;
};

inline void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) throw LmdbError(what, rc);
}

inline MDB_val to_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view from_val(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

class Env {
 public:
  struct Options {
    std::string path;  // the database file (MDB_NOSUBDIR)
    bool durable = true;
    size_t map_size = size_t(1) << 36;  // 64 GiB of address space; the file grows as needed
  };
  explicit Env(const Options& o);
  ~Env() { mdb_env_close(env_); }
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  MDB_env* get() const { return env_; }

 private:
  MDB_env* env_ = nullptr;
};

class Txn {
 public:
  // A write transaction (optionally nested in `parent`) or a read-only snapshot.
  Txn(MDB_env* env, bool read_only, MDB_txn* parent = nullptr) {
    check(mdb_txn_begin(env, parent, read_only ? MDB_RDONLY : 0, &txn_), "mdb_txn_begin");
  }
  ~Txn() {
    if (txn_) mdb_txn_abort(txn_);
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  void commit() { check(mdb_txn_commit(std::exchange(txn_, nullptr)), "mdb_txn_commit"); }
  void abort() {
    if (txn_) mdb_txn_abort(std::exchange(txn_, nullptr));
  }
  MDB_txn* get() const { return txn_; }

  // Point operations on one database. The returned view lives as long as the transaction.
  std::optional<std::string_view> get(MDB_dbi dbi, std::string_view key) const {
    MDB_val k = to_val(key), v;
    int rc = mdb_get(txn_, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check(rc, "mdb_get");
    return from_val(v);
  }
  void put(MDB_dbi dbi, std::string_view key, std::string_view value) {
    MDB_val k = to_val(key), v = to_val(value);
    check(mdb_put(txn_, dbi, &k, &v, 0), "mdb_put");
  }
  bool del(MDB_dbi dbi, std::string_view key) {
    MDB_val k = to_val(key);
    int rc = mdb_del(txn_, dbi, &k, nullptr);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "mdb_del");
    return true;
  }

 private:
  MDB_txn* txn_ = nullptr;
};

class Cursor {
 public:
  Cursor(const Txn& txn, MDB_dbi dbi) { check(mdb_cursor_open(txn.get(), dbi, &c_), "cursor"); }
  ~Cursor() { mdb_cursor_close(c_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // Positions at the first key >= `key`; false at the end.
  bool seek(std::string_view key) { return move(to_val(key), MDB_SET_RANGE); }
  bool next() { return move({}, MDB_NEXT); }
  bool prev() { return move({}, MDB_PREV); }
  bool last() { return move({}, MDB_LAST); }
  std::string_view key() const { return from_val(k_); }
  std::string_view value() const { return from_val(v_); }
  void del() { check(mdb_cursor_del(c_, 0), "mdb_cursor_del"); }

 private:
  bool move(MDB_val k, MDB_cursor_op op) {
    k_ = k;
    int rc = mdb_cursor_get(c_, &k_, &v_, op);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "mdb_cursor_get");
    return true;
  }
  MDB_cursor* c_ = nullptr;
  MDB_val k_{}, v_{};
};

}  // namespace ddb::storage
