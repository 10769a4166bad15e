#include "awsproto/json_client.h"

#include <gtest/gtest.h>

#include <boost/crc.hpp>
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
  std::string crc32;  // "" none, "ok" the body's, else this value
  std::string retry_after;
};

// Answers each request with the next of `answers` (the last one again when they run out), and
// keeps what it received.
struct Scripted {
  std::vector<Answer> answers;
  std::vector<http::request<http::string_body>> received;
  TestServer server{[this](TestServer& s, tcp::socket& socket, int) {
    http::request<http::string_body> request;
    while (s.read(socket, request)) {
      received.push_back(request);
      const Answer& a = answers[std::min(received.size(), answers.size()) - 1];
      http::response<http::string_body> response(static_cast<http::status>(a.status), 11);
      response.set("Content-Type", "application/x-amz-json-1.0");
      response.body() = a.body;
      if (a.crc32 == "ok") {
        boost::crc_32_type crc;
        crc.process_bytes(a.body.data(), a.body.size());
        response.set("x-amz-crc32", std::to_string(crc.checksum()));
      } else if (!a.crc32.empty()) {
        response.set("x-amz-crc32", a.crc32);
      }
      if (!a.retry_after.empty()) response.set("x-amz-retry-after", a.retry_after);
      s.write(socket, response);
    }
  }};
};

struct Fixture {
  Scripted& scripted;
  JsonClient client;
  std::vector<milliseconds> slept;

  explicit Fixture(Scripted& s, JsonClientOptions options = {})
      : scripted(s),
        client(s.server.url(), "eu-west-1", {"AKID", "SECRET", "TOKEN"}, std::move(options)) {
    client.retrier().set_sleep([this](milliseconds d) { slept.push_back(d); });
    client.retrier().set_random([] { return 0.5; });
  }
};

constexpr const char* kThrottled =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",)"
    R"("message":"The level of configured provisioned throughput for the table was exceeded."})";

TEST(JsonClient, SendsASignedJson10Request) {
  Scripted s{{{200, R"({"Item":{"pk":{"S":"a"}}})", "ok", ""}}};
  Fixture f(s);
  rapidjson::Document out = f.client.call("DynamoDB_20120810.GetItem", R"({"TableName":"t"})");
  EXPECT_EQ(get_string(out["Item"], "pk"), "a");
  ASSERT_EQ(s.received.size(), 1u);
  const auto& r = s.received[0];
  EXPECT_EQ(r.method(), http::verb::post);
  EXPECT_EQ(r.target(), "/");
  EXPECT_EQ(r["X-Amz-Target"], "DynamoDB_20120810.GetItem");
  EXPECT_EQ(r["Content-Type"], "application/x-amz-json-1.0");
  EXPECT_EQ(r["X-Amz-Security-Token"], "TOKEN");
  std::string auth(r["Authorization"]);
  EXPECT_NE(auth.find("Credential=AKID/"), std::string::npos) << auth;
  EXPECT_NE(auth.find("/eu-west-1/dynamodb/aws4_request"), std::string::npos) << auth;
  EXPECT_EQ(r.body(), R"({"TableName":"t"})");
  EXPECT_EQ(f.client.last_attempts(), 1);
  EXPECT_TRUE(f.slept.empty());
}

TEST(JsonClient, ServiceErrorsAreAwsErrorsWithTheShortType) {
  Scripted s{{{400,
               R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
               R"("message":"The conditional request failed","Item":{"n":{"N":"1"}}})",
               "ok", ""}}};
  Fixture f(s);
  try {
    f.client.call("DynamoDB_20120810.PutItem", "{}");
    FAIL() << "expected an AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.type(), "ConditionalCheckFailedException");
    EXPECT_EQ(e.message(), "The conditional request failed");
    ASSERT_NE(e.item(), nullptr);
    EXPECT_EQ(get_int(*e.item(), "n"), 1);
    EXPECT_TRUE(e.cancellation_reasons().empty());
  }
  EXPECT_EQ(s.received.size(), 1u);  // never retried
  EXPECT_TRUE(f.slept.empty());
}

