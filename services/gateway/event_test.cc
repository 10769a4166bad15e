#include "gateway/event.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace gateway {
namespace {

EventInput base(EventInput::Type type, std::string route_key) {
  EventInput in;
  in.type = type;
  in.route_key = std::move(route_key);
  in.connection_id = "L0SM9cOFvHcCIhw=";
  in.request_id = "L0SM9HgGvHcFWCA=";
  in.message_id = "L0SNDdcHvHcCIhw=";
  in.request_time_ms = 1796126400042;
  in.connected_at_ms = 1796126400000;
  in.stage = "prod";
  in.domain_name = "abc.execute-api.us-east-1.amazonaws.com";
  in.api_id = "abc";
  in.source_ip = "127.0.0.1";
  in.user_agent = "ua/1";
  return in;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

TEST(BuildEvent, Connect) {
  auto in = base(EventInput::Type::Connect, "$connect");
  in.headers = {{"Host", "h"}, {"X-Multi", "1"}, {"X-Multi", "2"}};
  in.query = {{"token", "abc"}, {"t", "1"}, {"t", "2"}};
  auto doc = parse(build_event(in));
  EXPECT_STREQ(doc["headers"]["X-Multi"].GetString(), "2");
  EXPECT_EQ(doc["multiValueHeaders"]["X-Multi"].Size(), 2u);
  EXPECT_STREQ(doc["queryStringParameters"]["token"].GetString(), "abc");
  EXPECT_EQ(doc["multiValueQueryStringParameters"]["t"].Size(), 2u);
  const auto& rc = doc["requestContext"];
  EXPECT_STREQ(rc["routeKey"].GetString(), "$connect");
  EXPECT_STREQ(rc["eventType"].GetString(), "CONNECT");
  EXPECT_FALSE(rc.HasMember("messageId"));
  EXPECT_STREQ(rc["extendedRequestId"].GetString(), rc["requestId"].GetString());
  EXPECT_STREQ(rc["requestTime"].GetString(), "01/Dec/2026:12:00:00 +0000");
  EXPECT_EQ(rc["requestTimeEpoch"].GetInt64(), 1796126400042);
  EXPECT_EQ(rc["connectedAt"].GetInt64(), 1796126400000);
  EXPECT_STREQ(rc["messageDirection"].GetString(), "IN");
  EXPECT_STREQ(rc["identity"]["sourceIp"].GetString(), "127.0.0.1");
  EXPECT_STREQ(rc["identity"]["userAgent"].GetString(), "ua/1");
  EXPECT_STREQ(rc["connectionId"].GetString(), "L0SM9cOFvHcCIhw=");
  EXPECT_STREQ(rc["apiId"].GetString(), "abc");
  EXPECT_FALSE(doc.HasMember("body"));
  EXPECT_FALSE(doc["isBase64Encoded"].GetBool());
}

TEST(BuildEvent, ConnectWithoutQueryHasNoQueryMembers) {
  auto doc = parse(build_event(base(EventInput::Type::Connect, "$connect")));
  EXPECT_FALSE(doc.HasMember("queryStringParameters"));
  EXPECT_TRUE(doc["headers"].IsObject());
}

TEST(BuildEvent, Message) {
  auto in = base(EventInput::Type::Message, "send");
  in.body = "{\"action\":\"send\",\"x\":\"\\u00e9\"}";
  auto doc = parse(build_event(in));
  EXPECT_FALSE(doc.HasMember("headers"));
  EXPECT_EQ(std::string(doc["body"].GetString()), in.body);
  EXPECT_STREQ(doc["requestContext"]["messageId"].GetString(), "L0SNDdcHvHcCIhw=");
  EXPECT_STREQ(doc["requestContext"]["eventType"].GetString(), "MESSAGE");
  EXPECT_FALSE(doc["requestContext"].HasMember("disconnectStatusCode"));
}

TEST(BuildEvent, Disconnect) {
  auto in = base(EventInput::Type::Disconnect, "$disconnect");
  in.headers = {{"host", "127.0.0.1:5"}};
  in.disconnect_status_code = 1001;
  in.disconnect_reason = "Going away";
  auto doc = parse(build_event(in));
  EXPECT_STREQ(doc["headers"]["Host"].GetString(), "127.0.0.1:5");
  EXPECT_STREQ(doc["headers"]["x-api-key"].GetString(), "");
  EXPECT_STREQ(doc["multiValueHeaders"]["x-restapi"][0].GetString(), "");
  const auto& rc = doc["requestContext"];
  EXPECT_EQ(rc["disconnectStatusCode"].GetInt(), 1001);
  EXPECT_STREQ(rc["disconnectReason"].GetString(), "Going away");
  EXPECT_STREQ(rc["eventType"].GetString(), "DISCONNECT");
  EXPECT_FALSE(doc.HasMember("body"));
}

TEST(ErrorFrame, Shape) {
  auto doc = parse(error_frame("Forbidden", "c=", "r="));
  EXPECT_STREQ(doc["message"].GetString(), "Forbidden");
  EXPECT_STREQ(doc["connectionId"].GetString(), "c=");
  EXPECT_STREQ(doc["requestId"].GetString(), "r=");
}

}  // namespace
}  // namespace gateway
