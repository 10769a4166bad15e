#include "http/handler.h"

#include <libdeflate.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <time.h>

#include <algorithm>
#include <random>

#include "actions/registry.h"
#include "api/error.h"
#include "awsproto/sigv4.h"
#include "http/decode.h"
#include "model/clock.h"

namespace ddb::http {
namespace {

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";
constexpr std::string_view kStreamsTargetPrefix = "DynamoDBStreams_20120810.";

// 52 characters of [A-Z0-9], like DynamoDB's request ids; twelve characters per draw.
void append_request_id(std::string& out) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int i = 0; i < 52;) {
    uint64_t r = rng();
    for (int j = 0; j < 12 && i < 52; ++j, ++i, r /= 36) out += kChars[r % 36];
  }
}

bool origin_allowed(const std::string& cors, std::string_view origin) {
  if (cors.empty()) return false;
  if (cors == "*") return true;
  size_t start = 0;
  while (start <= cors.size()) {
    size_t end = cors.find(',', start);
    std::string_view item = std::string_view(cors).substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == origin || item == "*") return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

Response error(const ApiError& e) { return {api::wire(e.code).status, true, api::render_error(e)}; }
Response text(int status, std::string body) { return {status, false, std::move(body)}; }

// A Coral framework error: {"__type": type} with a "message" when there is one.
Response coral(std::string_view type, std::string_view message = {}) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("__type");
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  if (!message.empty()) {
    w.Key("message");
    w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  }
  w.EndObject();
  return {400, true, std::string(buf.GetString(), buf.GetSize())};
}

// What DynamoDB answers to anything that is not a POST of a DynamoDB request (another method,
// a body of another content type): 404 with this body (dynalite's recording of the service).
Response not_an_operation() { return text(404, "<UnknownOperationException/>\n"); }

std::string_view media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  return content_type;
}

bool is_json_type(std::string_view content_type) {
  std::string_view t = media_type(content_type);
  return t == "application/x-amz-json-1.0" || t == "application/json";
}

