// The Lambda Runtime API loop for our own C++ functions (Runtime: provided.al2023): fetch the
// next invocation, run the handler, post its response, or post Lambda's error payload when it
// throws. Works against real Lambda and against the plane's Lambda host alike.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
//
//   int main() {
//     return runtime::serve([](const runtime::Invocation& in) { return in.event; });
//   }
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace runtime {

struct Invocation {
  std::string request_id;        // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;       // Lambda-Runtime-Deadline-Ms (Unix epoch milliseconds)
  std::string function_arn;      // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;          // Lambda-Runtime-Trace-Id (also set as _X_AMZN_TRACE_ID)
  std::string client_context;    // Lambda-Runtime-Client-Context, when the caller sent one
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity, likewise
  std::string event;             // the event, JSON text as the caller sent it

  // Milliseconds left before the deadline, by this machine's clock.
  int64_t remaining_ms() const;
};

// Throw this from a handler to choose the errorType Lambda reports; any other exception is
// reported with its C++ type name ("std::runtime_error") as the errorType.
class FunctionError : public std::runtime_error {
 public:
  FunctionError(std::string type, const std::string& message)
      : std::runtime_error(message), type_(std::move(type)) {}
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

// Returns the response body: JSON text (a string result must be quoted by the handler).
using Handler = std::function<std::string(const Invocation&)>;

struct ServeOptions {
  // host:port of the Runtime API; empty: $AWS_LAMBDA_RUNTIME_API.
  std::string runtime_api;
  // Stop after this many invocations (tests); negative: never.
  int max_invocations = -1;
};

// Runs invocations until the Runtime API tells the runtime to exit (a 500 from /next, which
// Lambda documents as "the runtime should exit promptly") or cannot be reached. Returns the
// process exit status to use: 0 after max_invocations, 1 otherwise.
int serve(const Handler& handler, const ServeOptions& options = {});

// Reports a failed initialisation (POST /runtime/init/error); call it instead of serve() when
// the function cannot start. Returns false when the Runtime API did not accept the report.
bool report_init_error(std::string_view type, std::string_view message,
                       const ServeOptions& options = {});

// Lambda's error format: {"errorMessage":...,"errorType":...,"stackTrace":[]}.
std::string error_payload(std::string_view type, std::string_view message);

}  // namespace runtime
