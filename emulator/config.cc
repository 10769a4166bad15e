#include "config.h"

#include <stdexcept>

namespace ddb {

const char* usage() {
  return R"(Usage: emulator [options]

A DynamoDB-compatible server (JSON wire protocol, DynamoDB_20120810) on LMDB.
Options take DynamoDB Local's single-dash spelling or a GNU-style long one.

  -port N, --port N         TCP port to listen on (default 8000; 0 picks a free one)
  --host ADDR               address to listen on (default 127.0.0.1; 0.0.0.0 for all)
  -dbPath DIR, --db-path DIR
                            directory holding the database file emulator.mdb
                            (default: the current directory). Data survives restarts;
                            every acknowledged write is on disk (fsync, group commit).
  -inMemory, --in-memory    keep data only for the life of the process: no fsync, nothing
                            kept after exit. Faster, not durable.
  -sharedDb, --shared-db    one set of tables for every client; without it tables are
                            namespaced by access key id and region, as DynamoDB Local does.
  -cors LIST, --cors LIST   comma-separated origins allowed by CORS (default "*");
                            --no-cors disables CORS headers.
  --threads N               I/O threads (default: one per core)
  --clock-offset SECONDS    run on a clock shifted by SECONDS (may be negative). Everything
                            time-based reads this clock: TTL expiry, stream record times,
                            trimming (24 h), shard rollover, iterator expiry (15 min).
                            POST /emulator/clock {"advanceSeconds": N} moves it forward;
                            GET /emulator/clock shows it.
  --ttl-interval-ms N       how often expired items are swept (default 1000)
  --stream-shard-seconds N  how long a stream shard stays open before a child shard
                            replaces it (default 14400, as DynamoDB's roughly 4 hours)
  --verify-signatures       check each request's SigV4 signature (Authorization header,
                            X-Amz-Date, credential scope, 15 minutes of clock skew) against
                            the key pairs given below; without it any key is accepted and
                            only the Authorization header's shape is checked
  --credentials FILE        key pairs for --verify-signatures, one ACCESS_KEY_ID:SECRET a
                            line ('#' comments); may be repeated
  --credential ID:SECRET    one key pair for --verify-signatures; may be repeated
  --noop                    benchmark ceiling: the same HTTP front end answering every
                            request with {} (scripts/bench)
  -help, --help             this text

Accepted for compatibility with DynamoDB Local, with no effect here:
  -delayTransientStatuses, -optimizeDbBeforeStartup, -disableTelemetry
)";
}

Config parse_args(const std::vector<std::string>& args) {
  Config c;
  bool db_path_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    bool inline_value = false;
    if (flag.starts_with("--")) {
      if (auto eq = flag.find('='); eq != std::string::npos) {
        value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
        inline_value = true;
      }
    }
    auto need = [&]() -> std::string {
      if (inline_value) return value;
      if (i + 1 >= args.size()) throw std::invalid_argument("option " + flag + " needs a value");
      return args[++i];
    };
    auto number = [&](const std::string& v) {
      try {
        size_t used = 0;
        int n = std::stoi(v, &used);
        if (used != v.size() || n < 0) throw std::invalid_argument(v);
        return n;
      } catch (const std::exception&) {
        throw std::invalid_argument("option " + flag + " needs a number, got '" + v + "'");
      }
    };
    if (flag == "-port" || flag == "--port") {
      c.port = number(need());
      if (c.port > 65535) throw std::invalid_argument("port out of range");
    } else if (flag == "--host") {
      c.host = need();
    } else if (flag == "-dbPath" || flag == "--db-path") {
      c.db_path = need();
      db_path_given = true;
    } else if (flag == "-inMemory" || flag == "--in-memory") {
      c.in_memory = true;
    } else if (flag == "-sharedDb" || flag == "--shared-db") {
      c.shared_db = true;
    } else if (flag == "-cors" || flag == "--cors") {
      c.cors = need();
    } else if (flag == "--no-cors") {
      c.cors.clear();
    } else if (flag == "--threads") {
      c.threads = number(need());
    } else if (flag == "--clock-offset") {
      std::string v = need();
      try {
        size_t used = 0;
        c.clock_offset_s = std::stod(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw std::invalid_argument("option --clock-offset needs a number of seconds, got '" + v +
                                    "'");
      }
    } else if (flag == "--ttl-interval-ms") {
      c.ttl_interval_ms = std::max(1, number(need()));
    } else if (flag == "--stream-shard-seconds") {
      c.stream_shard_s = std::max(1, number(need()));
    } else if (flag == "--verify-signatures") {
      c.verify_signatures = true;
    } else if (flag == "--credentials") {
      c.key_sources.push_back({true, need()});
    } else if (flag == "--credential") {
      std::string v = need();
      if (v.find(':') == std::string::npos || v.front() == ':' || v.back() == ':')
        throw std::invalid_argument("option --credential needs ACCESS_KEY_ID:SECRET, got '" + v +
                                    "'");
      c.key_sources.push_back({false, v});
    } else if (flag == "--noop") {
      c.noop = true;
    } else if (flag == "-help" || flag == "--help" || flag == "-h") {
      c.help = true;
    } else if (flag == "-delayTransientStatuses" || flag == "-optimizeDbBeforeStartup" ||
               flag == "-disableTelemetry") {
      // DynamoDB Local flags with nothing to do here.
    } else {
      throw std::invalid_argument("unknown option " + args[i] + " (see --help)");
    }
  }
  if (c.verify_signatures && c.key_sources.empty())
    throw std::invalid_argument(
        "--verify-signatures needs key pairs: --credentials FILE or --credential ID:SECRET");
  if (!c.verify_signatures && !c.key_sources.empty())
    throw std::invalid_argument("--credentials and --credential need --verify-signatures");
  if (c.in_memory && db_path_given)
    throw std::invalid_argument("You cannot specify both -dbPath and -inMemory options");
  return c;
}

}  // namespace ddb
