// The socket-free HTTP front end: routing, the caller's namespace, the health line, the clock
// endpoint and the response header, driven through a fake connection against a real database.
#include "http/handler.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "model/clock.h"
#include "model/json.h"
#include "storage/keys.h"
#include "storage/testing.h"

namespace ddb {
namespace {

using storage::testing::n;
using storage::testing::run;
using storage::testing::s;
using storage::testing::TempDatabase;

using http::Method;
using http::Request;
using http::Response;
// A connection that records what the handler answers. dispatch() runs the function at once:
// a write's reply is then rendered on the writer thread, hence the lock.
class FakeExchange : public http::Exchange {
 public:
  void respond(Response r) override {
    std::lock_guard lock(mu_);
    responses_.push_back(std::move(r));
    cv_.notify_all();
  }
  void dispatch(std::function<void()> fn) override { fn(); }

  // The responses so far, once there is one (waiting up to 5 s).
  std::vector<Response> wait() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return !responses_.empty(); });
    return responses_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Response> responses_;
};

constexpr const char* kAuth =
    "AWS4-HMAC-SHA256 Credential=AKIDONE/20250101/eu-west-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd";

std::string auth_for(const std::string& access_key, const std::string& region) {
  return "AWS4-HMAC-SHA256 Credential=" + access_key + "/20250101/" + region +
         "/dynamodb/aws4_request, SignedHeaders=host, Signature=00";
}

Request post(const std::string& operation, const std::string& auth = kAuth) {
  Request r;
  r.method = Method::Post;
  r.target = "/";
  r.amz_target = "DynamoDB_20120810." + operation;
  r.authorization = auth;
  r.content_type = "application/x-amz-json-1.0";
  return r;
}

rapidjson::Document json_of(const Response& r) {
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  EXPECT_FALSE(doc.HasParseError()) << r.body;
  if (doc.HasParseError()) doc.SetObject();
  return doc;
}

// A string member of a JSON object, "" when there is none.
std::string string_member(const model::Json& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name) || !obj[name].IsString()) return "";
  return std::string(model::view(obj[name]));
}
std::string string_member(const Response& r, const char* name) {
  return string_member(json_of(r), name);
}
// An integer member of a JSON response, -1 when there is none.
int64_t int_member(const Response& r, const char* name) {
  rapidjson::Document doc = json_of(r);
  if (!doc.IsObject() || !doc.HasMember(name) || !doc[name].IsInt64()) return -1;
  return doc[name].GetInt64();
}

// The __type of an error response ("" for any other).
std::string error_type(const Response& r) { return string_member(r, "__type"); }

std::vector<std::string> table_names(const Response& r) {
  std::vector<std::string> out;
  rapidjson::Document doc = json_of(r);
  if (!doc.IsObject() || !doc.HasMember("TableNames") || !doc["TableNames"].IsArray()) {
    ADD_FAILURE() << "no TableNames in " << r.body;
    return out;
  }
  for (const auto& n : doc["TableNames"].GetArray()) out.emplace_back(model::view(n));
  return out;
}

std::string create_table_body(const std::string& name) {
  return R"({"TableName":")" + name +
         R"(","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],)"
         R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
         R"("BillingMode":"PAY_PER_REQUEST"})";
}

// Moves the emulator's clock back to where it was when the test began.
class RestoreClock {
 public:
  RestoreClock() : saved_(model::Clock::offset_ms()) {}
  ~RestoreClock() { model::Clock::advance_ms(saved_ - model::Clock::offset_ms()); }

 private:
  int64_t saved_;
};

class HandlerTest : public ::testing::Test {
 protected:
  // Sends one request and returns its one response.
  Response send(const Request& req, std::string_view body = "",
                const http::Options* options = nullptr) {
    http::Handler handler(options ? *options : options_, services_);
    auto exchange = std::make_shared<FakeExchange>();
    handler.handle(req, body, exchange);
    auto responses = exchange->wait();
    EXPECT_EQ(responses.size(), 1u) << "responses to " << req.amz_target << " " << body;
    return responses.empty() ? Response{0, false, "no response"} : responses.front();
  }

