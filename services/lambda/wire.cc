#include "lambda/wire.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <random>

namespace lambda {

std::string json_quote(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string function_error_payload(std::string_view type, std::string_view message) {
  return "{\"errorType\":" + json_quote(type) + ",\"errorMessage\":" + json_quote(message) + "}";
}

HttpResponse runtime_api_error(int status, std::string_view type, std::string_view message) {
  return HttpResponse{
      status,
      {{"Content-Type", "application/json"}},
      "{\"errorMessage\":" + json_quote(message) + ",\"errorType\":" + json_quote(type) + "}"};
}

HttpResponse service_error(int status, std::string_view type, std::string_view message,
                           std::string_view request_id, bool capital_message) {
  std::string body = "{\"Type\":\"User\",\"";
  body += capital_message ? "Message" : "message";
  body += "\":" + json_quote(message) + "}";
  return HttpResponse{status,
                      {{"Content-Type", "application/json"},
                       {"x-amzn-ErrorType", std::string(type)},
                       {"x-amzn-RequestId", std::string(request_id)}},
                      std::move(body)};
}

std::string new_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // variant 10
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return out;
}

}  // namespace lambda
