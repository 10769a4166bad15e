#include "awsproto/connections.h"

#include <gtest/gtest.h>

#include <vector>

#include "awsproto/test_server.h"

namespace awsproto {
namespace {

namespace http = boost::beast::http;
using testsupport::TestServer;
using tcp = boost::asio::ip::tcp;
using std::chrono::milliseconds;

struct Answer {
  int status;
  std::string body;
  std::string error_type;  // x-amzn-ErrorType
};

struct Scripted {
  std::vector<Answer> answers;
  std::vector<http::request<http::string_body>> received;
  TestServer server{[this](TestServer& s, tcp::socket& socket, int) {
    http::request<http::string_body> request;
    while (s.read(socket, request)) {
      received.push_back(request);
      const Answer& a = answers[std::min(received.size(), answers.size()) - 1];
      http::response<http::string_body> response(static_cast<http::status>(a.status), 11);
      response.body() = a.body;
      if (!a.error_type.empty()) response.set("x-amzn-ErrorType", a.error_type);
      s.write(socket, response);
    }
  }};

  ConnectionsClient client(std::vector<milliseconds>* slept = nullptr) {
    ConnectionsClient c(server.url() + "/prod", "us-west-2", {"AKID", "SECRET", ""});
    c.retrier().set_random([] { return 0.5; });
    c.retrier().set_sleep([slept](milliseconds d) {
      if (slept) slept->push_back(d);
    });
    return c;
  }
};

TEST(Connections, PostsTheDataSignedForExecuteApiWithTheIdEncoded) {
  Scripted s{{{200, "", ""}}};
  ConnectionsClient c = s.client();
  ConnectionResult r = c.post_to_connection("L0SM9cOFvHcCIhw=", R"({"msg":"hi"})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.http_status, 200);
  ASSERT_EQ(s.received.size(), 1u);
  const auto& req = s.received[0];
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/prod/@connections/L0SM9cOFvHcCIhw%3D");
  EXPECT_EQ(req.body(), R"({"msg":"hi"})");
  std::string auth(req["Authorization"]);
  EXPECT_NE(auth.find("/us-west-2/execute-api/aws4_request"), std::string::npos) << auth;
}

TEST(Connections, GoneIsAResultAndIsNotRetried) {
  Scripted s{{{410, R"({"message":null})", "GoneException"}}};
  std::vector<milliseconds> slept;
  ConnectionsClient c = s.client(&slept);
  ConnectionResult r = c.post_to_connection("abc=", "x");
  EXPECT_TRUE(r.gone());
  EXPECT_EQ(r.http_status, 410);
  EXPECT_EQ(r.error_type, "GoneException");
  EXPECT_EQ(s.received.size(), 1u);
  EXPECT_TRUE(slept.empty());
  // Without the header, from the status alone.
  Scripted bare{{{410, "", ""}}};
  EXPECT_TRUE(bare.client().delete_connection("abc=").gone());
}

TEST(Connections, OtherErrorsCarryTypeAndMessage) {
  Scripted s{{{413, R"({"message":"Message too long"})", "PayloadTooLargeException"},
              {403, R"({"__type":"ForbiddenException","message":"Forbidden"})", ""}}};
  ConnectionsClient c = s.client();
  ConnectionResult big = c.post_to_connection("a", std::string(200000, 'x'));
  EXPECT_EQ(big.status, ConnectionResult::Status::Error);
  EXPECT_EQ(big.http_status, 413);
  EXPECT_EQ(big.error_type, "PayloadTooLargeException");
  EXPECT_EQ(big.message, "Message too long");
  ConnectionResult forbidden = c.get_connection("a");
  EXPECT_EQ(forbidden.status, ConnectionResult::Status::Error);
  EXPECT_EQ(forbidden.error_type, "ForbiddenException");
  EXPECT_EQ(forbidden.message, "Forbidden");
  EXPECT_EQ(s.received.size(), 2u);
}

TEST(Connections, ThrottlingAndServerErrorsAreRetried) {
  Scripted s{{{429, R"({"message":"Too Many Requests"})", "LimitExceededException"},
              {500, R"({"message":"Internal server error"})", "InternalServerErrorException"},
              {200, "", ""}}};
  std::vector<milliseconds> slept;
  ConnectionsClient c = s.client(&slept);
  EXPECT_TRUE(c.post_to_connection("a", "x").ok());
  EXPECT_EQ(s.received.size(), 3u);
  // Throttling: 1 s base; then transient, 50 ms base, second retry.
  EXPECT_EQ(slept, (std::vector<milliseconds>{milliseconds(500), milliseconds(50)}));

  Scripted down{{{503, "", ""}}};
  ConnectionResult r = down.client().delete_connection("a");
  EXPECT_EQ(r.status, ConnectionResult::Status::Error);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(down.received.size(), 3u);
}

TEST(Connections, ManyPostsGoInOnePipelineAndWhatARetryCouldChangeGoesAgainAlone) {
  Scripted s{{{200, "", ""},
              {410, "{}", "GoneException"},
              {500, R"({"message":"Internal server error"})", "InternalServerErrorException"},
              {403, R"({"message":"Forbidden"})", "ForbiddenException"},
              {200, "", ""}}};
  ConnectionsClient c = s.client();
  auto results = c.post_to_connections({{"a", "1"}, {"b=", "2"}, {"c", "3"}, {"d", "4"}});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].gone());
  EXPECT_TRUE(results[2].ok());  // the 500, posted again
  EXPECT_EQ(results[3].status, ConnectionResult::Status::Error);
  EXPECT_EQ(results[3].http_status, 403);
  EXPECT_EQ(results[3].error_type, "ForbiddenException");
  ASSERT_EQ(s.received.size(), 5u);
  std::vector<std::string> order;
  for (const auto& r : s.received) order.emplace_back(r.target());
  EXPECT_EQ(order, (std::vector<std::string>{"/prod/@connections/a", "/prod/@connections/b%3D",
                                             "/prod/@connections/c", "/prod/@connections/d",
                                             "/prod/@connections/c"}));
  for (const auto& r : s.received) {
    EXPECT_NE(std::string(r["Authorization"]).find("/us-west-2/execute-api/aws4_request"),
              std::string::npos);
  }
  EXPECT_EQ(s.received[3].body(), "4");
  EXPECT_EQ(c.http().connections_opened(), 1);

