// One execution environment of a function: a child process running the function's bootstrap,
// and the Runtime API it polls, on a port of its own (AWS_LAMBDA_RUNTIME_API=127.0.0.1:P).
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
//
// An instance runs one invocation at a time (invoke() blocks until the runtime posts a response
// or an error, the process exits, or the deadline passes on awsproto::Clock). After a timeout,
// an init error or an exit the instance is dead (alive() false) and its owner replaces it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "lambda/environment.h"
#include "lambda/plan.h"

namespace lambda {

class HttpServer;
struct HttpRequest;
struct HttpResponse;

struct Invocation {
  std::string request_id;
  std::string payload;
  std::string client_context;    // Lambda-Runtime-Client-Context (the caller's, decoded)
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity
  std::string trace_id;          // Lambda-Runtime-Trace-Id
};

struct InvocationResult {
  bool function_error = false;  // X-Amz-Function-Error: Unhandled
  std::string payload;
  std::string log_tail;  // the invocation's last 4 KB of log, START to REPORT
};

// X-Amz-Log-Type: Tail returns this much of the log (base64 in X-Amz-Log-Result).
constexpr size_t kLogTailBytes = 4096;

// Lambda's limit on a synchronous response: 6 MB plus 100 bytes of framing, as the Runtime API
// enforces it (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
constexpr size_t kMaxResponseBytes = 6 * 1024 * 1024 + 100;

// A Runtime API request's route. Pure (bytes in, struct out), for fuzzing.
struct RuntimeRoute {
  enum class Kind { Unknown, Next, Response, Error, InitError } kind = Kind::Unknown;
  std::string request_id;  // Response and Error: percent-decoded
  bool method_allowed = false;
};
RuntimeRoute parse_runtime_route(std::string_view method, std::string_view path);

class Instance {
 public:
  // Starts the Runtime API server and the process. Never throws for a missing or unusable
  // bootstrap: the first invoke() then reports Runtime.InvalidEntrypoint, as Lambda does.
  Instance(const FunctionSpec& spec, const HostConfig& host);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  InvocationResult invoke(const Invocation& invocation);
  // Kills the process (host shutdown); a running invoke() returns Runtime.ExitError.
  void terminate();
  bool alive() const;
  pid_t pid() const { return pid_; }
  uint16_t runtime_api_port() const;

 private:
  InvocationResult await_outcome(const Invocation& invocation, std::string& status);
  // Writes a line of this instance's log (prefixed, on the host's stderr) and keeps it for the
  // running invocation's tail.
  void log_line(const std::string& request_id, const std::string& line);
  // The REPORT line's Max Memory Used: /proc/<pid>/status, read at most once a second (the
  // kernel's cost of writing that file was a tenth of the host's CPU under load).
  long read_max_memory_mb();
  void drain_logs();
  HttpResponse handle(const HttpRequest& request);
  HttpResponse next();
  HttpResponse post_result(const std::string& request_id, const HttpRequest& request, bool error);
  void spawn();
  void pump_logs(int out_fd, int err_fd);
  void wait_for_exit();
  void kill_locked();
  std::string exit_description_locked() const;

  const FunctionSpec& spec_;
  const HostConfig& host_;
  std::unique_ptr<HttpServer> server_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  pid_t pid_ = -1;
  std::string spawn_error_;  // why the bootstrap could not start
  bool exited_ = false;
  int wait_status_ = 0;
  bool killed_ = false;
  bool stopping_ = false;
  std::optional<std::string> init_error_;  // the body of POST /runtime/init/error
  bool initialised_ = false;               // the runtime has asked for an invocation
  std::optional<Invocation> pending_;      // waiting for GET /next
  std::string current_id_;                 // handed to the runtime, no result yet
  std::string last_id_;                    // the last invocation that got its result
  std::optional<InvocationResult> result_;
  int64_t deadline_ms_ = 0;
  std::chrono::steady_clock::time_point spawned_at_, dispatched_at_;
  std::optional<double> init_duration_ms_;  // spawn to the first GET /next
  bool init_reported_ = false;              // in the first REPORT line
  bool collecting_ = false;                 // an invocation is running: keep its log lines
  std::string log_tail_;
  int out_fd_ = -1, err_fd_ = -1;  // the log pipes, while open
  bool log_busy_ = false;          // the log thread is between a read and its output
  long memory_mb_ = 0;             // the last VmHWM read, and when
  std::chrono::steady_clock::time_point memory_read_at_;

  std::thread log_thread_, wait_thread_;
};

}  // namespace lambda
