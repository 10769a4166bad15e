#include "http/server.h"

#include <zlib.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "api/registry.h"
#include "model/clock.h"

namespace http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// DynamoDB accepts requests of up to 16 MB (the BatchWriteItem limit); a larger body is
// refused before it is read.
constexpr size_t kMaxBody = 16 * 1024 * 1024;
constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";
constexpr std::string_view kStreamsTargetPrefix = "DynamoDBStreams_20120810.";

// Requests nested deeper than this are refused before they are parsed, so that no recursive
// walk of a request (validation, rendering) can exhaust the stack. AttributeValues may nest
// 32 levels, about 70 levels of JSON.
constexpr int kMaxJsonDepth = 200;

bool too_deep(std::string_view json) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

std::string request_id() {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(52, 'A');
  for (auto& c : id) c = kChars[rng() % 36];
  return id;
}

struct Credentials {
  std::string access_key, region;
};

// From "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request, ..."
std::optional<Credentials> credentials(std::string_view auth) {
  auto pos = auth.find("Credential=");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view scope = auth.substr(pos + 11);
  scope = scope.substr(0, scope.find_first_of(", "));
  Credentials c;
  size_t a = scope.find('/');
  if (a == std::string_view::npos) return std::nullopt;
  c.access_key = scope.substr(0, a);
  size_t b = scope.find('/', a + 1);
  size_t r = b == std::string_view::npos ? std::string_view::npos : scope.find('/', b + 1);
  c.region = r == std::string_view::npos ? "us-east-1" : std::string(scope.substr(b + 1, r - b - 1));
  return c;
}