// "Wed, 02 Dec 2026 03:00:04 GMT" for the emulator's clock, formatted once a second per thread.
void append_http_date(std::string& out) {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local char cached[40];
  int64_t now = model::Clock::now_ms() / 1000;
  if (now != cached_second) {
    time_t t = static_cast<time_t>(now);
    struct tm tm {};
    gmtime_r(&t, &tm);
    strftime(cached, sizeof cached, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  out += cached;
}

// The reason phrases of the statuses the emulator sends.
std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

}  // namespace

Response too_large() {
  return error(
      ApiError(Code::RequestTooLarge, "Request size exceeds the maximum of 16777216 bytes"));
}

Response header_too_large() { return text(400, ""); }

std::optional<Caller> caller_of(std::string_view auth) {
  auto a = awsproto::parse_authorization(auth);
  if (!a) return std::nullopt;
  return Caller{std::move(a->access_key_id), std::move(a->region)};
}

std::string Handler::allowed_origin(const Request& req) const {
  return origin_allowed(options_.cors, req.origin) ? req.origin : std::string();
}

void Handler::handle(const Request& req, std::string_view body,
                     const std::shared_ptr<Exchange>& exchange) {
  if (req.method == Method::Options) return exchange->respond(text(200, ""));
  if (req.target == "/emulator/clock") return exchange->respond(clock_endpoint(req, body));
  if (req.method == Method::Get) {
    // DynamoDB's endpoint answers a plain GET with a health line.
    auto c = caller_of(req.authorization);
    return exchange->respond(
        text(200, "healthy: dynamodb." + (c ? c->region : "us-east-1") + ".amazonaws.com "));
  }
  if (req.method != Method::Post) return exchange->respond(not_an_operation());
  if (!body.empty() && !is_json_type(req.content_type))
    return exchange->respond(not_an_operation());
  if (options_.noop) return exchange->respond({200, true, "{}"});

  // DynamoDB's order: the body is decoded and parsed, then the target is looked up, then the
  // caller is authenticated.
  std::string decoded;
  std::string_view json = body;
  if (!req.content_encoding.empty()) {
    // An unknown coding or data that does not decode is an internal error at DynamoDB (500),
    // as ScyllaDB's tests of the live service record (test/alternator/test_compressed_request.py).
    switch (decode_body(req.content_encoding, body, kMaxBody, decoded)) {
      case Decoded::Ok: json = decoded; break;
      case Decoded::TooLarge: return exchange->respond(too_large());
      case Decoded::Bad:
        return exchange->respond(error(ApiError(Code::Internal, "Internal server error")));
    }
  }
  if (model::too_deep(json))
    return exchange->respond(
        error(ApiError(Code::Serialization, "The request is nested deeper than " +
                                                std::to_string(model::kMaxJsonDepth) + " levels")));
  rapidjson::Document doc;
  if (json.empty())
    doc.SetObject();
  else
    doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  // A body that is not JSON is answered with the bare type and no message at all:
  // {"__type":"com.amazon.coral.service#SerializationException"} (dynalite's test/connection.js
  // records it from DynamoDB with its x-amz-crc32, 3948637019, which is that body's; the same
  // body is quoted from the service in amazon-archives/aws-sdk-unity issue 54).
  if (doc.HasParseError())
    return exchange->respond(coral("com.amazon.coral.service#SerializationException"));
  if (!doc.IsObject())
    return exchange->respond(
        error(ApiError(Code::Serialization, "Start of list found where not expected")));

  std::string_view target = req.amz_target;
  api::Handler handler = nullptr;
  if (target.starts_with(kTargetPrefix))
    handler = actions::find_action(target.substr(kTargetPrefix.size()));
  else if (target.starts_with(kStreamsTargetPrefix))
    handler = actions::find_stream_action(target.substr(kStreamsTargetPrefix.size()));
  if (!handler)
    return exchange->respond(coral("com.amazon.coral.service#UnknownOperationException"));

  if (auto bad = check_authorization(req.authorization, options_.verify_signatures, req.has_date))
    return exchange->respond(coral(bad->type, bad->message));
  if (options_.verify_signatures) {
    SignedRequest signed_request{"POST", req.target, &req.headers, body};
    if (auto bad = verify_signature(signed_request, req.authorization, options_.keys,
                                    model::Clock::now_ms()))
      return exchange->respond(coral(bad->type, bad->message));
  }
  auto caller = caller_of(req.authorization);
  if (!caller)
    return exchange->respond(coral("com.amazon.coral.service#MissingAuthenticationTokenException",
                                   "Request is missing Authentication Token"));
  std::string space = options_.shared_db ? "" : caller->access_key + "_" + caller->region;
  auto call = std::make_shared<api::Call>(
      services_, std::move(doc), std::move(space), caller->region,
      [exchange](int status, std::string json) {
        exchange->respond({status, true, std::move(json)});
      },
      [exchange](std::function<void()> fn) { exchange->dispatch(std::move(fn)); });
  call->operation = target.substr(target.find('.') + 1);
  try {
    handler(call);
  } catch (...) {
    call->reply_current_exception();
  }
}

// The emulator's own admin call: read or advance the clock every time-based behaviour uses.
Response Handler::clock_endpoint(const Request& req, std::string_view body) {
  if (req.method == Method::Post) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("advanceSeconds") ||
        !doc["advanceSeconds"].IsNumber())
      return error(ApiError(Code::Validation, "Expected {\"advanceSeconds\": <number>}"));
    // Within about 3,000 years either way, so that the milliseconds stay far inside int64.
    double seconds = std::clamp(doc["advanceSeconds"].GetDouble(), -1e11, 1e11);
    model::Clock::advance_ms(static_cast<int64_t>(seconds * 1000));
  }
  return {200, true,
          "{\"nowMs\":" + std::to_string(model::Clock::now_ms()) +
              ",\"offsetMs\":" + std::to_string(model::Clock::offset_ms()) + "}"};
}

void render_head(const Request& req, std::string_view cors_origin, const Response& r,
                 bool keep_alive, std::string& out) {
  bool http10 = req.version == 10;
  out += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += reason(r.status);
  out += "\r\nContent-Type: ";
  if (!r.json)
    out += "text/plain";
  else if (media_type(req.content_type) == "application/json")
    out += "application/json";
  else
    out += "application/x-amz-json-1.0";
  out += "\r\n";
  if (!cors_origin.empty()) {
    out += "Access-Control-Allow-Origin: ";
    out += cors_origin;
    out += "\r\n";
    if (req.method == Method::Options) {
      const std::string& asked = req.cors_request_headers;
      out += "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n";
      out += "Access-Control-Allow-Headers: " + (asked.empty() ? std::string("*") : asked) + "\r\n";
      out += "Access-Control-Max-Age: 172800\r\n";
    } else {
      out += "Access-Control-Expose-Headers: x-amzn-RequestId,x-amz-crc32\r\n";
    }
  }
  out += "x-amzn-RequestId: ";
  append_request_id(out);
  out += "\r\nx-amz-crc32: ";
  out += std::to_string(libdeflate_crc32(0, r.body.data(), r.body.size()));
  out += "\r\nDate: ";
  append_http_date(out);
  out += "\r\n";
  out += "Content-Length: ";
  out += std::to_string(r.body.size());
  out += "\r\n";
  if (!keep_alive && !http10)
    out += "Connection: close\r\n";
  else if (keep_alive && http10)
    out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

}  // namespace ddb::http
