// One keep-alive connection: reads a request, hands it to the Handler, writes its response,
// and reads the next. Beast stays inside session.cc and listener.cc.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/handler.h"

namespace ddb::http {

// The sockets use the io_context's own executor type rather than the type-erased
// any_io_executor: every operation on them is then a direct call. Each session has at most
// one operation outstanding (read, then handle, then write), so it needs no strand.
using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

// Serves the connection until the client closes it (or a response closes it).
void start_session(Socket socket, Handler& handler);

}  // namespace ddb::http
