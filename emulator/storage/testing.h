// For unit tests of the layers above storage: a database of its own, and a change run in the
// writer as a test waits for it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "model/value.h"
#include "storage/database.h"

namespace ddb::storage::testing {

// A database in RAM-backed /dev/shm (else the temp folder), never fsync'd, removed with it.
class TempDatabase {
 public:
  TempDatabase();
  ~TempDatabase();
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;
  Database& operator*() { return *db_; }
  Database* operator->() { return db_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

// Runs `change` in the writer and waits (10 s at most) for its group to commit; throws the
// change's error.
void run(Database& db, Database::Change change);

// AttributeValues in a line: s("x"), n(42), n("1.5E3") (canonical form).
model::Value s(std::string v);
model::Value n(std::string_view v);
model::Value n(int64_t v);

}  // namespace ddb::storage::testing
