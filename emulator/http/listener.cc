#include "http/listener.h"

namespace ddb::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, const tcp::endpoint& ep, Handler& handler)
    : acceptor_(ioc.get_executor()), retry_(ioc.get_executor()), handler_(handler) {
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

int Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::accept() {
  acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec, Socket s) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors, say: accepting again at once would spin; wait a little.
      self->retry_.expires_after(std::chrono::milliseconds(50));
      self->retry_.async_wait([self](boost::system::error_code e) {
        if (!e) self->accept();
      });
      return;
    }
    s.set_option(tcp::no_delay(true), ec);
    start_session(std::move(s), self->handler_);
    self->accept();
  });
}

void Listener::close() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  retry_.cancel();
}

}  // namespace ddb::http
