// One WebSocket connection after API Gateway accepted it: reads client frames, routes messages,
// writes frames with one write in flight and a bounded queue, and closes the way API Gateway
// does, firing $disconnect exactly once whatever ends it.
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <iostream>
#include <utility>

#include "awsproto/clock.h"
#include "gateway/ids.h"
#include "gateway/internal.h"
#include "gateway/routing.h"

namespace gateway {

Connection::Connection(Gateway& gateway, Stream stream, std::string leftover, ConnectionInfo info)
    : gateway_(gateway),
      socket_(std::move(stream)),
      executor_(socket_.get_executor()),
      in_(std::move(leftover)),
      assembler_(gateway.options().max_message_bytes),
      info_(std::move(info)),
      last_active_ms_(info_.connected_at_ms),
      linger_(executor_) {}

void Connection::start() {
  if (!in_.empty()) on_bytes();
  read();
}

// An idle connection holds no read buffer: a plain socket is waited on until readable, then
// read (without blocking) into one scratch buffer per I/O thread; only TLS, whose
// records are read through the SSL object, keeps a buffer of its own. This is what lets 10,000
// idle connections fit in a few KB each.
void Connection::read() {
  if (state_ == State::Closed) return;
  auto self = shared_from_this();
  auto failed = [self] {
    // The client went away without a close frame.
    self->end(ws::kAbnormal, "Connection Closed Abnormally");
    self->close_socket();
  };
  if (socket_.secure()) {
    if (!tls_buffer_) tls_buffer_ = std::make_unique<char[]>(kReadChunk);
    socket_.async_read_some(net::buffer(tls_buffer_.get(), kReadChunk),
                            [self, failed](boost::system::error_code ec, size_t n) {
                              if (self->state_ == State::Closed) return;
                              if (ec) return failed();
                              self->in_.append(self->tls_buffer_.get(), n);
                              self->on_bytes();
                              self->read();
                            });
    return;
  }
  socket_.socket().async_wait(
      net::ip::tcp::socket::wait_read, [self, failed](boost::system::error_code ec) {
        if (self->state_ == State::Closed) return;
        if (ec) return failed();
        thread_local char scratch[kReadChunk];  // this I/O thread's
        auto& sock = self->socket_.socket();
        sock.non_blocking(true, ec);
        size_t total = 0;
        while (!ec && total < 4 * kReadChunk) {  // then let the other connections go on
          size_t n = sock.read_some(net::buffer(scratch), ec);
          if (!ec) {
            self->in_.append(scratch, n);
            total += n;
          }
        }
        bool gone = ec && ec != net::error::would_block && ec != net::error::try_again;
        // What came before an EOF is handled first (a close frame, say).
        if (total) self->on_bytes();
        if (self->state_ == State::Closed) return;
        if (gone) return failed();
        if (self->in_.empty() && self->in_.capacity() > kReadChunk) self->in_.shrink_to_fit();
        self->read();
      });
}

void Connection::on_bytes() {
  if (discard_input_) {
    in_.clear();
    return;
  }
  size_t at = 0;
  while (state_ != State::Closed) {
    auto parsed =
        ws::parse_frame(std::string_view(in_).substr(at), gateway_.options().max_frame_bytes);
    if (parsed.status == ws::FrameResult::Status::Incomplete) break;
    if (parsed.status == ws::FrameResult::Status::Error) {
      // What follows is no longer frames (the rest of an oversized payload, say): ignore
      // every later byte; the close handshake ends by the client's EOF or the linger timer.
      in_.clear();
      discard_input_ = true;
      if (state_ == State::Open) {
        close(parsed.close_code,
              parsed.close_code == ws::kTooBig ? "Message too big" : "Protocol error");
      }
      return;
    }
    at += parsed.consumed;
    if (state_ == State::Open) {
      last_active_ms_.store(awsproto::Clock::now_ms(), std::memory_order_relaxed);
    }
    auto out = assembler_.feed(std::move(parsed.frame));
    using Kind = ws::MessageAssembler::Output::Kind;
    if (out.kind == Kind::None) continue;
    if (out.kind == Kind::Error) {
      if (state_ == State::Open) {
        close(out.close_code, out.close_code == ws::kTooBig            ? "Message too big"
                              : out.close_code == ws::kUnsupportedData ? "Unsupported data"
                              : out.close_code == ws::kInvalidPayload ? "Invalid frame payload data"
                                                                      : "Protocol error");
      }
      continue;
    }
    if (out.kind == Kind::Control) {
      if (out.opcode == ws::kPing && state_ == State::Open) {
        // Pongs count against the send queue like messages: a client that pings and never
        // reads is closed when its queue fills, not allowed to grow it without end.
        queue(ws::encode_frame(ws::kPong, out.payload), false);
      } else if (out.opcode == ws::kClose) {
        if (state_ == State::Open) {
          auto close = ws::parse_close_payload(out.payload);
          if (!close) {
            end(ws::kProtocolError, "Protocol error");
            queue(ws::encode_frame(ws::kClose, ws::close_payload(ws::kProtocolError, "")), true);
          } else {
            // The client's code and reason are what $disconnect reports; a close frame
            // without a code reads as 1005, "Client-side close frame status not set" (as seen
            // in $disconnect events printed from real APIs).
            std::string reason = close->code == ws::kNoStatus
                                     ? "Client-side close frame status not set"
                                     : close->reason;
            end(close->code, reason);
            queue(ws::encode_frame(ws::kClose, close->code == ws::kNoStatus
                                                   ? std::string()
                                                   : ws::close_payload(close->code, "")),
                  true);
          }
          close_after_write_ = true;
          if (writing_)
            linger_then_close();  // a write stuck behind a client that stopped reading
          else
            write_next();
        } else {
          // Our close was answered: the handshake is complete.
          close_socket();
        }
        return;
      }
      continue;
    }
    if (state_ == State::Open) on_message(std::move(out.payload));
  }
  in_.erase(0, at);
}

void Connection::on_message(std::string body) {
  const Api& api = *info_.api;
  Selection selection = select_route(api, body);
  EventInput input = gateway_.event_for(info_, EventInput::Type::Message);
  if (!selection.route) {
    // No route and no $default: API Gateway answers with a Forbidden frame and keeps the
    // connection open.
    send_text(error_frame("Forbidden", info_.connection_id, input.request_id));
    return;
  }
  if (pending_messages_ >= gateway_.options().max_pending_messages) {
    send_text(error_frame("Too Many Requests", info_.connection_id, input.request_id));
    return;
  }
  ++pending_messages_;
  input.route_key = selection.route_key;
  input.message_id = new_id();
  input.body = std::move(body);
  const bool route_response = selection.route->route_response;
  std::weak_ptr<Connection> weak = shared_from_this();
  std::string request_id = input.request_id;
  gateway_.invoker().invoke(
      selection.route->function, build_event(input),
      [weak, route_response, request_id, executor = executor_](InvokeResult result) {
        net::post(executor, [weak, route_response, request_id, result = std::move(result)] {
          auto self = weak.lock();
          if (!self) return;
          --self->pending_messages_;
          if (!self->open()) return;
          if (!result.ok) {
            log_line("gateway: integration failed for " + self->info_.connection_id + ": " +
                     result.error);
            // The frames API Gateway sends: "Endpoint request timed out" after the integration
            // timeout (as users of real APIs have printed it), else "Internal server error".
            self->send_text(error_frame(
                result.timed_out ? "Endpoint request timed out" : "Internal server error",
                self->info_.connection_id, request_id));
            return;
          }
          if (!route_response) return;
          ProxyResult proxy = parse_proxy_result(result.payload);
          if (proxy.body) self->send_text(*proxy.body);
        });
      });
}

bool Connection::post_text(std::string payload) {
  if (!accepting_.load(std::memory_order_acquire)) return false;
  bool schedule = false;
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(payload));
    schedule = !std::exchange(send_posted_scheduled_, true);
  }
  // One hand-over for all that arrives before the connection's thread gets to it.
  if (schedule) net::dispatch(executor_, [self = shared_from_this()] { self->send_posted(); });
  return true;
}

