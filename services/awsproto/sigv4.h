// AWS Signature Version 4 (header signing, AWS4-HMAC-SHA256), and the parser the emulator uses
// to read the Authorization header of a request it receives.
//
// What AWS specifies: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// What AWS's SDKs send, which is what services accept: botocore's SigV4Auth and the CRT signer
// that botocore prefers when awscrt is installed (tests/services/test_sigv4_botocore.py checks
// this signer against both on generated DynamoDB, Lambda and API Gateway requests).
//
// Encoding rules implemented (non-S3 services; S3 differs only in the path, see SigningOptions):
//  * Request::path is the path as it goes on the request line, already percent-encoded (build it
//    with uri_encode: "/@connections/" + uri_encode("abc123=", false)). The canonical URI is that
//    path with dot segments and empty segments removed (RFC 3986 5.2.4, plus "//" -> "/"), then
//    URI-encoded once more. A segment is thus encoded twice, as AWS documents ("each path segment
//    must be URI-encoded twice, except for Amazon S3") and as botocore does
//    (quote(normalize_url_path(path), safe='/~') over the already-encoded path). For a connection
//    id "abc123=" the wire path is "/@connections/abc123%3D" and the canonical URI is
//    "/%40connections/abc123%253D". AWS's published test suite gives raw paths ("/example space/")
//    and expects them encoded once ("/example%20space/"): the same rule applied to a path that
//    nobody encoded before.
//  * Request::query is the query string as sent, without '?'. Each name and value is
//    percent-decoded (only %XX; '+' stays a literal '+') and encoded again with the strict rule
//    (unreserved characters A-Z a-z 0-9 - _ . ~ kept, everything else %XX with upper-case hex),
//    then the pairs are sorted by encoded name, then encoded value. For a query encoded the way
//    the SDKs encode it this is the identity; for raw UTF-8 (the suite's get-vanilla-utf8-query)
//    it gives what AWS computes on its side. A pair without '=' signs as "name=", an empty pair
//    ("a=1&&b=2") not at all. botocore's SigV4Auth signs the query text as sent instead; its CRT
//    signer re-encodes like this one: the two differ only on queries the SDKs never send
//    (lower-case hex, '+').
//  * Header names are lower-cased; each value has leading and trailing whitespace removed and
//    runs of ASCII whitespace (space, tab, CR, LF, VT, FF) collapsed to one space (botocore:
//    ' '.join(value.split())); repeated headers are joined with ',' in the order given. Every
//    header is signed except User-Agent, Expect and X-Amzn-Trace-Id (botocore's list: proxies
//    and tracing rewrite them). The HTTP client adds Content-Length and User-Agent after
//    signing, as botocore does.
//  * The payload hash is hex(SHA-256(body)), or the value of an x-amz-content-sha256 header when
//    the request has one (S3's UNSIGNED-PAYLOAD).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace awsproto {

struct Credentials {
  std::string access_key_id, secret_access_key, session_token;  // token empty: long-term keys
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// An HTTP request as it goes on the wire (the HTTP client sends these fields unchanged).
struct Request {
  std::string method = "GET";
  std::string path = "/";  // percent-encoded, as on the request line; see above
  std::string query;       // percent-encoded, without the '?'; empty when there is none
  Headers headers;         // must hold Host before signing
  std::string body;
};

struct SigningOptions {
  // S3's rules for the path: signed exactly as sent, neither normalised nor encoded again.
  bool s3_path = false;
  // Also send and sign x-amz-content-sha256 (S3 requires it; other services ignore it).
  bool add_content_sha256 = false;
};

// The intermediate values of one signature, for tests and for debugging a 403.
struct Signed {
  std::string canonical_request, string_to_sign, signed_headers, signature, authorization;
};

// Signs `request` in place: removes any Authorization and X-Amz-Date (and X-Amz-Security-Token
// when the credentials carry one), then appends X-Amz-Date, X-Amz-Security-Token (when the
// credentials carry one), x-amz-content-sha256 (when asked) and Authorization. `amz_date` is
// "YYYYMMDDTHHMMSSZ" (UTC). Throws std::invalid_argument for a malformed date or a missing Host.
Signed sign(Request& request, const Credentials& credentials, std::string_view region,
            std::string_view service, std::string_view amz_date,
            const SigningOptions& options = {});
Signed sign(Request& request, const Credentials& credentials, std::string_view region,
            std::string_view service, std::chrono::system_clock::time_point when,
            const SigningOptions& options = {});

// "20150830T123600Z" for 2015-08-30 12:36:00 UTC.
std::string format_amz_date(std::chrono::system_clock::time_point when);

// The steps, each as AWS names it.
std::string uri_encode(std::string_view text, bool keep_slash);
std::string canonical_uri(std::string_view path, bool s3_path = false);
std::string canonical_query_string(std::string_view query);
struct CanonicalHeaders {
  std::string text;            // "host:example.amazonaws.com\nx-amz-date:...\n"
  std::string signed_headers;  // "host;x-amz-date"
};
CanonicalHeaders canonical_headers(const Headers& headers);
std::string canonical_request(const Request& request, const SigningOptions& options = {});
std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);  // "20150830/us-east-1/iam/aws4_request"
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
// The 32 raw bytes of HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request").
std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service);
std::string signature(std::string_view signing_key, std::string_view string_to_sign);  // hex

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string hex(std::string_view bytes);                               // lower case

// The fields of "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=abcd".
struct Authorization {
  std::string access_key_id, date, region, service, signed_headers, signature;
};

// Lenient, the way the emulator has always read the header (it picks a table namespace from the
// access key and region, and checks no signature): accepted when it contains "Credential="
// followed by a scope, which ends at the first ',' or ' ', with at least one '/'. The access key
// is what precedes the first '/', the date the second component; region and service are the
// third and fourth, and a scope with fewer than four components has region "us-east-1".
// SignedHeaders= and Signature= are read when present (empty otherwise).
std::optional<Authorization> parse_authorization(std::string_view header_value);

}  // namespace awsproto
