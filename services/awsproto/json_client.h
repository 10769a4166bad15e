// A client of the AWS JSON 1.0 protocol, for DynamoDB and DynamoDB Streams: POST / with
// X-Amz-Target "DynamoDB_20120810.<Op>" (or "DynamoDBStreams_20120810.<Op>"), Content-Type
// application/x-amz-json-1.0, SigV4 with the service name "dynamodb" (Streams signs with
// "dynamodb" too). call() returns the answer's JSON object or throws:
//  * awsproto::AwsError for a service error: type() is the __type's short name
//    ("ConditionalCheckFailedException"), and a TransactionCanceledException carries its
//    CancellationReasons (json.h);
//  * awsproto::HttpError when there was no usable answer (after the retries).
// Retries follow the SDKs' standard mode (retry.h): up to 4 attempts for DynamoDB, with
// backoff and jitter, only for the errors the SDKs retry. As botocore does for DynamoDB, an
// answer whose x-amz-crc32 header does not match its body is retried too (a damaged answer);
// still damaged after the last attempt, it is an HttpError (Protocol).
//
// One keep-alive HttpClient per JsonClient: not thread-safe; make one per thread (a Lambda
// function makes one at init and reuses it for every invocation).
//
//   awsproto::JsonClient ddb = awsproto::JsonClient::dynamodb(awsproto::Env::from_environment());
//   rapidjson::Document out = ddb.call("DynamoDB_20120810.GetItem",
//                                      R"({"TableName":"t","Key":{"pk":{"S":"a"}}})");
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <string_view>

#include "awsproto/env.h"
#include "awsproto/http_client.h"
#include "awsproto/json.h"
#include "awsproto/retry.h"
#include "awsproto/sigv4.h"

namespace awsproto {

struct JsonClientOptions {
  std::string signing_name = "dynamodb";
  RetryPolicy retry = RetryPolicy::dynamodb();
  bool check_crc32 = true;  // DynamoDB sends x-amz-crc32; DynamoDB Streams does not
  HttpClientOptions http;
};

class JsonClient {
 public:
  JsonClient(std::string_view endpoint_url, std::string region, Credentials credentials,
             JsonClientOptions options = {});

  // Endpoint env.endpoint_for("DynamoDB"), env's region and credentials, AWS_MAX_ATTEMPTS.
  static JsonClient dynamodb(const Env& env, HttpClientOptions http = {});
  // Endpoint env.endpoint_for("DynamoDB Streams") (AWS_ENDPOINT_URL_DYNAMODB_STREAMS).
  static JsonClient dynamodb_streams(const Env& env, HttpClientOptions http = {});

  using TimePoint = std::chrono::steady_clock::time_point;
  // `target` is the whole X-Amz-Target ("DynamoDB_20120810.PutItem"), `body` the request's
  // JSON object. `answer_by`: no attempt starts that could end after it (an attempt is bounded
  // by the connect and I/O timeouts), so that a caller with a deadline, a Lambda function's, has
  // its answer or its failure in time; with no time left for an attempt the call throws
  // HttpError (Timeout) without sending it.
  rapidjson::Document call(std::string_view target, std::string_view body,
                           TimePoint answer_by = TimePoint::max());

  // The attempts the last call() made (1 when it needed no retry).
  int last_attempts() const { return last_attempts_; }
  HttpClient& http() { return http_; }
  Retrier& retrier() { return retrier_; }

 private:
  HttpClient http_;
  std::string region_;
  Credentials credentials_;
  std::string signing_name_;
  bool check_crc32_;
  Retrier retrier_;
  int last_attempts_ = 0;
};

}  // namespace awsproto
