#include "storage/garbage.h"

#include <vector>

namespace ddb::storage {
namespace {

constexpr std::string_view kGarbagePrefix = "g";

MDB_dbi dbi_of(const Database& db, char space) {
  switch (static_cast<Space>(space)) {
    case Space::Items: return db.items();
    case Space::Indexes: return db.indexes();
    case Space::Ttl: return db.ttl();
  }
  throw std::runtime_error("corrupt garbage entry");
}

}  // namespace

void discard_later(Txn& txn, const Database& db, Space space, const std::string& prefix) {
  std::string key(kGarbagePrefix);
  key += static_cast<char>(space);
  key += prefix;
  txn.put(db.meta(), key, {});
}

size_t collect_garbage(Txn& txn, const Database& db, size_t budget) {
  std::vector<std::string> entries;
  {
    Cursor c(txn, db.meta());
    for (bool ok = c.seek(kGarbagePrefix); ok && c.key().starts_with(kGarbagePrefix); ok = c.next())
      entries.emplace_back(c.key());
  }
  size_t removed = 0;
  for (const auto& entry : entries) {
    std::string prefix = entry.substr(2);
    bool empty = true;
    {
      Cursor c(txn, dbi_of(db, entry[1]));
      while (c.seek(prefix) && c.key().starts_with(prefix)) {
        if (removed == budget) {
          empty = false;
          break;
        }
        c.del();
        ++removed;
      }
    }
    if (empty) txn.del(db.meta(), entry);
    if (removed == budget) break;
  }
  return removed;
}

}  // namespace ddb::storage
