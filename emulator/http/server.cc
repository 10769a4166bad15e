#include "http/server.h"

#include <libdeflate.h>
#include <pthread.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "api/registry.h"
#include "api/request.h"
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


// 52 characters of [A-Z0-9], like DynamoDB's request ids; twelve characters per draw.
void append_request_id(std::string& out) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (int i = 0; i < 52;) {
    uint64_t r = rng();
    for (int j = 0; j < 12 && i < 52; ++j, ++i, r /= 36) out += kChars[r % 36];
  }
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

// The sockets use the io_context's own executor type rather than the type-erased
// any_io_executor: every operation on them is then a direct call. Each session has at most
// one operation outstanding (read, then handle, then write), so it needs no strand.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;

// An HTTP/1.1 request parser that keeps only what the emulator reads: the request line, the
// few headers it routes on, and the body (Content-Length or chunked). Beast does the parsing;
// nothing is allocated per header.
class RequestParser : public bhttp::basic_parser<true> {
 public:
  // `body` is the session's buffer, reused from request to request; one that grew past
  // 1 MB (a large batch) is given back rather than kept for the connection's lifetime.
  explicit RequestParser(std::string& body) : body_(body) {
    if (body_.capacity() > (1u << 20))
      std::string().swap(body_);
    else
      body_.clear();
  }

  bhttp::verb method = bhttp::verb::unknown;
  std::string target;
  int version = 11;
  std::string amz_target, authorization, origin, cors_request_headers;
  bool expect_continue = false;  // "Expect: 100-continue": the client waits for a go-ahead

 private:
  void on_request_impl(bhttp::verb m, beast::string_view, beast::string_view t, int v,
                       beast::error_code&) override {
    method = m;
    target.assign(t.data(), t.size());
    version = v;
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field name, beast::string_view name_text, beast::string_view value,
                     beast::error_code&) override {
    std::string* into = nullptr;
    switch (name) {
      case bhttp::field::authorization: into = &authorization; break;
      case bhttp::field::origin: into = &origin; break;
      case bhttp::field::access_control_request_headers: into = &cors_request_headers; break;
      case bhttp::field::expect: expect_continue = beast::iequals(value, "100-continue"); break;
      case bhttp::field::unknown:
        if (beast::iequals(name_text, "X-Amz-Target")) into = &amz_target;
        break;
      default: break;
    }
    if (into) into->assign(value.data(), value.size());
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    if (length) body_.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view data, beast::error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view data,
                            beast::error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  std::string& body_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, Shared& shared) : socket_(std::move(socket)), shared_(shared) {}

  void start() { read(); }

