#include "gateway/tls.h"

#include <openssl/err.h>

#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <stdexcept>

namespace gateway {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> server_tls_context(const std::string& cert_file,
                                                 const std::string& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("cannot use certificate " + cert_file + ": " + ec.message());
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw std::runtime_error("key " + key_file + " does not match certificate " + cert_file);
  }
  return context;
}

namespace {

// One connection's first step; owns the stream until it is handed on.
struct Opening : std::enable_shared_from_this<Opening> {
  Opening(Stream::socket_type socket, ssl::context* context, StreamReady ready)
      : stream(std::move(socket)),
        context(context),
        ready(std::move(ready)),
        timer(stream.get_executor()) {}

  void start(std::chrono::milliseconds timeout) {
    timer.expires_after(timeout);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->stream.close();  // whatever is pending fails and the opening ends
    });
    if (!context) return finish();
    boost::beast::async_detect_ssl(
        stream.socket(), buffer,
        [self = shared_from_this()](boost::system::error_code ec, bool tls) {
          if (ec) {
            self->timer.cancel();
          } else if (tls) {
            self->handshake();
          } else {
            self->finish();
          }
        });
  }

  void handshake() {
    stream.use_tls(*context);
    stream.tls()->async_handshake(
        ssl::stream_base::server, buffer.data(),
        [self = shared_from_this()](boost::system::error_code ec, size_t used) {
          if (ec) {
            self->timer.cancel();
            return self->stream.close();
          }
          self->buffer.consume(used);
          self->finish();
        });
  }

  void finish() {
    timer.cancel();
    ready(std::move(stream), std::move(buffer));
  }

  Stream stream;
  ssl::context* context;
  StreamReady ready;
  net::steady_timer timer;
  boost::beast::flat_buffer buffer;
};

}  // namespace

void start_stream(Stream::socket_type socket, ssl::context* context,
                  std::chrono::milliseconds timeout, StreamReady ready) {
  std::make_shared<Opening>(std::move(socket), context, std::move(ready))->start(timeout);
}

}  // namespace gateway
