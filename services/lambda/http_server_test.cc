#include "lambda/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <thread>

namespace lambda {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string round_trip(tcp::socket& socket, std::string_view request) {
  net::write(socket, net::buffer(request));
  std::string answer;
  boost::system::error_code ec;
  char chunk[512];
  while (answer.find("\r\n\r\n") == std::string::npos || answer.back() != '}') {
    size_t n = socket.read_some(net::buffer(chunk), ec);
    if (ec) break;
    answer.append(chunk, n);
  }
  return answer;
}

TEST(HttpServer, RefusesConnectionsBeyondTheCapAndServesAgainWhenOneCloses) {
  HttpServer server(HttpServerOptions{"127.0.0.1", 0, 1024, 2}, [](const HttpRequest& r) {
    return HttpResponse{200, {}, "{\"path\":\"" + r.path + "\"}"};
  });
  net::io_context io;
  tcp::endpoint at(net::ip::make_address("127.0.0.1"), server.port());
  const std::string get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

  tcp::socket first(io), second(io), third(io);
  first.connect(at);
  second.connect(at);
  // Both served (and kept alive): the server now holds two connections.
  EXPECT_NE(round_trip(first, get).find("{\"path\":\"/a\"}"), std::string::npos);
  EXPECT_NE(round_trip(second, get).find("{\"path\":\"/a\"}"), std::string::npos);

  third.connect(at);
  std::string refused;
  boost::system::error_code ec;
  net::read(third, net::dynamic_buffer(refused), ec);  // until the server closes it
  EXPECT_EQ(refused.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << refused;
  EXPECT_NE(refused.find("{\"message\":\"too many open connections\"}"), std::string::npos);

  // One closes; a new connection is served (its thread reaped on the next accept).
  first.close();
  for (int attempt = 0; attempt < 50; ++attempt) {
    tcp::socket again(io);
    again.connect(at);
    std::string answer = round_trip(again, get);
    if (answer.find("200 OK") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL() << "no connection was served after one closed";
}

}  // namespace
}  // namespace lambda
