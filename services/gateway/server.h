// The gateway's server: one port for WebSocket upgrades, the @connections management API and
// the plane's clock, and one for HTTP APIs. Sockets are spread over a few I/O threads (an
// io_context each), a socket on one thread for its whole life; functions run on the Invoker's
// workers and their results are posted back to the thread that asked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/config.h"
#include "gateway/invoker.h"

namespace gateway {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  // The HTTP APIs' port. Unset: a free port when the plan has HTTP APIs, none otherwise.
  std::optional<uint16_t> http_port;
  Plan plan;
  InvokerOptions invoker;
  // PEM files of the server certificate (services/pki makes them): with them every port also
  // speaks TLS (wss://, https://), told apart from plain text by the client's first bytes.
  std::string tls_cert_file, tls_key_file;
  // API Gateway's quotas:
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html
  size_t max_message_bytes = 128 * 1024;
  size_t max_frame_bytes = 32 * 1024;
  int64_t idle_timeout_ms = 600'000;    // 10 minutes
  int64_t max_lifetime_ms = 7'200'000;  // 2 hours
  // Bytes of frames queued for one client beyond the one being written. A client that lets
  // more pile up is closed (1001, "Going away") and later posts to it get 410.
  size_t send_queue_bytes = 1u << 20;
  // Messages of one connection whose route invocation has not answered yet. One more is not
  // invoked: the client gets the "Too Many Requests" frame (API Gateway's throttling answer,
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-protect.html;
  // AWS throttles per account and stage, a laptop per connection) and the connection stays
  // open, so that one client's flood cannot queue the functions' work without end.
  size_t max_pending_messages = 100;
  // Threads running the sockets' handlers (0: one a core, at most 4). With one, every post to
  // @connections and every client frame wait for each other.
  int io_threads = 0;
};

// Listens, logs "gateway: HTTP APIs on HOST:PORT" (when it serves HTTP APIs) and then
// "gateway: listening on HOST:PORT" on stderr, serves until SIGINT or SIGTERM,
// then closes every connection with 1001 ("Going away"), fires their $disconnect and waits for
// those invocations. Returns the exit code.
int run_server(const ServerOptions& options);

}  // namespace gateway
