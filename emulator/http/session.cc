#include "http/session.h"

#include "http/request_parser.h"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace ddb::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session : public Exchange, public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, Handler& handler) : socket_(std::move(socket)), handler_(handler) {}

  void start() { read(); }

  void respond(Response r) override {
    head_.clear();
    render_head(request(), cors_origin_, r, keep_alive_, head_);
    out_ = std::move(r.body);
    if (request().method == Method::Head) out_.clear();  // the header says what a GET would get
    write();
  }

  void dispatch(std::function<void()> fn) override {
    net::post(socket_.get_executor(), std::move(fn));
  }

 private:
  // The header first, so that a client waiting on "Expect: 100-continue" can be told to go
  // on; the parser is eager, so a body that came with the header is parsed with it.
  void read() {
    parser_.emplace(body_, handler_.needs_all_headers());
    parser_->body_limit(kMaxBody);
    parser_->header_limit(kMaxHeader);
    parser_->eager(true);
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec || parser_->is_done()) return on_read(ec);
    // HTTP/1.0 clients get no interim response (RFC 9110 10.1.1).
    if (!parser_->expect_continue || request().version < 11) return read_body();
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return;
                       self->read_body();
                     });
  }

  void read_body() {
    bhttp::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {  // a request line or header too long: 400, closed
      keep_alive_ = false;
      return respond(header_too_large());
    }
    if (ec && ec != bhttp::error::body_limit) {
      socket_.shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    cors_origin_ = handler_.allowed_origin(request());
    if (ec) {  // the body is over the limit: refused unread, and the connection ends
      keep_alive_ = false;
      return respond(too_large());
    }
    keep_alive_ = parser_->keep_alive();
    handler_.handle(request(), body_, shared_from_this());
  }

  const Request& request() const { return parser_->request; }

  // Writes header and body in one call, then reads the next request or ends the connection.
  void write() {
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(out_)};
    net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      if (!self->keep_alive_) {
        self->socket_.shutdown(tcp::socket::shutdown_send, ec);
        self->drain(0);
        return;
      }
      self->read();
    });
  }

  // After the last response, reads and drops what the client still sends (the rest of a
  // refused 16 MB body, pipelined requests) until it closes: closing a socket with unread
  // data resets the connection, which can destroy the response before the client reads it.
  void drain(size_t dropped) {
    constexpr size_t kMaxDrain = 32 * 1024 * 1024;
    if (dropped > kMaxDrain) return;
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this(), dropped](beast::error_code ec, size_t n) {
                              if (!ec) self->drain(dropped + n);
                            });
  }

  Socket socket_;
  Handler& handler_;
  beast::flat_buffer buffer_;
  std::string body_;  // the request body, reused from request to request
  std::optional<RequestParser> parser_;
  std::string head_, out_;  // the response being written
  bool keep_alive_ = true;
  std::string cors_origin_;
};

}  // namespace

void start_session(Socket socket, Handler& handler) {
  std::make_shared<Session>(std::move(socket), handler)->start();
}

}  // namespace ddb::http
