#include "storage/testing.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>

#include "model/number.h"

namespace ddb::storage::testing {

namespace fs = std::filesystem;

TempDatabase::TempDatabase() {
  static std::atomic<int> next{0};
  fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  dir_ = base / ("emulator-test-" + std::to_string(getpid()) + "-" + std::to_string(next++));
  fs::create_directories(dir_);
  db_ = std::make_unique<Database>(Database::Options{(dir_ / "emulator.mdb").string(), false});
}

TempDatabase::~TempDatabase() {
  db_.reset();
  fs::remove_all(dir_);
}

void run(Database& db, Database::Change change) {
  auto done = std::make_shared<std::promise<void>>();
  auto committed = done->get_future();
  db.write(std::move(change), [done](std::exception_ptr e) {
    if (e)
      done->set_exception(e);
    else
      done->set_value();
  });
  if (committed.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    throw std::runtime_error("the change was not committed within 10 s");
  committed.get();
}

model::Value s(std::string v) { return model::Value::string(std::move(v)); }
model::Value n(std::string_view v) {
  return model::Value::number(model::Number::parse(v).to_string());
}
model::Value n(int64_t v) { return n(std::to_string(v)); }

}  // namespace ddb::storage::testing
