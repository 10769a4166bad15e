#include "runtime/runtime.h"

#include <cxxabi.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <typeinfo>

#include "awsproto/http_client.h"

namespace runtime {
namespace {

constexpr std::string_view kVersion = "/2018-06-01";

std::string runtime_api(const ServeOptions& options) {
  if (!options.runtime_api.empty()) return options.runtime_api;
  const char* value = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!value || !*value) throw std::runtime_error("AWS_LAMBDA_RUNTIME_API is not set");
  return value;
}

awsproto::HttpClient make_client(const ServeOptions& options) {
  awsproto::HttpClientOptions client_options;
  // GET /next blocks for as long as the function is idle (minutes or hours).
  client_options.io_timeout = std::chrono::hours(24);
  // The response limit is Lambda's, not ours: let the Runtime API judge it.
  client_options.max_body_bytes = 64u << 20;
  return awsproto::HttpClient("http://" + runtime_api(options), client_options);
}

std::string type_name(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? demangled.get() : mangled;
}

awsproto::Response post(awsproto::HttpClient& client, const std::string& path, std::string body,
                        awsproto::Headers headers) {
  awsproto::Request request;
  request.method = "POST";
  request.path = std::string(kVersion) + path;
  request.headers = std::move(headers);
  request.headers.emplace_back("Host", client.endpoint().host_header());
  request.body = std::move(body);
  return client.request(request);
}

void log(const std::string& line) { std::cerr << "runtime: " << line << std::endl; }

}  // namespace

int64_t Invocation::remaining_ms() const {
  using namespace std::chrono;
  return deadline_ms - duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string error_payload(std::string_view type, std::string_view message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("errorMessage");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("errorType");
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  w.Key("stackTrace");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool report_init_error(std::string_view type, std::string_view message,
                       const ServeOptions& options) {
  try {
    auto client = make_client(options);
    auto response = post(client, "/runtime/init/error", error_payload(type, message),
                         {{"Lambda-Runtime-Function-Error-Type", std::string(type)},
                          {"Content-Type", "application/json"}});
    return response.status == 202;
  } catch (const std::exception& e) {
    log(std::string("init error not reported: ") + e.what());
    return false;
  }
}

int serve(const Handler& handler, const ServeOptions& options) {
  std::optional<awsproto::HttpClient> client;
  try {
    client.emplace(make_client(options));
  } catch (const std::exception& e) {
    log(e.what());
    return 1;
  }
  for (int served = 0; options.max_invocations < 0 || served < options.max_invocations; ++served) {
    awsproto::Response next;
    try {
      awsproto::Request request;
      request.path = std::string(kVersion) + "/runtime/invocation/next";
      request.headers.emplace_back("Host", client->endpoint().host_header());
      next = client->request(request);
    } catch (const std::exception& e) {
      log(std::string("GET next failed: ") + e.what());
      return 1;
    }
    if (next.status != 200) {
      // 500: the execution environment is going away; anything else is a broken contract.
      log("GET next answered " + std::to_string(next.status) + ": " + next.body);
      return 1;
    }
    Invocation invocation;
    invocation.request_id = std::string(next.header("Lambda-Runtime-Aws-Request-Id").value_or(""));
    if (invocation.request_id.empty()) {
      log("GET next gave no Lambda-Runtime-Aws-Request-Id");
      return 1;
    }
    invocation.deadline_ms = std::strtoll(
        std::string(next.header("Lambda-Runtime-Deadline-Ms").value_or("0")).c_str(), nullptr, 10);
    invocation.function_arn =
        std::string(next.header("Lambda-Runtime-Invoked-Function-Arn").value_or(""));
    invocation.trace_id = std::string(next.header("Lambda-Runtime-Trace-Id").value_or(""));
    invocation.client_context =
        std::string(next.header("Lambda-Runtime-Client-Context").value_or(""));
    invocation.cognito_identity =
        std::string(next.header("Lambda-Runtime-Cognito-Identity").value_or(""));
    invocation.event = std::move(next.body);
    // What the X-Ray SDKs read (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html).
    if (invocation.trace_id.empty()) {
      ::unsetenv("_X_AMZN_TRACE_ID");
    } else {
      ::setenv("_X_AMZN_TRACE_ID", invocation.trace_id.c_str(), 1);
    }

    std::string path = "/runtime/invocation/" + invocation.request_id;
    awsproto::Response posted;
    try {
      std::string body;
      std::string error_type;
      try {
        body = handler(invocation);
      } catch (const FunctionError& e) {
        error_type = e.type();
        body = error_payload(e.type(), e.what());
      } catch (const std::exception& e) {
        error_type = type_name(e);
        body = error_payload(error_type, e.what());
      } catch (...) {
        error_type = "Unknown";
        body = error_payload(error_type, "a non-standard exception was thrown");
      }
      if (error_type.empty()) {
        posted = post(*client, path + "/response", std::move(body), {});
      } else {
        posted = post(*client, path + "/error", std::move(body),
                      {{"Lambda-Runtime-Function-Error-Type", error_type},
                       {"Content-Type", "application/json"}});
      }
    } catch (const std::exception& e) {
      log(std::string("posting the result failed: ") + e.what());
      return 1;
    }
    if (posted.status == 500) {
      log("the Runtime API answered 500: " + posted.body);
      return 1;
    }
    if (posted.status != 202) {
      // 400 (unknown request id), 403 (already answered), 413 (response over 6 MB): the
      // invocation is over either way; report it and take the next one.
      log(invocation.request_id + ": result refused with " + std::to_string(posted.status) + ": " +
          posted.body);
    }
  }
  return 0;
}

}  // namespace runtime
