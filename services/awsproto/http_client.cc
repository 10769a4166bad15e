#include "awsproto/http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>

namespace awsproto {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using BeastRequest = http::request<http::span_body<const char>>;

constexpr std::string_view kUserAgent = "awsproto/1";
constexpr uint32_t kHeaderLimit = 64 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && beast::iequals(a, b);
}

bool has_header(const Headers& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.first, name)) return true;
  }
  return false;
}

// Thrown by one exchange when a reused connection turned out to be closed by the server.
struct StaleConnection {
  std::string message;
};

}  // namespace

std::string Endpoint::host_header() const {
  std::string out = host.find(':') == std::string::npos ? host : "[" + host + "]";
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

std::string Endpoint::join_path(std::string_view path) const {
  if (path.empty()) return base_path.empty() ? "/" : base_path;
  std::string out = base_path;
  if (path.front() != '/') out += '/';
  out += path;
  return out;
}

Endpoint parse_endpoint(std::string_view url) {
  auto fail = [&](std::string_view why) -> std::invalid_argument {
    return std::invalid_argument("awsproto: endpoint \"" + std::string(url) +
                                 "\": " + std::string(why));
  };
  Endpoint out;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) throw fail("expected scheme://host[:port][/path]");
  for (char c : url.substr(0, sep)) out.scheme += static_cast<char>(std::tolower(c));
  if (out.scheme != "http" && out.scheme != "https") throw fail("the scheme must be http or https");
  std::string_view rest = url.substr(sep + 3);
  size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) throw fail("user info is not supported");
  if (path.find_first_of("?#") != std::string_view::npos) throw fail("no query or fragment");

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) throw fail("unterminated IPv6 literal");
    out.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw fail("unexpected text after the IPv6 literal");
      port = after.substr(1);
      if (port.empty()) throw fail("empty port");
    }
  } else {
    size_t colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) throw fail("empty port");
    }
  }
  if (out.host.empty()) throw fail("no host");
  if (port.empty()) {
    out.port = out.scheme == "https" ? 443 : 80;
  } else {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      throw fail("bad port");
    }
    out.port = static_cast<uint16_t>(value);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.base_path = path;
  return out;
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

struct HttpClient::Impl {
  Endpoint endpoint;
  HttpClientOptions options;
  std::string where;  // "127.0.0.1:8000", for messages
  net::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  int connections = 0;
  bool used = false;  // the open connection has carried a complete exchange

  // Runs the io_context until the operations started on it are done.
  void run() {
    ioc.restart();
    ioc.run();
  }

