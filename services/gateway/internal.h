// The server's internals, shared by server.cc (listeners, HTTP, @connections), connection.cc
// (one WebSocket connection) and http_server.cc (HTTP APIs). Holds Asio types: include it from
// those only.
#pragma once

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/authorizer.h"
#include "gateway/config.h"
#include "gateway/event.h"
#include "gateway/frame.h"
#include "gateway/invoker.h"
#include "gateway/server.h"
#include "gateway/tls.h"

namespace gateway {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// What a connection keeps from its upgrade request, for its events and GetConnection.
struct ConnectionInfo {
  const Api* api = nullptr;
  std::string connection_id, source_ip, user_agent, host;
  int64_t connected_at_ms = 0;
  std::optional<AuthContext> authorizer;  // what the $connect authorizer allowed it with
};

class Gateway;

// Every handler of a connection runs on its socket's executor, one of the gateway's
// io_contexts, each run by one thread: start(), send_text() and close() are called there
// only (post_text() and post_close() hand over from elsewhere). info() is fixed once the
// connection exists and last_active_ms() is atomic: those two are read from any thread.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Gateway& gateway, Stream stream, std::string leftover, ConnectionInfo info);
  // Begins reading frames (after the 101 response was written).
  void start();
  // Queues a text frame. False when the connection is closed or has just been closed because
  // its queue overflowed.
  bool send_text(std::string_view payload);
  // Closes with a close frame (code, reason) and fires $disconnect with the same.
  void close(uint16_t code, std::string_view reason);
  bool open() const { return state_ == State::Open; }
  // From any thread (an @connections POST's session): send_text() on the connection's thread,
  // at once when the caller runs there. False, with nothing queued, once the connection has
  // left the Open state. The POST is answered without waiting for the connection's thread
  // (as API Gateway answers 200 for a message it accepted, not one the client read): a frame
  // that overflows the send queue closes the connection, and the next POST is 410. Frames
  // handed over by one thread are queued in that order.
  bool post_text(std::string payload);
  // From any thread: close() on the connection's thread.
  void post_close(uint16_t code, std::string reason);
  Stream::executor_type executor() { return executor_; }

  const ConnectionInfo& info() const { return info_; }
  int64_t last_active_ms() const { return last_active_ms_.load(std::memory_order_relaxed); }

 private:
  enum class State { Open, Closing, Closed };
  void read();
  void on_bytes();
  void on_message(std::string body);
  void queue(std::string frame, bool control);
  void send_posted();  // on the connection's thread: post_text()'s frames
  void write_next();
  // Closes the socket in 2 s whatever is still queued (the client had its chance to read).
  void linger_then_close();
  // Leaves the Open state: unregisters and fires $disconnect (once).
  void end(int disconnect_code, std::string_view disconnect_reason);
  void close_socket();

  Gateway& gateway_;
  Stream socket_;
  Stream::executor_type executor_;  // the socket's (kept: socket_ is closed, not moved)
  std::string in_;                  // bytes read and not yet parsed
  ws::MessageAssembler assembler_;
  ConnectionInfo info_;
  State state_ = State::Open;
  std::atomic<int64_t> last_active_ms_{0};
  size_t pending_messages_ = 0;        // route invocations not answered yet
  std::atomic<bool> accepting_{true};  // Open, as other threads see it
  std::mutex posted_mutex_;
  std::vector<std::string> posted_;  // post_text()'s frames, for send_posted()
  bool send_posted_scheduled_ = false;
  std::deque<std::string> out_;
  size_t out_bytes_ = 0;
  bool writing_ = false;
  bool close_after_write_ = false;
  bool discard_input_ = false;       // a frame error: the rest of the input is not frames
  bool linger_after_close_ = false;  // we sent the first close frame: wait for the answer
  net::steady_timer linger_;
  static constexpr size_t kReadChunk = 16 * 1024;
  std::unique_ptr<char[]> tls_buffer_;  // TLS connections' reads (plain ones share one)
};

class Gateway {
 public:
  // `shards`: the io_contexts sockets are spread over, each run by one thread (the first also
  // runs the listeners and the timers).
  Gateway(std::vector<net::io_context*> shards, const ServerOptions& options);

  net::io_context& io() { return *shards_[0]; }
  // The io_context that serves the next accepted socket (round robin).
  net::io_context& next_shard() { return *shards_[next_shard_++ % shards_.size()]; }
  const ServerOptions& options() const { return options_; }
  const Plan& plan() const { return options_.plan; }
  Invoker& invoker() { return invoker_; }
  // HTTP APIs' authorizer answers: hold authorizer_mutex() while using it.
  AuthorizerCache& authorizer_cache() { return authorizer_cache_; }
  std::mutex& authorizer_mutex() { return authorizer_mutex_; }
  // The server certificate's context when --tls-cert is given (else null: plain text only).
  net::ssl::context* tls_context() { return tls_.get(); }

  void add(const std::shared_ptr<Connection>& connection);
  void remove(const std::string& connection_id);
  std::shared_ptr<Connection> find(const std::string& connection_id) const;

  // Builds the event input common to every event of a connection.
  EventInput event_for(const ConnectionInfo& info, EventInput::Type type) const;
  // Invokes the API's $disconnect route, if it has one.
  void fire_disconnect(const ConnectionInfo& info, int code, std::string_view reason);

  // The registry (add, remove, find) is guarded by a mutex: sessions on any thread use it.
  // Closes connections past the idle timeout or the maximum lifetime (on the plane's clock).
  void check_limits();
  void close_all(uint16_t code, std::string_view reason);
  // Shutting down: connections approved from now on are closed once upgraded.
  void stop_accepting() { stopping_ = true; }
  bool stopping() const { return stopping_; }
  // All connections, for the closes above (which are posted to each one's thread).
  std::vector<std::shared_ptr<Connection>> all() const;

 private:
  std::vector<net::io_context*> shards_;
  std::atomic<size_t> next_shard_{0};
  const ServerOptions& options_;
  Invoker invoker_;
  AuthorizerCache authorizer_cache_;
  std::mutex authorizer_mutex_;
  std::shared_ptr<net::ssl::context> tls_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex connections_mutex_;
  std::unordered_map<std::string, std::shared_ptr<Connection>> connections_;
};

void log_line(std::string_view text);

// Serves HTTP API requests on an accepted socket of the HTTP port (http_server.cc).
void serve_http_api(Gateway& gateway, Stream stream, boost::beast::flat_buffer buffer);

}  // namespace gateway