void Connection::send_posted() {
  std::vector<std::string> frames;
  {
    std::lock_guard lock(posted_mutex_);
    frames.swap(posted_);
    send_posted_scheduled_ = false;
  }
  for (const auto& payload : frames) send_text(payload);
}

bool Connection::send_text(std::string_view payload) {
  if (state_ != State::Open) return false;
  queue(ws::encode_frame(ws::kText, payload), false);
  return state_ == State::Open;
}

void Connection::post_close(uint16_t code, std::string reason) {
  net::post(executor_, [self = shared_from_this(), code, reason = std::move(reason)] {
    self->close(code, reason);
  });
}

void Connection::queue(std::string frame, bool control) {
  if (!control && writing_ && out_bytes_ + frame.size() > gateway_.options().send_queue_bytes) {
    // A client that cannot keep up is closed, never waited for: its queue is dropped and the
    // socket closed at once (a close frame would wait behind the stuck write).
    log_line("gateway: closing " + info_.connection_id + ": send queue full");
    end(ws::kGoingAway, "Going away");
    close_socket();
    return;
  }
  out_bytes_ += frame.size();
  out_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void Connection::write_next() {
  if (state_ == State::Closed) return;
  if (out_.empty()) {
    writing_ = false;
    if (close_after_write_) {
      if (!linger_after_close_)
        close_socket();
      else
        linger_then_close();  // a moment for the client to answer our close frame
    }
    return;
  }
  writing_ = true;
  net::async_write(socket_, net::buffer(out_.front()),
                   [self = shared_from_this()](boost::system::error_code ec, size_t) {
                     if (self->state_ == State::Closed) return;
                     if (ec) {
                       self->end(ws::kAbnormal, "Connection Closed Abnormally");
                       self->close_socket();
                       return;
                     }
                     self->out_bytes_ -= self->out_.front().size();
                     self->out_.pop_front();
                     self->write_next();
                   });
}

void Connection::close(uint16_t code, std::string_view reason) {
  if (state_ != State::Open) return;
  end(code, reason);
  linger_after_close_ = true;
  queue(ws::encode_frame(ws::kClose, ws::close_payload(code, reason)), true);
  close_after_write_ = true;
  // Started now, not when the queue drains: a client that stopped reading would otherwise
  // keep the socket and its queue after its $disconnect.
  linger_then_close();
  if (!writing_) write_next();
}

void Connection::linger_then_close() {
  linger_.expires_after(std::chrono::seconds(2));
  linger_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->close_socket();
  });
}

void Connection::end(int disconnect_code, std::string_view disconnect_reason) {
  if (state_ != State::Open) return;
  state_ = State::Closing;
  accepting_.store(false, std::memory_order_release);
  gateway_.remove(info_.connection_id);
  gateway_.fire_disconnect(info_, disconnect_code, disconnect_reason);
}

void Connection::close_socket() {
  if (state_ == State::Open) end(ws::kAbnormal, "Connection Closed Abnormally");
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  linger_.cancel();
  socket_.close();
  // out_ stays until the connection is destroyed: a write in flight still points into it.
}

}  // namespace gateway
