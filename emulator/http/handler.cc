#include "http/handler.h"

#include <libdeflate.h>

#include <algorithm>
#include <random>

#include "actions/registry.h"
#include "api/error.h"
#include "awsproto/sigv4.h"
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

// The reason phrases of the statuses the emulator sends.
std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
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
  if (req.method != Method::Post) return exchange->respond(text(405, ""));
  if (options_.noop) return exchange->respond({200, true, "{}"});

  std::string_view target = req.amz_target;
  api::Handler handler = nullptr;
  if (target.starts_with(kTargetPrefix))
    handler = actions::find_action(target.substr(kTargetPrefix.size()));
  else if (target.starts_with(kStreamsTargetPrefix))
    handler = actions::find_stream_action(target.substr(kStreamsTargetPrefix.size()));
  if (!handler)
    return exchange->respond(
        error(ApiError(Code::UnknownOperation, "An unknown operation was requested.")));
  auto caller = caller_of(req.authorization);
  if (!caller)
    return exchange->respond(error(
        ApiError(Code::MissingAuthenticationToken, "Request is missing Authentication Token")));
  if (model::too_deep(body))
    return exchange->respond(
        error(ApiError(Code::Serialization, "The request is nested deeper than " +
                                                std::to_string(model::kMaxJsonDepth) + " levels")));
  rapidjson::Document doc;
  if (body.empty())
    doc.SetObject();
  else
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return exchange->respond(error(ApiError(
        Code::Serialization, doc.HasParseError() ? "Unable to parse the request body as JSON"
                                                 : "Start of list found where not expected")));
  std::string space = options_.shared_db ? "" : caller->access_key + "_" + caller->region;
  auto call = std::make_shared<api::Call>(
      services_, std::move(doc), std::move(space), caller->region,
      [exchange](int status, std::string json) {
        exchange->respond({status, true, std::move(json)});
      },
      [exchange](std::function<void()> fn) { exchange->dispatch(std::move(fn)); });
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
  out += r.json ? "application/x-amz-json-1.0" : "text/plain";
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
  if (r.json) {
    out += "x-amzn-RequestId: ";
    append_request_id(out);
    out += "\r\nx-amz-crc32: ";
    out += std::to_string(libdeflate_crc32(0, r.body.data(), r.body.size()));
    out += "\r\n";
  }
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