  void close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
      stream.reset();
    }
    buffer.clear();
    used = false;
  }

  std::string millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

  void connect() {
    close();
    tcp::resolver resolver(ioc);
    net::steady_timer timer(ioc);
    beast::error_code ec;
    tcp::resolver::results_type results;
    bool timed_out = false;
    resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             results = std::move(r);
                             timer.cancel();
                           });
    timer.expires_after(options.connect_timeout);
    timer.async_wait([&](beast::error_code e) {
      if (!e) {
        timed_out = true;
        resolver.cancel();
      }
    });
    run();
    if (timed_out) {
      throw HttpError(HttpError::Kind::Timeout, "awsproto: resolving " + endpoint.host +
                                                    " took longer than " +
                                                    millis(options.connect_timeout));
    }
    if (ec) {
      throw HttpError(HttpError::Kind::Connect,
                      "awsproto: cannot resolve " + endpoint.host + ": " + ec.message());
    }

    stream.emplace(ioc);
    stream->expires_after(options.connect_timeout);
    stream->async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) {
      stream.reset();
      if (ec == beast::error::timeout) {
        throw HttpError(HttpError::Kind::Timeout, "awsproto: connecting to " + where +
                                                      " timed out after " +
                                                      millis(options.connect_timeout));
      }
      throw HttpError(HttpError::Kind::Connect,
                      "awsproto: cannot connect to " + where + ": " + ec.message());
    }
    stream->expires_never();
    beast::error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
    ++connections;
  }

  // Whether the server has closed (or written to) the idle connection since the last reply: a
  // non-blocking read of one byte finds end-of-stream, an error or unexpected bytes. This saves
  // a failed write in the common case; the retry in request() covers the race.
  bool idle_connection_closed() {
    if (buffer.size() > 0) return true;
    auto& socket = stream->socket();
    beast::error_code ec;
    socket.non_blocking(true, ec);
    if (ec) return true;
    char byte;
    socket.read_some(net::buffer(&byte, 1), ec);
    beast::error_code ignored;
    socket.non_blocking(false, ignored);
    return ec != net::error::would_block;
  }

  Response exchange(const BeastRequest& request, bool may_be_stale) {
    beast::error_code ec;
    stream->expires_after(options.io_timeout);
    http::async_write(*stream, request, [&](beast::error_code e, size_t) { ec = e; });
    run();
    if (ec) fail(ec, false, may_be_stale);

    http::response_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(options.max_body_bytes);
    // A reply to HEAD has Content-Length but no body.
    if (request.method() == http::verb::head) parser.skip(true);
    http::async_read(*stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    run();
    if (ec) fail(ec, parser.got_some(), may_be_stale);
    stream->expires_never();

    auto& message = parser.get();
    Response out;
    out.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    bool keep_alive = message.keep_alive();
    out.body = std::move(message.body());
    if (keep_alive) {
      used = true;
    } else {
      close();
    }
    return out;
  }

  [[noreturn]] void fail(beast::error_code ec, bool got_some, bool may_be_stale) {
    close();
    if (ec == beast::error::timeout) {
      throw HttpError(HttpError::Kind::Timeout, "awsproto: no complete response from " + where +
                                                    " within " + millis(options.io_timeout));
    }
    bool closed = ec == http::error::end_of_stream || ec == net::error::eof ||
                  ec == net::error::connection_reset || ec == net::error::broken_pipe;
    if (may_be_stale && !got_some && closed) throw StaleConnection{ec.message()};
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      throw HttpError(HttpError::Kind::Protocol,
                      "awsproto: bad HTTP response from " + where + ": " + ec.message());
    }
    throw HttpError(HttpError::Kind::Io, "awsproto: connection to " + where +
                                             (got_some ? " failed mid-response: " : " failed: ") +
                                             ec.message());
  }
};

HttpClient::HttpClient(std::string_view endpoint_url, HttpClientOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = parse_endpoint(endpoint_url);
  if (impl_->endpoint.scheme != "http") {
    throw std::invalid_argument("awsproto::HttpClient: https is not supported yet (endpoint " +
                                std::string(endpoint_url) + ")");
  }
  impl_->options = options;
  impl_->where = impl_->endpoint.host_header();
  if (impl_->endpoint.port == 80) impl_->where += ":80";
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const Endpoint& HttpClient::endpoint() const { return impl_->endpoint; }

int HttpClient::connections_opened() const { return impl_->connections; }

Response HttpClient::request(const Request& request) {
  BeastRequest message;
  http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    message.method_string(request.method);
  } else {
    message.method(verb);
  }
  message.target(request.query.empty() ? request.path : request.path + "?" + request.query);
  message.version(11);
  for (const auto& [name, value] : request.headers) message.insert(name, value);
  if (!has_header(request.headers, "host")) {
    message.set(http::field::host, impl_->endpoint.host_header());
  }
  if (!has_header(request.headers, "user-agent")) message.set(http::field::user_agent, kUserAgent);
  message.body() = {request.body.data(), request.body.size()};
  message.prepare_payload();

  Impl& impl = *impl_;
  if (impl.stream && impl.idle_connection_closed()) impl.close();
  bool reused = impl.stream.has_value() && impl.used;
  if (!impl.stream) impl.connect();
  try {
    return impl.exchange(message, reused);
  } catch (const StaleConnection&) {
    impl.connect();
    return impl.exchange(message, false);
  }
}

}  // namespace awsproto
