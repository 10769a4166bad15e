// Load generator for the emulator (or any DynamoDB endpoint that does not check signatures):
// N keep-alive connections on one thread, each sending one request at a time for a fixed
// duration. Prints one JSON line: throughput, latency percentiles, errors.
//
//   loadgen --port P --op get|put|query|batch|update|transact|noop --conns N --seconds S
//           [--setup] [--table NAME] [--requests PER_CONNECTION]
//
// --setup creates the table and loads what the operation reads, then exits.
#include <strings.h>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string op = "get";
  int conns = 1;
  double seconds = 5;
  bool setup = false;
  std::string table = "bench";
  long requests = 0;  // per connection; 0: run for --seconds instead
};

constexpr const char* kAuth =
    "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0";
constexpr int kGetKeys = 10000;   // items GetItem reads
constexpr int kQueryItems = 200;  // items in the partition Query reads

std::string body_text(int n) {  // a ~150-byte chat message body
  std::string s = "message " + std::to_string(n) + " ";
  while (s.size() < 150) s += "lorem ipsum ";
  return s.substr(0, 150);
}

// A ~200-byte chat message item.
std::string item_json(const std::string& pk, long sk) {
  return "{\"pk\":{\"S\":\"" + pk + "\"},\"sk\":{\"N\":\"" + std::to_string(sk) +
         "\"},\"sender\":{\"S\":\"user-42\"},\"body\":{\"S\":\"" + body_text(static_cast<int>(sk)) +
         "\"}}";
}

std::string put_body(const std::string& table, const std::string& pk, long sk) {
  return "{\"TableName\":\"" + table + "\",\"Item\":" + item_json(pk, sk) + "}";
}

struct Request {
  std::string target, body;
};

// The request the `conn`-th connection sends as its `n`-th.
Request make(const Options& o, int conn, long n) {
  const std::string& t = o.table;
  if (o.op == "put") return {"PutItem", put_body(t, "conv-" + std::to_string(conn), n)};
  if (o.op == "get") {
    long k = (conn * 7919L + n * 104729L) % kGetKeys;
    return {"GetItem", "{\"TableName\":\"" + t + "\",\"Key\":{\"pk\":{\"S\":\"get-" +
                           std::to_string(k % 100) + "\"},\"sk\":{\"N\":\"" + std::to_string(k) +
                           "\"}}}"};
  }
  if (o.op == "query")
    return {"Query", "{\"TableName\":\"" + t +
                         "\",\"KeyConditionExpression\":\"pk = "
                         ":p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"query\"}},"
                         "\"ScanIndexForward\":false,\"Limit\":50}"};
  if (o.op == "batch") {
    std::string b = "{\"RequestItems\":{\"" + t + "\":[";
    for (int i = 0; i < 25; ++i) {
      if (i) b += ",";
      b += "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"batch-" + std::to_string(conn) +
           "\"},\"sk\":{\"N\":\"" + std::to_string(n * 25 + i) + "\"},\"body\":{\"S\":\"" +
           body_text(i) + "\"}}}}";
    }
    return {"BatchWriteItem", b + "]}}"};
  }
  if (o.op == "update")
    return {"UpdateItem", "{\"TableName\":\"" + t + "\",\"Key\":{\"pk\":{\"S\":\"counter-" +
                              std::to_string(conn) +
                              "\"},\"sk\":{\"N\":\"0\"}},\"UpdateExpression\":\"ADD unread :one\","
                              "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}"};
  if (o.op == "transact") {
    // The chat send: the message, and every participant's conversation metadata.
    std::string b =
        "{\"TransactItems\":[{\"Put\":" + put_body(t, "tx-" + std::to_string(conn), n) + "}";
    for (int i = 0; i < 10; ++i)
      b +=
          ",{\"Update\":{\"TableName\":\"" + t + "\",\"Key\":{\"pk\":{\"S\":\"member-" +
          std::to_string(conn) + "-" + std::to_string(i) +
          "\"},\"sk\":{\"N\":\"0\"}},\"UpdateExpression\":\"SET lastMessage = :m ADD unread :one\","
          "\"ExpressionAttributeValues\":{\":m\":{\"N\":\"" +
          std::to_string(n) + "\"},\":one\":{\"N\":\"1\"}}}}";
    return {"TransactWriteItems", b + "]}"};
  }
  return {"ListTables", "{}"};
}

