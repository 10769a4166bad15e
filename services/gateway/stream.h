// A connection's byte stream: plain TCP, or TLS on the same socket. The gateway serves ws://
// and wss:// (http:// and https://) on one port: the first bytes a client sends tell which
// (a TLS ClientHello starts with 0x16), and a session only ever sees a Stream. Holds Asio types:
// include it from the server's sources only (through internal.h).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <utility>

namespace gateway {

class Stream {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;

  using tls_type = boost::asio::ssl::stream<socket_type>;

  explicit Stream(socket_type socket) : socket_(std::move(socket)) {}
  Stream(Stream&&) = default;  // the TLS state is on the heap: moving keeps it valid
  Stream& operator=(Stream&&) = default;

  // From now on bytes go through TLS, which takes the socket over (the server's side of the
  // handshake is still to be run with tls()->async_handshake).
  void use_tls(boost::asio::ssl::context& context) {
    tls_ = std::make_unique<tls_type>(std::move(socket_), context);
  }
  tls_type* tls() { return tls_.get(); }
  bool secure() const { return tls_ != nullptr; }

  socket_type& socket() { return tls_ ? tls_->next_layer() : socket_; }
  executor_type get_executor() { return socket().get_executor(); }

  // The AsyncReadStream / AsyncWriteStream requirements, for handlers (not completion tokens
  // that return a value): what Beast's and Asio's composed operations call.
  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }
  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

  // Ends the connection without TLS's close_notify (as when a peer goes away): every caller of
  // this is done with the connection, and waiting for the peer's answer would hold the socket.
  void close() {
    boost::system::error_code ignored;
    socket().shutdown(socket_type::shutdown_both, ignored);
    socket().close(ignored);
  }

 private:
  socket_type socket_;  // moved into tls_ once TLS is on
  std::unique_ptr<tls_type> tls_;
};

}  // namespace gateway
