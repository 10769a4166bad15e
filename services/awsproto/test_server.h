// The in-process HTTP server of awsproto's unit tests (http_client_test.cc, json_client_test.cc,
// connections_test.cc). Test code only.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace awsproto::testsupport {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A server on 127.0.0.1 (port 0) in a thread, one connection at a time, each handed to `handler`
// with its index. It counts connections and requests (handlers count requests with read()).
class TestServer {
 public:
  using Handler = std::function<void(TestServer&, tcp::socket&, int connection)>;

  explicit TestServer(Handler handler)
      : handler_(std::move(handler)), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }

  ~TestServer() {
    stopping_ = true;
    tcp::socket wake(ioc_);
    boost::system::error_code ec;
    wake.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  int accepts() const { return accepts_; }
  int requests() const { return requests_; }
  bool stopping() const { return stopping_; }

  // Reads one request; false at end of stream or on an error.
  bool read(tcp::socket& socket, http::request<http::string_body>& request) {
    boost::system::error_code ec;
    request = {};
    http::read(socket, buffer_, request, ec);
    if (ec) return false;
    ++requests_;
    return true;
  }

  void write(tcp::socket& socket, http::response<http::string_body>& response) {
    response.prepare_payload();
    boost::system::error_code ec;
    http::write(socket, response, ec);
  }

  void write_raw(tcp::socket& socket, std::string_view bytes) {
    boost::system::error_code ec;
    net::write(socket, net::buffer(bytes.data(), bytes.size()), ec);
  }

  // Answers with what it received: the body echoed, method, target and some headers as
  // X-Echo-* headers, and the connection's index.
  void answer(tcp::socket& socket, const http::request<http::string_body>& request, int connection,
              bool keep_alive = true) {
    http::response<http::string_body> response(http::status::ok, 11);
    response.set("X-Echo-Method", request.method_string());
    response.set("X-Echo-Target", request.target());
    for (const char* name : {"Host", "Content-Length", "User-Agent", "Authorization", "X-Custom"}) {
      if (auto it = request.find(name); it != request.end()) {
        response.set(std::string("X-Echo-") + name, it->value());
      }
    }
    response.set("X-Connection", std::to_string(connection));
    response.keep_alive(keep_alive);
    response.body() = request.body();
    write(socket, response);
  }

  // Serves requests on the connection until the client closes it.
  void echo(tcp::socket& socket, int connection) {
    http::request<http::string_body> request;
    while (read(socket, request)) answer(socket, request, connection);
  }

  void close(tcp::socket& socket) {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

 private:
  void serve() {
    for (int index = 0;; ++index) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_ || ec) return;
      ++accepts_;
      buffer_.clear();
      handler_(*this, socket, index);
    }
  }

  Handler handler_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  beast::flat_buffer buffer_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepts_{0}, requests_{0};
};

}  // namespace awsproto::testsupport
