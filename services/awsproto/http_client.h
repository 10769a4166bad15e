// A keep-alive HTTP/1.1 client for AWS endpoints (Boost.Beast behind a pimpl, so that this header
// stays cheap). Synchronous: request() blocks until the whole response is read.
//
// Plain http:// only for now (the emulator and local stand-ins); an https:// endpoint is refused
// at construction with a clear message rather than sent in clear text.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "awsproto/sigv4.h"

namespace awsproto {

// "http://127.0.0.1:8000/prod" -> {scheme "http", host "127.0.0.1", port 8000, base_path "/prod"}.
// AWS allows a path in a configured endpoint URL (an API Gateway stage, for instance); requests
// go to base_path + their own path, which the caller joins before signing (see join_path).
struct Endpoint {
  std::string scheme, host;
  uint16_t port = 0;
  std::string base_path;  // "" or "/a/b" (no trailing '/')

  // The Host header: the port is left out when it is the scheme's default, as the SDKs do.
  std::string host_header() const;
  // base_path + path ("/prod" + "/@connections/x").
  std::string join_path(std::string_view path) const;
};

// Throws std::invalid_argument for anything but scheme://host[:port][/path] with scheme http
// or https. IPv6 literals are written in brackets ("http://[::1]:8000").
Endpoint parse_endpoint(std::string_view url);

struct Response {
  int status = 0;
  Headers headers;
  std::string body;

  // The first header of that name, compared case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const;
};

class HttpError : public std::runtime_error {
 public:
  // Tls: the handshake failed (an untrusted certificate, one for another name, a server that
  // does not speak TLS); the message says which.
  enum class Kind { Connect, Timeout, Io, Protocol, Tls };
  HttpError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{2000};  // name resolution and TCP connect
  std::chrono::milliseconds io_timeout{10000};      // writing the request and reading the reply
  size_t max_body_bytes = 64u << 20;
  // https: the PEM file of the CAs to trust. Empty: the file in AWS_CA_BUNDLE when that is set
  // (what the AWS SDKs read; the Lambda host sets it to the plane's bundle), else OpenSSL's
  // default paths (the system's store; SSL_CERT_FILE and SSL_CERT_DIR replace it).
  std::string ca_file;
};

// One TCP connection, reused across calls; not safe for concurrent use (one client per thread,
// or per Lambda instance). An https endpoint speaks TLS 1.2 or 1.3 (OpenSSL), with SNI, and the
// server's certificate must chain to a trusted CA (see HttpClientOptions::ca_file) and name the
// endpoint's host (a DNS name, or the IP address for an IP literal); otherwise the request
// fails with HttpError::Kind::Tls. The trust store is loaded when the client is made (a file
// that cannot be read is std::invalid_argument there). A server closes idle keep-alive connections
// whenever it likes; a request on a reused connection that fails before any byte of its reply
// arrived (the write fails, or the read meets end-of-stream or a reset) is therefore sent once
// more, on a new connection. Only then: a request that got part of a reply, or a timeout, is never
// resent. A server that acted on a request and died before replying would see it twice, so requests
// that must not repeat should be conditional (DynamoDB's ConditionExpression) or idempotent.
class HttpClient {
 public:
  explicit HttpClient(std::string_view endpoint_url, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends the request as given (method, path?query, headers, body), adding Host when missing,
  // Content-Length, and User-Agent when missing. Throws HttpError; an HTTP error status is not
  // an exception.
  Response request(const Request& request);

  // One request's outcome in request_all(): its response, or the failure that left it without
  // one.
  struct Answer {
    std::optional<Response> response;
    std::optional<HttpError> error;
  };
  // HTTP/1.1 pipelining (RFC 9112, 9.3.2): the requests written back to back in one write, the
  // responses read in order, so that many small calls to one endpoint cost one round trip. An
  // answer for each request, in order. A reused connection that fails before the first
  // response's first byte is tried once more on a new one, as request() does; after a response
  // has come, a failure (or a server that closes the connection) leaves the requests not yet
  // answered with an error, never resent here: the server may have acted on them. Over TLS the
  // requests go one after the other.
  std::vector<Answer> request_all(const std::vector<Request>& requests);
  // Whether request_all() pipelines (plain HTTP) or sends one request after another (TLS).
  bool pipelines() const;

  const Endpoint& endpoint() const;
  using TimePoint = std::chrono::steady_clock::time_point;
  // Why attempt number `attempt` of a call, started now, could end after `answer_by` (an
  // attempt is bounded by the connect and I/O timeouts together): the message of a call that
  // gives up rather than start it. nullopt when it fits, always for TimePoint::max().
  std::optional<std::string> no_time_for(int attempt, TimePoint answer_by) const;
  // TCP connections opened so far, TLS handshakes included (for tests and metrics).
  int connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace awsproto