  // The pipelined request is the first of the standard 3 attempts, not one more.
  Scripted down{{{503, "", ""}}};
  auto failed = down.client().post_to_connections({{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(failed[0].http_status, 503);
  EXPECT_EQ(failed[1].status, ConnectionResult::Status::Error);
  EXPECT_EQ(down.received.size(), 6u);  // 2 pipelined, then 2 more attempts each
}

TEST(Connections, GetConnectionReadsTheAnswer) {
  Scripted s{{{200,
               R"({"connectedAt":"2024-05-01T12:00:00.123Z","identity":{"sourceIp":"192.0.2.1",)"
               R"("userAgent":"websockets/10.4"},"lastActiveAt":"2024-05-01T12:00:05.000Z"})",
               ""},
              {200, "not json", ""}}};
  ConnectionsClient c = s.client();
  GetConnectionResult r = c.get_connection("id=");
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.info.connected_at, "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(r.info.last_active_at, "2024-05-01T12:00:05.000Z");
  EXPECT_EQ(r.info.source_ip, "192.0.2.1");
  EXPECT_EQ(r.info.user_agent, "websockets/10.4");
  EXPECT_EQ(s.received[0].method(), http::verb::get);
  GetConnectionResult bad = c.get_connection("id=");
  EXPECT_EQ(bad.status, ConnectionResult::Status::Error);
  EXPECT_NE(bad.message.find("not a JSON object"), std::string::npos);
}

TEST(Connections, NoAnswerIsAnErrorWithStatusZero) {
  uint16_t port;
  {
    boost::asio::io_context ioc;
    tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  ConnectionsClient c("http://127.0.0.1:" + std::to_string(port) + "/prod", "us-east-1",
                      {"A", "S", ""});
  c.retrier().set_sleep([](milliseconds) {});
  ConnectionResult r = c.post_to_connection("a", "x");
  EXPECT_EQ(r.status, ConnectionResult::Status::Error);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_NE(r.message.find("cannot connect"), std::string::npos) << r.message;
}

// An endpoint that takes requests and never answers: without a time to answer by, each post
// costs every attempt's timeout; with one, no attempt starts that could end after it.
TEST(Connections, NoAttemptStartsThatCouldEndAfterTheAnswerTime) {
  TestServer silent([](TestServer& s, tcp::socket& socket, int) {
    http::request<http::string_body> request;
    while (s.read(socket, request)) {
    }
  });
  HttpClientOptions http;
  http.connect_timeout = milliseconds(100);
  http.io_timeout = milliseconds(200);
  ConnectionsClient c(silent.url() + "/prod", "us-east-1", {"A", "S", ""}, http);
  c.retrier().set_sleep([](milliseconds) {});
  using Clock = std::chrono::steady_clock;

  // Room for one attempt (300 ms), not for a second one after its 200 ms timeout.
  ConnectionResult r = c.post_to_connection("a", "x", Clock::now() + milliseconds(450));
  EXPECT_EQ(r.status, ConnectionResult::Status::Error);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_NE(r.message.find("no time left for attempt 2"), std::string::npos) << r.message;
  EXPECT_EQ(silent.requests(), 1);

  // No room at all: nothing is sent.
  ConnectionResult none = c.post_to_connection("a", "x", Clock::now() + milliseconds(250));
  EXPECT_NE(none.message.find("no time left for attempt 1"), std::string::npos) << none.message;
  EXPECT_EQ(silent.requests(), 1);

  // No answer time: every attempt runs into its timeout.
  ConnectionResult all = c.post_to_connection("a", "x");
  EXPECT_EQ(all.http_status, 0);
  EXPECT_EQ(silent.requests(), 4);
}

TEST(Connections, TheEndpointComesFromTheEventUnlessTheVariableIsSet) {
  rapidjson::Document event;
  event.Parse(R"({"requestContext":{"domainName":"abc123.execute-api.us-east-1.amazonaws.com",)"
              R"("stage":"prod","connectionId":"x="}})");
  Env env;
  EXPECT_EQ(ConnectionsClient::endpoint_for_event(env, event),
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod");
  env.service_endpoint_urls["APIGATEWAYMANAGEMENTAPI"] = "http://127.0.0.1:3001";
  EXPECT_EQ(ConnectionsClient::endpoint_for_event(env, event), "http://127.0.0.1:3001/prod");
  env.service_endpoint_urls["APIGATEWAYMANAGEMENTAPI"] = "http://127.0.0.1:3001/";
  EXPECT_EQ(ConnectionsClient::endpoint_for_event(env, event), "http://127.0.0.1:3001/prod");
  env.service_endpoint_urls["APIGATEWAYMANAGEMENTAPI"] = "https://gw.example/dev";
  EXPECT_EQ(ConnectionsClient::endpoint_for_event(env, event), "https://gw.example/dev");
  // The general AWS_ENDPOINT_URL is not the gateway's.
  Env general;
  general.endpoint_url = "http://127.0.0.1:8000";
  EXPECT_EQ(ConnectionsClient::endpoint_for_event(general, event),
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod");
  rapidjson::Document empty;
  empty.Parse("{}");
  EXPECT_THROW(ConnectionsClient::endpoint_for_event(Env{}, empty), std::invalid_argument);
  rapidjson::Document not_object;
  not_object.Parse("[1]");
  EXPECT_THROW(ConnectionsClient::endpoint_for_event(Env{}, not_object), std::invalid_argument);
}

}  // namespace
}  // namespace awsproto