  TempDatabase db_;
  api::Services services_{*db_};
  http::Options options_;
};

TEST_F(HandlerTest, OptionsIsAnEmptyTextOk) {
  Request req = post("ListTables");
  req.method = Method::Options;
  Response r = send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.json);
  EXPECT_EQ(r.body, "");
}

TEST_F(HandlerTest, GetIsTheHealthLineOfTheSignedRegion) {
  Request req;
  req.method = Method::Get;
  req.target = "/";
  req.authorization = kAuth;
  Response r = send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.json);
  EXPECT_EQ(r.body, "healthy: dynamodb.eu-west-1.amazonaws.com ");
  req.authorization = "";
  EXPECT_EQ(send(req).body, "healthy: dynamodb.us-east-1.amazonaws.com ");
}

TEST_F(HandlerTest, OtherMethodsAndContentTypesAreNotOperations) {
  Request req = post("ListTables");
  req.method = Method::Other;  // PUT, DELETE, ...
  Response r = send(req, "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(r.json);
  EXPECT_EQ(r.body, "<UnknownOperationException/>\n");
  for (const char* type : {"", "text/plain", "application/x-amz-json-1.1", "application/xml"}) {
    Request t = post("ListTables");
    t.content_type = type;
    EXPECT_EQ(send(t, "{}").status, 404) << type;
    EXPECT_EQ(send(t, "").status, 200) << type;  // an empty body has no type to check
  }
  for (const char* type : {"application/json", "application/x-amz-json-1.0; charset=utf-8"}) {
    Request t = post("ListTables");
    t.content_type = type;
    EXPECT_EQ(send(t, "{}").status, 200) << type;
  }
}

TEST_F(HandlerTest, EncodedBodies) {
  Request req = post("ListTables");
  req.content_encoding = "gzip";
  // Not gzip data: an internal error, as DynamoDB answers.
  Response r = send(req, "{}");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_type(r), "com.amazonaws.dynamodb.v20120810#InternalServerError");
  req.content_encoding = "compress";
  EXPECT_EQ(send(req, "{}").status, 500);
  req.content_encoding = "identity";
  EXPECT_EQ(send(req, "{}").status, 200);
}

TEST_F(HandlerTest, VerifiedSignaturesRefuseUnsignedRequests) {
  http::Options strict;
  strict.verify_signatures = true;
  strict.keys = {{"AKIDONE", "secret"}};
  Request req = post("ListTables");
  Response r = send(req, "{}", &strict);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_type(r), "com.amazon.coral.service#IncompleteSignatureException");
  req.has_date = true;
  req.headers = {{"x-amz-date", "20250101T000000Z"}, {"host", "x"}};
  EXPECT_EQ(error_type(send(req, "{}", &strict)),
            "com.amazon.coral.service#InvalidSignatureException");  // years ago
}

TEST_F(HandlerTest, UnknownTargetIsUnknownOperation) {
  for (const char* target :
       {"DynamoDB_20120810.Bogus", "DynamoDB_20120810.", "", "ListTables",
        "DynamoDB_20111205.ListTables", "DynamoDBStreams_20120810.ListTables"}) {
    Request req = post("ListTables");
    req.amz_target = target;
    req.authorization = "";  // the operation is looked at before the credentials
    Response r = send(req, "{}");
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_TRUE(r.json);
    EXPECT_EQ(error_type(r), "com.amazon.coral.service#UnknownOperationException") << target;
  }
}

TEST_F(HandlerTest, MalformedAuthorizationIsIncompleteSignature) {
  for (const char* auth : {"AWS4-HMAC-SHA256 SignedHeaders=host",
                           "AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=0"}) {
    Response r = send(post("ListTables", auth), "{}");
    EXPECT_EQ(r.status, 400) << auth;
    EXPECT_EQ(error_type(r), "com.amazon.coral.service#IncompleteSignatureException") << auth;
  }
}

TEST_F(HandlerTest, MissingAuthorizationIsMissingAuthenticationToken) {
  for (const char* auth : {"", "Bearer abc", "Credential=AKID"}) {
    Response r = send(post("ListTables", auth), "{}");
    EXPECT_EQ(r.status, 400) << auth;
    EXPECT_EQ(error_type(r), "com.amazon.coral.service#MissingAuthenticationTokenException")
        << auth;
  }
}

