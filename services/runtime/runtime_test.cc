// The loop against an in-process fake Runtime API that hands out scripted invocations and
// records what the runtime posts back.
#include "runtime/runtime.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "lambda/http_server.h"

namespace runtime {
namespace {

struct Posted {
  std::string path, body, error_type;
};

class FakeRuntimeApi {
 public:
  FakeRuntimeApi()
      : server_(lambda::HttpServerOptions{},
                [this](const lambda::HttpRequest& request) { return handle(request); }) {}

  void add(std::string id, std::string event, int next_status = 200) {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(id), std::move(event), next_status});
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<Posted> posted() {
    std::lock_guard lock(mutex_);
    return posted_;
  }
  int post_status = 202;

 private:
  struct Scripted {
    std::string id, event;
    int status;
  };

  lambda::HttpResponse handle(const lambda::HttpRequest& request) {
    std::lock_guard lock(mutex_);
    if (request.method == "GET" && request.path == "/2018-06-01/runtime/invocation/next") {
      if (queue_.empty()) return {500, {}, "{\"errorType\":\"Runtime.ExitError\"}"};
      Scripted next = queue_.front();
      queue_.pop_front();
      if (next.status != 200) return {next.status, {}, "{}"};
      return {200,
              {{"Lambda-Runtime-Aws-Request-Id", next.id},
               {"Lambda-Runtime-Deadline-Ms", "4102444800000"},
               {"Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:function:f"},
               {"Lambda-Runtime-Trace-Id", "Root=1-abc"},
               {"Lambda-Runtime-Client-Context", "{\"custom\":{}}"}},
              next.event};
    }
    posted_.push_back(
        {request.path, request.body,
         std::string(request.header("Lambda-Runtime-Function-Error-Type").value_or(""))});
    return {post_status, {}, "{\"status\":\"OK\"}"};
  }

  lambda::HttpServer server_;
  std::mutex mutex_;
  std::deque<Scripted> queue_;
  std::vector<Posted> posted_;
};

TEST(Serve, PostsTheHandlersResponseWithTheInvocationsHeaders) {
  FakeRuntimeApi api;
  api.add("id-1", "{\"a\":1}");
  std::vector<Invocation> seen;
  int rc = serve(
      [&](const Invocation& in) {
        seen.push_back(in);
        return std::string("{\"ok\":true}");
      },
      {api.address(), 1});
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request_id, "id-1");
  EXPECT_EQ(seen[0].event, "{\"a\":1}");
  EXPECT_EQ(seen[0].deadline_ms, 4102444800000);
  EXPECT_EQ(seen[0].function_arn, "arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_EQ(seen[0].trace_id, "Root=1-abc");
  EXPECT_EQ(seen[0].client_context, "{\"custom\":{}}");
  EXPECT_GT(seen[0].remaining_ms(), 0);
  auto posted = api.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/invocation/id-1/response");
  EXPECT_EQ(posted[0].body, "{\"ok\":true}");
}

TEST(Serve, ReportsExceptionsAsLambdaErrors) {
  FakeRuntimeApi api;
  api.add("id-1", "{}");
  api.add("id-2", "{}");
  int calls = 0;
  serve(
      [&](const Invocation&) -> std::string {
        if (++calls == 1) throw FunctionError("Chat.BadInput", "no \"text\"");
        throw std::out_of_range("index 3");
      },
      {api.address(), 2});
  auto posted = api.posted();
  ASSERT_EQ(posted.size(), 2u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/invocation/id-1/error");
  EXPECT_EQ(posted[0].error_type, "Chat.BadInput");
  EXPECT_EQ(posted[0].body,
            "{\"errorMessage\":\"no \\\"text\\\"\",\"errorType\":\"Chat.BadInput\","
            "\"stackTrace\":[]}");
  EXPECT_EQ(posted[1].error_type, "std::out_of_range");
  EXPECT_NE(posted[1].body.find("\"errorMessage\":\"index 3\""), std::string::npos);
}

TEST(Serve, ExitsWhenNextAnswers500AndKeepsGoingAfterARefusedResponse) {
  FakeRuntimeApi api;
  api.post_status = 413;
  api.add("id-1", "{}");
  int calls = 0;
  int rc = serve([&](const Invocation&) { return std::to_string(++calls); }, {api.address(), -1});
  EXPECT_EQ(rc, 1);  // the queue ran dry: the fake's 500 means "exit"
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(api.posted().size(), 1u);
}

TEST(Serve, UnreachableRuntimeApiIsAnError) {
  EXPECT_EQ(serve([](const Invocation&) { return std::string(); }, {"127.0.0.1:1", 1}), 1);
}

TEST(ReportInitError, PostsToInitError) {
  FakeRuntimeApi api;
  EXPECT_TRUE(report_init_error("Runtime.ConfigError", "TABLE_NAME is not set", {api.address()}));
  auto posted = api.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(posted[0].error_type, "Runtime.ConfigError");
}

}  // namespace
}  // namespace runtime
