#include "awsproto/http_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "awsproto/test_server.h"

namespace awsproto {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using testsupport::TestServer;
using namespace std::chrono_literals;

Request post(std::string path, std::string body) {
  Request r;
  r.method = "POST";
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

TEST(HttpClient, ReusesOneConnection) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) { s.echo(socket, c); });
  HttpClient client(server.url());
  for (int i = 0; i < 20; ++i) {
    Response r = client.request(post("/", "body " + std::to_string(i)));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "body " + std::to_string(i));
    EXPECT_EQ(r.header("x-connection"), "0");
  }
  EXPECT_EQ(server.accepts(), 1);
  EXPECT_EQ(server.requests(), 20);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpClient, SendsTheRequestAsGiven) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) { s.echo(socket, c); });
  HttpClient client(server.url());
  Request r = post("/2015-03-31/functions/fn/invocations", "{}");
  r.query = "Qualifier=v%201";
  r.headers = {{"X-Custom", "a  b"}};
  Response response = client.request(r);
  EXPECT_EQ(response.header("X-ECHO-METHOD"), "POST");
  EXPECT_EQ(response.header("x-echo-target"),
            "/2015-03-31/functions/fn/invocations?Qualifier=v%201");
  EXPECT_EQ(response.header("X-Echo-Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(response.header("X-Echo-Content-Length"), "2");
  EXPECT_EQ(response.header("X-Echo-User-Agent"), "awsproto/1");
  EXPECT_EQ(response.header("X-Echo-X-Custom"), "a  b");
  EXPECT_EQ(response.header("X-Missing"), std::nullopt);

  // A signed request arrives with the headers the signer added.
  Request get;
  get.path = "/@connections/" + uri_encode("abc123=", false);
  get.headers = {{"Host", client.endpoint().host_header()}};
  Signed s = sign(get, {"AKID", "SECRET", ""}, "us-east-1", "execute-api",
                  std::chrono::system_clock::now());
  Response signed_response = client.request(get);
  EXPECT_EQ(signed_response.header("X-Echo-Method"), "GET");
  EXPECT_EQ(signed_response.header("X-Echo-Target"), "/@connections/abc123%3D");
  EXPECT_EQ(signed_response.header("X-Echo-Authorization"), s.authorization);
  EXPECT_EQ(signed_response.header("X-Echo-Content-Length"), std::nullopt);
}

TEST(HttpClient, ErrorStatusIsAResponse) {
  TestServer server([](TestServer& s, tcp::socket& socket, int) {
    http::request<http::string_body> request;
    while (s.read(socket, request)) {
      http::response<http::string_body> response(http::status::bad_request, 11);
      response.set("X-Amzn-ErrorType", "ValidationException");
      response.body() = R"({"message":"nope"})";
      s.write(socket, response);
    }
  });
  HttpClient client(server.url());
  Response r = client.request(post("/", "{}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("x-amzn-errortype"), "ValidationException");
  EXPECT_EQ(r.body, R"({"message":"nope"})");
}

TEST(HttpClient, ReconnectsWhenTheServerClosedTheIdleConnection) {
  // Each connection serves one request, then the server closes it (without saying so first).
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    http::request<http::string_body> request;
    if (s.read(socket, request)) s.answer(socket, request, c);
    s.close(socket);
  });
  HttpClient client(server.url());
  for (int i = 0; i < 5; ++i) {
    Response r = client.request(post("/", std::to_string(i)));
    EXPECT_EQ(r.body, std::to_string(i));
    std::this_thread::sleep_for(10ms);  // lets the close arrive before the next request
  }
  EXPECT_EQ(server.accepts(), 5);
  EXPECT_EQ(server.requests(), 5);
  EXPECT_EQ(client.connections_opened(), 5);
}

TEST(HttpClient, ResendsOnceWhenAReusedConnectionEndsBeforeTheReply) {
  // The first connection answers one request, then reads the second and closes without a byte
  // of reply: the client cannot see this coming, and must send the request again.
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    if (c > 0) return s.echo(socket, c);
    http::request<http::string_body> request;
    if (s.read(socket, request)) s.answer(socket, request, c);
    s.read(socket, request);
    s.close(socket);
  });
  HttpClient client(server.url());
  EXPECT_EQ(client.request(post("/", "first")).header("X-Connection"), "0");
  Response second = client.request(post("/", "second"));
  EXPECT_EQ(second.body, "second");
  EXPECT_EQ(second.header("X-Connection"), "1");
  EXPECT_EQ(server.requests(), 3);  // the second request arrived twice
  EXPECT_EQ(server.accepts(), 2);
  EXPECT_EQ(client.connections_opened(), 2);
}

std::vector<Request> posts(int n, const std::string& prefix) {
  std::vector<Request> out;
  for (int i = 0; i < n; ++i) out.push_back(post("/", prefix + std::to_string(i)));
  return out;
}

