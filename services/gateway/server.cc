// The listener, the HTTP side of the port (the WebSocket handshake, which waits for $connect's
// verdict; the @connections management API; the plane's clock), and the connection registry.
#include "gateway/server.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cmath>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "awsproto/clock.h"
#include "gateway/authorizer.h"
#include "gateway/ids.h"
#include "gateway/internal.h"
#include "gateway/routing.h"

namespace gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

bool header_has_token(std::string_view value, std::string_view token) {
  // "keep-alive, Upgrade" contains "upgrade" (case-insensitive, comma-separated).
  size_t i = 0;
  while (i < value.size()) {
    size_t j = value.find(',', i);
    if (j == std::string_view::npos) j = value.size();
    std::string_view part = value.substr(i, j - i);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (beast::iequals(part, token)) return true;
    i = j + 1;
  }
  return false;
}

std::string json_message(std::string_view message) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return out.GetString();
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Gateway& gateway, Stream stream, beast::flat_buffer buffer)
      : gateway_(gateway),
        socket_(std::move(stream)),
        executor_(socket_.get_executor()),
        buffer_(std::move(buffer)) {}

  void read() {
    parser_.emplace();
    // Room for a 128 KB message and then some: a larger POST is answered with 413 below.
    parser_->body_limit(std::max<size_t>(gateway_.options().max_message_bytes * 2, 1u << 20));
    parser_->header_limit(16 * 1024);
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      auto response = error(413, "PayloadTooLargeException", "Message too long");
      response.keep_alive(false);
      return send(std::move(response));
    }
    if (ec) return close();
    request_ = parser_->release();
    std::string host(request_[http::field::host]);
    Target target = resolve_target(gateway_.plan(), host, request_.target());
    switch (target.kind) {
      case Target::Kind::Clock: return send(clock());
      case Target::Kind::Connection: return connections(target);
      case Target::Kind::WebSocket: return handshake(target);
      case Target::Kind::None: return send(error(403, "ForbiddenException", "Forbidden"));
    }
  }

  HttpResponse response(int status, std::string body,
                        std::string_view content_type = "application/json") {
    HttpResponse r{static_cast<http::status>(status), request_.version()};
    r.set(http::field::content_type, content_type);
    r.set("x-amzn-RequestId", new_id());
    r.body() = std::move(body);
    r.keep_alive(request_.keep_alive());
    r.prepare_payload();
    return r;
  }

  // The rest-json error of the management API: the type in x-amzn-ErrorType (which the SDKs
  // read first) and {"message": ...} in the body.
  HttpResponse error(int status, std::string_view type, std::string_view message) {
    HttpResponse r = response(status, json_message(message));
    r.set("x-amzn-ErrorType", type);
    return r;
  }

  HttpResponse clock() {
    if (request_.method() == http::verb::post) {
      rapidjson::Document doc;
      const bool deep = json_too_deep(request_.body());
      if (!deep) doc.Parse(request_.body().data(), request_.body().size());
      if (deep || doc.HasParseError() || !doc.IsObject() || !doc.HasMember("advanceSeconds") ||
          !doc["advanceSeconds"].IsNumber() ||
          !(std::fabs(doc["advanceSeconds"].GetDouble()) <= 1e9)) {  // finite, ~30 years
        return error(400, "BadRequestException", "expected {\"advanceSeconds\": N}, |N| <= 1e9");
      }
      awsproto::Clock::advance_ms(std::llround(doc["advanceSeconds"].GetDouble() * 1000));
      gateway_.check_limits();
    } else if (request_.method() != http::verb::get) {
      return error(405, "MethodNotAllowedException", "GET or POST");
    }
    return response(200, "{\"nowMs\":" + std::to_string(awsproto::Clock::now_ms()) +
                             ",\"offsetMs\":" + std::to_string(awsproto::Clock::offset_ms()) + "}");
  }

  // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
  // Signatures are not checked (any SigV4-signed or unsigned call is served).
  //
  // The session runs on its socket's thread, the connection perhaps on another: a POST hands
  // the frame over (Connection::post_text) and is answered at once, so that a poster's
  // pipelined requests are read one after the other without a wait for the other thread;
  // the frames of one session reach the client in the order they were posted.
  void connections(const Target& target) {
    auto connection = gateway_.find(target.connection_id);
    // Connection ids belong to their API: another API's management endpoint does not know them.
    if (connection && connection->info().api != target.api) connection = nullptr;
    if (request_.method() != http::verb::post || !connection ||
        request_.body().size() > gateway_.options().max_message_bytes) {
      return send(manage(connection));
    }
    bool queued = connection->post_text(std::move(request_.body()));
    send(queued ? response(200, "") : error(410, "GoneException", ""));
  }

  // The @connections answers that need nothing from the connection's thread: GetConnection
  // reads what is fixed or atomic, DELETE hands the close over.
  HttpResponse manage(const std::shared_ptr<Connection>& connection) {
    // An id that never connected, is still waiting for $connect, or has closed: GoneException,
    // with an empty message (what boto3 shows from AWS: "... PostToConnection operation: ").
    auto gone = [&] { return error(410, "GoneException", ""); };
    switch (request_.method()) {
      case http::verb::post:
        if (request_.body().size() > gateway_.options().max_message_bytes) {
          return error(413, "PayloadTooLargeException", "Message too long");
        }
        return gone();  // (a POST to a connection that exists is answered in connections())
      case http::verb::get: {
        if (!connection) return gone();
        const auto& info = connection->info();
        rapidjson::StringBuffer out;
        rapidjson::Writer<rapidjson::StringBuffer> w(out);
        auto str = [&](std::string_view s) {
          w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        };
        w.StartObject();
        w.Key("connectedAt");
        str(iso8601_ms(info.connected_at_ms));
        w.Key("identity");
        w.StartObject();
        w.Key("sourceIp");
        str(info.source_ip);
        w.Key("userAgent");
        str(info.user_agent);
        w.EndObject();
        w.Key("lastActiveAt");
        str(iso8601_ms(connection->last_active_ms()));
        w.EndObject();
        return response(200, out.GetString());
      }
      case http::verb::delete_: {
        if (!connection) return gone();
        // $disconnect then reports 1000, "Connection Closed Normally", as API Gateway's
        // execution logs show (https://github.com/boto/boto3/issues/3789).
        connection->post_close(ws::kNormal, "Connection Closed Normally");
        HttpResponse r = response(204, "");
        r.erase(http::field::content_type);
        return r;
      }
      default: return error(403, "ForbiddenException", "Forbidden");
    }
  }

  void handshake(const Target& target) {
    const bool upgrade = request_.method() == http::verb::get &&
                         header_has_token(request_[http::field::connection], "upgrade") &&
                         beast::iequals(request_[http::field::upgrade], "websocket");
    if (!upgrade) return send(error(426, "UpgradeRequired", "Upgrade Required"));
    std::string key(request_[http::field::sec_websocket_key]);
    if (key.empty() || request_[http::field::sec_websocket_version] != "13") {
      auto r = error(400, "BadRequestException", "Bad Request");
      r.set(http::field::sec_websocket_version, "13");
      return send(std::move(r));
    }
    ConnectionInfo info;
    info.api = target.api;
    info.connection_id = new_id();
    info.connected_at_ms = awsproto::Clock::now_ms();
    boost::system::error_code ec;
    auto remote = socket_.socket().remote_endpoint(ec);
    info.source_ip = ec ? "" : remote.address().to_string();
    info.user_agent = std::string(request_[http::field::user_agent]);
    info.host = std::string(request_[http::field::host]);
    info_ = info;

    const Route* route = target.api->find_route("$connect");
    if (!route) return accept(std::nullopt);
    EventInput input = gateway_.event_for(info, EventInput::Type::Connect);
    for (const auto& field : request_) {
      input.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    auto local = socket_.socket().local_endpoint(ec);
    input.headers.emplace_back("X-Amzn-Trace-Id", trace_id(info.connected_at_ms));
    input.headers.emplace_back("X-Forwarded-For", info.source_ip);
    input.headers.emplace_back("X-Forwarded-Port", ec ? "" : std::to_string(local.port()));
    input.headers.emplace_back("X-Forwarded-Proto", socket_.secure() ? "https" : "http");
    std::string_view target_text = request_.target();
    if (auto q = target_text.find('?'); q != std::string_view::npos) {
      input.query = parse_query(target_text.substr(q + 1));
    }
    if (!route->authorizer.empty()) return authorize(*route, std::move(input));
    connect(*route, input);
  }

  void connect(const Route& route, const EventInput& input) {
    auto self = shared_from_this();
    gateway_.invoker().invoke(route.function, build_event(input), [self](InvokeResult result) {
      net::post(self->executor_, [self, r = std::move(result)] { self->accept(std::move(r)); });
    });
  }

  // The handshake's answer when $connect's authorizer (or its identity sources) refuse it.
  void refuse(int status, std::string_view message) {
    auto r = error(status, "", message);
    r.erase("x-amzn-ErrorType");
    r.keep_alive(false);
    send(std::move(r));
  }

  // $connect's REQUEST authorizer: a request without its identity sources is 401 before the
  // authorizer runs; Allow goes on to $connect with the authorizer's principalId and context
  // (which every later event of the connection carries), Deny is 403, an "Unauthorized" error
  // 401, any other failure 500.
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
  void authorize(const Route& route, EventInput input) {
    const Authorizer* authorizer = info_.api->find_authorizer(route.authorizer);
    if (!identity_values(authorizer->identity_source, input.headers, input.query)) {
      return refuse(401, "Unauthorized");
    }
    EventInput event = input;
    event.authorizer_method_arn =
        websocket_method_arn(gateway_.plan().region, gateway_.plan().account_id, info_.api->api_id,
                             info_.api->stage, "$connect");
    std::string arn = event.authorizer_method_arn;
    auto self = shared_from_this();
    const Route* r = &route;
    gateway_.invoker().invoke(
        authorizer->function, build_event(event),
        [self, r, arn, input = std::move(input)](InvokeResult result) mutable {
          net::post(self->executor_,
                    [self, r, arn, input = std::move(input), result = std::move(result)]() mutable {
                      self->authorized(*r, arn, std::move(input), result);
                    });
        });
  }

  void authorized(const Route& route, const std::string& arn, EventInput input,
                  const InvokeResult& result) {
    if (!result.ok) {
      if (result.function_error && is_unauthorized_error(result.payload)) {
        return refuse(401, "Unauthorized");
      }
      log_line("gateway: $connect authorizer failed: " + result.error);
      return refuse(500, "Internal server error");
    }
    AuthDecision d = parse_authorizer_response(result.payload, false, arn);
    if (d.kind == AuthDecision::Kind::Error) {
      log_line("gateway: $connect authorizer: " + d.error);
      return refuse(500, "Internal server error");
    }
    if (d.kind == AuthDecision::Kind::Deny) return refuse(403, "Forbidden");
    info_.authorizer = d.auth;
    input.authorizer = std::move(d.auth);
    connect(route, input);
  }

  // $connect's verdict: 2xx (or no $connect route) completes the upgrade; another status is
  // the handshake's answer; a failed invocation is 502.
  void accept(std::optional<InvokeResult> result) {
    std::string protocol;
    if (result) {
      ProxyResult proxy = result->ok ? parse_proxy_result(result->payload) : ProxyResult{};
      // A status no HTTP response can carry counts as the integration failing.
      if (result->ok && (proxy.status_code < 100 || proxy.status_code > 599)) {
        result->ok = false;
        result->error = "the function returned statusCode " + std::to_string(proxy.status_code);
      }
      if (!result->ok) {
        log_line("gateway: $connect failed: " + result->error);
        auto r = error(502, "", "Internal server error");
        r.erase("x-amzn-ErrorType");
        r.keep_alive(false);
        return send(std::move(r));
      }
      if (proxy.status_code < 200 || proxy.status_code > 299) {
        auto r = response(proxy.status_code, proxy.body.value_or(""), "text/plain");
        r.keep_alive(false);
        return send(std::move(r));
      }
      // A client that asked for subprotocols gets the one the function chose.
      protocol = sec_websocket_protocol(result->payload);
    }
    std::string reply =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        ws::accept_key(request_[http::field::sec_websocket_key]) + "\r\n";
    if (!protocol.empty()) reply += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
    reply += "\r\n";
    auto self = shared_from_this();
    auto text = std::make_shared<std::string>(std::move(reply));
    net::async_write(socket_, net::buffer(*text), [self, text](beast::error_code ec, size_t) {
      if (ec) {
        // Approved but gone before the upgrade completed: still one $disconnect.
        self->gateway_.fire_disconnect(self->info_, ws::kAbnormal, "Connection Closed Abnormally");
        return;
      }
      // The connection stays on the session's thread (the socket's executor).
      auto connection =
          std::make_shared<Connection>(self->gateway_, std::move(self->socket_),
                                       beast::buffers_to_string(self->buffer_.data()), self->info_);
      self->gateway_.add(connection);
      connection->start();
      // Approved while the gateway was stopping: closed as the others were, with its
      // $disconnect.
      if (self->gateway_.stopping()) connection->close(ws::kGoingAway, "Going away");
    });
  }

  static std::string sec_websocket_protocol(std::string_view payload) {
    if (json_too_deep(payload)) return "";
    rapidjson::Document doc;
    doc.Parse(payload.data(), payload.size());
    if (doc.HasParseError() || !doc.IsObject()) return "";
    auto headers = doc.FindMember("headers");
    if (headers == doc.MemberEnd() || !headers->value.IsObject()) return "";
    for (auto& m : headers->value.GetObject()) {
      if (beast::iequals(m.name.GetString(), "Sec-WebSocket-Protocol") && m.value.IsString()) {
        return m.value.GetString();
      }
    }
    return "";
  }

  void send(HttpResponse response) {
    auto self = shared_from_this();
    auto r = std::make_shared<HttpResponse>(std::move(response));
    http::async_write(socket_, *r, [self, r](beast::error_code ec, size_t) {
      if (ec || !r->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close();
  }

  Gateway& gateway_;
  Stream socket_;
  Stream::executor_type executor_;  // the socket's thread: the invoker's answers come back here
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest request_;
  ConnectionInfo info_;
};

using Serve = void (*)(Gateway&, Stream, beast::flat_buffer);

void serve_websocket_port(Gateway& gateway, Stream stream, beast::flat_buffer buffer) {
  std::make_shared<HttpSession>(gateway, std::move(stream), std::move(buffer))->read();
}

void accept_loop(tcp::acceptor& acceptor, Gateway& gateway, Serve serve) {
  // Each accepted socket belongs to one io_context (one thread): its session's and then its
  // WebSocket connection's handlers all run there, other sockets' on the other threads.
  acceptor.async_accept(
      gateway.next_shard(),
      [&acceptor, &gateway, serve](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
        if (ec) {
          // Out of file descriptors, say: accepting again at once would spin the I/O thread.
          auto retry =
              std::make_shared<net::steady_timer>(gateway.io(), std::chrono::milliseconds(50));
          retry->async_wait([retry, &acceptor, &gateway, serve](boost::system::error_code) {
            accept_loop(acceptor, gateway, serve);
          });
          return;
        }
        socket.set_option(tcp::no_delay(true), ec);
        // Plain or TLS: the client's first bytes say (a client silent for 30 s is dropped).
        auto shard = socket.get_executor();
        net::post(shard, [&gateway, serve, socket = std::move(socket)]() mutable {
          start_stream(std::move(socket), gateway.tls_context(), std::chrono::seconds(30),
                       [&gateway, serve](Stream stream, beast::flat_buffer buffer) {
                         serve(gateway, std::move(stream), std::move(buffer));
                       });
        });
        accept_loop(acceptor, gateway, serve);
      });
}

bool listen(tcp::acceptor& acceptor, const std::string& host, uint16_t port) {
  try {
    tcp::endpoint endpoint(net::ip::make_address(host), port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    return true;
  } catch (const std::exception& e) {
    log_line("gateway: cannot listen on " + host + ":" + std::to_string(port) + ": " + e.what());
    return false;
  }
}

}  // namespace

void log_line(std::string_view text) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::cerr << text << std::endl;
}

Gateway::Gateway(std::vector<net::io_context*> shards, const ServerOptions& options)
    : shards_(std::move(shards)), options_(options), invoker_(options.invoker) {
  if (!options.tls_cert_file.empty()) {
    tls_ = server_tls_context(options.tls_cert_file, options.tls_key_file);
  }
}

void Gateway::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mutex_);
  connections_[connection->info().connection_id] = connection;
}

