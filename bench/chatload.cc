// Load generator for the chat stack (issue 16): N WebSocket clients of the gateway, in
// conversations of G members (createConversation, kind group) or all in the lobby, sending at a
// steady total rate for a fixed time on an open-loop schedule (message k is due at k / R seconds,
// whether or not earlier ones were answered). Each text carries its message number, its due time
// and its sender's sequence number in the conversation. Records per message the ack latency (due
// time -> `ack`) and the delivery latency to every other participant (due time -> `message`),
// and counts what was lost, duplicated or out of order. Prints one JSON object.
//
//   chatload --url ws://127.0.0.1:PORT/chat --clients N [--group G | --lobby] --rate R
//            --seconds T [--threads 1|2] [--prefix P] [--users U] [--idle]
//            [--warmup S] [--search-p99-ms MS [--search-max R] [--search-steps K]]
//
// --idle: connect the clients, print {"connected":...}, then hold them (reading whatever comes)
// until standard input closes; for the gateway's memory per idle connection. --users U: the
// clients are U users (client i is user i % U), so that 10,000 connections are not 10,000
// presence changes sent to everyone. --search-p99-ms: the same clients send phase after phase
// (--seconds each, a JSON line each), doubling the rate from --rate while p99 delivery stays
// under MS with nothing lost, then bisecting K times; the last line names the best rate.
// --warmup S (default 2): sends at the first rate, not measured, before the measured ones (the
// functions' cold starts).
#include <rapidjson/document.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "3002";
  std::string path = "/chat";
  int clients = 100;
  int group = 10;
  bool lobby = false;
  double rate = 100;
  double seconds = 10;
  int threads = 1;
  std::string prefix = "ld";
  int users = 0;  // 0: one user per client
  bool idle = false;
  int connect_parallel = 64;
  double drain = 5;  // seconds after the last send to wait for deliveries
  double quiet = 1;  // seconds without a frame that end the settling before the sends
  double settle_max = 120;
  double warmup = 2;         // seconds of sends before the measured ones, at the first rate
  double search_p99_ms = 0;  // > 0: search the highest rate whose p99 delivery stays under it
  double search_max = 8000;
  int search_steps = 3;
};

const Clock::time_point kBase = Clock::now();
int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - kBase).count();
}

struct Message {
  int64_t due_us = 0;
  int conv = 0, sender = 0;
  int64_t ack_us = -1;
  std::vector<uint8_t> seen;  // per member position in the conversation
  int expected = 0, delivered = 0;
  int64_t last_us = -1;  // the last delivery's latency
};

struct Conversation {
  std::string id;
  std::vector<int> members;               // client indices
  std::unordered_map<int, int> position;  // client index -> position in members
  long out_of_order = 0, lost = 0, duplicated = 0;
};

struct Client;

// Everything the threads share; one mutex (the load is thousands of frames a second).
struct Shared {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<Message> messages;
  std::vector<Conversation> conversations;
  std::vector<int64_t> ack_us, delivery_us;
  long sent = 0, acked = 0, delivered = 0, expected = 0, duplicated = 0, out_of_order = 0;
  long own_copies = 0, errors = 0, closed = 0, connected = 0, connect_failed = 0;
  long created = 0, create_failed = 0, foreign = 0;
  std::map<std::string, long> other_frames;
  std::string first_error;
  std::atomic<int64_t> last_frame_us{0};
};

struct Client {
  int index = 0;
  std::string username;
  net::io_context* ioc = nullptr;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws;
  std::deque<std::string> out;
  bool writing = false;
  std::atomic<bool> open{false};
  int conv = -1, seq = 0;
  std::unordered_map<int, int> last_seq;  // sender -> the highest sequence number received
};

Options g_opt;
Shared g;
std::vector<std::unique_ptr<Client>> g_clients;

std::string_view str(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return {};
  auto m = v.FindMember(name);
  if (m == v.MemberEnd() || !m->value.IsString()) return {};
  return {m->value.GetString(), m->value.GetStringLength()};
}

void note_error(std::string what) {
  std::lock_guard lock(g.mu);
  if (!g.errors++) g.first_error = std::move(what);
}