struct Stats {
  std::vector<double> latencies_us;
  long errors = 0;
  std::string first_error;
};

// The request as bytes on the wire.
std::string wire(const Options& o, const Request& r) {
  std::string w =
      "POST / HTTP/1.1\r\nHost: " + o.host + "\r\nX-Amz-Target: DynamoDB_20120810." + r.target +
      "\r\nContent-Type: application/x-amz-json-1.0\r\nAuthorization: " + kAuth +
      "\r\nX-Amz-Date: 20260101T000000Z\r\nContent-Length: " + std::to_string(r.body.size()) +
      "\r\n\r\n";
  return w + r.body;
}

// Reads one response from `s` (Content-Length framing, as every server under test sends);
// `buf` keeps bytes that arrived beyond it. Returns the status and leaves the body in `body`.
// The load generator shares the machine with the server, so it parses no more than it needs.
net::awaitable<int> read_response(tcp::socket& s, std::string& buf, std::string& body) {
  char chunk[16384];
  size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    size_t n = co_await s.async_read_some(net::buffer(chunk), net::use_awaitable);
    buf.append(chunk, n);
  }
  int status = buf.size() > 12 ? std::atoi(buf.c_str() + 9) : 0;
  size_t length = 0;
  for (size_t line = buf.find("\r\n") + 2; line < header_end;) {
    size_t eol = buf.find("\r\n", line);
    if (eol - line > 15 && strncasecmp(buf.c_str() + line, "content-length:", 15) == 0)
      length = std::strtoul(buf.c_str() + line + 15, nullptr, 10);
    line = eol + 2;
  }
  size_t total = header_end + 4 + length;
  while (buf.size() < total) {
    size_t n = co_await s.async_read_some(net::buffer(chunk), net::use_awaitable);
    buf.append(chunk, n);
  }
  body.assign(buf, header_end + 4, length);
  buf.erase(0, total);
  co_return status;
}

