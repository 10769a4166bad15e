#include "lambda/invoke_api.h"

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include "awsproto/clock.h"
#include "awsproto/encoding.h"
#include "lambda/wire.h"

namespace lambda {
namespace {

constexpr std::string_view kFunctions = "/2015-03-31/functions/";

// Whether the text parses as JSON, checked by a SAX pass of the iterative parser: no DOM is
// built and nothing recurses, however deep the nesting (6 MB of "[" would overflow the stack of
// a recursive parse). `max_depth` > 0 also refuses nesting past it.
bool valid_json(std::string_view text, rapidjson::ParseErrorCode* error, int max_depth = 0) {
  struct Check : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Check> {
    int depth = 0, max_depth = 0;
    bool StartObject() { return ++depth <= max_depth || max_depth == 0; }
    bool EndObject(rapidjson::SizeType) { return --depth >= 0; }
    bool StartArray() { return ++depth <= max_depth || max_depth == 0; }
    bool EndArray(rapidjson::SizeType) { return --depth >= 0; }
  } check;
  check.max_depth = max_depth;
  rapidjson::MemoryStream bytes(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseIterativeFlag>(in, check);
  if (error) *error = reader.GetParseErrorCode();
  return !reader.HasParseError();
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::string query_value(std::string_view query, std::string_view name) {
  for (auto pair : split(query, '&')) {
    size_t eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    }
  }
  return "";
}

HttpResponse json_response(int status, std::string body) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

}  // namespace

std::optional<FunctionRef> parse_function_name(std::string_view text) {
  auto parts = split(text, ':');
  FunctionRef ref;
  if (parts.size() == 1 || parts.size() == 2) {  // NAME[:QUALIFIER]
    ref.name = parts[0];
    if (parts.size() == 2) ref.qualifier = parts[1];
  } else if ((parts.size() == 3 || parts.size() == 4) && parts[1] == "function") {
    ref.name = parts[2];  // ACCOUNT:function:NAME[:QUALIFIER]
    if (parts.size() == 4) ref.qualifier = parts[3];
  } else if ((parts.size() == 7 || parts.size() == 8) && parts[0] == "arn" &&
             parts[2] == "lambda" && parts[5] == "function") {
    ref.name = parts[6];
    if (parts.size() == 8) ref.qualifier = parts[7];
  } else {
    return std::nullopt;
  }
  if (!valid_name(ref.name)) return std::nullopt;
  if (parts.size() == 2 || parts.size() == 4 || parts.size() == 8) {
    if (ref.qualifier.empty()) return std::nullopt;
  }
  return ref;
}

InvokeApi::InvokeApi(const Plan& plan, const HostConfig& host) : host_(host) {
  for (const auto& spec : plan.functions) {
    pools_.emplace(spec.name, std::make_unique<FunctionPool>(spec, host));
  }
  // Event invocations run on a few workers; each waits for an instance of its function.
  for (int i = 0; i < 8; ++i) workers_.emplace_back([this] { event_worker(); });
}

InvokeApi::~InvokeApi() { shutdown(); }

void InvokeApi::shutdown() {
  {
    std::lock_guard lock(events_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  events_cv_.notify_all();
  for (auto& pool : pools_) pool.second->shutdown();
  for (auto& worker : workers_) worker.join();
}

std::optional<InvocationResult> InvokeApi::invoke_function(const std::string& name,
                                                           const std::string& payload) {
  auto it = pools_.find(name);
  if (it == pools_.end()) return std::nullopt;
  Invocation invocation;
  invocation.request_id = new_uuid();
  invocation.payload = payload;
  return it->second->invoke(invocation, false);
}

FunctionPool* InvokeApi::find(const FunctionRef& ref, std::string& error_arn) const {
  error_arn = "arn:aws:lambda:" + host_.region + ":" + host_.account_id + ":function:" + ref.name +
              (ref.qualifier.empty() ? "" : ":" + ref.qualifier);
  auto it = pools_.find(ref.name);
  if (it == pools_.end()) return nullptr;
  // Only the unpublished version exists here: no versions or aliases are published.
  if (!ref.qualifier.empty() && ref.qualifier != "$LATEST") return nullptr;
  return it->second.get();
}

HttpResponse InvokeApi::handle(const HttpRequest& request) {
  std::string request_id = new_uuid();
  if (request.path == "/_plane/clock") return clock(request);
  if (request.path.compare(0, kFunctions.size(), kFunctions) != 0) {
    return service_error(404, "UnknownOperationException", "Unknown operation", request_id);
  }
  std::string_view rest = std::string_view(request.path).substr(kFunctions.size());
  size_t slash = rest.find('/');
  std::string name = percent_decode(rest.substr(0, slash));
  std::string_view action = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  enum class Op { Invoke, GetFunction, GetConfiguration } op;
  if (request.method == "POST" && action == "invocations") {
    op = Op::Invoke;
  } else if (request.method == "GET" && (action.empty() || action == "/")) {
    op = Op::GetFunction;
  } else if (request.method == "GET" && action == "configuration") {
    op = Op::GetConfiguration;
  } else {
    return service_error(404, "UnknownOperationException", "Unknown operation", request_id);
  }
  auto ref = parse_function_name(name);
  if (!ref) {
    // The pattern check of FunctionName, worded as Lambda's model validation is.
    return service_error(400, "ValidationException",
                         "1 validation error detected: Value '" + name +
                             "' at 'functionName' failed to satisfy constraint: Member must "
                             "satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
                             "([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
                             "([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                         request_id);
  }
  std::string qualifier = query_value(request.query, "Qualifier");
  if (!qualifier.empty()) {
    if (!ref->qualifier.empty() && ref->qualifier != qualifier) {
      return service_error(400, "InvalidParameterValueException",
                           "The derived qualifier from the function name does not match the "
                           "specified qualifier.",
                           request_id);
    }
    ref->qualifier = qualifier;
  }
  std::string arn;
  FunctionPool* pool = find(*ref, arn);
  if (!pool) {
    return service_error(404, "ResourceNotFoundException", "Function not found: " + arn, request_id,
                         /*capital_message=*/true);
  }
  if (op == Op::Invoke) return invoke(*pool, request, request_id);
  return get_function(*pool, op == Op::GetConfiguration, request_id);
}

HttpResponse InvokeApi::invoke(FunctionPool& pool, const HttpRequest& request,
                               const std::string& request_id) {
  std::string type(request.header("X-Amz-Invocation-Type").value_or("RequestResponse"));
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return service_error(400, "ValidationException",
                         "1 validation error detected: Value '" + type +
                             "' at 'invocationType' failed to satisfy constraint: Member must "
                             "satisfy enum value set: [Event, RequestResponse, DryRun]",
                         request_id);
  }
  size_t limit = type == "Event" ? kMaxAsyncRequestBytes : kMaxSyncRequestBytes;
  if (request.body.size() > limit) {
    return service_error(413, "RequestEntityTooLargeException",
                         "Request must be smaller than " + std::to_string(limit) +
                             " bytes for the InvokeFunction operation",
                         request_id);
  }
  if (!request.body.empty()) {
    // Checked, not kept: a payload nested a million deep is an answer, not a crash.
    rapidjson::ParseErrorCode error;
    if (!valid_json(request.body, &error)) {
      return service_error(400, "InvalidRequestContentException",
                           std::string("Could not parse request body into json: Could not "
                                       "parse payload into json: ") +
                               rapidjson::GetParseError_En(error),
                           request_id);
    }
  }
  Invocation invocation;
  invocation.request_id = request_id;
  invocation.payload = request.body;
  if (auto context = request.header("X-Amz-Client-Context"); context && !context->empty()) {
    auto decoded = awsproto::base64_decode(*context);
    if (!decoded) {
      return service_error(400, "InvalidRequestContentException",
                           "Client context must be a valid Base64-encoded JSON object.",
                           request_id);
    }
    invocation.client_context = *decoded;
  }
  if (auto trace = request.header("X-Amzn-Trace-Id")) invocation.trace_id = *trace;

  if (type == "DryRun") {
    return HttpResponse{204, {{"x-amzn-RequestId", request_id}}, ""};
  }
  if (type == "Event") {
    {
      std::lock_guard lock(events_mutex_);
      events_.push_back(Event{&pool, std::move(invocation), 1, awsproto::Clock::now_ms()});
    }
    events_cv_.notify_one();
    return HttpResponse{202, {{"x-amzn-RequestId", request_id}}, ""};
  }
  auto result = pool.invoke(invocation, /*throttle=*/true);
  if (!result) {
    HttpResponse throttled =
        service_error(429, "TooManyRequestsException", "Rate Exceeded.", request_id);
    throttled.body =
        "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\","
        "\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}";
    throttled.headers.emplace_back("Retry-After", "1");
    return throttled;
  }
  HttpResponse response{200,
                        {{"Content-Type", "application/json"},
                         {"X-Amz-Executed-Version", "$LATEST"},
                         {"x-amzn-RequestId", request_id}},
                        std::move(result->payload)};
  if (result->function_error) response.headers.emplace_back("X-Amz-Function-Error", "Unhandled");
  if (request.header("X-Amz-Log-Type").value_or("None") == "Tail") {
    response.headers.emplace_back("X-Amz-Log-Result", awsproto::base64_encode(result->log_tail));
  }
  return response;
}

void InvokeApi::event_worker() {
  using awsproto::Clock;
  for (;;) {
    Event event;
    {
      std::unique_lock lock(events_mutex_);
      for (;;) {
        if (stopping_) return;
        int64_t now = Clock::now_ms();
        auto first = events_.end();
        for (auto it = events_.begin(); it != events_.end(); ++it) {
          if (first == events_.end() || it->due_ms < first->due_ms) first = it;
        }
        if (first != events_.end() && first->due_ms <= now) {
          event = std::move(*first);
          events_.erase(first);
          break;
        }
        // A new event, the plane's clock moving (POST /_plane/clock) and shutdown notify; with
        // nothing queued there is nothing to wake for (the workers polled every 20 ms: 400
        // wake-ups a second of an idle host). A queued event is waited for until its due time,
        // at most a second at a time.
        if (first == events_.end()) {
          events_cv_.wait(lock);
        } else {
          events_cv_.wait_for(
              lock, std::chrono::milliseconds(std::clamp<int64_t>(first->due_ms - now, 1, 1000)));
        }
      }
    }
    const std::string& name = event.pool->spec().name;
    if (event.pool->capacity() == 0) {
      // Reserved concurrency 0: Lambda keeps throttled events and retries them (for up to six
      // hours); here they wait on the queue, checked once a minute, without holding a worker.
      std::lock_guard lock(events_mutex_);
      event.due_ms = Clock::now_ms() + 60'000;
      events_.push_back(std::move(event));
      continue;
    }
    auto result = event.pool->invoke(event.invocation, /*throttle=*/false);
    if (!result || !result->function_error) continue;
    std::lock_guard lock(events_mutex_);
    if (event.attempt >= kAsyncAttempts) {
      std::cerr << "lambda: " << name << ": event " << event.invocation.request_id << " failed "
                << kAsyncAttempts << " attempts, discarded\n";
      continue;
    }
    int64_t delay = kAsyncRetryDelayMs[event.attempt - 1];
    std::cerr << "lambda: " << name << ": event " << event.invocation.request_id
              << " failed attempt " << event.attempt << ", retrying in " << delay / 1000 << " s\n";
    event.due_ms = Clock::now_ms() + delay;
    ++event.attempt;
    events_.push_back(std::move(event));
  }
}

HttpResponse InvokeApi::get_function(FunctionPool& pool, bool configuration_only,
                                     const std::string& request_id) {
  const FunctionSpec& spec = pool.spec();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  auto configuration = [&] {
    w.StartObject();
    string("FunctionName", spec.name);
    string("FunctionArn", spec.arn);
    string("Runtime", spec.runtime);
    string("Handler", spec.handler);
    w.Key("Timeout");
    w.Int(spec.timeout_seconds);
    w.Key("MemorySize");
    w.Int(spec.memory_mb);
    string("Version", "$LATEST");
    string("Role", "arn:aws:iam::" + host_.account_id + ":role/" + spec.name + "-role");
    string("PackageType", "Zip");
    string("State", "Active");
    string("LastUpdateStatus", "Successful");
    w.Key("Architectures");
    w.StartArray();
    w.String("x86_64");
    w.EndArray();
    w.Key("Environment");
    w.StartObject();
    w.Key("Variables");
    w.StartObject();
    for (const auto& [key, value] : spec.environment) {
      w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
      w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    }
    w.EndObject();
    w.EndObject();
    w.EndObject();
  };
  if (configuration_only) {
    configuration();
  } else {
    w.StartObject();
    w.Key("Configuration");
    configuration();
    w.Key("Code");
    w.StartObject();
    string("RepositoryType", "S3");
    string("Location", "file://" + spec.code_uri);
    w.EndObject();
    if (spec.reserved_concurrency) {
      w.Key("Concurrency");
      w.StartObject();
      w.Key("ReservedConcurrentExecutions");
      w.Int(*spec.reserved_concurrency);
      w.EndObject();
    }
    w.EndObject();
  }
  HttpResponse response = json_response(200, std::string(buffer.GetString(), buffer.GetSize()));
  response.headers.emplace_back("x-amzn-RequestId", request_id);
  return response;
}

HttpResponse InvokeApi::clock(const HttpRequest& request) {
  using awsproto::Clock;
  if (request.method == "POST") {
    rapidjson::Document doc;
    const bool shallow = valid_json(request.body, nullptr, 16);
    if (shallow) doc.Parse(request.body.data(), request.body.size());
    if (!shallow || doc.HasParseError() || !doc.IsObject() || !doc.HasMember("advanceSeconds") ||
        !doc["advanceSeconds"].IsNumber()) {
      return json_response(400, "{\"message\":\"expected {\\\"advanceSeconds\\\": N}\"}");
    }
    double seconds = doc["advanceSeconds"].GetDouble();
    if (!std::isfinite(seconds) || std::fabs(seconds) > 1e9) {
      return json_response(400, "{\"message\":\"advanceSeconds out of range\"}");
    }
    Clock::advance_ms(static_cast<int64_t>(std::llround(seconds * 1000)));
    events_cv_.notify_all();
  } else if (request.method != "GET") {
    return json_response(405, "{\"message\":\"use GET or POST\"}");
  }
  return json_response(200, "{\"nowMs\":" + std::to_string(Clock::now_ms()) +
                                ",\"offsetMs\":" + std::to_string(Clock::offset_ms()) + "}");
}

}  // namespace lambda