// One frame a client received.
void on_frame(Client& c, std::string_view text) {
  int64_t t = now_us();
  g.last_frame_us.store(t, std::memory_order_relaxed);
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  std::string_view type = str(d, "type");
  if (type == "message") {
    std::string_view cmid = str(d, "clientMessageId");
    std::string_view sender = str(d, "sender");
    std::lock_guard lock(g.mu);
    if (cmid.size() < 2 || cmid[0] != 'm' ||
        sender.substr(0, g_opt.prefix.size()) != g_opt.prefix) {
      ++g.foreign;
      return;
    }
    size_t k = std::strtoul(std::string(cmid.substr(1)).c_str(), nullptr, 10);
    if (k >= g.messages.size()) {
      ++g.foreign;
      return;
    }
    Message& m = g.messages[k];
    if (m.sender == c.index) {
      ++g.own_copies;
      return;
    }
    Conversation& conv = g.conversations[m.conv];
    auto pos = conv.position.find(c.index);
    if (pos == conv.position.end()) {
      ++g.foreign;  // delivered to a client that is not a participant
      return;
    }
    if (m.seen[pos->second]) {
      ++g.duplicated;
      ++conv.duplicated;
      return;
    }
    m.seen[pos->second] = 1;
    ++m.delivered;
    ++g.delivered;
    int64_t latency = t - m.due_us;
    m.last_us = std::max(m.last_us, latency);
    g.delivery_us.push_back(latency);
    // The text is "<k> <due us> <sequence>": the sender's sequence in this conversation.
    std::string body(str(d, "text"));
    int seq = std::atoi(body.c_str() + body.rfind(' ') + 1);
    int& last = c.last_seq[m.sender];
    if (seq < last) {
      ++g.out_of_order;
      ++conv.out_of_order;
    } else {
      last = seq;
    }
    if (g.delivered == g.expected) g.changed.notify_all();
  } else if (type == "ack") {
    std::string_view cmid = str(d, "clientMessageId");
    std::lock_guard lock(g.mu);
    size_t k = cmid.size() > 1 ? std::strtoul(std::string(cmid.substr(1)).c_str(), nullptr, 10)
                               : g.messages.size();
    if (k < g.messages.size() && g.messages[k].ack_us < 0) {
      g.messages[k].ack_us = t - g.messages[k].due_us;
      g.ack_us.push_back(g.messages[k].ack_us);
      ++g.acked;
      if (g.acked == g.sent) g.changed.notify_all();
    }
  } else if (type == "conversation") {
    std::string_view rid = str(d, "requestId");
    std::lock_guard lock(g.mu);
    if (rid.size() > 1 && rid[0] == 'c') {
      size_t i = std::strtoul(std::string(rid.substr(1)).c_str(), nullptr, 10);
      if (i < g.conversations.size() && g.conversations[i].id.empty()) {
        g.conversations[i].id = std::string(str(d, "conversationId"));
        ++g.created;
        g.changed.notify_all();
      }
    }
  } else if (type == "error") {
    std::string what(text.substr(0, 300));
    std::lock_guard lock(g.mu);
    if (!g.errors++) g.first_error = what;
    std::string_view rid = str(d, "requestId");
    if (rid.size() > 1 && rid[0] == 'c') {
      ++g.create_failed;
      g.changed.notify_all();
    }
  } else {
    std::lock_guard lock(g.mu);
    ++g.other_frames[type.empty() ? std::string("(none)") : std::string(type)];
  }
}

net::awaitable<void> write_all(Client& c) {
  c.writing = true;
  try {
    while (!c.out.empty() && c.open) {
      co_await c.ws->async_write(net::buffer(c.out.front()), net::use_awaitable);
      c.out.pop_front();
    }
  } catch (const std::exception& e) {
    note_error(c.username + ": write: " + e.what());
  }
  c.writing = false;
}

// Queues a text frame (on the client's own thread).
void send_text(Client& c, std::string text) {
  c.out.push_back(std::move(text));
  if (!c.writing) net::co_spawn(*c.ioc, write_all(c), net::detached);
}

