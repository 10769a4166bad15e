// Calls functions through the Lambda host's Invoke API on a pool of worker threads, each with
// its own keep-alive client (awsproto::HttpClient is synchronous), so that no I/O thread ever
// waits for a function.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "awsproto/sigv4.h"

namespace awsproto {
class HttpClient;
}

namespace gateway {

struct InvokeResult {
  bool ok = false;              // false: Lambda unreachable, an HTTP error, or X-Amz-Function-Error
  std::string payload;          // the function's result (ok), or its error payload (function_error)
  bool function_error = false;  // the function ran and failed (X-Amz-Function-Error)
  std::string error;            // why not (for the log)
  bool timed_out = false;       // no answer within the integration timeout
};

// What a proxy integration's result says: {"statusCode": 200, "body": "..."}. A result that is
// not an object, or has no statusCode, counts as 200 with no body.
struct ProxyResult {
  int status_code = 200;
  std::optional<std::string> body;  // only a string body is sent on
};
ProxyResult parse_proxy_result(std::string_view payload);

struct InvokerOptions {
  std::string endpoint;  // http://127.0.0.1:P
  std::string region = "us-east-1";
  awsproto::Credentials credentials;
  int workers = 8;
  // API Gateway's integration timeout: 29 s by default (TimeoutInMillis, 50 to 29,000 ms).
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
  std::chrono::milliseconds timeout{29'000};
};

class Invoker {
 public:
  using Callback = std::function<void(InvokeResult)>;
  explicit Invoker(InvokerOptions options);
  ~Invoker();  // drains the queue, then joins the workers
  Invoker(const Invoker&) = delete;
  Invoker& operator=(const Invoker&) = delete;

  // Queues a RequestResponse invocation; `done` runs on a worker thread. `timeout` (when not
  // zero) replaces the integration timeout for this call (an HTTP API route's TimeoutInMillis).
  void invoke(std::string function, std::string payload, Callback done,
              std::chrono::milliseconds timeout = {});
  // The same, ahead of every invocation queued with invoke(): $disconnect, which must not wait
  // behind a flood of messages (and runs however many are queued).
  void invoke_first(std::string function, std::string payload, Callback done);
  // Waits until every queued invocation has finished, then stops the workers.
  void shutdown();

 private:
  struct Job {
    std::string function, payload;
    Callback done;
    std::chrono::milliseconds timeout{};
  };
  void work();
  InvokeResult call(awsproto::HttpClient& client, const Job& job);

  InvokerOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::deque<Job> first_;  // invoke_first()'s, taken before jobs_
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace gateway