bool origin_allowed(const std::string& cors, std::string_view origin) {
  if (cors.empty()) return false;
  if (cors == "*") return true;
  size_t start = 0;
  while (start <= cors.size()) {
    size_t end = cors.find(',', start);
    std::string_view item = std::string_view(cors).substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == origin || item == "*") return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

struct Shared {
  const Options& options;
  api::Services& services;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBody);
    parser_->header_limit(64 * 1024);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->on_read(ec);
                      });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      send(413, api::render_error(api::ApiError(
                    api::Code::RequestTooLarge,
                    "Request size exceeds the maximum of 16777216 bytes")),
           false);
      return;
    }
    if (ec) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    request_ = parser_->release();
    keep_alive_ = request_.keep_alive();
    handle();
  }

  void handle() {
    std::string_view origin = header("Origin");
    cors_origin_ = origin_allowed(shared_.options.cors, origin) ? std::string(origin) : "";

    if (request_.method() == bhttp::verb::options) {
      send_text(200, "");
      return;
    }
    if (request_.target() == "/emulator/clock") {
      clock_endpoint();
      return;
    }
    if (request_.method() == bhttp::verb::get) {
      // DynamoDB's endpoint answers a plain GET with a health line.
      send_text(200, "healthy: dynamodb." + region_hint() + ".amazonaws.com ");
      return;
    }
    if (request_.method() != bhttp::verb::post) {
      send_text(405, "");
      return;
    }
    if (shared_.options.noop) {
      send(200, "{}", true);
      return;
    }
    std::string_view target = header("X-Amz-Target");
    api::Handler handler = nullptr;
    if (target.starts_with(kTargetPrefix))
      handler = api::find_action(target.substr(kTargetPrefix.size()));
    else if (target.starts_with(kStreamsTargetPrefix))
      handler = api::find_stream_action(target.substr(kStreamsTargetPrefix.size()));
    if (!handler) {
      fail(api::ApiError(api::Code::UnknownOperation, "An unknown operation was requested."));
      return;
    }
    auto creds = credentials(header("Authorization"));
    if (!creds) {
      fail(api::ApiError(api::Code::MissingAuthenticationToken,
                         "Request is missing Authentication Token"));
      return;
    }
    rapidjson::Document doc;
    const std::string& body = request_.body();
    if (too_deep(body)) {
      fail(api::ApiError(api::Code::Serialization,
                         "The request is nested deeper than " + std::to_string(kMaxJsonDepth) +
                             " levels"));
      return;
    }
    if (body.empty())
      doc.SetObject();
    else
      doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      fail(api::ApiError(api::Code::Serialization,
                         doc.HasParseError() ? "Unable to parse the request body as JSON"
                                             : "Start of list found where not expected"));
      return;
    }
    std::string space = shared_.options.shared_db ? "" : creds->access_key + "_" + creds->region;
    auto self = shared_from_this();
    auto call = std::make_shared<api::Call>(
        shared_.services, std::move(doc), std::move(space), creds->region,
        [self](int status, std::string json) { self->send(status, std::move(json), true); },
        [self](std::function<void()> fn) { net::post(self->stream_.get_executor(), std::move(fn)); });
    try {
      handler(call);
    } catch (...) {
      call->reply_current_exception();
    }
  }

  // The emulator's own admin call: read or advance the clock every time-based behaviour uses.
  void clock_endpoint() {
    if (request_.method() == bhttp::verb::post) {
      rapidjson::Document doc;
      doc.Parse<rapidjson::kParseIterativeFlag>(request_.body().data(), request_.body().size());
      double seconds = 0;
      if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("advanceSeconds") &&
          doc["advanceSeconds"].IsNumber())
        seconds = doc["advanceSeconds"].GetDouble();
      else {
        send(400, api::render_error(api::ApiError(api::Code::Validation,
                                                  "Expected {\"advanceSeconds\": <number>}")),
             true);
        return;
      }
      model::Clock::advance_ms(static_cast<int64_t>(seconds * 1000));
    }
    send(200,
         "{\"nowMs\":" + std::to_string(model::Clock::now_ms()) +
             ",\"offsetMs\":" + std::to_string(model::Clock::offset_ms()) + "}",
         true);
  }

  std::string region_hint() {
    auto c = credentials(header("Authorization"));
    return c ? c->region : "us-east-1";
  }

  std::string_view header(std::string_view name) const {
    auto it = request_.find(name);
    return it == request_.end() ? std::string_view{} : std::string_view(it->value());
  }

  void fail(const api::ApiError& e) { send(api::wire(e.code).status, api::render_error(e), true); }

  void add_cors(bhttp::response<bhttp::string_body>& res) {
    if (cors_origin_.empty()) return;
    res.set(bhttp::field::access_control_allow_origin, cors_origin_);
    if (request_.method() == bhttp::verb::options) {
      res.set(bhttp::field::access_control_allow_methods, "GET, POST, OPTIONS");
      std::string_view asked = header("Access-Control-Request-Headers");
      res.set(bhttp::field::access_control_allow_headers,
              asked.empty() ? "*" : std::string(asked));
      res.set(bhttp::field::access_control_max_age, "172800");
    } else {
      res.set(bhttp::field::access_control_expose_headers, "x-amzn-RequestId,x-amz-crc32");
    }
  }

  void send_text(int status, std::string text) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(status), request_.version());
    res->set(bhttp::field::content_type, "text/plain");
    res->body() = std::move(text);
    write(res);
  }

  void send(int status, std::string json, bool keep) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(status), request_.version() ? request_.version() : 11);
    res->set(bhttp::field::content_type, "application/x-amz-json-1.0");
    res->set("x-amzn-RequestId", request_id());
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(json.data()), static_cast<uInt>(json.size()));
    res->set("x-amz-crc32", std::to_string(crc));
    res->body() = std::move(json);
    if (!keep) keep_alive_ = false;
    write(res);
  }

  void write(const std::shared_ptr<bhttp::response<bhttp::string_body>>& res) {
    add_cors(*res);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, size_t) {
                         if (ec) return;
                         if (!self->keep_alive_) {
                           self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                           return;
                         }
                         self->read();
                       });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> request_;
  bool keep_alive_ = true;
  std::string cors_origin_;
  Shared& shared_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::endpoint ep, Shared& shared)
      : ioc_(ioc), acceptor_(ioc), shared_(shared) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](
                                                       beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), self->shared_)->start();
      }
      self->accept();
    });
  }
  void close() {
    beast::error_code ec;
    acceptor_.close(ec);
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  Shared& shared_;
};

}  // namespace

void serve(const Options& o, api::Services& services, std::function<void(int)> on_listening) {
  int threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  net::io_context ioc(threads);
  Shared shared{o, services};
  auto address = net::ip::make_address(o.host);
  auto listener = std::make_shared<Listener>(ioc, tcp::endpoint(address, static_cast<unsigned short>(o.port)), shared);
  listener->accept();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    listener->close();
    ioc.stop();
  });
  on_listening(listener->port());

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  // Finish the writes already accepted while the io_context still exists: their completions
  // post to it (and are then discarded with it).
  services.db.close();
}

}  // namespace http
