// TLS beside plain text on the gateway's ports: the server certificate (services/pki makes it)
// and the first step of every accepted connection, which tells a TLS client from a plain one
// and runs the handshake for the former. Holds Asio types: include it from the server's
// sources only.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "gateway/stream.h"

namespace gateway {

// A server context with the certificate chain and key (PEM files); TLS 1.2 and later. Throws
// std::runtime_error naming the file OpenSSL refused.
std::shared_ptr<boost::asio::ssl::context> server_tls_context(const std::string& cert_file,
                                                              const std::string& key_file);

// Waits for the client's first bytes; a TLS ClientHello (and a context to answer it with) gets
// the handshake, anything else is plain. Then `ready` gets the stream and the bytes already
// read past the handshake. A client that fails the handshake or says nothing for `timeout` is
// dropped without a call.
using StreamReady = std::function<void(Stream, boost::beast::flat_buffer)>;
void start_stream(Stream::socket_type socket, boost::asio::ssl::context* context,
                  std::chrono::milliseconds timeout, StreamReady ready);

}  // namespace gateway
