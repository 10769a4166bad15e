#include "storage/lmdb.h"

namespace ddb::storage {

Env::Env(const Options& o) {
  check(mdb_env_create(&env_), "mdb_env_create");
  try {
    check(mdb_env_set_mapsize(env_, o.map_size), "mdb_env_set_mapsize");
    check(mdb_env_set_maxdbs(env_, 8), "mdb_env_set_maxdbs");
    check(mdb_env_set_maxreaders(env_, 1024), "mdb_env_set_maxreaders");
    // MDB_NOTLS: read transactions are not tied to threads (requests hop between I/O threads).
    // Without durability (in-memory mode) commits skip fsync altogether.
    unsigned flags = MDB_NOSUBDIR | MDB_NOTLS;
    if (!o.durable) flags |= MDB_NOSYNC | MDB_NOMETASYNC;
    check(mdb_env_open(env_, o.path.c_str(), flags, 0644), "mdb_env_open");
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

}  // namespace ddb::storage
