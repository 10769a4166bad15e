#include "awsproto/connections.h"

#include <chrono>
#include <map>
#include <stdexcept>
#include <string_view>

#include "awsproto/json.h"

namespace awsproto {
namespace {

std::string member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

bool parse_connection_info(std::string_view body, ConnectionInfo& info) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  info.connected_at = member(doc, "connectedAt");
  info.last_active_at = member(doc, "lastActiveAt");
  if (auto identity = doc.FindMember("identity"); identity != doc.MemberEnd()) {
    info.source_ip = member(identity->value, "sourceIp");
    info.user_agent = member(identity->value, "userAgent");
  }
  return true;
}

ConnectionsClient::ConnectionsClient(std::string_view endpoint_url, std::string region,
                                     Credentials credentials, HttpClientOptions http,
                                     RetryPolicy retry)
    : http_(endpoint_url, std::move(http)),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      retrier_(retry) {}

std::string ConnectionsClient::endpoint_for(const Env& env, std::string_view domain_name,
                                            std::string_view stage) {
  auto it = env.service_endpoint_urls.find("APIGATEWAYMANAGEMENTAPI");
  if (it != env.service_endpoint_urls.end()) {
    Endpoint configured = parse_endpoint(it->second);
    if (!configured.base_path.empty() || stage.empty()) return it->second;
    std::string url = it->second;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url + "/" + std::string(stage);
  }
  if (domain_name.empty()) {
    throw std::invalid_argument(
        "awsproto: no @connections endpoint: no domain name, and "
        "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI is not set");
  }
  std::string url = "https://" + std::string(domain_name);
  if (!stage.empty()) url += "/" + std::string(stage);
  return url;
}

std::string ConnectionsClient::endpoint_for_event(const Env& env, const rapidjson::Value& event) {
  std::string domain, stage;
  if (event.IsObject()) {
    if (auto rc = event.FindMember("requestContext"); rc != event.MemberEnd()) {
      domain = member(rc->value, "domainName");
      stage = member(rc->value, "stage");
    }
  }
  return endpoint_for(env, domain, stage);
}

ConnectionsClient ConnectionsClient::for_event(const Env& env, const rapidjson::Value& event,
                                               HttpClientOptions http) {
  return ConnectionsClient(endpoint_for_event(env, event), env.region, env.credentials,
                           std::move(http),
                           RetryPolicy::standard().with_max_attempts(env.max_attempts));
}

Request ConnectionsClient::make_request(const char* method, std::string_view connection_id,
                                        std::string_view body) {
  Request request;
  request.method = method;
  request.path = http_.endpoint().join_path("/@connections/" + uri_encode(connection_id, false));
  request.headers = {{"Host", http_.endpoint().host_header()}};
  request.body = body;
  sign(request, credentials_, region_, "execute-api", std::chrono::system_clock::now());
  return request;
}

Response ConnectionsClient::send(const char* method, std::string_view connection_id,
                                 std::string_view body, ConnectionResult& result,
                                 TimePoint answer_by, HttpClient::Answer* first) {
  retrier_.start_call();
  for (int attempt = 1;; ++attempt) {
    const bool given = attempt == 1 && first;
    if (auto no_time = given ? std::nullopt : http_.no_time_for(attempt, answer_by)) {
      result.status = ConnectionResult::Status::Error;
      result.http_status = 0;
      result.message = *no_time;
      return {};
    }
    Response response;
    try {
      if (!given) {
        response = http_.request(make_request(method, connection_id, body));
      } else if (first->response) {
        response = std::move(*first->response);
      } else {
        throw *first->error;
      }
    } catch (const HttpError& e) {
      RetryKind kind = e.kind() == HttpError::Kind::Tls ? RetryKind::None : RetryKind::Transient;
      if (retrier_.retry(attempt, kind)) continue;
      result.status = ConnectionResult::Status::Error;
      result.http_status = 0;
      result.message = e.what();
      return {};
    }
    result.http_status = response.status;
    if (response.status >= 200 && response.status <= 299) {
      retrier_.succeeded();
      result.status = ConnectionResult::Status::Ok;
      return response;
    }
    AwsError error = parse_aws_error(response.status, response.body,
                                     response.header("x-amzn-ErrorType").value_or(""));
    if (retrier_.retry(attempt, classify_error(error.status(), error.type()))) continue;
    result.error_type = error.type();
    result.message = error.message();
    result.status = error.type() == "GoneException" || response.status == 410
                        ? ConnectionResult::Status::Gone
                        : ConnectionResult::Status::Error;
    return response;
  }
}

std::vector<ConnectionResult> ConnectionsClient::post_to_connections(const std::vector<Post>& posts,
                                                                     TimePoint answer_by) {
  std::vector<ConnectionResult> results(posts.size());
  if (posts.empty()) return results;
  if (posts.size() == 1 || !http_.pipelines()) {
    // One after the other, each with its retries before the next starts: a post to a
    // connection that is throttled or answered 5xx is not overtaken by the next one to it. A
    // connection answered 410 gets no more of them: their result is that 410.
    std::map<std::string_view, size_t> gone;
    for (size_t i = 0; i < posts.size(); ++i) {
      auto seen = gone.find(posts[i].connection_id);
      if (seen != gone.end()) {
        results[i] = results[seen->second];
        continue;
      }
      results[i] = post_to_connection(posts[i].connection_id, posts[i].data, answer_by);
      if (results[i].gone()) gone.emplace(posts[i].connection_id, i);
    }
    return results;
  }
  if (auto no_time = http_.no_time_for(1, answer_by)) {
    for (auto& r : results) {
      r.status = ConnectionResult::Status::Error;
      r.message = *no_time;
    }
    return results;
  }
  std::vector<Request> requests;
  requests.reserve(posts.size());
  for (const auto& p : posts) requests.push_back(make_request("POST", p.connection_id, p.data));
  auto answers = http_.request_all(requests);
  // The pipelined answer is each call's first attempt; its retries go alone.
  for (size_t i = 0; i < posts.size(); ++i) {
    send("POST", posts[i].connection_id, posts[i].data, results[i], answer_by, &answers[i]);
  }
  return results;
}

ConnectionResult ConnectionsClient::post_to_connection(std::string_view connection_id,
                                                       std::string_view data, TimePoint answer_by) {
  ConnectionResult result;
  send("POST", connection_id, data, result, answer_by);
  return result;
}

GetConnectionResult ConnectionsClient::get_connection(std::string_view connection_id) {
  GetConnectionResult result;
  Response response = send("GET", connection_id, "", result);
  if (result.ok() && !parse_connection_info(response.body, result.info)) {
    result.status = ConnectionResult::Status::Error;
    result.message = "GetConnection: the answer is not a JSON object";
  }
  return result;
}

ConnectionResult ConnectionsClient::delete_connection(std::string_view connection_id) {
  ConnectionResult result;
  send("DELETE", connection_id, "", result);
  return result;
}

}  // namespace awsproto
