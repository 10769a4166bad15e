// What every chat function reads from its environment once, at start (the template's
// Globals.Function.Environment): the table, the token secret, and how to reach AWS.
#pragma once

#include <string>

#include "awsproto/env.h"

namespace chat {

struct Config {
  std::string table_name;    // TABLE_NAME
  std::string token_secret;  // CHAT_TOKEN_SECRET; may be empty for functions that issue none
  awsproto::Env env;         // region, credentials, endpoints

  // Throws std::runtime_error when TABLE_NAME is unset or empty.
  static Config from_environment();
};

}  // namespace chat
