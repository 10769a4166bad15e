// Command-line configuration. DynamoDB Local's own flags (-port, -dbPath, -inMemory,
// -sharedDb, -cors, -help, ...) mean what they mean there; GNU-style long options too.
#pragma once

#include <string>
#include <vector>

namespace ddb {

struct Config {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string db_path = ".";  // directory of the database file, as DynamoDB Local's -dbPath
  bool in_memory = false;
  bool shared_db = false;
  std::string cors = "*";         // comma-separated allowed origins; "" disables CORS
  int threads = 0;                // I/O threads; 0: one per core
  double clock_offset_s = 0;      // start with the clock shifted by this many seconds
  int ttl_interval_ms = 1000;     // how often the TTL sweeper and stream trimming run
  int stream_shard_s = 4 * 3600;  // how long a stream shard stays open before it rolls over
  bool help = false;
  bool noop = false;
  // --verify-signatures: SigV4 checked against the key pairs of --credentials FILE (one
  // "ACCESS_KEY_ID:SECRET" a line) and --credential ID:SECRET, in the order given.
  bool verify_signatures = false;
  struct KeySource {
    bool file;         // `text` names a file
    std::string text;  // or is one "ID:SECRET"
  };
  std::vector<KeySource> key_sources;
};

// Throws std::invalid_argument with a message for the user on bad flags.
Config parse_args(const std::vector<std::string>& args);
const char* usage();

}  // namespace ddb
