// The Authorization header: its shape (checked always, as DynamoDB checks it) and, with
// --verify-signatures, the SigV4 signature itself against a set of key pairs. Every refusal is
// a 400 with the __type and message DynamoDB sends; the order of the checks is DynamoDB's
// (recorded in dynalite's index.js and in its tests of the live service).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb::http {

struct AuthError {
  std::string type;  // "com.amazon.coral.service#IncompleteSignatureException", ...
  std::string message;
};

// Access key id -> secret access key.
using KeyPairs = std::map<std::string, std::string, std::less<>>;

// What the verifier reads of a request. Header names in lower case, repeated headers joined
// with ','; `body` is the body as sent (before any Content-Encoding is undone).
struct SignedRequest {
  std::string_view method = "POST";
  std::string_view target = "/";  // path and query, as on the request line
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;
};

// No Authorization header, or one that does not start with "AWS4-":
// MissingAuthenticationTokenException. Then the header's parameters: Credential, Signature and
// SignedHeaders present (and, when verifying, an X-Amz-Date or Date header), and a credential
// of five slash-separated parts: IncompleteSignatureException.
std::optional<AuthError> check_authorization(std::string_view authorization, bool verifying,
                                             bool has_date);

// The signature check proper (after check_authorization passed): the date's format and its
// 15 minutes either side of `now_ms`, Host signed, the algorithm, the credential scope
// (region, service "dynamodb", terminator, date), the access key, the signature. The
// X-Amz-Security-Token of temporary credentials is signed like any header; its value is not
// checked.
std::optional<AuthError> verify_signature(const SignedRequest& request,
                                          std::string_view authorization, const KeyPairs& keys,
                                          int64_t now_ms);

// The signature (lower-case hex) the request should carry, signed with `secret` for the
// credential scope and date the request names (X-Amz-Date, else Date): AWS's canonical request
// over exactly the headers SignedHeaders lists, the payload hash of `body`. Empty when the
// Authorization header or the date cannot be read.
std::string expected_signature(const SignedRequest& request, std::string_view authorization,
                               std::string_view secret);

// "20150830T123600Z" <-> seconds since the epoch; also reads an HTTP date (RFC 9110 5.6.7).
std::optional<int64_t> parse_request_date(std::string_view value);
std::string format_basic_date(int64_t seconds);

// Reads "ACCESS_KEY_ID:SECRET" lines (blank lines and '#' comments skipped) into `keys`;
// throws std::invalid_argument naming the first bad line.
void parse_key_pairs(std::string_view text, std::string_view origin, KeyPairs& keys);

}  // namespace ddb::http
