// A small threaded HTTP/1.1 server for the Lambda host's two APIs (the Invoke API and each
// instance's Runtime API). One thread per connection, synchronous Beast behind this header: a
// Runtime API connection blocks in GET /next for as long as the instance is idle, which is what
// a thread per connection expresses most plainly. Connections are few (one per instance, plus
// the callers of Invoke).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsproto/encoding.h"

namespace lambda {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string path;   // percent-encoded, without the query
  std::string query;  // without '?'
  HeaderList headers;
  std::string body;

  // The first header of that name, compared case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: a free port
  // Bodies larger than this are refused with a bare 413 before the handler sees them. Set it
  // above the API's own limit so that the handler can answer with the API's error format.
  size_t max_body_bytes = 16u << 20;
  // Connections served at once (each holds a thread). One more is answered 503 and closed, so
  // a caller that opens connections without end cannot exhaust the host's threads.
  size_t max_connections = 1024;
};

class HttpServer {
 public:
  // Binds and listens at once (throws std::runtime_error when it cannot), then serves on its
  // own threads until stop() or destruction.
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // Closes the listening socket and every open connection, then joins the threads. A handler
  // still running (a GET /next waiting for work) must be released by its owner first.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "%3A" -> ":" (awsproto/encoding.h), for function names and request ids in paths.
using awsproto::percent_decode;

}  // namespace lambda
