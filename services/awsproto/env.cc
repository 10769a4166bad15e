#include "awsproto/env.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace awsproto {
namespace {

constexpr std::string_view kServicePrefix = "AWS_ENDPOINT_URL_";

std::string variable(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string Env::env_suffix(std::string_view service_id) {
  std::string out;
  for (char c : service_id) {
    if (c == ' ') {
      out += '_';
    } else {
      out += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
  }
  return out;
}

Env Env::from_environment() {
  Env env;
  std::string region = variable("AWS_REGION");
  if (region.empty()) region = variable("AWS_DEFAULT_REGION");
  if (!region.empty()) env.region = region;
  env.credentials.access_key_id = variable("AWS_ACCESS_KEY_ID");
  env.credentials.secret_access_key = variable("AWS_SECRET_ACCESS_KEY");
  env.credentials.session_token = variable("AWS_SESSION_TOKEN");
  std::string attempts = variable("AWS_MAX_ATTEMPTS");
  int n = 0;
  auto [end, ec] = std::from_chars(attempts.data(), attempts.data() + attempts.size(), n);
  if (ec == std::errc() && end == attempts.data() + attempts.size() && n > 0) {
    env.max_attempts = n;
  }

  std::string ignore = variable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  for (char& c : ignore) c = ascii_lower(c);
  if (ignore == "true") return env;

  env.endpoint_url = variable("AWS_ENDPOINT_URL");
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    if (text.substr(0, kServicePrefix.size()) != kServicePrefix) continue;
    size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == kServicePrefix.size() || eq + 1 == text.size()) {
      continue;
    }
    env.service_endpoint_urls.emplace(
        text.substr(kServicePrefix.size(), eq - kServicePrefix.size()), text.substr(eq + 1));
  }
  return env;
}

std::string Env::endpoint_for(std::string_view service_id) const {
  std::string suffix = env_suffix(service_id);
  if (auto it = service_endpoint_urls.find(suffix); it != service_endpoint_urls.end()) {
    return it->second;
  }
  if (!endpoint_url.empty()) return endpoint_url;

  if (suffix == "APIGATEWAYMANAGEMENTAPI") {
    throw std::invalid_argument(
        "awsproto: no endpoint for ApiGatewayManagementApi: set AWS_ENDPOINT_URL_"
        "APIGATEWAYMANAGEMENTAPI (or AWS_ENDPOINT_URL) to https://{api-id}.execute-api."
        "{region}.amazonaws.com/{stage}");
  }
  // The endpoint prefix is the service id in lower case without separators for the services
  // used here (dynamodb, lambda, sts), except DynamoDB Streams.
  std::string prefix;
  if (suffix == "DYNAMODB_STREAMS") {
    prefix = "streams.dynamodb";
  } else {
    for (char c : suffix) {
      if (c != '_') prefix += ascii_lower(c);
    }
  }
  // China's partition has its own domain.
  std::string domain = region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + prefix + "." + region + "." + domain;
}

}  // namespace awsproto
