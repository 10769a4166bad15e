#include "gateway/invoker.h"

#include <rapidjson/document.h>

#include <chrono>
#include <map>

#include "awsproto/clock.h"
#include "awsproto/http_client.h"
#include "gateway/routing.h"

namespace gateway {

ProxyResult parse_proxy_result(std::string_view payload) {
  ProxyResult out;
  if (json_too_deep(payload)) return out;  // as if not JSON
  rapidjson::Document doc;
  doc.Parse(payload.data(), payload.size());
  if (doc.HasParseError() || !doc.IsObject()) return out;
  auto status = doc.FindMember("statusCode");
  if (status != doc.MemberEnd()) {
    if (status->value.IsInt()) {
      out.status_code = status->value.GetInt();
    } else if (status->value.IsString()) {
      out.status_code = std::atoi(status->value.GetString());
    }
  }
  auto body = doc.FindMember("body");
  if (body != doc.MemberEnd() && body->value.IsString()) {
    out.body = std::string(body->value.GetString(), body->value.GetStringLength());
  }
  return out;
}

Invoker::Invoker(InvokerOptions options) : options_(std::move(options)) {
  if (options_.workers < 1) options_.workers = 1;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
}

Invoker::~Invoker() { shutdown(); }

void Invoker::invoke(std::string function, std::string payload, Callback done,
                     std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) timeout = options_.timeout;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back({std::move(function), std::move(payload), std::move(done), timeout});
  }
  wake_.notify_one();
}

void Invoker::invoke_first(std::string function, std::string payload, Callback done) {
  {
    std::lock_guard lock(mutex_);
    first_.push_back({std::move(function), std::move(payload), std::move(done), options_.timeout});
  }
  wake_.notify_one();
}

void Invoker::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Invoker::work() {
  // One keep-alive client per timeout in use: the function may run on (Lambda's maximum is
  // 900 s); the caller is told after this long.
  std::map<int64_t, awsproto::HttpClient> clients;
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty() || !first_.empty(); });
      std::deque<Job>& queue = first_.empty() ? jobs_ : first_;
      if (queue.empty()) return;  // stopping, and nothing left to do
      job = std::move(queue.front());
      queue.pop_front();
    }
    InvokeResult result;
    try {
      auto it = clients.find(job.timeout.count());
      if (it == clients.end()) {
        awsproto::HttpClientOptions client_options;
        client_options.io_timeout = job.timeout;
        it = clients.try_emplace(job.timeout.count(), options_.endpoint, client_options).first;
      }
      result = call(it->second, job);
    } catch (const awsproto::HttpError& e) {
      result.ok = false;
      result.error = e.what();
      result.timed_out = e.kind() == awsproto::HttpError::Kind::Timeout;
    } catch (const std::exception& e) {
      result.ok = false;
      result.error = e.what();
    }
    job.done(std::move(result));
  }
}

InvokeResult Invoker::call(awsproto::HttpClient& client, const Job& job) {
  awsproto::Request request;
  request.method = "POST";
  request.path = client.endpoint().join_path(
      "/2015-03-31/functions/" + awsproto::uri_encode(job.function, false) + "/invocations");
  request.headers = {{"Host", client.endpoint().host_header()},
                     {"Content-Type", "application/json"},
                     {"X-Amz-Invocation-Type", "RequestResponse"}};
  request.body = job.payload;
  const auto now =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(awsproto::Clock::now_ms()));
  awsproto::sign(request, options_.credentials, options_.region, "lambda", now);
  awsproto::Response response = client.request(request);
  InvokeResult result;
  if (response.status != 200) {
    result.error = "Invoke returned HTTP " + std::to_string(response.status) + ": " +
                   response.body.substr(0, 300);
    return result;
  }
  if (auto function_error = response.header("X-Amz-Function-Error")) {
    result.error =
        "function error (" + std::string(*function_error) + "): " + response.body.substr(0, 300);
    result.function_error = true;
    result.payload = std::move(response.body);
    return result;
  }
  result.ok = true;
  result.payload = std::move(response.body);
  return result;
}

}  // namespace gateway
