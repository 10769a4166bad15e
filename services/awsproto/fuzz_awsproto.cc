// libFuzzer target over what awsproto reads from a server's answers: error bodies with their
// CancellationReasons and Item (parse_aws_error), GetConnection's body (parse_connection_info),
// and endpoint URLs (parse_endpoint, which reads the environment's AWS_ENDPOINT_URL_*). The
// first byte picks the parser; the rest is its input. Corpus: tests/fuzz/awsproto_corpus.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "awsproto/connections.h"
#include "awsproto/http_client.h"
#include "awsproto/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      awsproto::AwsError e = awsproto::parse_aws_error(400, input);
      for (const auto& r : e.cancellation_reasons()) {
        if (r.item && !r.item->IsObject()) __builtin_trap();
      }
      if (e.item() && !e.item()->IsObject()) __builtin_trap();
      break;
    }
    case 1: {
      // The header's type and the body's.
      size_t cut = input.find('\n');
      std::string_view header = cut == std::string_view::npos ? "" : input.substr(0, cut);
      std::string_view body = cut == std::string_view::npos ? input : input.substr(cut + 1);
      awsproto::parse_aws_error(500, body, header);
      break;
    }
    case 2: {
      awsproto::ConnectionInfo info;
      awsproto::parse_connection_info(input, info);
      break;
    }
    case 3:
      try {
        awsproto::Endpoint e = awsproto::parse_endpoint(input);
        if (e.host.empty() || e.port == 0) __builtin_trap();
        e.join_path("/@connections/x");
        e.host_header();
      } catch (const std::invalid_argument&) {
      }
      break;
  }
  return 0;
}
