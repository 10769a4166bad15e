// libFuzzer target over the Lambda host's parsers of bytes that arrive on a socket or from a
// file: the first byte picks the parser, the rest is its input. Anything but a value or the
// parser's documented error (a crash, a hang, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "awsproto/encoding.h"
#include "lambda/http_server.h"
#include "lambda/instance.h"
#include "lambda/invoke_api.h"
#include "lambda/plan.h"

namespace {

// "METHOD PATH?QUERY\nheader: value\n...\n\nbody": a request to the Invoke API (the event's
// payload checked as JSON, X-Amz-Client-Context decoded, the function name and qualifier
// resolved, GetFunction, the clock). An invocation is made a DryRun, which checks all of that
// and starts no instance.
void invoke_request(std::string_view text) {
  static const lambda::Plan plan = [] {
    lambda::Plan p;
    lambda::FunctionSpec f;
    f.name = "fn";
    f.arn = "arn:aws:lambda:us-east-1:123456789012:function:fn";
    f.runtime = "provided.al2023";
    f.handler = "bootstrap";
    f.code_uri = "/nonexistent";
    p.functions.push_back(f);
    return p;
  }();
  static const lambda::HostConfig host;
  static lambda::InvokeApi api(plan, host);
  lambda::HttpRequest request;
  size_t end = text.find("\n\n");
  std::string_view head = text.substr(0, end);
  size_t line_end = head.find('\n');
  std::string_view line = head.substr(0, line_end);
  size_t space = line.find(' ');
  request.method = std::string(line.substr(0, space));
  std::string_view target = space == std::string_view::npos ? "" : line.substr(space + 1);
  request.path = std::string(target.substr(0, target.find('?')));
  if (auto q = target.find('?'); q != std::string_view::npos) request.query = target.substr(q + 1);
  bool typed = false;
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 1);
    line_end = head.find('\n');
    std::string_view h = head.substr(0, line_end);
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(h.substr(0, colon)), value(h.substr(colon + 1));
    if (name == "X-Amz-Invocation-Type") {
      typed = true;
      if (value == "RequestResponse" || value == "Event") value = "DryRun";
    }
    request.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!typed) request.headers.emplace_back("X-Amz-Invocation-Type", "DryRun");
  if (end != std::string_view::npos) request.body = text.substr(end + 2);
  lambda::HttpResponse response = api.handle(request);
  if (response.status < 200 || response.status > 599) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: try { lambda::parse_plan(text);
      } catch (const std::invalid_argument&) {
      }
      break;
    case 1: lambda::parse_function_name(lambda::percent_decode(text)); break;
    case 2:
      if (auto decoded = awsproto::base64_decode(text)) {
        if (awsproto::base64_decode(awsproto::base64_encode(*decoded)) != *decoded)
          __builtin_trap();
      }
      break;
    case 3: {
      size_t space = text.find(' ');
      lambda::parse_runtime_route(text.substr(0, space),
                                  space == std::string_view::npos ? "" : text.substr(space + 1));
      break;
    }
    default:
      // A first byte of 0x80 and above (4 mod 5): the Invoke API; below it, percent-decoding.
      if (data[0] & 0x80) {
        invoke_request(text);
      } else {
        lambda::percent_decode(text);
      }
      break;
  }
  return 0;
}