void Gateway::remove(const std::string& connection_id) {
  std::shared_ptr<Connection> removed;  // destroyed after the lock is released
  std::lock_guard lock(connections_mutex_);
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  removed = std::move(it->second);
  connections_.erase(it);
}

std::shared_ptr<Connection> Gateway::find(const std::string& connection_id) const {
  std::lock_guard lock(connections_mutex_);
  auto it = connections_.find(connection_id);
  return it == connections_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Connection>> Gateway::all() const {
  std::lock_guard lock(connections_mutex_);
  std::vector<std::shared_ptr<Connection>> out;
  out.reserve(connections_.size());
  for (const auto& [id, connection] : connections_) out.push_back(connection);
  return out;
}

EventInput Gateway::event_for(const ConnectionInfo& info, EventInput::Type type) const {
  EventInput in;
  in.type = type;
  in.route_key = type == EventInput::Type::Connect      ? "$connect"
                 : type == EventInput::Type::Disconnect ? "$disconnect"
                                                        : "";
  in.connection_id = info.connection_id;
  in.request_id = new_id();
  in.request_time_ms = awsproto::Clock::now_ms();
  in.connected_at_ms = info.connected_at_ms;
  in.stage = info.api->stage;
  in.domain_name = info.api->domain_name(plan().region);
  in.api_id = info.api->api_id;
  in.source_ip = info.source_ip;
  in.user_agent = info.user_agent;
  in.authorizer = info.authorizer;
  return in;
}

void Gateway::fire_disconnect(const ConnectionInfo& info, int code, std::string_view reason) {
  const Route* route = info.api->find_route("$disconnect");
  if (!route) return;
  EventInput input = event_for(info, EventInput::Type::Disconnect);
  input.headers = {{"Host", info.host}};
  input.disconnect_status_code = code;
  input.disconnect_reason = std::string(reason);
  std::string id = info.connection_id;
  invoker_.invoke_first(route->function, build_event(input), [id](InvokeResult result) {
    if (!result.ok) log_line("gateway: $disconnect failed for " + id + ": " + result.error);
  });
}

void Gateway::check_limits() {
  const int64_t now = awsproto::Clock::now_ms();
  // API Gateway closes idle and expired connections as going away.
  for (auto& connection : all()) {
    const bool idle = now - connection->last_active_ms() >= options_.idle_timeout_ms;
    const bool old = now - connection->info().connected_at_ms >= options_.max_lifetime_ms;
    if (idle || old) connection->post_close(ws::kGoingAway, "Going away");
  }
}

void Gateway::close_all(uint16_t code, std::string_view reason) {
  for (auto& connection : all()) connection->post_close(code, std::string(reason));
}

int run_server(const ServerOptions& options) {
  const int threads =
      options.io_threads > 0
          ? options.io_threads
          : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  // An io_context per thread, each socket on one of them for its whole life (no locking inside
  // Asio, no strands); an @connections POST served on one thread hands its frame to the thread
  // of the connection.
  std::vector<std::unique_ptr<net::io_context>> shards;
  std::vector<net::io_context*> shard_ptrs;
  for (int i = 0; i < threads; ++i) {
    shards.push_back(std::make_unique<net::io_context>(1));
    shard_ptrs.push_back(shards.back().get());
  }
  net::io_context& io = *shards[0];
  std::vector<net::executor_work_guard<net::io_context::executor_type>> keep;
  for (int i = 1; i < threads; ++i) keep.push_back(net::make_work_guard(*shards[i]));
  std::optional<Gateway> made;
  try {
    made.emplace(shard_ptrs, options);
  } catch (const std::exception& e) {
    log_line(std::string("gateway: ") + e.what());
    return 1;
  }
  Gateway& gateway = *made;
  tcp::acceptor acceptor(io);
  if (!listen(acceptor, options.host, options.port)) return 1;
  tcp::acceptor http_acceptor(io);
  const bool serve_http = options.http_port || !options.plan.http_apis.empty();
  if (serve_http && !listen(http_acceptor, options.host, options.http_port.value_or(0))) return 1;
  for (const auto& notice : options.plan.notices) log_line("gateway: notice: " + notice);
  for (const auto& api : options.plan.apis) {
    if (!parse_selection_expression(api.route_selection_expression)) {
      log_line("gateway: notice: " + api.api_id + ": route selection expression " +
               api.route_selection_expression + " not supported; messages go to $default");
    }
  }
  accept_loop(acceptor, gateway, serve_websocket_port);
  if (serve_http) accept_loop(http_acceptor, gateway, serve_http_api);

  net::steady_timer tick(io);
  std::function<void()> schedule = [&] {
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      gateway.check_limits();
      schedule();
    });
  };
  schedule();

  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer stop_timer(io);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    log_line("gateway: shutting down");
    boost::system::error_code ignored;
    acceptor.close(ignored);
    http_acceptor.close(ignored);
    tick.cancel();
    gateway.stop_accepting();
    gateway.close_all(ws::kGoingAway, "Going away");
    // Let the close frames go out, then stop.
    stop_timer.expires_after(std::chrono::milliseconds(300));
    stop_timer.async_wait([&](boost::system::error_code) {
      for (auto& shard : shards) shard->stop();
    });
  });

  if (serve_http) {
    auto http_bound = http_acceptor.local_endpoint();
    log_line("gateway: HTTP APIs on " + http_bound.address().to_string() + ":" +
             std::to_string(http_bound.port()));
  }
  auto bound = acceptor.local_endpoint();
  log_line("gateway: listening on " + bound.address().to_string() + ":" +
           std::to_string(bound.port()));
  std::vector<std::thread> runners;
  for (int i = 1; i < threads; ++i) runners.emplace_back([&shards, i] { shards[i]->run(); });
  io.run();
  for (auto& runner : runners) runner.join();
  // Every $disconnect queued above runs before the process ends.
  gateway.invoker().shutdown();
  return 0;
}

}  // namespace gateway
