// The socket-free half of the HTTP front end: one parsed request in, one response out.
// Routing (X-Amz-Target to the operation registry), the caller's table namespace, CORS, the
// health line, the clock endpoint and the response header all live here, so that they can be
// tested without a socket; session.cc only moves bytes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/call.h"
#include "http/signature.h"

namespace ddb::http {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 0;
  std::string cors;  // allowed origins, "" for no CORS
  bool shared_db = false;
  bool noop = false;  // benchmark ceiling: answer every POST with {} and do nothing
  // Check each request's SigV4 signature against `keys` (--verify-signatures); otherwise any
  // access key is accepted and only the Authorization header's shape is checked.
  bool verify_signatures = false;
  KeyPairs keys;
};

enum class Method { Get, Post, Options, Head, Other };

// What the handler reads of a request: the request line and the few headers it routes on.
struct Request {
  Method method = Method::Other;
  std::string target;
  int version = 11;  // 10 or 11
  std::string amz_target, authorization, origin, cors_request_headers;
  std::string content_type, content_encoding;
  bool has_date = false;  // an X-Amz-Date or Date header came
  // Every header, names in lower case, repeated ones joined with ',': kept only when the
  // signatures are verified.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Response {
  int status = 200;
  // The request's JSON content type (application/x-amz-json-1.0, or application/json when the
  // request used that), else text/plain. Every response has x-amzn-RequestId, x-amz-crc32 and
  // Date.
  bool json = true;
  std::string body;
};

// The connection a request came on, as the handler needs it.
class Exchange {
 public:
  virtual ~Exchange() = default;
  // The response to the current request; called once per request, on the connection's thread.
  virtual void respond(Response r) = 0;
  // Runs `fn` on the connection's thread (a write's reply is rendered there once durable).
  virtual void dispatch(std::function<void()> fn) = 0;
};

// DynamoDB's answer to a body over its 16 MB limit, refused before it is read.
constexpr size_t kMaxBody = 16 * 1024 * 1024;
Response too_large();

// The request line and headers together: past this, DynamoDB's front end answers a bare 400
// (a 17,000-character URL is refused so, not read: ScyllaDB's test_manual_requests.py, run
// against DynamoDB). SDK requests, session tokens included, stay far below it.
constexpr size_t kMaxHeader = 16 * 1024;
Response header_too_large();

class Handler {
 public:
  Handler(const Options& o, api::Services& services) : options_(o), services_(services) {}

  // Answers `req` with body `body` through `exchange`, at once or (writes) once durable.
  void handle(const Request& req, std::string_view body, const std::shared_ptr<Exchange>& exchange);

  // The Origin to allow in the response's CORS fields, "" for none.
  std::string allowed_origin(const Request& req) const;

  // Whether requests must carry all their headers (for the signature check).
  bool needs_all_headers() const { return options_.verify_signatures; }

 private:
  Response clock_endpoint(const Request& req, std::string_view body);

  const Options& options_;
  api::Services& services_;
};

// The response header: status line, Content-Type, CORS fields for `cors_origin`, request id,
// CRC-32 of the body, Date (of the emulator's clock), Content-Length and Connection, ending in
// an empty line. Appended to `out`.
void render_head(const Request& req, std::string_view cors_origin, const Response& r,
                 bool keep_alive, std::string& out);

// The caller as the Authorization header names it: access key and region of the credential
// scope ("AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request, ..."),
// read by awsproto::parse_authorization.
struct Caller {
  std::string access_key, region;
};
std::optional<Caller> caller_of(std::string_view authorization);

}  // namespace ddb::http
