// chat-connect: the $connect route (chat/handlers.h): the connection, the user's connection and the
// presence stored.
#include <cstdio>
#include <exception>

#include "awsproto/clock.h"
#include "chat/config.h"
#include "chat/handlers.h"
#include "runtime/runtime.h"

int main() {
  chat::Config config;
  try {
    config = chat::Config::from_environment();
  } catch (const std::exception& e) {
    runtime::report_init_error("Runtime.InitError", e.what());
    return 1;
  }
  // Clients made once per instance and reused by every invocation.
  chat::DynamoDb ddb(config.env);
  chat::ConnectionsPoster poster(config.env);
  chat::Services services{
      chat::Store{ddb, config.table_name, [] { return awsproto::Clock::now_ms(); },
                  chat::process_ulids()},
      poster, config.env, config.token_secret};
  return runtime::serve(
      [&](const runtime::Invocation& in) { return chat::handle_connect(services, in.event); });
}
