#include "http/server.h"

#include <pthread.h>

#include <boost/asio/signal_set.hpp>
#include <thread>
#include <vector>

#include "http/listener.h"

namespace ddb::http {

void serve(const Options& o, api::Services& services, std::function<void(int)> on_listening) {
  namespace net = boost::asio;
  int threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  net::io_context ioc(threads);
  Handler handler(o, services);
  auto address = net::ip::make_address(o.host);
  auto listener = std::make_shared<Listener>(
      ioc, net::ip::tcp::endpoint(address, static_cast<unsigned short>(o.port)), handler);
  listener->accept();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
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

}  // namespace ddb::http
