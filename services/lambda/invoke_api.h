// The Lambda Invoke API (POST /2015-03-31/functions/{FunctionName}/invocations), GetFunction,
// the Event queue with Lambda's retries, and the plane's clock endpoint, on one port.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
//
// Requests are not authenticated: any SigV4 signature (or none) is accepted, since the plane
// has no IAM. The service name and region of the signature are not checked either.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lambda/function_pool.h"
#include "lambda/http_server.h"
#include "lambda/plan.h"

namespace lambda {

// Lambda's payload limits: 6 MB for a synchronous request, 1 MB for an Event (raised from
// 256 KB in 2025: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
constexpr size_t kMaxSyncRequestBytes = 6 * 1024 * 1024;
constexpr size_t kMaxAsyncRequestBytes = 1024 * 1024;
// Event invocations that fail are retried twice: one minute, then two minutes after the
// failure (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
constexpr int kAsyncAttempts = 3;
constexpr int64_t kAsyncRetryDelayMs[] = {60'000, 120'000};

struct FunctionRef {
  std::string name;
  std::string qualifier;  // empty when none was given
};

// Parses the {FunctionName} of a request (already percent-decoded): a name, a partial ARN
// (ACCOUNT:function:NAME) or a full ARN, each optionally ending in ":QUALIFIER". Returns
// nullopt for anything else. Pure.
std::optional<FunctionRef> parse_function_name(std::string_view text);

class InvokeApi {
 public:
  InvokeApi(const Plan& plan, const HostConfig& host);
  ~InvokeApi();

  HttpResponse handle(const HttpRequest& request);
  // An invocation from inside the host (a stream mapping's batch), as RequestResponse: it
  // waits for an instance at the cap. nullopt for an unknown function or once shut down.
  std::optional<InvocationResult> invoke_function(const std::string& name,
                                                  const std::string& payload);
  // Stops the Event workers and every instance.
  void shutdown();

 private:
  struct Event {
    FunctionPool* pool;
    Invocation invocation;
    int attempt = 1;
    int64_t due_ms = 0;
  };

  HttpResponse invoke(FunctionPool& pool, const HttpRequest& request,
                      const std::string& request_id);
  HttpResponse get_function(FunctionPool& pool, bool configuration_only,
                            const std::string& request_id);
  HttpResponse clock(const HttpRequest& request);
  FunctionPool* find(const FunctionRef& ref, std::string& error_arn) const;
  void event_worker();

  const HostConfig& host_;
  std::map<std::string, std::unique_ptr<FunctionPool>, std::less<>> pools_;

  std::mutex events_mutex_;
  std::condition_variable events_cv_;
  std::deque<Event> events_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace lambda
