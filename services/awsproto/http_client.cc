#include "awsproto/http_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <poll.h>
#include <sys/socket.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <sstream>

namespace awsproto {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
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

// A connected non-blocking socket as a Beast synchronous stream, every call bounded by one
// deadline for the whole exchange: the plain-HTTP path. Through Asio's reactor each exchange
// cost about fifteen system calls (epoll_wait after every operation, timerfd re-arms for the
// timeout, non-blocking mode switched off and on again); this is sendmsg, then poll and recv.
class DeadlineSocket {
 public:
  DeadlineSocket(int fd, std::chrono::steady_clock::time_point deadline)
      : fd_(fd), deadline_(deadline) {}

  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, beast::error_code& ec) {
    constexpr int kMaxParts = 16;
    iovec parts[kMaxParts];
    int n = 0;
    for (auto it = net::buffer_sequence_begin(buffers);
         it != net::buffer_sequence_end(buffers) && n < kMaxParts; ++it) {
      net::const_buffer b(*it);
      if (b.size() == 0) continue;
      parts[n].iov_base = const_cast<void*>(b.data());
      parts[n].iov_len = b.size();
      ++n;
    }
    if (n == 0) {
      ec = {};
      return 0;
    }
    for (;;) {
      msghdr message{};
      message.msg_iov = parts;
      message.msg_iovlen = static_cast<size_t>(n);
      ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
      if (sent >= 0) {
        ec = {};
        return static_cast<size_t>(sent);
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return failed(ec);
      if (!wait(POLLOUT, ec)) return 0;
    }
  }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, beast::error_code& ec) {
    net::mutable_buffer b(*net::buffer_sequence_begin(buffers));
    // A reply is rarely there the moment the request is written: wait first.
    if (!wait(POLLIN, ec)) return 0;
    for (;;) {
      ssize_t got = ::recv(fd_, b.data(), b.size(), 0);
      if (got > 0) {
        ec = {};
        return static_cast<size_t>(got);
      }
      if (got == 0) {
        ec = net::error::eof;
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return failed(ec);
      if (!wait(POLLIN, ec)) return 0;
    }
  }

  // The throwing forms Beast's stream concepts ask for.
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers) {
    beast::error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    beast::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

 private:
  size_t failed(beast::error_code& ec) {
    ec.assign(errno, boost::system::system_category());
    return 0;
  }

  // Until the socket is ready for `events`, or the deadline (beast::error::timeout).
  bool wait(short events, beast::error_code& ec) {
    for (;;) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ -
                                                               std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        ec = beast::error::timeout;
        return false;
      }
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
      if (r > 0) return true;  // ready, or an error the next call reports
      if (r < 0 && errno != EINTR) {
        failed(ec);
        return false;
      }
    }
  }

  int fd_;
  std::chrono::steady_clock::time_point deadline_;
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
  // https only: the context (trust store, TLS 1.2+), made once per client.
  std::optional<ssl::context> tls_context;
  // One of the two is open while there is a connection: `stream` for http, `tls` for https.
  std::optional<beast::tcp_stream> stream;
  std::optional<TlsStream> tls;
  beast::flat_buffer buffer;
  int connections = 0;
  bool used = false;  // the open connection has carried a complete exchange

  // Runs the io_context until the operations started on it are done.
  void run() {
    ioc.restart();
    ioc.run();
  }

  bool open() const { return stream.has_value() || tls.has_value(); }
  beast::tcp_stream& tcp_layer() { return tls ? beast::get_lowest_layer(*tls) : *stream; }

  // Without a TLS close_notify: the SDKs do not wait for the server's either, and the
  // connection is never reused.
  void close() {
    if (open()) {
      beast::error_code ignored;
      tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
      tcp_layer().close();
      stream.reset();
      tls.reset();
    }
    buffer.clear();
    used = false;
  }

  // The trust store: `ca_file` when given, else the file in AWS_CA_BUNDLE (the SDKs' variable,
  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html), else OpenSSL's
  // default paths (the system's store, or SSL_CERT_FILE / SSL_CERT_DIR).
  void make_tls_context() {
    tls_context.emplace(ssl::context::tls_client);
    SSL_CTX* ctx = tls_context->native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    std::string file = options.ca_file;
    if (file.empty()) {
      const char* bundle = std::getenv("AWS_CA_BUNDLE");
      if (bundle) file = bundle;
    }
    if (file.empty()) {
      if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        ERR_clear_error();
        throw std::invalid_argument("awsproto::HttpClient: cannot load the system's CAs");
      }
      return;
    }
    if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1) {
      unsigned long err = ERR_get_error();
      ERR_clear_error();
      char text[256] = "";
      if (err) ERR_error_string_n(err, text, sizeof text);
      throw std::invalid_argument("awsproto::HttpClient: cannot load the CA bundle " + file +
                                  (err ? std::string(": ") + text : std::string()));
    }
  }

  // SNI (for a name; RFC 6066 has none for an IP address) and the name or address the
  // certificate must carry.
  void prepare_tls(SSL* ssl_handle) {
    beast::error_code ec;
    net::ip::make_address(endpoint.host, ec);
    bool is_ip = !ec;
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), endpoint.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_handle, endpoint.host.c_str());
      SSL_set_hostflags(ssl_handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      SSL_set1_host(ssl_handle, endpoint.host.c_str());
    }
  }

  void handshake() {
    tls.emplace(std::move(*stream), *tls_context);
    stream.reset();
    SSL* ssl_handle = tls->native_handle();
    prepare_tls(ssl_handle);
    beast::error_code ec;
    beast::get_lowest_layer(*tls).expires_after(options.connect_timeout);
    tls->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run();
    if (!ec) {
      beast::get_lowest_layer(*tls).expires_never();
      return;
    }
    long verify = SSL_get_verify_result(ssl_handle);
    std::string why;
    if (ec == beast::error::timeout) {
      tls.reset();
      throw HttpError(HttpError::Kind::Timeout, "awsproto: the TLS handshake with " + where +
                                                    " timed out after " +
                                                    millis(options.connect_timeout));
    }
    if (verify != X509_V_OK) {
      why = std::string("the server's certificate is not trusted: ") +
            X509_verify_cert_error_string(verify);
      if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        why += " (it is not valid for " + endpoint.host + ")";
      }
    } else {
      why = ec.message();
    }
    tls.reset();
    ERR_clear_error();
    throw HttpError(HttpError::Kind::Tls, "awsproto: TLS with " + where + " failed: " + why);
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
    if (tls_context) {
      handshake();
    } else {
      // Plain exchanges go through DeadlineSocket, which waits with poll().
      stream->socket().non_blocking(true, ec);
      if (ec) {
        stream.reset();
        throw HttpError(HttpError::Kind::Connect,
                        "awsproto: cannot connect to " + where + ": " + ec.message());
      }
    }
    ++connections;
  }

  // Whether the server has closed (or written to) the idle connection since the last reply: a
  // non-blocking read of one byte finds end-of-stream, an error or unexpected bytes. This saves
  // a failed write in the common case; the retry in request() covers the race.
  bool idle_connection_closed() {
    if (buffer.size() > 0) return true;
    // With TLS this peeks at the raw socket: a byte there (a close_notify alert, say) means the
    // connection is closed anyway.
    char byte;
    ssize_t got = ::recv(tcp_layer().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return !(got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }

  Response exchange(const BeastRequest& request, bool may_be_stale) {
    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(options.max_body_bytes);
    // A reply to HEAD has Content-Length but no body.
    if (request.method() == http::verb::head) parser.skip(true);
    if (tls) {
      tcp_layer().expires_after(options.io_timeout);
      http::async_write(*tls, request, [&](beast::error_code e, size_t) { ec = e; });
      run();
      if (ec) fail(ec, false, may_be_stale);
      http::async_read(*tls, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
      run();
      if (ec) fail(ec, parser.got_some(), may_be_stale);
      tcp_layer().expires_never();
    } else {
      DeadlineSocket socket(stream->socket().native_handle(),
                            std::chrono::steady_clock::now() + options.io_timeout);
      http::write(socket, request, ec);
      if (ec) fail(ec, false, may_be_stale);
      http::read(socket, buffer, parser, ec);
      if (ec) fail(ec, parser.got_some(), may_be_stale);
    }

    return take(parser.get());
  }

  // request_all()'s plain-HTTP exchange: `wire` (every request) in one write, then the
  // responses in order into `answers`. Throws StaleConnection (before any answer) or HttpError
  // (the connection failed before the first answer); later failures become the errors of the
  // requests left.
  void exchange_all(const std::string& wire, const std::vector<bool>& heads,
                    std::vector<HttpClient::Answer>& answers, bool may_be_stale) {
    DeadlineSocket socket(stream->socket().native_handle(),
                          std::chrono::steady_clock::now() + options.io_timeout);
    beast::error_code ec;
    net::write(socket, net::buffer(wire), ec);
    if (ec) fail(ec, false, may_be_stale);
    for (size_t i = 0; i < answers.size(); ++i) {
      if (!open()) {
        answers[i].error =
            HttpError(HttpError::Kind::Io,
                      "awsproto: " + where + " closed the connection after " + std::to_string(i) +
                          " of " + std::to_string(answers.size()) + " pipelined answers");
        continue;
      }
      http::response_parser<http::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(options.max_body_bytes);
      if (heads[i]) parser.skip(true);  // a reply to HEAD has Content-Length but no body
      http::read(socket, buffer, parser, ec);
      if (ec) {
        if (i == 0) fail(ec, parser.got_some(), may_be_stale);
        try {
          fail(ec, parser.got_some(), false);
        } catch (const HttpError& e) {
          answers[i].error = e;
        }
        continue;
      }
      answers[i].response = take(parser.get());
    }
  }

  // A parsed response as a Response; the connection is kept for the next exchange, or closed
  // when the server said so.
  Response take(http::response<http::string_body>& message) {
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
    // A TLS server that closes without close_notify: stream_truncated.
    bool closed = ec == http::error::end_of_stream || ec == net::error::eof ||
                  ec == net::error::connection_reset || ec == net::error::broken_pipe ||
                  ec == ssl::error::stream_truncated;
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
  impl_->options = std::move(options);
  if (impl_->endpoint.scheme == "https") impl_->make_tls_context();
  impl_->where = impl_->endpoint.host_header();
  if (impl_->endpoint.port == 80 || impl_->endpoint.port == 443) {
    impl_->where += ":" + std::to_string(impl_->endpoint.port);
  }
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const Endpoint& HttpClient::endpoint() const { return impl_->endpoint; }

int HttpClient::connections_opened() const { return impl_->connections; }

std::optional<std::string> HttpClient::no_time_for(int attempt, TimePoint answer_by) const {
  auto bound = impl_->options.connect_timeout + impl_->options.io_timeout;
  if (answer_by == TimePoint::max() || std::chrono::steady_clock::now() + bound <= answer_by) {
    return std::nullopt;
  }
  return "no time left for attempt " + std::to_string(attempt) + " (" +
         std::to_string(bound.count()) + " ms) before the call's deadline";
}

namespace {

BeastRequest beast_request(const Request& request, const Endpoint& endpoint) {
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
    message.set(http::field::host, endpoint.host_header());
  }
  if (!has_header(request.headers, "user-agent")) message.set(http::field::user_agent, kUserAgent);
  message.body() = {request.body.data(), request.body.size()};
  message.prepare_payload();
  return message;
}

}  // namespace

Response HttpClient::request(const Request& request) {
  BeastRequest message = beast_request(request, impl_->endpoint);
  Impl& impl = *impl_;
  if (impl.open() && impl.idle_connection_closed()) impl.close();
  bool reused = impl.open() && impl.used;
  if (!impl.open()) impl.connect();
  try {
    return impl.exchange(message, reused);
  } catch (const StaleConnection&) {
    impl.connect();
    return impl.exchange(message, false);
  }
}

bool HttpClient::pipelines() const { return impl_->endpoint.scheme != "https"; }

std::vector<HttpClient::Answer> HttpClient::request_all(const std::vector<Request>& requests) {
  std::vector<Answer> answers(requests.size());
  Impl& impl = *impl_;
  if (!pipelines() || requests.size() == 1) {
    for (size_t i = 0; i < requests.size(); ++i) {
      try {
        answers[i].response = request(requests[i]);
      } catch (const HttpError& e) {
        answers[i].error = e;
      }
    }
    return answers;
  }
  std::string wire;
  std::vector<bool> heads;
  for (const auto& r : requests) {
    std::ostringstream out;
    out << beast_request(r, impl.endpoint);
    wire += out.str();
    heads.push_back(r.method == "HEAD");
  }
  try {
    if (impl.open() && impl.idle_connection_closed()) impl.close();
    bool reused = impl.open() && impl.used;
    if (!impl.open()) impl.connect();
    try {
      impl.exchange_all(wire, heads, answers, reused);
    } catch (const StaleConnection&) {
      impl.connect();
      impl.exchange_all(wire, heads, answers, false);
    }
  } catch (const HttpError& e) {
    for (auto& a : answers) {
      if (!a.response && !a.error) a.error = e;
    }
  }
  return answers;
}

}  // namespace awsproto
