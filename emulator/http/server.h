// The HTTP/1.1 keep-alive front end: DynamoDB's JSON protocol on POST /, routed by
// X-Amz-Target to the operation registry. listener -> session -> handler, as Beast's example
// servers are split; only handler.cc knows DynamoDB.
#pragma once

#include <functional>

#include "http/handler.h"

namespace ddb::http {

// Serves until SIGINT or SIGTERM. `on_listening` gets the bound port (useful with port 0).
void serve(const Options& o, api::Services& services, std::function<void(int)> on_listening);

}  // namespace ddb::http