TEST(HttpClient, PipelinesTheRequestsAndReadsTheAnswersInOrder) {
  // The server reads all five requests before it answers any: a client that waited for an
  // answer before its next request would time out here.
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    std::vector<http::request<http::string_body>> requests(5);
    for (auto& r : requests) {
      if (!s.read(socket, r)) return;
    }
    for (const auto& r : requests) s.answer(socket, r, c);
    s.echo(socket, c);
  });
  HttpClientOptions options;
  options.io_timeout = 2s;
  HttpClient client(server.url(), options);
  auto answers = client.request_all(posts(5, "p"));
  ASSERT_EQ(answers.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(answers[i].response) << answers[i].error->what();
    EXPECT_EQ(answers[i].response->body, "p" + std::to_string(i));
  }
  // The connection stays for the next call.
  EXPECT_EQ(client.request(post("/", "after")).body, "after");
  EXPECT_EQ(server.accepts(), 1);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpClient, APipelineCutShortLeavesTheRestUnansweredAndDoesNotResendThem) {
  // Two answers, then the connection ends; then one that says Connection: close after one.
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    http::request<http::string_body> request;
    if (c == 0) {
      for (int i = 0; i < 2 && s.read(socket, request); ++i) s.answer(socket, request, c);
      return s.close(socket);
    }
    if (s.read(socket, request)) s.answer(socket, request, c, false);
    s.close(socket);
  });
  HttpClient client(server.url());
  auto answers = client.request_all(posts(4, "a"));
  ASSERT_TRUE(answers[0].response && answers[1].response);
  EXPECT_EQ(answers[1].response->body, "a1");
  for (int i : {2, 3}) {
    ASSERT_FALSE(answers[i].response);
    ASSERT_TRUE(answers[i].error);
  }
  EXPECT_EQ(answers[2].error->kind(), HttpError::Kind::Io);
  EXPECT_EQ(server.accepts(), 1);

  auto closed = client.request_all(posts(3, "b"));
  ASSERT_TRUE(closed[0].response);
  EXPECT_EQ(closed[0].response->header("X-Connection"), "1");
  ASSERT_TRUE(closed[1].error && closed[2].error);
  EXPECT_NE(std::string(closed[1].error->what()).find("after 1 of 3 pipelined answers"),
            std::string::npos)
      << closed[1].error->what();
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HttpClient, APipelineOnAStaleConnectionIsSentAgainOnANewOne) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    if (c > 0) return s.echo(socket, c);
    http::request<http::string_body> request;
    if (s.read(socket, request)) s.answer(socket, request, c);
    s.read(socket, request);
    s.close(socket);  // not a byte of an answer
  });
  HttpClient client(server.url());
  EXPECT_EQ(client.request(post("/", "first")).header("X-Connection"), "0");
  auto answers = client.request_all(posts(3, "s"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(answers[i].response);
    EXPECT_EQ(answers[i].response->body, "s" + std::to_string(i));
    EXPECT_EQ(answers[i].response->header("X-Connection"), "1");
  }
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST(HttpClient, DoesNotResendAfterPartOfAReply) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    if (c > 0) return s.echo(socket, c);
    http::request<http::string_body> request;
    if (s.read(socket, request)) s.answer(socket, request, c);
    if (s.read(socket, request)) {
      s.write_raw(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    }
    s.close(socket);
  });
  HttpClient client(server.url());
  client.request(post("/", "first"));
  try {
    client.request(post("/", "second"));
    FAIL() << "expected an HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::Io);
    EXPECT_NE(std::string(e.what()).find("mid-response"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.requests(), 2);
  // The client recovers on a new connection.
  EXPECT_EQ(client.request(post("/", "third")).body, "third");
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HttpClient, DoesNotResendOnAFreshConnection) {
  TestServer server([](TestServer& s, tcp::socket& socket, int) {
    http::request<http::string_body> request;
    s.read(socket, request);
    s.close(socket);
  });
  HttpClient client(server.url());
  EXPECT_THROW(client.request(post("/", "x")), HttpError);
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(server.accepts(), 1);
}

TEST(HttpClient, ReadsChunkedBodiesAndKeepsTheConnection) {
  TestServer server([](TestServer& s, tcp::socket& socket, int) {
    http::request<http::string_body> request;
    while (s.read(socket, request)) {
      s.write_raw(socket,
                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    }
  });
  HttpClient client(server.url());
  for (int i = 0; i < 3; ++i) {
    Response r = client.request(post("/", ""));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello world");
    EXPECT_EQ(r.header("content-type"), "application/json");
  }
  EXPECT_EQ(server.accepts(), 1);
}

TEST(HttpClient, HeadReplyHasNoBody) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    http::request<http::string_body> request;
    while (s.read(socket, request)) {
      if (request.method() == http::verb::head) {
        s.write_raw(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
      } else {
        s.answer(socket, request, c);
      }
    }
  });
  HttpClient client(server.url());
  Request head;
  head.method = "HEAD";
  Response r = client.request(head);
  EXPECT_EQ(r.header("Content-Length"), "5");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(client.request(post("/", "next")).body, "next");
  // Pipelined too: the HEAD's answer ends at its header, the next one is read after it.
  auto answers = client.request_all({head, post("/", "after"), head});
  ASSERT_TRUE(answers[0].response && answers[1].response && answers[2].response);
  EXPECT_EQ(answers[0].response->body, "");
  EXPECT_EQ(answers[1].response->body, "after");
  EXPECT_EQ(answers[2].response->header("Content-Length"), "5");
  EXPECT_EQ(server.accepts(), 1);
}

