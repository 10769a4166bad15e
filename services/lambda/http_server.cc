#include "lambda/http_server.h"

#include <sys/socket.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace lambda {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;

  struct Connection {
    tcp::socket socket;
    std::thread thread;
    bool done = false;
  };
  std::mutex mutex;
  std::list<Connection> connections;
  bool stopping = false;

  void accept_loop() {
    for (;;) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec) {
        {
          std::lock_guard lock(mutex);
          if (stopping) return;
        }
        // Out of file descriptors, say: accepting again at once would spin.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      std::lock_guard lock(mutex);
      if (stopping) return;
      reap_locked();
      socket.set_option(tcp::no_delay(true), ec);
      if (connections.size() >= options.max_connections) {
        refuse(socket);
        continue;
      }
      connections.push_back(Connection{std::move(socket), {}, false});
      Connection* connection = &connections.back();
      try {
        connection->thread = std::thread([this, connection] { serve(*connection); });
      } catch (const std::system_error&) {  // no thread to be had: this connection is refused
        connections.pop_back();
      }
    }
  }

  // A connection beyond the cap: a short 503 (written at once: the socket's send buffer holds
  // it), then closed, without a thread.
  static void refuse(tcp::socket& socket) {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Content-Length: 39\r\nConnection: close\r\n\r\n"
        "{\"message\":\"too many open connections\"}";
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    net::write(socket, net::buffer(kBusy), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  // Joins the threads of connections that ended (called with the mutex held).
  void reap_locked() {
    for (auto it = connections.begin(); it != connections.end();) {
      if (it->done) {
        it->thread.join();
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
  }

  void serve(Connection& connection) {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(64 * 1024);
      parser.body_limit(options.max_body_bytes);
      http::read_header(connection.socket, buffer, parser, ec);
      if (!ec && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        // curl and others wait for this before sending a large body.
        http::response<http::empty_body> proceed{http::status::continue_, 11};
        http::write(connection.socket, proceed, ec);
      }
      if (!ec && !parser.is_done()) http::read(connection.socket, buffer, parser, ec);
      if (ec == http::error::body_limit) {
        http::response<http::string_body> too_large{http::status::payload_too_large, 11};
        too_large.set(http::field::connection, "close");
        too_large.prepare_payload();
        http::write(connection.socket, too_large, ec);
        break;
      }
      if (ec) break;
      auto& beast_request = parser.get();
      HttpRequest request;
      request.method = std::string(beast_request.method_string());
      std::string_view target = beast_request.target();
      size_t question = target.find('?');
      request.path = std::string(target.substr(0, question));
      if (question != std::string_view::npos) request.query = target.substr(question + 1);
      for (const auto& field : beast_request) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      request.body = std::move(beast_request.body());
      bool keep_alive = beast_request.keep_alive();

      HttpResponse response;
      try {
        response = handler(request);
      } catch (const std::exception& e) {
        response = HttpResponse{500,
                                {{"Content-Type", "application/json"}},
                                std::string("{\"message\":\"internal error\"}")};
      }
      http::response<http::string_body> out{static_cast<http::status>(response.status), 11};
      bool has_type = false;
      for (const auto& [key, value] : response.headers) {
        if (beast::iequals(key, "Content-Type")) has_type = true;
        out.insert(key, value);
      }
      if (!has_type && !response.body.empty())
        out.set(http::field::content_type, "application/json");
      out.body() = std::move(response.body);
      out.keep_alive(keep_alive);
      out.prepare_payload();
      http::write(connection.socket, out, ec);
      if (ec || !keep_alive) break;
    }
    connection.socket.shutdown(tcp::socket::shutdown_both, ec);
    std::lock_guard lock(mutex);
    connection.done = true;
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  boost::system::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("bad listen address " + impl_->options.host);
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->accept_thread = std::thread([impl = impl_.get()] { impl->accept_loop(); });
}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return;
    impl_->stopping = true;
    boost::system::error_code ec;
    // shutdown() wakes a blocking accept() on Linux; close() alone does not.
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
    for (auto& connection : impl_->connections) {
      connection.socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  for (auto& connection : impl_->connections) {
    if (connection.thread.joinable()) connection.thread.join();
  }
  impl_->connections.clear();
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace lambda
