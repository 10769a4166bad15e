// The HTTP APIs' port: one session per client connection, one request at a time (keep-alive).
// A request finds its API and route (http_api.h), passes its Lambda authorizer if the route has
// one (authorizer.h), and is answered with what its function returned, or with API Gateway's own
// answers: 404 {"message":"Not Found"}, 401 {"message":"Unauthorized"}, 403
// {"message":"Forbidden"}, 500 {"message":"Internal Server Error"}, 503 {"message":"Service
// Unavailable"} when the function does not answer within the route's timeout.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "awsproto/clock.h"
#include "gateway/authorizer.h"
#include "gateway/http_api.h"
#include "gateway/ids.h"
#include "gateway/internal.h"

namespace gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

// HTTP APIs take requests up to 10 MB.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
constexpr size_t kMaxRequestBytes = 10u << 20;

class HttpApiSession : public std::enable_shared_from_this<HttpApiSession> {
 public:
  HttpApiSession(Gateway& gateway, Stream stream, beast::flat_buffer buffer)
      : gateway_(gateway),
        socket_(std::move(stream)),
        executor_(socket_.get_executor()),
        buffer_(std::move(buffer)) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    parser_->header_limit(16 * 1024);
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    api_ = nullptr;
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      request_id_ = new_id();
      return reply(413, message_body("Request Entity Too Large"));
    }
    if (ec) return close();
    auto request = parser_->release();
    keep_alive_ = request.keep_alive();
    request_id_ = new_id();
    const int64_t now = awsproto::Clock::now_ms();
    std::string_view target = request.target();
    size_t q = target.find('?');
    in_ = {};
    in_.method = std::string(request.method_string());
    in_.raw_path = std::string(target.substr(0, q));
    in_.raw_query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
    for (const auto& field : request) {
      in_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    boost::system::error_code ignored;
    auto remote = socket_.socket().remote_endpoint(ignored);
    auto local = socket_.socket().local_endpoint(ignored);
    in_.source_ip = ignored ? "" : remote.address().to_string();
    // What API Gateway adds before the function sees the request.
    in_.headers.emplace_back("x-amzn-trace-id", trace_id(now));
    in_.headers.emplace_back("x-forwarded-for", in_.source_ip);
    in_.headers.emplace_back("x-forwarded-port", std::to_string(local.port()));
    in_.headers.emplace_back("x-forwarded-proto", socket_.secure() ? "https" : "http");
    in_.user_agent = header_value(in_.headers, "user-agent").value_or("");
    in_.protocol = request.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
    in_.body = std::move(request.body());
    in_.request_id = request_id_;
    in_.time_ms = now;
    in_.account_id = gateway_.plan().account_id;

    HttpTarget t = resolve_http_target(
        gateway_.plan(), header_value(in_.headers, "host").value_or(""), in_.raw_path);
    api_ = t.api;
    if (!api_) return reply(404, message_body("Not Found"));
    in_.api_id = api_->api_id;
    in_.stage = api_->stage;
    in_.domain_name = api_->domain_name(gateway_.plan().region);
    if (api_->cors && is_preflight(in_.method, in_.headers)) {
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
      return reply(204, "", {}, cors_preflight_headers(*api_->cors, in_.headers), false);
    }
    RouteMatch m = match_route(*api_, in_.method, t.path);
    if (!m.route || m.route->function.empty()) return reply(404, message_body("Not Found"));
    route_ = m.route;
    route_path_ = t.path;
    in_.route_key = route_->route_key;
    in_.path_parameters = std::move(m.path_parameters);
    in_.resource_path = route_->route_key == "$default"
                            ? t.path
                            : route_->route_key.substr(route_->method.size() + 1);
    if (!route_->authorizer.empty()) return authorize();
    integrate();
  }

  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
  void authorize() {
    const Authorizer* a = api_->find_authorizer(route_->authorizer);
    // The context variables an identity source may name.
    const HeaderList context = {{"apiId", api_->api_id},
                                {"domainName", in_.domain_name},
                                {"httpMethod", in_.method},
                                {"identity.sourceIp", in_.source_ip},
                                {"identity.userAgent", in_.user_agent},
                                {"path", in_.raw_path},
                                {"protocol", in_.protocol},
                                {"routeKey", in_.route_key},
                                {"stage", api_->stage}};
    auto identity =
        identity_values(a->identity_source, in_.headers, parse_query(in_.raw_query), context);
    // A missing identity source is 401 before the authorizer runs.
    if (!identity) return reply(401, message_body("Unauthorized"));
    AuthorizerEventInput event;
    event.arn = http_route_arn(gateway_.plan().region, gateway_.plan().account_id, api_->api_id,
                               api_->stage, in_.method, route_path_);
    const bool v1 = a->payload_format_version == "1.0";
    const bool simple = a->simple_responses && !v1;
    // Caching needs at least one identity source, whose values are the key.
    std::string cache_key;
    if (a->result_ttl_s > 0 && !a->identity_source.empty()) {
      cache_key = AuthorizerCache::key(api_->api_id, a->name, *identity);
      std::optional<std::string> held;
      {
        std::lock_guard lock(gateway_.authorizer_mutex());
        held = gateway_.authorizer_cache().find(cache_key, awsproto::Clock::now_ms());
      }
      if (held) return decide(parse_authorizer_response(*held, simple, event.arn));
    }
    event.identity = std::move(*identity);
    std::string payload = v1 ? build_http_event_v1(in_, &event) : build_http_event_v2(in_, &event);
    auto self = shared_from_this();
    gateway_.invoker().invoke(a->function, std::move(payload),
                              [self, simple, arn = event.arn, key = std::move(cache_key),
                               ttl = a->result_ttl_s](InvokeResult result) {
                                net::post(self->executor_,
                                          [self, simple, arn, key, ttl, r = std::move(result)] {
                                            self->authorized(r, simple, arn, key, ttl);
                                          });
                              });
  }

  void authorized(const InvokeResult& result, bool simple, const std::string& arn,
                  const std::string& cache_key, int ttl_s) {
    if (!result.ok) {
      if (result.function_error && is_unauthorized_error(result.payload)) {
        return reply(401, message_body("Unauthorized"));
      }
      log_line("gateway: authorizer failed for " + in_.route_key + ": " + result.error);
      return reply(500, message_body("Internal Server Error"));
    }
    AuthDecision d = parse_authorizer_response(result.payload, simple, arn);
    if (d.kind != AuthDecision::Kind::Error && !cache_key.empty()) {
      std::lock_guard lock(gateway_.authorizer_mutex());
      gateway_.authorizer_cache().put(cache_key, result.payload, awsproto::Clock::now_ms(), ttl_s);
    }
    decide(std::move(d));
  }

  void decide(AuthDecision d) {
    if (d.kind == AuthDecision::Kind::Error) {
      log_line("gateway: authorizer for " + in_.route_key + ": " + d.error);
      return reply(500, message_body("Internal Server Error"));
    }
    if (d.kind == AuthDecision::Kind::Deny) return reply(403, message_body("Forbidden"));
    in_.authorizer = std::move(d.auth);
    integrate();
  }

  void integrate() {
    const bool v1 = route_->payload_format_version == "1.0";
    std::string payload = v1 ? build_http_event_v1(in_) : build_http_event_v2(in_);
    auto self = shared_from_this();
    gateway_.invoker().invoke(
        route_->function, std::move(payload),
        [self, v1](InvokeResult result) {
          net::post(self->executor_,
                    [self, v1, r = std::move(result)] { self->integrated(r, v1); });
        },
        std::chrono::milliseconds(route_->timeout_ms));
  }

  void integrated(const InvokeResult& result, bool v1) {
    if (!result.ok) {
      log_line("gateway: integration failed for " + in_.route_key + ": " + result.error);
      // The integration timeout is 503 on HTTP APIs; any other failure 500.
      if (result.timed_out) return reply(503, message_body("Service Unavailable"));
      return reply(500, message_body("Internal Server Error"));
    }
    HttpResult r = v1 ? map_response_v1(result.payload) : map_response_v2(result.payload);
    if (!r.ok) {
      log_line("gateway: " + in_.route_key + ": " + r.error);
      return reply(500, message_body("Internal Server Error"));
    }
    HeaderList extra;
    if (api_->cors) extra = cors_response_headers(*api_->cors, in_.headers);
    reply(r.status, std::move(r.body), std::move(r.headers), std::move(extra), true);
  }

  // API Gateway's own answers are JSON; a function's answer carries its own headers.
  void reply(int status, std::string body,
             HeaderList headers = {{"content-type", "application/json"}}, HeaderList cors = {},
             bool from_function = false) {
    if (api_ && api_->cors && !from_function && cors.empty() && status != 204) {
      cors = cors_response_headers(*api_->cors, in_.headers);
    }
    auto response = std::make_shared<http::response<http::string_body>>();
    response->result(static_cast<unsigned>(status));
    response->version(11);
    for (const auto& [name, value] : headers) {
      // With CORS configured, API Gateway ignores the integration's CORS headers.
      if (api_ && api_->cors && name.rfind("access-control-", 0) == 0) continue;
      if (name == "content-length" || name == "transfer-encoding" || name == "connection") continue;
      response->insert(name, value);
    }
    for (const auto& [name, value] : cors) response->insert(name, value);
    response->set("apigw-requestid", request_id_);
    response->set(http::field::date, http_date());
    response->body() = std::move(body);
    response->keep_alive(keep_alive_);
    response->prepare_payload();
    auto self = shared_from_this();
    http::async_write(socket_, *response, [self, response](beast::error_code ec, size_t) {
      if (ec || !response->keep_alive()) return self->close();
      self->read();
    });
  }

  static std::string http_date() {
    std::time_t t = awsproto::Clock::now_ms() / 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[64];
    std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return out;
  }

  void close() { socket_.close(); }

  Gateway& gateway_;
  Stream socket_;
  Stream::executor_type executor_;  // the socket's thread: the invoker's answers come back here
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  std::string request_id_;
  HttpRequestInput in_;
  const HttpApi* api_ = nullptr;
  const HttpRoute* route_ = nullptr;
  std::string route_path_;
};

}  // namespace

void serve_http_api(Gateway& gateway, Stream stream, beast::flat_buffer buffer) {
  std::make_shared<HttpApiSession>(gateway, std::move(stream), std::move(buffer))->read();
}

}  // namespace gateway
