// emulator: flags -> config -> database -> serve.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/call.h"
#include "background.h"
#include "config.h"
#include "http/server.h"
#include "indexes/indexes.h"
#include "model/clock.h"
#include "storage/database.h"
#include "streams/stream_log.h"
#include "ttl/ttl.h"

int main(int argc, char** argv) {
  using ddb::Config;
  Config config;
  try {
    config = ddb::parse_args(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::invalid_argument& e) {
    std::cerr << "emulator: " << e.what() << "\n";
    return 2;
  }
  if (config.help) {
    std::cout << ddb::usage();
    return 0;
  }

  namespace fs = std::filesystem;
  fs::path dir = config.db_path, scratch;
  if (config.in_memory) {
    // LMDB needs a file; in memory mode it lives in RAM-backed /dev/shm when there is one,
    // is never fsync'd, and is unlinked as soon as it is open (below), so that even kill -9
    // leaves nothing behind: the kernel frees it with the last mapping.
    fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    scratch = dir = base / ("emulator-" + std::to_string(getpid()));
    // One left by a process that had this pid and was killed (kill -9 removes nothing) holds
    // that process's tables: an in-memory emulator starts empty.
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
  }
  try {
    fs::create_directories(dir);
    ddb::storage::Database db({(dir / "emulator.mdb").string(), !config.in_memory});
    // LMDB keeps its data and lock files open and mapped and never opens them by name again.
    if (!scratch.empty()) fs::remove_all(scratch);
    ddb::indexes::resume_backfills(db);
    ddb::ttl::resume_indexing(db);
    ddb::model::Clock::advance_ms(static_cast<int64_t>(config.clock_offset_s * 1000));
    ddb::streams::settings().shard_ms = int64_t(config.stream_shard_s) * 1000;
    ddb::Maintenance maintenance(db, std::chrono::milliseconds(config.ttl_interval_ms));
    ddb::api::Services services{db};
    ddb::http::Options http_options{config.host, config.port,      config.threads,
                                    config.cors, config.shared_db, config.noop};
    http_options.verify_signatures = config.verify_signatures;
    for (const auto& source : config.key_sources) {
      if (!source.file) {
        ddb::http::parse_key_pairs(source.text, "--credential", http_options.keys);
        continue;
      }
      std::ifstream in(source.text);
      if (!in) throw std::runtime_error("cannot read credentials file " + source.text);
      std::stringstream text;
      text << in.rdbuf();
      ddb::http::parse_key_pairs(text.str(), source.text, http_options.keys);
    }
    if (config.verify_signatures && http_options.keys.empty())
      throw std::runtime_error("--verify-signatures: no key pairs in the credentials given");
    ddb::http::serve(http_options, services, [&](int port) {
      std::cerr << "emulator: listening on " << config.host << ":" << port << " ("
                << (config.in_memory ? "in memory, not durable"
                                     : "data in " + (dir / "emulator.mdb").string())
                << (config.shared_db ? ", shared tables" : ", tables per access key and region")
                << (config.verify_signatures
                        ? ", signatures checked (" + std::to_string(http_options.keys.size()) +
                              " keys)"
                        : "")
                << ")" << std::endl;
    });
    db.close();
    std::cerr << "emulator: stopped" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "emulator: " << e.what() << std::endl;
    if (!scratch.empty()) fs::remove_all(scratch);
    return 1;
  }
  return 0;
}
