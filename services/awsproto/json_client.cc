#include "awsproto/json_client.h"

#include <boost/crc.hpp>
#include <charconv>
#include <chrono>
#include <optional>

namespace awsproto {
namespace {

std::optional<std::chrono::milliseconds> retry_after(const Response& response) {
  auto header = response.header("x-amz-retry-after");
  if (!header) return std::nullopt;
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), ms);
  if (ec != std::errc() || end != header->data() + header->size() || ms < 0) return std::nullopt;
  return std::chrono::milliseconds(ms);
}

// False only when the header is there and names another CRC32 than the body's.
bool crc32_matches(const Response& response) {
  auto header = response.header("x-amz-crc32");
  if (!header) return true;
  uint64_t expected = 0;
  auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), expected);
  if (ec != std::errc() || end != header->data() + header->size()) return false;
  boost::crc_32_type crc;
  crc.process_bytes(response.body.data(), response.body.size());
  return crc.checksum() == expected;
}

}  // namespace

JsonClient::JsonClient(std::string_view endpoint_url, std::string region, Credentials credentials,
                       JsonClientOptions options)
    : http_(endpoint_url, std::move(options.http)),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      signing_name_(std::move(options.signing_name)),
      check_crc32_(options.check_crc32),
      retrier_(options.retry) {}

JsonClient JsonClient::dynamodb(const Env& env, HttpClientOptions http) {
  JsonClientOptions options;
  options.retry = RetryPolicy::dynamodb().with_max_attempts(env.max_attempts);
  options.http = std::move(http);
  return JsonClient(env.endpoint_for("DynamoDB"), env.region, env.credentials, options);
}

JsonClient JsonClient::dynamodb_streams(const Env& env, HttpClientOptions http) {
  JsonClientOptions options;
  options.retry = RetryPolicy::dynamodb().with_max_attempts(env.max_attempts);
  options.check_crc32 = false;
  options.http = std::move(http);
  return JsonClient(env.endpoint_for("DynamoDB Streams"), env.region, env.credentials, options);
}

rapidjson::Document JsonClient::call(std::string_view target, std::string_view body,
                                     TimePoint answer_by) {
  retrier_.start_call();
  for (int attempt = 1;; ++attempt) {
    if (auto no_time = http_.no_time_for(attempt, answer_by)) {
      throw HttpError(HttpError::Kind::Timeout, std::string(target) + ": " + *no_time);
    }
    last_attempts_ = attempt;
    Request request;
    request.method = "POST";
    request.path = http_.endpoint().join_path("/");
    request.headers = {{"Host", http_.endpoint().host_header()},
                       {"Content-Type", "application/x-amz-json-1.0"},
                       {"X-Amz-Target", std::string(target)}};
    request.body = body;
    // Signed again for every attempt: X-Amz-Date moves on (a signature is valid 5 minutes).
    sign(request, credentials_, region_, signing_name_, std::chrono::system_clock::now());
    Response response;
    try {
      response = http_.request(request);
    } catch (const HttpError& e) {
      RetryKind kind = e.kind() == HttpError::Kind::Tls ? RetryKind::None : RetryKind::Transient;
      if (retrier_.retry(attempt, kind)) continue;
      throw;
    }
    if (check_crc32_ && !crc32_matches(response)) {
      if (retrier_.retry(attempt, RetryKind::Transient)) continue;
      throw HttpError(HttpError::Kind::Protocol,
                      std::string(target) + ": the answer's CRC32 does not match x-amz-crc32");
    }
    if (response.status < 200 || response.status > 299) {
      AwsError error = parse_aws_error(response.status, response.body,
                                       response.header("X-Amzn-ErrorType").value_or(""));
      if (retrier_.retry(attempt, classify_error(error.status(), error.type()),
                         retry_after(response))) {
        continue;
      }
      throw error;
    }
    retrier_.succeeded();
    rapidjson::Document doc;
    doc.Parse(response.body.data(), response.body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      throw HttpError(HttpError::Kind::Protocol,
                      std::string(target) + ": the answer is not a JSON object");
    }
    return doc;
  }
}

}  // namespace awsproto