net::awaitable<void> run_client(Client& c) {
  auto ex = co_await net::this_coro::executor;
  try {
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(g_opt.host, g_opt.port, net::use_awaitable);
    c.ws = std::make_unique<websocket::stream<beast::tcp_stream>>(ex);
    beast::get_lowest_layer(*c.ws).expires_after(std::chrono::seconds(30));
    co_await beast::get_lowest_layer(*c.ws).async_connect(endpoints, net::use_awaitable);
    beast::get_lowest_layer(*c.ws).socket().set_option(tcp::no_delay(true));
    beast::get_lowest_layer(*c.ws).expires_never();
    c.ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_await c.ws->async_handshake(g_opt.host + ":" + g_opt.port,
                                   g_opt.path + "?username=" + c.username, net::use_awaitable);
    c.open = true;
  } catch (const std::exception& e) {
    std::lock_guard lock(g.mu);
    ++g.connect_failed;
    if (!g.errors++) g.first_error = c.username + ": connect: " + e.what();
    g.changed.notify_all();
    co_return;
  }
  {
    std::lock_guard lock(g.mu);
    ++g.connected;
    g.changed.notify_all();
  }
  beast::flat_buffer buffer;
  try {
    for (;;) {
      co_await c.ws->async_read(buffer, net::use_awaitable);
      auto data = buffer.cdata();
      on_frame(c, {static_cast<const char*>(data.data()), data.size()});
      buffer.consume(buffer.size());
    }
  } catch (const std::exception& e) {
    c.open = false;
    std::lock_guard lock(g.mu);
    ++g.closed;
  }
}

double percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return static_cast<double>(v[i]) / 1000.0;
}

std::string summary(std::vector<int64_t>& v) {
  char out[256];
  double mx = v.empty() ? 0 : static_cast<double>(*std::max_element(v.begin(), v.end())) / 1000;
  std::snprintf(out, sizeof out,
                "{\"count\":%zu,\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"p999_ms\":%.2f,"
                "\"max_ms\":%.2f}",
                v.size(), percentile(v, 0.5), percentile(v, 0.9), percentile(v, 0.99),
                percentile(v, 0.999), mx);
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

bool parse_args(int argc, char** argv) {
  Options& o = g_opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "chatload: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--url") {
      std::string url = next();
      if (url.rfind("ws://", 0) != 0) {
        std::cerr << "chatload: --url must be ws://HOST:PORT/STAGE\n";
        return false;
      }
      std::string rest = url.substr(5);
      size_t slash = rest.find('/');
      std::string hostport = rest.substr(0, slash);
      o.path = slash == std::string::npos ? "/" : rest.substr(slash);
      size_t colon = hostport.rfind(':');
      o.host = hostport.substr(0, colon);
      o.port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
    } else if (a == "--clients") {
      o.clients = std::atoi(next().c_str());
    } else if (a == "--group") {
      o.group = std::atoi(next().c_str());
    } else if (a == "--lobby") {
      o.lobby = true;
    } else if (a == "--rate") {
      o.rate = std::atof(next().c_str());
    } else if (a == "--seconds") {
      o.seconds = std::atof(next().c_str());
    } else if (a == "--threads") {
      o.threads = std::atoi(next().c_str());
    } else if (a == "--prefix") {
      o.prefix = next();
    } else if (a == "--users") {
      o.users = std::atoi(next().c_str());
    } else if (a == "--idle") {
      o.idle = true;
    } else if (a == "--connect-parallel") {
      o.connect_parallel = std::atoi(next().c_str());
    } else if (a == "--drain") {
      o.drain = std::atof(next().c_str());
    } else if (a == "--quiet") {
      o.quiet = std::atof(next().c_str());
    } else if (a == "--warmup") {
      o.warmup = std::atof(next().c_str());
    } else if (a == "--search-p99-ms") {
      o.search_p99_ms = std::atof(next().c_str());
    } else if (a == "--search-max") {
      o.search_max = std::atof(next().c_str());
    } else if (a == "--search-steps") {
      o.search_steps = std::atoi(next().c_str());
    } else if (a == "--settle-max") {
      o.settle_max = std::atof(next().c_str());
    } else {
      std::cerr << "chatload: unknown option " << a << "\n";
      return false;
    }
  }
  if (o.clients < 2 || o.threads < 1 || o.threads > 8 || o.rate <= 0 || o.seconds <= 0 ||
      (!o.lobby && (o.group < 2 || o.group > 97)) || o.prefix.size() > 8) {
    std::cerr << "chatload: need --clients >= 2, --group 2..97, --rate > 0, --seconds > 0, "
                 "--threads 1..8, --prefix of at most 8 characters\n";
    return false;
  }
  return true;
}

