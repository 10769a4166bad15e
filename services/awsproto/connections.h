// A client of API Gateway's @connections management API (ApiGatewayManagementApi), as a
// WebSocket API's functions use it: PostToConnection, GetConnection, DeleteConnection.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
//
//   POST   {endpoint}/@connections/{id}   body: the data     200, or 410 GoneException
//   GET    {endpoint}/@connections/{id}                      200 {"connectedAt", "identity":
//                                                            {"sourceIp","userAgent"},
//                                                            "lastActiveAt"}
//   DELETE {endpoint}/@connections/{id}                      204
//
// signed with SigV4 service "execute-api", the id percent-encoded (ids end in '='). Errors are
// rest-json: the type in x-amzn-ErrorType (else the body's __type or code), {"message"} in the
// body. Service answers are results, not exceptions: a broadcast loop checks gone() and moves
// on. Retries as the SDKs' standard mode (retry.h: 3 attempts, 5xx, throttling such as 429
// LimitExceededException); GoneException and other 4xx are never retried.
//
// One keep-alive HttpClient per client: not thread-safe (one per thread, or per Lambda
// instance: make it at init or on the first event, and reuse it).
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "awsproto/env.h"
#include "awsproto/http_client.h"
#include "awsproto/retry.h"
#include "awsproto/sigv4.h"

namespace awsproto {

struct ConnectionResult {
  enum class Status { Ok, Gone, Error };
  Status status = Status::Ok;
  // The HTTP status of the last answer; 0 when none came (the message says why: a refused
  // connection, a timeout, a TLS failure).
  int http_status = 0;
  std::string error_type;  // "GoneException", "ForbiddenException", "PayloadTooLargeException"
  std::string message;

  bool ok() const { return status == Status::Ok; }
  bool gone() const { return status == Status::Gone; }
};

// GetConnection's answer; the times as the service writes them (ISO 8601, "2024-05-01T12:00:
// 00.123Z").
struct ConnectionInfo {
  std::string connected_at, last_active_at, source_ip, user_agent;
};

struct GetConnectionResult : ConnectionResult {
  ConnectionInfo info;
};

class ConnectionsClient {
 public:
  // `endpoint_url` is the management endpoint: https://{api-id}.execute-api.{region}.
  // amazonaws.com/{stage}, or a custom domain's https://{domain}/{base-path}.
  ConnectionsClient(std::string_view endpoint_url, std::string region, Credentials credentials,
                    HttpClientOptions http = {}, RetryPolicy retry = RetryPolicy::standard());

  // The endpoint for a WebSocket API's event: https://{domainName}/{stage}, as AWS's examples
  // build it from requestContext. When AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI is set it wins:
  // as is when it has a path (it names the stage), else with "/{stage}" appended (it stands for
  // the domain name, which is how the Lambda host gives the plane's gateway). Note that an SDK
  // client built with an explicit endpoint_url ignores the variable
  // (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); letting it win
  // here is what lets the same binary reach the plane from events that name AWS's host.
  static std::string endpoint_for(const Env& env, std::string_view domain_name,
                                  std::string_view stage);
  // The same from an event's requestContext.domainName and .stage; throws
  // std::invalid_argument when the event has neither the variable's help nor those members.
  static std::string endpoint_for_event(const Env& env, const rapidjson::Value& event);
  static ConnectionsClient for_event(const Env& env, const rapidjson::Value& event,
                                     HttpClientOptions http = {});

  using TimePoint = std::chrono::steady_clock::time_point;
  // `answer_by`: no attempt starts that could end after it (an attempt is bounded by the
  // connect and I/O timeouts), so that a caller with a deadline, a Lambda function's, has its
  // answer in time; a call with no time for an attempt fails with http_status 0.
  ConnectionResult post_to_connection(std::string_view connection_id, std::string_view data,
                                      TimePoint answer_by = TimePoint::max());
  // Many PostToConnection calls in one pipelined round trip (HttpClient::request_all), a result
  // for each, in order. The pipelined request is each call's first attempt: a post that got no
  // answer, or an answer a retry could change (5xx, throttling), has its further attempts on
  // its own, as post_to_connection's retries; the others' answers stand. The server handles one
  // connection's requests in order, so posts to one WebSocket connection arrive in the order
  // given, except that a post retried after a 5xx or a throttle comes after those pipelined
  // behind it (the gateway here answers a post 200, 410 or 4xx, never so). Over TLS (AWS's
  // endpoints) the posts go one after the other, each with its retries before the next.
  struct Post {
    std::string_view connection_id, data;
  };
  std::vector<ConnectionResult> post_to_connections(const std::vector<Post>& posts,
                                                    TimePoint answer_by = TimePoint::max());
  GetConnectionResult get_connection(std::string_view connection_id);
  ConnectionResult delete_connection(std::string_view connection_id);

  HttpClient& http() { return http_; }
  Retrier& retrier() { return retrier_; }

 private:
  Request make_request(const char* method, std::string_view connection_id, std::string_view body);
  // One call with retries; the answer (2xx) or the failure, in `result`. `first`, when given, is
  // the outcome of the first attempt, made already (a pipelined request).
  Response send(const char* method, std::string_view connection_id, std::string_view body,
                ConnectionResult& result, TimePoint answer_by = TimePoint::max(),
                HttpClient::Answer* first = nullptr);

  HttpClient http_;
  std::string region_;
  Credentials credentials_;
  Retrier retrier_;
};

// GetConnection's body as the service writes it; false when it is not a JSON object.
bool parse_connection_info(std::string_view body, ConnectionInfo& info);

}  // namespace awsproto
