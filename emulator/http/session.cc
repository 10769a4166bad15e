#include "http/session.h"

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

Method method_of(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::Get;
    case bhttp::verb::post: return Method::Post;
    case bhttp::verb::options: return Method::Options;
    default: return Method::Other;
  }
}

// An HTTP/1.1 request parser that keeps only what the emulator reads: the request line, the
// few headers it routes on, and the body (Content-Length or chunked). Beast does the parsing;
// nothing is allocated per header.
class RequestParser : public bhttp::basic_parser<true> {
 public:
  // `body` is the session's buffer, reused from request to request; one that grew past
  // 1 MB (a large batch) is given back rather than kept for the connection's lifetime.
  explicit RequestParser(std::string& body) : body_(body) {
    if (body_.capacity() > (1u << 20))
      std::string().swap(body_);
    else
      body_.clear();
  }

  Request request;
  bool expect_continue = false;  // "Expect: 100-continue": the client waits for a go-ahead

 private:
  void on_request_impl(bhttp::verb m, beast::string_view, beast::string_view t, int v,
                       beast::error_code&) override {
    request.method = method_of(m);
    request.target.assign(t.data(), t.size());
    request.version = v;
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field name, beast::string_view name_text, beast::string_view value,
                     beast::error_code&) override {
    std::string* into = nullptr;
    switch (name) {
      case bhttp::field::authorization: into = &request.authorization; break;
      case bhttp::field::origin: into = &request.origin; break;
      case bhttp::field::access_control_request_headers:
        into = &request.cors_request_headers;
        break;
      case bhttp::field::expect: expect_continue = beast::iequals(value, "100-continue"); break;
      case bhttp::field::unknown:
        if (beast::iequals(name_text, "X-Amz-Target")) into = &request.amz_target;
        break;
      default: break;
    }
    if (into) into->assign(value.data(), value.size());
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    if (length) body_.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view data, beast::error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view data, beast::error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  std::string& body_;
};

class Session : public Exchange, public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, Handler& handler) : socket_(std::move(socket)), handler_(handler) {}

  void start() { read(); }

  void respond(Response r) override {
    head_.clear();
    render_head(request(), cors_origin_, r, keep_alive_, head_);
    out_ = std::move(r.body);
    write();
  }

  void dispatch(std::function<void()> fn) override {
    net::post(socket_.get_executor(), std::move(fn));
  }

 private:
  // The header first, so that a client waiting on "Expect: 100-continue" can be told to go
  // on; the parser is eager, so a body that came with the header is parsed with it.
  void read() {
    parser_.emplace(body_);
    parser_->body_limit(kMaxBody);
    parser_->header_limit(64 * 1024);
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