// Blocks until pred() (under g.mu) or the deadline; true if pred() holds.
template <typename Pred>
bool wait_for(double seconds, Pred pred) {
  std::unique_lock lock(g.mu);
  return g.changed.wait_for(lock, std::chrono::duration<double>(seconds), pred);
}

// Waits until no client has received a frame for --quiet seconds (presence broadcasts of the
// connects drained); the seconds it took.
double settle() {
  int64_t t0 = now_us();
  g.last_frame_us.store(t0);
  while (now_us() - t0 < static_cast<int64_t>(g_opt.settle_max * 1e6)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (now_us() - g.last_frame_us.load() > static_cast<int64_t>(g_opt.quiet * 1e6)) break;
  }
  return static_cast<double>(now_us() - t0) / 1e6;
}

struct Setup {
  long connected;
  double connect_s, setup_s, settle_s;
};

struct Phase {
  long sent = 0, lost = 0;
  double delivery_p99_ms = 0;
};

// One send phase: message k is due at t0 + k / R, from client k % N (k counts on across
// phases); prints its JSON line.
Phase run_phase(const Setup& setup, double rate, double seconds, bool print = true) {
  const Options& o = g_opt;
  long first, total = static_cast<long>(rate * seconds);
  long sent0, acked0, expected0, delivered0, duplicated0, ooo0, own0, foreign0, errors0;
  {
    std::lock_guard lock(g.mu);
    first = static_cast<long>(g.messages.size());
    g.messages.resize(static_cast<size_t>(first + total));
    g.ack_us.clear();
    g.delivery_us.clear();
    for (Conversation& conv : g.conversations) conv.out_of_order = conv.lost = 0;
    sent0 = g.sent, acked0 = g.acked, expected0 = g.expected, delivered0 = g.delivered;
    duplicated0 = g.duplicated, ooo0 = g.out_of_order, own0 = g.own_copies;
    foreign0 = g.foreign, errors0 = g.errors;
  }
  int64_t t0 = now_us() + 50000;
  // Phase lines on standard error, for a harness that measures the stack during the sends only.
  if (print) std::fprintf(stderr, "chatload: sending %g\n", rate);
  std::fflush(stderr);
  int64_t max_lag_us = 0;
  for (long i = 0; i < total; ++i) {
    long k = first + i;
    int64_t due = t0 + static_cast<int64_t>(static_cast<double>(i) * 1e6 / rate);
    int64_t wait = due - now_us();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::microseconds(wait));
    max_lag_us = std::max(max_lag_us, now_us() - due);
    Client& c = *g_clients[static_cast<size_t>(k % o.clients)];
    std::string frame;
    {
      std::lock_guard lock(g.mu);
      Conversation& conv = g.conversations[c.conv];
      if (conv.id.empty()) continue;  // its creation failed
      Message& m = g.messages[static_cast<size_t>(k)];
      m.due_us = due;
      m.conv = c.conv;
      m.sender = c.index;
      m.seen.assign(conv.members.size(), 0);
      for (int member : conv.members)
        if (member != c.index && g_clients[member]->open) ++m.expected;
      g.expected += m.expected;
      ++g.sent;
      frame = "{\"action\":\"sendMessage\",\"conversationId\":\"" + conv.id + "\",\"text\":\"" +
              std::to_string(k) + " " + std::to_string(due) + " " + std::to_string(++c.seq) +
              "\",\"clientMessageId\":\"m" + std::to_string(k) + "\"}";
    }
    net::post(*c.ioc, [&c, frame = std::move(frame)]() mutable { send_text(c, std::move(frame)); });
  }
  int64_t t_end = now_us();
  wait_for(o.drain, [&] { return g.delivered >= g.expected && g.acked >= g.sent; });
  double drain_s = static_cast<double>(now_us() - t_end) / 1e6;
  if (print) std::fprintf(stderr, "chatload: done\n");
  std::fflush(stderr);

  std::lock_guard lock(g.mu);
  long lost = 0, conversations_with_loss = 0, conversations_out_of_order = 0;
  std::vector<int64_t> complete_us;  // per message: the latency of its last delivery
  for (long k = first; k < first + total; ++k) {
    const Message& m = g.messages[static_cast<size_t>(k)];
    if (m.seen.empty()) continue;
    long missing = m.expected - m.delivered;
    if (missing > 0) {
      lost += missing;
      g.conversations[m.conv].lost += missing;
    } else if (m.expected > 0) {
      complete_us.push_back(m.last_us);
    }
  }
  for (const Conversation& conv : g.conversations) {
    if (conv.lost) ++conversations_with_loss;
    if (conv.out_of_order) ++conversations_out_of_order;
  }
  std::string others = "{";
  for (const auto& [type, n] : g.other_frames) {
    if (others.size() > 1) others += ",";
    others += json_string(type) + ":" + std::to_string(n);
  }
  others += "}";
  Phase out;
  out.sent = g.sent - sent0;
  out.lost = lost;
  std::string delivery = summary(g.delivery_us);
  out.delivery_p99_ms = percentile(g.delivery_us, 0.99);
  if (!print) return out;
  std::printf(
      "{\"clients\":%d,\"connected\":%ld,\"connect_failed\":%ld,\"conversations\":%zu,"
      "\"group\":%d,\"lobby\":%s,\"rate\":%g,\"seconds\":%g,\"threads\":%d,"
      "\"connect_s\":%.3f,\"setup_s\":%.3f,\"settle_s\":%.3f,\"drain_s\":%.3f,"
      "\"max_send_lag_ms\":%.2f,\"sent\":%ld,\"acked\":%ld,\"expected\":%ld,\"delivered\":%ld,"
      "\"lost\":%ld,\"duplicated\":%ld,\"out_of_order\":%ld,\"conversations_with_loss\":%ld,"
      "\"conversations_out_of_order\":%ld,\"own_copies\":%ld,\"foreign\":%ld,\"closed\":%ld,"
      "\"errors\":%ld,\"first_error\":%s,\"other_frames\":%s,\"ack\":%s,\"delivery\":%s,"
      "\"complete\":%s}\n",
      o.clients, setup.connected, g.connect_failed, g.conversations.size(), o.lobby ? 0 : o.group,
      o.lobby ? "true" : "false", rate, seconds, o.threads, setup.connect_s, setup.setup_s,
      setup.settle_s, drain_s, static_cast<double>(max_lag_us) / 1000, out.sent, g.acked - acked0,
      g.expected - expected0, g.delivered - delivered0, lost, g.duplicated - duplicated0,
      g.out_of_order - ooo0, conversations_with_loss, conversations_out_of_order,
      g.own_copies - own0, g.foreign - foreign0, g.closed, g.errors - errors0,
      json_string(g.first_error).c_str(), others.c_str(), summary(g.ack_us).c_str(),
      delivery.c_str(), summary(complete_us).c_str());
  if (print) std::fflush(stdout);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (!parse_args(argc, argv)) return 2;
  const Options& o = g_opt;
  raise_fd_limit();

  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<std::thread> threads;
  using Guard = net::executor_work_guard<net::io_context::executor_type>;
  std::vector<Guard> guards;
  for (int i = 0; i < o.threads; ++i) {
    iocs.push_back(std::make_unique<net::io_context>(1));
    guards.emplace_back(iocs.back()->get_executor());
  }
  for (int i = 0; i < o.threads; ++i) threads.emplace_back([&, i] { iocs[i]->run(); });

  int users = o.users > 0 ? o.users : o.clients;
  for (int i = 0; i < o.clients; ++i) {
    auto c = std::make_unique<Client>();
    c->index = i;
    c->username = o.prefix + "-" + std::to_string(i % users);
    c->ioc = iocs[i % o.threads].get();
    g_clients.push_back(std::move(c));
  }

  // Connect, at most --connect-parallel handshakes at a time.
  int64_t t_connect = now_us();
  for (int i = 0; i < o.clients; ++i) {
    wait_for(60, [&] { return i - g.connected - g.connect_failed < o.connect_parallel; });
    Client& c = *g_clients[i];
    net::co_spawn(*c.ioc, run_client(c), net::detached);
  }
  wait_for(120, [&] { return g.connected + g.connect_failed >= o.clients; });
  double connect_s = static_cast<double>(now_us() - t_connect) / 1e6;
  long connected;
  {
    std::lock_guard lock(g.mu);
    connected = g.connected;
  }

  if (o.idle) {
    double settle_s = settle();
    std::printf("{\"connected\":%ld,\"connect_failed\":%ld,\"connect_s\":%.3f,\"settle_s\":%.3f}\n",
                connected, g.connect_failed, connect_s, settle_s);
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    std::_Exit(0);  // the sockets close with the process
  }

  // The conversations: the lobby, or groups of G consecutive clients (a short last group joins
  // the one before it).
  int64_t t_setup = now_us();
  if (o.lobby) {
    Conversation conv;
    conv.id = "lobby";
    for (int i = 0; i < o.clients; ++i) conv.members.push_back(i);
    g.conversations.push_back(std::move(conv));
  } else {
    int count = std::max(1, o.clients / o.group);
    for (int c = 0; c < count; ++c) {
      Conversation conv;
      int end = c == count - 1 ? o.clients : (c + 1) * o.group;
      for (int i = c * o.group; i < end; ++i) conv.members.push_back(i);
      g.conversations.push_back(std::move(conv));
    }
  }
  for (size_t ci = 0; ci < g.conversations.size(); ++ci) {
    Conversation& conv = g.conversations[ci];
    for (size_t p = 0; p < conv.members.size(); ++p)
      conv.position[conv.members[p]] = static_cast<int>(p);
    for (int m : conv.members) g_clients[m]->conv = static_cast<int>(ci);
  }
  if (!o.lobby) {
    for (size_t ci = 0; ci < g.conversations.size(); ++ci) {
      wait_for(60, [&] { return static_cast<long>(ci) - g.created - g.create_failed < 16; });
      Conversation& conv = g.conversations[ci];
      std::string frame = "{\"action\":\"createConversation\",\"kind\":\"group\",\"name\":\"load " +
                          std::to_string(ci) + "\",\"requestId\":\"c" + std::to_string(ci) +
                          "\",\"members\":[";
      for (size_t p = 1; p < conv.members.size(); ++p) {
        if (p > 1) frame += ",";
        frame += "\"" + g_clients[conv.members[p]]->username + "\"";
      }
      frame += "]}";
      Client& creator = *g_clients[conv.members[0]];
      net::post(*creator.ioc, [&creator, frame] { send_text(creator, frame); });
    }
    wait_for(120, [&] {
      return g.created + g.create_failed >= static_cast<long>(g.conversations.size());
    });
  }
  double setup_s = static_cast<double>(now_us() - t_setup) / 1e6;
  double settle_s = settle();

  Setup setup{connected, connect_s, setup_s, settle_s};
  if (o.warmup > 0) {
    // Not measured: the functions' instances start (cold starts) and the clients' first sends.
    run_phase(setup, o.rate, o.warmup, false);
    wait_for(o.drain, [&] { return g.delivered >= g.expected && g.acked >= g.sent; });
    settle();
  }
  if (o.search_p99_ms <= 0) {
    run_phase(setup, o.rate, o.seconds);
  } else {
    // Doubling from --rate while p99 delivery stays under the bound with nothing lost, then
    // bisecting between the last rate that held and the first that did not.
    auto holds = [&](double rate) {
      Phase p = run_phase(setup, rate, o.seconds);
      bool ok = p.delivery_p99_ms < o.search_p99_ms && p.lost == 0 && p.sent > 0;
      // The next phase starts from a quiet stack: what this one left queued is drained.
      wait_for(o.drain * 6, [&] { return g.delivered >= g.expected && g.acked >= g.sent; });
      settle();
      return ok;
    };
    double good = 0, bad = 0, rate = o.rate;
    while (rate <= o.search_max) {
      if (!holds(rate)) {
        bad = rate;
        break;
      }
      good = rate;
      rate *= 2;
    }
    for (int i = 0; bad > 0 && i < o.search_steps; ++i) {
      double mid = std::round((good + bad) / 2);
      if (mid <= good || mid >= bad) break;
      (holds(mid) ? good : bad) = mid;
    }
    std::printf("{\"search_p99_ms\":%g,\"best_rate\":%g,\"first_failing_rate\":%g}\n",
                o.search_p99_ms, good, bad);
    std::fflush(stdout);
  }
  std::_Exit(0);  // no orderly close of thousands of sockets: the process's end closes them
}
