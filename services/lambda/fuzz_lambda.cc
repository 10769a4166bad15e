// libFuzzer target over the Lambda host's parsers of bytes that arrive on a socket or from a
// file: the first byte picks the parser, the rest is its input. Anything but a value or the
// parser's documented error (a crash, a hang, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "awsproto/encoding.h"
#include "lambda/http_server.h"
#include "lambda/instance.h"
#include "lambda/invoke_api.h"
#include "lambda/plan.h"

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
    default: lambda::percent_decode(text); break;
  }
  return 0;
}
