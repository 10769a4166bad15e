// gateway: API Gateway WebSocket APIs with their @connections management API, and HTTP APIs,
// for the APIs of a stack plan. See server.h for what it serves and README.md in this folder for
// the flags.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "awsproto/clock.h"
#include "awsproto/env.h"
#include "gateway/server.h"

namespace {

int usage(const std::string& problem) {
  std::cerr << "gateway: " << problem << "\n"
            << "usage: gateway --plan FILE --lambda-endpoint URL [--host 127.0.0.1] [--port N]\n"
               "       [--http-port N] [--tls-cert PEM --tls-key PEM]\n"
               "       [--clock-offset SECONDS] [--max-message-bytes N] [--max-frame-bytes N]\n"
               "       [--idle-timeout-s N] [--max-lifetime-s N] [--send-queue-bytes N]\n"
               "       [--max-pending-messages N]\n"
               "       [--workers N] [--io-threads N] [--integration-timeout-ms 50..29000]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  gateway::ServerOptions options;
  std::string plan_file;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string flag = argv[i];
      if (flag == "--help" || flag == "-h") return usage("help");
      if (i + 1 >= argc) return usage(flag + " needs a value");
      std::string value = argv[++i];
      if (flag == "--plan") {
        plan_file = value;
      } else if (flag == "--host") {
        options.host = value;
      } else if (flag == "--port") {
        options.port = static_cast<uint16_t>(std::stoul(value));
      } else if (flag == "--http-port") {
        options.http_port = static_cast<uint16_t>(std::stoul(value));
      } else if (flag == "--tls-cert") {
        options.tls_cert_file = value;
      } else if (flag == "--tls-key") {
        options.tls_key_file = value;
      } else if (flag == "--lambda-endpoint") {
        options.invoker.endpoint = value;
      } else if (flag == "--clock-offset") {
        double seconds = std::stod(value);
        if (!(std::fabs(seconds) <= 1e9)) throw std::invalid_argument("--clock-offset");
        awsproto::Clock::advance_ms(std::llround(seconds * 1000));
      } else if (flag == "--max-message-bytes") {
        options.max_message_bytes = std::stoul(value);
      } else if (flag == "--max-frame-bytes") {
        options.max_frame_bytes = std::stoul(value);
      } else if (flag == "--idle-timeout-s") {
        options.idle_timeout_ms = static_cast<int64_t>(std::stod(value) * 1000);
      } else if (flag == "--max-lifetime-s") {
        options.max_lifetime_ms = static_cast<int64_t>(std::stod(value) * 1000);
      } else if (flag == "--max-pending-messages") {
        options.max_pending_messages = std::stoul(value);
      } else if (flag == "--send-queue-bytes") {
        options.send_queue_bytes = std::stoul(value);
      } else if (flag == "--integration-timeout-ms") {
        long ms = std::stol(value);
        if (ms < 50 || ms > 29'000) throw std::invalid_argument(flag);  // API Gateway's range
        options.invoker.timeout = std::chrono::milliseconds(ms);
      } else if (flag == "--workers") {
        options.invoker.workers = std::stoi(value);
      } else if (flag == "--io-threads") {
        options.io_threads = std::stoi(value);
        if (options.io_threads < 1 || options.io_threads > 64) throw std::invalid_argument(flag);
      } else {
        return usage("unknown flag " + flag);
      }
    }
  } catch (const std::exception&) {
    return usage("bad flag value");
  }
  if (plan_file.empty()) return usage("--plan is required");
  if (options.invoker.endpoint.empty()) return usage("--lambda-endpoint is required");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return usage("--tls-cert and --tls-key go together");
  }
  std::ifstream in(plan_file);
  if (!in) return usage("cannot read " + plan_file);
  std::stringstream text;
  text << in.rdbuf();
  try {
    options.plan = gateway::parse_plan(text.str());
  } catch (const std::exception& e) {
    std::cerr << "gateway: " << plan_file << ": " << e.what() << "\n";
    return 2;
  }
  auto env = awsproto::Env::from_environment();
  options.invoker.region = options.plan.region;
  options.invoker.credentials = env.credentials;
  if (options.invoker.credentials.access_key_id.empty()) {
    // The Lambda host checks no signature; sign with placeholder keys rather than not at all.
    options.invoker.credentials = {"AKIDLOCALGATEWAY", "local-gateway-secret", ""};
  }
  return gateway::run_server(options);
}
