// lambda-host: runs the plan's functions locally the way Lambda runs a custom runtime.
//   lambda-host --plan FILE [--host 127.0.0.1] [--port N] [--dynamodb-endpoint URL]
//               [--dynamodb-streams-endpoint URL] [--apigateway-endpoint URL]
//               [--clock-offset SECONDS] [--max-instances N] [--state-dir DIR] [--ca-file PEM]
//               [--http-api-endpoint URL] [--tls-cert PEM --tls-key PEM] [--runtimes-dir DIR]
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "awsproto/clock.h"
#include "lambda/http_server.h"
#include "lambda/instance.h"
#include "lambda/invoke_api.h"
#include "lambda/plan.h"
#include "triggers/poller.h"

namespace {

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "lambda-host: " << problem << "\n"
            << "usage: lambda-host --plan FILE [--host 127.0.0.1] [--port N]\n"
               "         [--dynamodb-endpoint URL] [--dynamodb-streams-endpoint URL]\n"
               "         [--apigateway-endpoint URL] [--clock-offset SECONDS]\n"
               "         [--max-instances N (default 10)] [--ca-file PEM]\n"
               "         [--http-api-endpoint URL] [--tls-cert PEM --tls-key PEM]\n"
               "         [--runtimes-dir DIR (default: " LAMBDA_RUNTIMES_DIR ")]\n";
  std::exit(2);
}

long parse_number(const std::string& flag, const std::string& text, long min, long max) {
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > max) {
    usage(flag + " wants an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
          "], not \"" + text + "\"");
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::string plan_path, host = "127.0.0.1", state_dir;
  long port = 0;
  lambda::HostConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("runs the plan's functions");
    if (i + 1 >= argc) usage(flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--plan")
      plan_path = value;
    else if (flag == "--host")
      host = value;
    else if (flag == "--port")
      port = parse_number(flag, value, 0, 65535);
    else if (flag == "--dynamodb-endpoint")
      config.dynamodb_endpoint = value;
    else if (flag == "--dynamodb-streams-endpoint")
      config.dynamodb_streams_endpoint = value;
    else if (flag == "--apigateway-endpoint")
      config.apigateway_endpoint = value;
    else if (flag == "--clock-offset")
      awsproto::Clock::advance_ms(parse_number(flag, value, -10'000'000'000L, 10'000'000'000L) *
                                  1000);
    else if (flag == "--ca-file")
      config.ca_file = value;
    else if (flag == "--http-api-endpoint")
      config.http_api_endpoint = value;
    else if (flag == "--tls-cert")
      config.tls_cert = value;
    else if (flag == "--tls-key")
      config.tls_key = value;
    else if (flag == "--runtimes-dir")
      config.runtimes_dir = value;
    else if (flag == "--state-dir")
      state_dir = value;
    else if (flag == "--max-instances")
      config.max_instances = static_cast<int>(parse_number(flag, value, 1, 1000));
    else
      usage("unknown flag " + flag);
  }
  if (plan_path.empty()) usage("--plan is required");
  if (!config.ca_file.empty() && !std::ifstream(config.ca_file))
    usage("cannot read --ca-file " + config.ca_file);
  std::ifstream in(plan_path, std::ios::binary);
  if (!in) usage("cannot read " + plan_path);
  std::stringstream text;
  text << in.rdbuf();
  lambda::Plan plan;
  try {
    plan = lambda::parse_plan(text.str());
  } catch (const std::exception& e) {
    std::cerr << "lambda-host: " << e.what() << "\n";
    return 2;
  }
  if (config.tls_cert.empty() != config.tls_key.empty())
    usage("--tls-cert and --tls-key go together");
  // The runtime interface clients of services/lambda/runtimes (the source folder: a build
  // runs the scripts in place).
  if (config.runtimes_dir.empty()) config.runtimes_dir = LAMBDA_RUNTIMES_DIR;
  config.region = plan.region;
  config.account_id = plan.account_id;
  config.websocket_api_ids = plan.websocket_api_ids;
  config.http_api_ids = plan.http_api_ids;
  for (const auto& f : plan.functions) {
    if (f.code_uri.empty()) {
      std::cerr << "lambda: " << f.name << ": a container image, not run here: its invocations "
                << "fail\n";
    } else if (f.runtime.rfind("provided", 0) != 0 && lambda::managed_runtime(f.runtime).empty()) {
      std::cerr << "lambda: " << f.name << ": runtime " << f.runtime
                << " is run as a custom runtime (its bootstrap in " << f.code_uri << ")\n";
    }
  }

  // The main thread waits for these; every other thread (and no child) has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  try {
    lambda::InvokeApi api(plan, config);
    lambda::HttpServer server(
        lambda::HttpServerOptions{host, static_cast<uint16_t>(port), 16u << 20},
        [&api](const lambda::HttpRequest& request) { return api.handle(request); });
    // Stream mappings start once the Invoke API is up; their batches go to the same pools.
    triggers::PollerOptions options;
    options.streams_endpoint = !config.dynamodb_streams_endpoint.empty()
                                   ? config.dynamodb_streams_endpoint
                                   : config.dynamodb_endpoint;
    options.region = plan.region;
    options.credentials = {"ASIALOCALLAMBDAHOST00", "local-lambda-host-secret-access-key",
                           "local-lambda-host-session-token"};
    options.state_dir = state_dir;
    std::unique_ptr<triggers::Poller> poller;
    if (!plan.mappings.empty()) {
      if (options.streams_endpoint.empty()) {
        throw std::invalid_argument(
            "the plan has stream mappings: --dynamodb-endpoint (or "
            "--dynamodb-streams-endpoint) is required");
      }
      poller = std::make_unique<triggers::Poller>(
          plan.mappings, options,
          [&api](const std::string& function, const std::string& payload) {
            auto result = api.invoke_function(function, payload);
            if (!result) return triggers::InvokeOutcome{false, false, ""};
            return triggers::InvokeOutcome{true, result->function_error, result->payload};
          },
          [](const std::string& line) { std::cerr << "lambda: " << line << std::endl; });
      poller->start();
    }
    std::cerr << "lambda: listening on " << host << ":" << server.port() << " ("
              << plan.functions.size() << " functions)" << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    std::cerr << "lambda: stopping" << std::endl;
    // The stream pollers first: a batch in flight finishes and its checkpoint is saved.
    if (poller) poller->stop();
    // Instances first: that ends the invocations the Invoke API's connections wait for.
    api.shutdown();
    server.stop();
  } catch (const std::exception& e) {
    std::cerr << "lambda-host: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