TEST_F(HandlerTest, BodiesNestedTooDeepOrNotJsonObjectsAreSerializationErrors) {
  auto nested = [](int levels) {  // an object holding levels - 1 arrays
    return "{\"x\":" + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
  };
  Response deep = send(post("ListTables"), nested(1001));
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(error_type(deep), "com.amazon.coral.service#SerializationException");
  EXPECT_EQ(string_member(deep, "Message"), "The request is nested deeper than 1000 levels");
  // 1000 levels is allowed, and brackets inside strings do not count.
  EXPECT_EQ(send(post("ListTables"), nested(1000)).status, 200);
  EXPECT_EQ(send(post("ListTables"), "{\"x\":\"" + std::string(1500, '[') + "\"}").status, 200);

  for (const char* body : {"{", "not json", "{\"Limit\":}", "[]", "5", "\"text\""}) {
    Response r = send(post("ListTables"), body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(error_type(r), "com.amazon.coral.service#SerializationException") << body;
  }
  // Not JSON: the bare type, as DynamoDB answers it.
  EXPECT_EQ(send(post("ListTables"), "{").body,
            "{\"__type\":\"com.amazon.coral.service#SerializationException\"}");
  // An empty body is an empty request.
  EXPECT_EQ(send(post("ListTables"), "").status, 200);
}

TEST_F(HandlerTest, TooLargeAndNoop) {
  Response big = http::too_large();
  EXPECT_EQ(big.status, 413);
  EXPECT_TRUE(big.json);
  EXPECT_EQ(error_type(big), "com.amazon.coral.service#RequestEntityTooLargeException");

  // The benchmark ceiling answers every POST with {} and does nothing, not even routing.
  http::Options noop;
  noop.noop = true;
  Request req = post("CreateTable", "");
  Response r = send(req, create_table_body("ignored"), &noop);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
  EXPECT_FALSE(db_->catalog().find("", "ignored"));
  EXPECT_TRUE(db_->catalog().all().empty());
}

TEST_F(HandlerTest, ListTablesCreateTablePutItemGetItemRoundTrip) {
  Response listed = send(post("ListTables"), "{}");
  EXPECT_EQ(listed.status, 200);
  EXPECT_TRUE(listed.json);
  EXPECT_TRUE(table_names(listed).empty());

  Response created = send(post("CreateTable"), create_table_body("users"));
  ASSERT_EQ(created.status, 200) << created.body;
  rapidjson::Document doc = json_of(created);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("TableDescription")) << created.body;
  const model::Json& desc = doc["TableDescription"];
  EXPECT_EQ(string_member(desc, "TableName"), "users");
  EXPECT_EQ(string_member(desc, "TableStatus"), "CREATING");  // as DynamoDB answers CreateTable
  EXPECT_EQ(string_member(desc, "TableArn"), "arn:aws:dynamodb:eu-west-1:000000000000:table/users");
  EXPECT_EQ(table_names(send(post("ListTables"), "{}")), std::vector<std::string>{"users"});

  Response put =
      send(post("PutItem"), R"({"TableName":"users","Item":{"pk":{"S":"u1"},"n":{"N":"1.50"}}})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body, "{}");
  // The reply came once the write was committed: it is in the database.
  auto table = db_->catalog().find("AKIDONE_eu-west-1", "users");
  ASSERT_TRUE(table);
  {
    storage::Txn txn = db_->read();
    EXPECT_TRUE(
        txn.get(db_->items(), storage::storage_key(*table, {{"pk", model::Value::string("u1")}})));
    EXPECT_EQ(storage::Catalog::stats(txn, db_->meta(), table->id).item_count, 1u);
  }

  Response got = send(post("GetItem"), R"({"TableName":"users","Key":{"pk":{"S":"u1"}}})");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, R"({"Item":{"n":{"N":"1.5"},"pk":{"S":"u1"}}})");

  Response missing = send(post("PutItem"), R"({"TableName":"nope","Item":{"pk":{"S":"u1"}}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(error_type(missing), "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
  Response again = send(post("CreateTable"), create_table_body("users"));
  EXPECT_EQ(error_type(again), "com.amazonaws.dynamodb.v20120810#ResourceInUseException");

  Request streams = post("ListTables");
  streams.amz_target = "DynamoDBStreams_20120810.ListStreams";
  Response listed_streams = send(streams, "{}");
  EXPECT_EQ(listed_streams.status, 200) << listed_streams.body;
}

TEST_F(HandlerTest, EachAccessKeyAndRegionHasItsOwnTablesUnlessShared) {
  ASSERT_EQ(
      send(post("CreateTable", auth_for("AKIDONE", "eu-west-1")), create_table_body("mine")).status,
      200);
  auto names = [&](const std::string& key, const std::string& region,
                   const http::Options* o = nullptr) {
    return table_names(send(post("ListTables", auth_for(key, region)), "{}", o));
  };
  EXPECT_EQ(names("AKIDONE", "eu-west-1"), std::vector<std::string>{"mine"});
  EXPECT_TRUE(names("AKIDTWO", "eu-west-1").empty());
  EXPECT_TRUE(names("AKIDONE", "us-east-1").empty());
  EXPECT_TRUE(db_->catalog().find("AKIDONE_eu-west-1", "mine"));

  http::Options shared;
  shared.shared_db = true;
  ASSERT_EQ(send(post("CreateTable", auth_for("AKIDONE", "eu-west-1")), create_table_body("common"),
                 &shared)
                .status,
            200);
  EXPECT_EQ(names("AKIDTWO", "ap-south-1", &shared), std::vector<std::string>{"common"});
  EXPECT_EQ(names("AKIDONE", "eu-west-1", &shared), std::vector<std::string>{"common"});
  EXPECT_TRUE(db_->catalog().find("", "common"));
  EXPECT_TRUE(names("AKIDTWO", "ap-south-1").empty());
}

TEST(CallerOf, ReadsAccessKeyAndRegionOfTheCredentialScope) {
  auto c = http::caller_of(kAuth);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key, "AKIDONE");
  EXPECT_EQ(c->region, "eu-west-1");

  EXPECT_FALSE(http::caller_of(""));
  EXPECT_FALSE(http::caller_of("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"));
  EXPECT_FALSE(http::caller_of("AWS4-HMAC-SHA256 Credential=AKID, SignedHeaders=a/b/c/d"));
  EXPECT_FALSE(http::caller_of("AWS4-HMAC-SHA256 Credential=AKID"));

  // Fewer than three parts: no region, so us-east-1.
  c = http::caller_of("AWS4-HMAC-SHA256 Credential=AKID/20250101");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key, "AKID");
  EXPECT_EQ(c->region, "us-east-1");

  // The scope ends at ',' or ' ': slashes further on are not part of it.
  c = http::caller_of("AWS4-HMAC-SHA256 Credential=AKID/20250101,SignedHeaders=a/eu-west-2/c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key, "AKID");
  EXPECT_EQ(c->region, "us-east-1");
  c = http::caller_of("AWS4-HMAC-SHA256 Credential=AKID/20250101 SignedHeaders=a/eu-west-2/c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->region, "us-east-1");
  c = http::caller_of("Credential=K2/20250101/ap-south-1/dynamodb/aws4_request");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key, "K2");
  EXPECT_EQ(c->region, "ap-south-1");
  c = http::caller_of("Credential=K3/20250101/sa-east-1/dynamodb/aws4_request,Signature=x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->region, "sa-east-1");
}

// CRC-32 (IEEE 802.3, reflected, as zlib computes it), a table per byte.
uint32_t crc32_of(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : data) c = kTable[(c ^ byte) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

struct Head {
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> fields;
  size_t count(std::string_view name) const {
    size_t n = 0;
    for (const auto& [k, v] : fields) n += k == name;
    return n;
  }
  std::string operator[](std::string_view name) const {
    for (const auto& [k, v] : fields)
      if (k == name) return v;
    return "";
  }
};

Head render(const Request& req, std::string_view origin, const Response& r, bool keep_alive) {
  std::string out = "kept: ";  // render_head appends
  http::render_head(req, origin, r, keep_alive, out);
  Head h;
  EXPECT_TRUE(out.starts_with("kept: "));
  EXPECT_TRUE(out.ends_with("\r\n\r\n")) << out;
  std::string_view text(out);
  text.remove_prefix(6);
  size_t end = text.find("\r\n");
  h.status_line = text.substr(0, end);
  text.remove_prefix(end + 2);
  while (!text.empty() && !text.starts_with("\r\n")) {
    end = text.find("\r\n");
    std::string_view line = text.substr(0, end);
    size_t colon = line.find(": ");
    EXPECT_NE(colon, std::string_view::npos) << line;
    h.fields.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    text.remove_prefix(end + 2);
  }
  return h;
}

TEST(RenderHead, StatusLineContentTypeRequestIdCrcAndLength) {
  ASSERT_EQ(crc32_of("123456789"), 0xCBF43926u);  // the check value of CRC-32
  Request req = post("ListTables");
  Response r{200, true, R"({"TableNames":["a","b"]})"};
  Head h = render(req, "", r, true);
  EXPECT_EQ(h.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(h["Content-Type"], "application/x-amz-json-1.0");
  EXPECT_EQ(h["Content-Length"], std::to_string(r.body.size()));
  EXPECT_EQ(h["x-amz-crc32"], std::to_string(crc32_of(r.body)));
  std::string id = h["x-amzn-RequestId"];
  EXPECT_EQ(id.size(), 52u);
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), std::string::npos) << id;
  EXPECT_NE(render(req, "", r, true)["x-amzn-RequestId"], id);  // one per response
  EXPECT_EQ(h.count("Connection"), 0u);
  EXPECT_EQ(h.count("Access-Control-Allow-Origin"), 0u);

  Response empty{200, true, ""};
  EXPECT_EQ(render(req, "", empty, true)["x-amz-crc32"], "0");
  Response error{400, true, R"({"__type":"x","message":"é"})"};
  Head e = render(req, "", error, true);
  EXPECT_EQ(e.status_line, "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(e["x-amz-crc32"], std::to_string(crc32_of(error.body)));
  EXPECT_EQ(render(req, "", Response{413, true, "{}"}, true).status_line,
            "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(render(req, "", Response{500, true, "{}"}, true).status_line,
            "HTTP/1.1 500 Internal Server Error");

  // Text responses carry a request id, a CRC and a Date too.
  Head t = render(req, "", Response{404, false, "<UnknownOperationException/>\n"}, true);
  EXPECT_EQ(t.status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(t["Content-Type"], "text/plain");
  EXPECT_EQ(t["Content-Length"], "29");
  EXPECT_EQ(t["x-amz-crc32"], "3552371480");  // what DynamoDB sends with this body
  EXPECT_EQ(t["x-amzn-RequestId"].size(), 52u);
  EXPECT_EQ(t["Date"].size(), 29u);  // "Wed, 02 Dec 2026 03:00:04 GMT"
  EXPECT_TRUE(t["Date"].ends_with(" GMT"));
  // A request in application/json is answered in application/json.
  Request plain = post("ListTables");
  plain.content_type = "application/json";
  EXPECT_EQ(render(plain, "", r, true)["Content-Type"], "application/json");

  req.version = 10;
  EXPECT_EQ(render(req, "", r, false).status_line, "HTTP/1.0 200 OK");
}

TEST(RenderHead, ConnectionFieldOnlyWhereItDiffersFromTheVersionsDefault) {
  Request req = post("ListTables");
  Response r{200, true, "{}"};
  req.version = 11;
  EXPECT_EQ(render(req, "", r, true).count("Connection"), 0u);
  Head close = render(req, "", r, false);
  EXPECT_EQ(close.count("Connection"), 1u);
  EXPECT_EQ(close["Connection"], "close");
  req.version = 10;
  EXPECT_EQ(render(req, "", r, false).count("Connection"), 0u);
  Head keep = render(req, "", r, true);
  EXPECT_EQ(keep.count("Connection"), 1u);
  EXPECT_EQ(keep["Connection"], "keep-alive");
}

TEST(RenderHead, CorsFieldsForAnAllowedOrigin) {
  Request req = post("ListTables");
  req.origin = "http://localhost:3000";
  Head normal = render(req, req.origin, Response{200, true, "{}"}, true);
  EXPECT_EQ(normal["Access-Control-Allow-Origin"], "http://localhost:3000");
  EXPECT_EQ(normal["Access-Control-Expose-Headers"], "x-amzn-RequestId,x-amz-crc32");
  EXPECT_EQ(normal.count("Access-Control-Allow-Methods"), 0u);

  req.method = Method::Options;
  req.cors_request_headers = "content-type,x-amz-target";
  Head preflight = render(req, req.origin, Response{200, false, ""}, true);
  EXPECT_EQ(preflight["Access-Control-Allow-Origin"], "http://localhost:3000");
  EXPECT_EQ(preflight["Access-Control-Allow-Methods"], "GET, POST, OPTIONS");
  EXPECT_EQ(preflight["Access-Control-Allow-Headers"], "content-type,x-amz-target");
  EXPECT_EQ(preflight["Access-Control-Max-Age"], "172800");
  EXPECT_EQ(preflight.count("Access-Control-Expose-Headers"), 0u);
  req.cors_request_headers = "";
  EXPECT_EQ(render(req, req.origin, Response{200, false, ""}, true)["Access-Control-Allow-Headers"],
            "*");
  EXPECT_EQ(render(req, "", Response{200, false, ""}, true).count("Access-Control-Allow-Origin"),
            0u);
}

TEST_F(HandlerTest, AllowedOriginFollowsTheCorsOption) {
  Request req = post("ListTables");
  req.origin = "https://b.example";
  auto allowed = [&](const std::string& cors) {
    http::Options o;
    o.cors = cors;
    return http::Handler(o, services_).allowed_origin(req);
  };
  EXPECT_EQ(allowed(""), "");
  EXPECT_EQ(allowed("*"), "https://b.example");
  EXPECT_EQ(allowed("https://a.example, https://b.example"), "https://b.example");
  EXPECT_EQ(allowed("https://b.example"), "https://b.example");
  EXPECT_EQ(allowed("https://a.example,https://c.example"), "");
  EXPECT_EQ(allowed("https://b.example.evil"), "");
}

TEST_F(HandlerTest, ClockEndpointReadsAndAdvancesTheClock) {
  RestoreClock restore;
  Request get;
  get.method = Method::Get;
  get.target = "/emulator/clock";
  int64_t before = model::Clock::now_ms();
  Response read = send(get);
  int64_t after = model::Clock::now_ms();
  EXPECT_EQ(read.status, 200);
  EXPECT_TRUE(read.json);
  EXPECT_GE(int_member(read, "nowMs"), before);
  EXPECT_LE(int_member(read, "nowMs"), after);
  int64_t offset = model::Clock::offset_ms();
  EXPECT_EQ(int_member(read, "offsetMs"), offset);

  Request advance = get;
  advance.method = Method::Post;
  Response moved = send(advance, R"({"advanceSeconds": 90.5})");
  EXPECT_EQ(moved.status, 200);
  EXPECT_EQ(int_member(moved, "offsetMs"), offset + 90'500);
  EXPECT_EQ(model::Clock::offset_ms(), offset + 90'500);
  EXPECT_EQ(int_member(send(advance, R"({"advanceSeconds": -0.5})"), "offsetMs"), offset + 90'000);
  // One step moves at most 1e11 seconds.
  EXPECT_EQ(int_member(send(advance, R"({"advanceSeconds": 1e300})"), "offsetMs"),
            offset + 90'000 + 100'000'000'000'000);

  int64_t now_offset = model::Clock::offset_ms();
  for (const char* body : {"", "{}", "[]", "nope", R"({"advanceSeconds":"10"})",
                           R"({"advanceSeconds":null})", R"({"advance":10})"}) {
    Response bad = send(advance, body);
    EXPECT_EQ(bad.status, 400) << body;
    EXPECT_EQ(error_type(bad), "com.amazon.coral.validate#ValidationException") << body;
  }
  EXPECT_EQ(model::Clock::offset_ms(), now_offset);
}

}  // namespace
}  // namespace ddb