TEST(HttpClient, ConnectionCloseResponseEndsTheConnection) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    http::request<http::string_body> request;
    if (s.read(socket, request)) s.answer(socket, request, c, /*keep_alive=*/false);
    s.close(socket);
  });
  HttpClient client(server.url());
  EXPECT_EQ(client.request(post("/", "a")).header("Connection"), "close");
  EXPECT_EQ(client.request(post("/", "b")).body, "b");
  EXPECT_EQ(server.accepts(), 2);
}

TEST(HttpClient, ConnectionRefusedIsAClearError) {
  uint16_t port;
  {
    net::io_context ioc;
    tcp::acceptor probe(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  HttpClient client("http://127.0.0.1:" + std::to_string(port));
  try {
    client.request(post("/", ""));
    FAIL() << "expected an HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::Connect);
    std::string what = e.what();
    EXPECT_NE(what.find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << what;
    EXPECT_NE(what.find("refused"), std::string::npos) << what;
  }
}

TEST(HttpClient, TimesOutWhenTheServerNeverAnswers) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) {
    if (c > 0) return s.echo(socket, c);
    http::request<http::string_body> request;
    s.read(socket, request);
    while (!s.stopping()) {
      boost::system::error_code ec;
      char byte;
      socket.read_some(net::buffer(&byte, 1), ec);  // until the client gives up
      if (ec) break;
    }
  });
  HttpClientOptions options;
  options.io_timeout = 200ms;
  HttpClient client(server.url(), options);
  auto start = std::chrono::steady_clock::now();
  try {
    client.request(post("/", "x"));
    FAIL() << "expected a timeout";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::Timeout);
    EXPECT_NE(std::string(e.what()).find("200 ms"), std::string::npos) << e.what();
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  // The timeout fired, and not before it was due (the upper bound only says it did not hang).
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 30s);
  EXPECT_EQ(server.requests(), 1);
  // The next request goes out on a new connection.
  EXPECT_EQ(client.request(post("/", "after")).body, "after");
  EXPECT_EQ(server.accepts(), 2);
}

TEST(Endpoint, Parses) {
  Endpoint e = parse_endpoint("http://127.0.0.1:8000");
  EXPECT_EQ(e.scheme, "http");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 8000);
  EXPECT_EQ(e.base_path, "");
  EXPECT_EQ(e.host_header(), "127.0.0.1:8000");
  EXPECT_EQ(e.join_path("/"), "/");

  Endpoint stage = parse_endpoint("HTTP://localhost:3001/prod/");
  EXPECT_EQ(stage.scheme, "http");
  EXPECT_EQ(stage.base_path, "/prod");
  EXPECT_EQ(stage.join_path("/@connections/x"), "/prod/@connections/x");
  EXPECT_EQ(stage.join_path(""), "/prod");

  Endpoint aws = parse_endpoint("https://dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(aws.port, 443);
  EXPECT_EQ(aws.host_header(), "dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(parse_endpoint("http://example.com").host_header(), "example.com");

  Endpoint v6 = parse_endpoint("http://[::1]:9000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9000);
  EXPECT_EQ(v6.host_header(), "[::1]:9000");
}

TEST(Endpoint, RejectsMalformed) {
  for (const char* url :
       {"", "127.0.0.1:8000", "ftp://h", "http://", "http://:80", "http://h:", "http://h:0",
        "http://h:65536", "http://h:8x", "http://u@h", "http://h/p?q=1", "http://[::1"}) {
    EXPECT_THROW(parse_endpoint(url), std::invalid_argument) << url;
  }
}

TEST(HttpClient, AnUnreadableCaFileIsRefusedWhenTheClientIsMade) {
  HttpClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  try {
    HttpClient client("https://127.0.0.1:1", options);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot load the CA bundle /nonexistent/ca.pem"),
              std::string::npos)
        << e.what();
  }
  // Plain http never reads it.
  EXPECT_NO_THROW(HttpClient("http://127.0.0.1:1", options));
}

TEST(HttpClient, HttpsToAPlainTextServerIsATlsError) {
  TestServer server([](TestServer& s, tcp::socket& socket, int c) { s.echo(socket, c); });
  HttpClient client("https://127.0.0.1:" + std::to_string(server.port()));
  try {
    client.request(post("/", "x"));
    FAIL() << "expected an HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::Tls);
    EXPECT_NE(std::string(e.what()).find("TLS with 127.0.0.1:" + std::to_string(server.port()) +
                                         " failed"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(server.requests(), 0);
}

}  // namespace
}  // namespace awsproto
