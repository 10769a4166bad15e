// libFuzzer target for the HTTP layer: the sessions' request parser over raw bytes, then what
// the handler does with a parsed request before any operation runs: the Content-Encoding
// decoder (bounded by the request limit), the Authorization header's shape and the SigV4
// check against a fixed key pair. The first byte picks the input's kind: 'g' and 'd' feed the
// rest to the gzip and deflate decoders directly (a fuzzer seldom builds a valid compressed
// stream inside an HTTP request), anything else is a whole request. Nothing here may crash,
// hang, or produce more than the limit. Built by scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/decode.h"
#include "http/request_parser.h"
#include "http/signature.h"

using namespace ddb::http;  // a fuzz target is a program of its own

namespace {

constexpr size_t kLimit = 1 << 20;  // smaller than the server's, so that bombs are met fast

void check_decoded(std::string_view encodings, std::string_view body) {
  std::string out;
  Decoded d = decode_body(encodings, body, kLimit, out);
  if (d == Decoded::Ok && out.size() > kLimit) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 'g') return check_decoded("gzip", in), 0;
  if (data[0] == 'd') return check_decoded("deflate", in), 0;

  std::string body;
  RequestParser parser(body, true);
  parser.body_limit(kLimit);
  parser.header_limit(16 * 1024);
  parser.eager(true);
  beast::error_code ec;
  size_t used = 0;
  while (used < in.size() && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(in.data() + used, in.size() - used), ec);
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (n == 0) break;
    }
    if (ec) return 0;
    used += n;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  const Request& req = parser.request;
  if (!req.content_encoding.empty()) check_decoded(req.content_encoding, body);
  bool has_date = req.has_date;
  if (check_authorization(req.authorization, true, has_date)) return 0;
  KeyPairs keys{{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};
  SignedRequest signed_request{"POST", req.target, &req.headers, body};
  // 2015-08-30T12:36:00Z, the date of AWS's signature examples.
  (void)verify_signature(signed_request, req.authorization, keys, 1440938160000);
  (void)parse_request_date(req.authorization);
  return 0;
}