net::awaitable<void> worker(const Options& o, tcp::endpoint ep, int conn, Clock::time_point warm,
                            Clock::time_point end, Stats& stats, long count_limit) {
  tcp::socket s(co_await net::this_coro::executor);
  co_await s.async_connect(ep, net::use_awaitable);
  s.set_option(tcp::no_delay(true));
  std::string buf, body;
  for (long n = 0; count_limit ? n < count_limit : Clock::now() < end; ++n) {
    std::string request = wire(o, make(o, conn, n));
    auto t0 = Clock::now();
    co_await net::async_write(s, net::buffer(request), net::use_awaitable);
    int status = co_await read_response(s, buf, body);
    auto t1 = Clock::now();
    if (status != 200) {
      if (!stats.errors++) stats.first_error = body.substr(0, 300);
    } else if (t0 >= warm) {
      stats.latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

int run(const Options& o) {
  net::io_context ioc(1);
  tcp::endpoint ep(net::ip::make_address(o.host), static_cast<unsigned short>(o.port));
  Stats stats;
  if (o.setup) {
    int setup_errors = 0;
    auto call = [&](const std::string& target, const std::string& body) {
      net::co_spawn(
          ioc,
          [&, target, body]() -> net::awaitable<void> {
            tcp::socket sock(co_await net::this_coro::executor);
            co_await sock.async_connect(ep, net::use_awaitable);
            http::request<http::string_body> req{http::verb::post, "/", 11};
            req.set(http::field::host, o.host);
            req.set("X-Amz-Target", "DynamoDB_20120810." + target);
            req.set(http::field::content_type, "application/x-amz-json-1.0");
            req.set(http::field::authorization, kAuth);
            req.set("X-Amz-Date", "20260101T000000Z");
            req.body() = body;
            req.prepare_payload();
            co_await http::async_write(sock, req, net::use_awaitable);
            beast::flat_buffer b;
            http::response<http::string_body> res;
            co_await http::async_read(sock, b, res, net::use_awaitable);
            if (res.result() != http::status::ok && target != "CreateTable" && !setup_errors++)
              std::cerr << target << ": " << res.body().substr(0, 200) << "\n";
          },
          net::detached);
      ioc.run();
      ioc.restart();
    };
    call("CreateTable",
         "{\"TableName\":\"" + o.table +
             "\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
             "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"KeySchema\":[{"
             "\"AttributeName\":\"pk\","
             "\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
             "\"BillingMode\":\"PAY_PER_REQUEST\"}");
    // Wait until the table is ACTIVE (servers that create tables asynchronously).
    for (int i = 0; i < 200; ++i) {
      bool active = false;
      net::co_spawn(
          ioc,
          [&]() -> net::awaitable<void> {
            tcp::socket sock(co_await net::this_coro::executor);
            co_await sock.async_connect(ep, net::use_awaitable);
            http::request<http::string_body> req{http::verb::post, "/", 11};
            req.set(http::field::host, o.host);
            req.set("X-Amz-Target", "DynamoDB_20120810.DescribeTable");
            req.set(http::field::content_type, "application/x-amz-json-1.0");
            req.set(http::field::authorization, kAuth);
            req.set("X-Amz-Date", "20260101T000000Z");
            req.body() = "{\"TableName\":\"" + o.table + "\"}";
            req.prepare_payload();
            co_await http::async_write(sock, req, net::use_awaitable);
            beast::flat_buffer b;
            http::response<http::string_body> res;
            co_await http::async_read(sock, b, res, net::use_awaitable);
            active = res.body().find("\"TableStatus\":\"ACTIVE\"") != std::string::npos;
          },
          net::detached);
      ioc.run();
      ioc.restart();
      if (active) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto load = [&](const std::string& pk_of, int count, bool spread) {
      for (int base = 0; base < count; base += 25) {
        std::string b = "{\"RequestItems\":{\"" + o.table + "\":[";
        for (int i = base; i < std::min(count, base + 25); ++i) {
          if (i > base) b += ",";
          std::string pk = spread ? pk_of + std::to_string(i % 100) : pk_of;
          b += "{\"PutRequest\":{\"Item\":" + item_json(pk, i) + "}}";
        }
        call("BatchWriteItem", b + "]}}");
      }
    };
    if (o.op == "get") load("get-", kGetKeys, true);
    if (o.op == "query") load("query", kQueryItems, false);
    return 0;
  }
  auto start = Clock::now();
  auto warm = start + std::chrono::milliseconds(static_cast<long>(o.seconds * 200));  // 20% warm-up
  auto end = start + std::chrono::milliseconds(static_cast<long>(o.seconds * 1000));
  for (int c = 0; c < o.conns; ++c)
    net::co_spawn(ioc, worker(o, ep, c, o.requests ? start : warm, end, stats, o.requests),
                  [&](std::exception_ptr e) {
                    if (e) {
                      try {
                        std::rethrow_exception(e);
                      } catch (const std::exception& x) {
                        if (!stats.errors++) stats.first_error = x.what();
                      }
                    }
                  });
  ioc.run();
  double measured = o.requests ? std::chrono::duration<double>(Clock::now() - start).count()
                               : std::chrono::duration<double>(end - warm).count();
  auto& v = stats.latencies_us;
  double n = static_cast<double>(v.size());
  // The first error's __type without its namespace ("UnknownOperationException"), if any.
  std::string error_type;
  size_t hash = stats.first_error.find('#');
  if (stats.first_error.find("__type") != std::string::npos && hash != std::string::npos)
    for (size_t i = hash + 1; i < stats.first_error.size() &&
                              std::isalnum(static_cast<unsigned char>(stats.first_error[i]));
         ++i)
      error_type += stats.first_error[i];
  std::printf(
      "{\"op\":\"%s\",\"conns\":%d,\"requests\":%zu,\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
      "\"p999_us\":%.1f,\"errors\":%ld,\"error_type\":\"%s\"}\n",
      o.op.c_str(), o.conns, v.size(), n / measured, percentile(v, 0.5), percentile(v, 0.99),
      percentile(v, 0.999), stats.errors, error_type.c_str());
  if (stats.errors) std::cerr << "first error: " << stats.first_error << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--port")
      o.port = std::stoi(next());
    else if (a == "--host")
      o.host = next();
    else if (a == "--op")
      o.op = next();
    else if (a == "--conns")
      o.conns = std::stoi(next());
    else if (a == "--seconds")
      o.seconds = std::stod(next());
    else if (a == "--setup")
      o.setup = true;
    else if (a == "--table")
      o.table = next();
    else if (a == "--requests")
      o.requests = std::stol(next());
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "loadgen: " << e.what() << "\n";
    return 1;
  }
}
