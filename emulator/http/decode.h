// Content-Encoding of request bodies: SDKs compress large requests with gzip, and DynamoDB also
// takes deflate (the zlib format of RFC 9110 8.4.1.2).
#pragma once

#include <string>
#include <string_view>

namespace ddb::http {

enum class Decoded {
  Ok,        // `out` holds the decoded body
  Bad,       // an unknown coding, or data that is not valid in its coding (an empty body too)
  TooLarge,  // the decoded body would pass `limit` bytes; decoding stopped there
};

// Decodes `body` by the codings of a Content-Encoding value (a comma-separated list, in the
// order they were applied; "identity" is a no-op) into `out`. Never produces more than `limit`
// bytes: a small body that expands past it (a decompression bomb) is stopped at the limit.
// gzip accepts concatenated members (RFC 1952 2.2), as DynamoDB does; deflate one stream.
Decoded decode_body(std::string_view encodings, std::string_view body, size_t limit,
                    std::string& out);

}  // namespace ddb::http