TEST(JsonClient, TransactionCanceledCarriesItsReasonsAndIsNotRetried) {
  Scripted s{{{400,
               R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
               R"("Message":"Transaction cancelled, please refer cancellation reasons for )"
               R"(specific reasons [None, ConditionalCheckFailed, TransactionConflict]",)"
               R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed",)"
               R"("Message":"The conditional request failed","Item":{"pk":{"S":"b"}}},)"
               R"({"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"},)"
               R"(7]})",
               "ok", ""}}};
  Fixture f(s);
  try {
    f.client.call("DynamoDB_20120810.TransactWriteItems", "{}");
    FAIL() << "expected an AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.type(), "TransactionCanceledException");
    EXPECT_NE(e.message().find("[None, ConditionalCheckFailed, TransactionConflict]"),
              std::string::npos);
    const auto& reasons = e.cancellation_reasons();
    ASSERT_EQ(reasons.size(), 4u);
    EXPECT_EQ(reasons[0].code, "None");
    EXPECT_EQ(reasons[0].item, nullptr);
    EXPECT_EQ(reasons[1].code, "ConditionalCheckFailed");
    EXPECT_EQ(reasons[1].message, "The conditional request failed");
    ASSERT_NE(reasons[1].item, nullptr);
    EXPECT_EQ(get_string(*reasons[1].item, "pk"), "b");
    EXPECT_EQ(reasons[2].code, "TransactionConflict");
    EXPECT_EQ(reasons[3].code, "");  // not an object: kept, so the indexes stay the items'
  }
  EXPECT_EQ(s.received.size(), 1u);
}

TEST(JsonClient, RetriesThrottlingWithBackoffThenSucceeds) {
  Scripted s{{{400, kThrottled, "ok", ""}, {400, kThrottled, "ok", ""}, {200, "{}", "ok", ""}}};
  Fixture f(s);
  f.client.call("DynamoDB_20120810.PutItem", "{}");
  EXPECT_EQ(s.received.size(), 3u);
  EXPECT_EQ(f.client.last_attempts(), 3);
  // Throttling: base 1 s, times rand (0.5 here).
  EXPECT_EQ(f.slept, (std::vector<milliseconds>{milliseconds(500), milliseconds(1000)}));
  // Each attempt is signed again (the same date within a second, a new signature otherwise).
  EXPECT_FALSE(s.received[2]["Authorization"].empty());
}

TEST(JsonClient, GivesUpAfterFourAttempts) {
  Scripted s{{{500,
               R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
               R"("message":"Internal server error"})",
               "", ""}}};
  Fixture f(s);
  try {
    f.client.call("DynamoDB_20120810.Query", "{}");
    FAIL() << "expected an AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.status(), 500);
    EXPECT_EQ(e.type(), "InternalServerError");
  }
  EXPECT_EQ(s.received.size(), 4u);
  // Transient, DynamoDB: base 25 ms.
  EXPECT_EQ(f.slept,
            (std::vector<milliseconds>{milliseconds(12), milliseconds(25), milliseconds(50)}));
}

TEST(JsonClient, HonoursRetryAfterAndMaxAttempts) {
  Scripted s{{{503, "", "", "400"}, {200, "{}", "", ""}}};
  JsonClientOptions options;
  options.retry = RetryPolicy::dynamodb().with_max_attempts(2);
  Fixture f(s, options);
  f.client.call("DynamoDB_20120810.Scan", "{}");
  EXPECT_EQ(f.slept, (std::vector<milliseconds>{milliseconds(400)}));

  Scripted always{{{503, "", "", ""}}};
  Fixture g(always, options);
  EXPECT_THROW(g.client.call("DynamoDB_20120810.Scan", "{}"), AwsError);
  EXPECT_EQ(always.received.size(), 2u);
}

