// Accepts connections on one address and starts a session for each.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include "http/session.h"

namespace ddb::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens at once (port 0 picks a free port: see port()).
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& ep,
           Handler& handler);
  int port() const;
  void accept();
  void close();

 private:
  boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Executor> acceptor_;
  boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                    boost::asio::wait_traits<std::chrono::steady_clock>, Executor>
      retry_;
  Handler& handler_;
};

}  // namespace ddb::http
