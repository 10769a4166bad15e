// The HTTP/1.1 keep-alive front end: DynamoDB's JSON protocol on POST /, routed by
// X-Amz-Target to the operation registry. Beast stays inside server.cc.
#pragma once

#include <functional>
#include <string>

#include "api/call.h"

namespace http {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 0;
  std::string cors;      // allowed origins, "" for no CORS
  bool shared_db = false;
  bool noop = false;     // benchmark ceiling: answer every POST with {} and do nothing
};

// Serves until SIGINT or SIGTERM. `on_listening` gets the bound port (useful with port 0).
void serve(const Options& o, api::Services& services, std::function<void(int)> on_listening);

}  // namespace http