TEST(JsonClient, ADamagedAnswerIsRetriedAndThenAnError) {
  Scripted s{{{200, R"({"Count":1})", "12345", ""}, {200, R"({"Count":2})", "ok", ""}}};
  Fixture f(s);
  EXPECT_EQ(f.client.call("DynamoDB_20120810.Scan", "{}")["Count"].GetInt(), 2);
  EXPECT_EQ(s.received.size(), 2u);

  Scripted bad{{{200, R"({"Count":1})", "12345", ""}}};
  Fixture g(bad);
  try {
    g.client.call("DynamoDB_20120810.Scan", "{}");
    FAIL() << "expected an HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::Protocol);
    EXPECT_NE(std::string(e.what()).find("CRC32"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bad.received.size(), 4u);

  // Streams: no CRC32 check.
  JsonClientOptions streams;
  streams.check_crc32 = false;
  Scripted unchecked{{{200, R"({"Count":1})", "12345", ""}}};
  Fixture h(unchecked, streams);
  EXPECT_EQ(h.client.call("DynamoDBStreams_20120810.GetRecords", "{}")["Count"].GetInt(), 1);
}

TEST(JsonClient, AnAnswerThatIsNotJsonIsAProtocolError) {
  Scripted s{{{200, "<html>", "", ""}}};
  Fixture f(s);
  try {
    f.client.call("DynamoDB_20120810.Scan", "{}");
    FAIL() << "expected an HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::Protocol);
  }
  EXPECT_EQ(s.received.size(), 1u);
}

TEST(JsonClient, RetriesWhenNoAnswerCame) {
  uint16_t port;
  {
    boost::asio::io_context ioc;
    tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  JsonClient client("http://127.0.0.1:" + std::to_string(port), "us-east-1", {"A", "S", ""});
  std::vector<milliseconds> slept;
  client.retrier().set_sleep([&](milliseconds d) { slept.push_back(d); });
  try {
    client.call("DynamoDB_20120810.ListTables", "{}");
    FAIL() << "expected an HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::Connect);
  }
  EXPECT_EQ(client.last_attempts(), 4);
  EXPECT_EQ(slept.size(), 3u);
}

TEST(JsonClient, NoAttemptStartsThatCouldEndAfterTheAnswerTime) {
  TestServer silent([](TestServer& s, tcp::socket& socket, int) {
    http::request<http::string_body> request;
    while (s.read(socket, request)) {
    }
  });
  JsonClientOptions options;
  options.http.connect_timeout = milliseconds(100);
  options.http.io_timeout = milliseconds(200);
  JsonClient client(silent.url(), "us-east-1", {"A", "S", ""}, options);
  client.retrier().set_sleep([](milliseconds) {});
  using Clock = std::chrono::steady_clock;
  auto fails_with = [&](Clock::time_point answer_by) -> std::string {
    try {
      client.call("DynamoDB_20120810.GetItem", "{}", answer_by);
    } catch (const HttpError& e) {
      EXPECT_EQ(e.kind(), HttpError::Kind::Timeout);
      return e.what();
    }
    ADD_FAILURE() << "expected an HttpError";
    return {};
  };

  // Room for one attempt (300 ms), not for a second one after its 200 ms timeout.
  std::string one = fails_with(Clock::now() + milliseconds(450));
  EXPECT_NE(one.find("no time left for attempt 2"), std::string::npos) << one;
  EXPECT_EQ(silent.requests(), 1);

  // No room at all: nothing is sent.
  std::string none = fails_with(Clock::now() + milliseconds(250));
  EXPECT_NE(none.find("no time left for attempt 1"), std::string::npos) << none;
  EXPECT_EQ(silent.requests(), 1);

  // No answer time: every attempt runs into its timeout.
  fails_with(Clock::time_point::max());
  EXPECT_EQ(silent.requests(), 5);
}

TEST(JsonClient, FromTheEnvironment) {
  Env env;
  env.region = "ap-south-1";
  env.service_endpoint_urls["DYNAMODB"] = "http://127.0.0.1:1";
  env.service_endpoint_urls["DYNAMODB_STREAMS"] = "http://127.0.0.1:2/streams";
  env.max_attempts = 7;
  JsonClient ddb = JsonClient::dynamodb(env);
  EXPECT_EQ(ddb.http().endpoint().port, 1);
  EXPECT_EQ(ddb.retrier().policy().max_attempts, 7);
  EXPECT_EQ(ddb.retrier().policy().transient_base, milliseconds(25));
  JsonClient streams = JsonClient::dynamodb_streams(env);
  EXPECT_EQ(streams.http().endpoint().port, 2);
  EXPECT_EQ(streams.http().endpoint().base_path, "/streams");
  Env aws;
  aws.region = "eu-central-1";
  EXPECT_EQ(JsonClient::dynamodb(aws).http().endpoint().host,
            "dynamodb.eu-central-1.amazonaws.com");
  EXPECT_EQ(JsonClient::dynamodb_streams(aws).http().endpoint().host,
            "streams.dynamodb.eu-central-1.amazonaws.com");
  EXPECT_EQ(JsonClient::dynamodb(aws).retrier().policy().max_attempts, 4);
}

}  // namespace
}  // namespace awsproto