 private:
  // The header first, so that a client waiting on "Expect: 100-continue" can be told to go
  // on; the parser is eager, so a body that came with the header is parsed with it.
  void read() {
    parser_.emplace(body_);
    parser_->body_limit(kMaxBody);
    parser_->header_limit(64 * 1024);
    parser_->eager(true);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(beast::error_code ec) {
    if (ec || parser_->is_done()) return on_read(ec);
    // HTTP/1.0 clients get no interim response (RFC 9110 10.1.1).
    if (!parser_->expect_continue || parser_->version < 11) return read_body();
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return;
                       self->read_body();
                     });
  }

  void read_body() {
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->on_read(ec);
                      });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      send(413, api::render_error(api::ApiError(
                    api::Code::RequestTooLarge,
                    "Request size exceeds the maximum of 16777216 bytes")),
           false);
      return;
    }
    if (ec) {
      socket_.shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    keep_alive_ = parser_->keep_alive();
    handle();
  }

  const RequestParser& request() const { return *parser_; }

  void handle() {
    const RequestParser& req = request();
    cors_origin_ =
        origin_allowed(shared_.options.cors, req.origin) ? req.origin : std::string();

    if (req.method == bhttp::verb::options) {
      send_text(200, "");
      return;
    }
    if (req.target == "/emulator/clock") {
      clock_endpoint();
      return;
    }
    if (req.method == bhttp::verb::get) {
      // DynamoDB's endpoint answers a plain GET with a health line.
      send_text(200, "healthy: dynamodb." + region_hint() + ".amazonaws.com ");
      return;
    }
    if (req.method != bhttp::verb::post) {
      send_text(405, "");
      return;
    }
    if (shared_.options.noop) {
      send(200, "{}", true);
      return;
    }
    std::string_view target = req.amz_target;
    api::Handler handler = nullptr;
    if (target.starts_with(kTargetPrefix))
      handler = api::find_action(target.substr(kTargetPrefix.size()));
    else if (target.starts_with(kStreamsTargetPrefix))
      handler = api::find_stream_action(target.substr(kStreamsTargetPrefix.size()));
    if (!handler) {
      fail(api::ApiError(api::Code::UnknownOperation, "An unknown operation was requested."));
      return;
    }
    auto creds = credentials(req.authorization);
    if (!creds) {
      fail(api::ApiError(api::Code::MissingAuthenticationToken,
                         "Request is missing Authentication Token"));
      return;
    }
    rapidjson::Document doc;
    if (api::too_deep(body_)) {
      fail(api::ApiError(api::Code::Serialization,
                         "The request is nested deeper than " + std::to_string(api::kMaxJsonDepth) +
                             " levels"));
      return;
    }
    if (body_.empty())
      doc.SetObject();
    else
      doc.Parse<rapidjson::kParseIterativeFlag>(body_.data(), body_.size());
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
        [self](std::function<void()> fn) { net::post(self->socket_.get_executor(), std::move(fn)); });
    try {
      handler(call);
    } catch (...) {
      call->reply_current_exception();
    }
  }

  // The emulator's own admin call: read or advance the clock every time-based behaviour uses.
  void clock_endpoint() {
    if (request().method == bhttp::verb::post) {
      rapidjson::Document doc;
      doc.Parse<rapidjson::kParseIterativeFlag>(body_.data(), body_.size());
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
      // Within about 3,000 years either way, so that the milliseconds stay far inside int64.
      seconds = std::clamp(seconds, -1e11, 1e11);
      model::Clock::advance_ms(static_cast<int64_t>(seconds * 1000));
    }
    send(200,
         "{\"nowMs\":" + std::to_string(model::Clock::now_ms()) +
             ",\"offsetMs\":" + std::to_string(model::Clock::offset_ms()) + "}",
         true);
  }

  std::string region_hint() {
    auto c = credentials(request().authorization);
    return c ? c->region : "us-east-1";
  }

  void fail(const api::ApiError& e) { send(api::wire(e.code).status, api::render_error(e), true); }

  // Starts the response header: status line, Content-Type and CORS fields.
  void head(int status, std::string_view content_type) {
    auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
    head_.clear();
    head_ += request().version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head_ += std::to_string(status);
    head_ += ' ';
    head_.append(reason.data(), reason.size());
    head_ += "\r\nContent-Type: ";
    head_ += content_type;
    head_ += "\r\n";
    if (cors_origin_.empty()) return;
    head_ += "Access-Control-Allow-Origin: " + cors_origin_ + "\r\n";
    if (request().method == bhttp::verb::options) {
      const std::string& asked = request().cors_request_headers;
      head_ += "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n";
      head_ += "Access-Control-Allow-Headers: " + (asked.empty() ? std::string("*") : asked) + "\r\n";
      head_ += "Access-Control-Max-Age: 172800\r\n";
    } else {
      head_ += "Access-Control-Expose-Headers: x-amzn-RequestId,x-amz-crc32\r\n";
    }
  }

  void send_text(int status, std::string text) {
    head(status, "text/plain");
    out_ = std::move(text);
    write();
  }

  void send(int status, std::string json, bool keep) {
    head(status, "application/x-amz-json-1.0");
    head_ += "x-amzn-RequestId: ";
    append_request_id(head_);
    head_ += "\r\nx-amz-crc32: ";
    uint32_t crc = libdeflate_crc32(0, json.data(), json.size());
    head_ += std::to_string(crc);
    head_ += "\r\n";
    out_ = std::move(json);
    if (!keep) keep_alive_ = false;
    write();
  }

  // Ends the header (Content-Length, Connection) and writes header and body in one call.
  void write() {
    head_ += "Content-Length: ";
    head_ += std::to_string(out_.size());
    head_ += "\r\n";
    bool http10 = request().version == 10;
    if (!keep_alive_ && !http10)
      head_ += "Connection: close\r\n";
    else if (keep_alive_ && http10)
      head_ += "Connection: keep-alive\r\n";
    head_ += "\r\n";
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(out_)};
    net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      if (!self->keep_alive_) {
        self->socket_.shutdown(tcp::socket::shutdown_send, ec);
        self->drain(0);
        return;
      }
      self->read();
    });
  }

  // After the last response, reads and drops what the client still sends (the rest of a
  // refused 16 MB body, pipelined requests) until it closes: closing a socket with unread
  // data resets the connection, which can destroy the response before the client reads it.
  void drain(size_t dropped) {
    constexpr size_t kMaxDrain = 32 * 1024 * 1024;
    if (dropped > kMaxDrain) return;
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this(), dropped](beast::error_code ec, size_t n) {
                              if (!ec) self->drain(dropped + n);
                            });
  }

  Socket socket_;
  beast::flat_buffer buffer_;
  std::string body_;  // the request body, reused from request to request
  std::optional<RequestParser> parser_;
  std::string head_, out_;  // the response being written
  bool keep_alive_ = true;
  std::string cors_origin_;
  Shared& shared_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::endpoint ep, Shared& shared)
      : acceptor_(ioc.get_executor()), retry_(ioc.get_executor()), shared_(shared) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  void accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, Socket s) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        // Out of file descriptors, say: accepting again at once would spin; wait a little.
        self->retry_.expires_after(std::chrono::milliseconds(50));
        self->retry_.async_wait([self](beast::error_code e) {
          if (!e) self->accept();
        });
        return;
      }
      s.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(s), self->shared_)->start();
      self->accept();
    });
  }
  void close() {
    beast::error_code ec;
    acceptor_.close(ec);
    retry_.cancel();
  }

 private:
  Acceptor acceptor_;
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                            Executor>
      retry_;
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
  for (int i = 1; i < threads; ++i)
    pool.emplace_back([&] {
      pthread_setname_np(pthread_self(), "io");
      ioc.run();
    });
  ioc.run();
  for (auto& t : pool) t.join();
  // Finish the writes already accepted while the io_context still exists: their completions
  // post to it (and are then discarded with it).
  services.db.close();
}

}  // namespace http
