#include "chat/config.h"

#include <cstdlib>
#include <stdexcept>

#include "chat/token.h"

namespace chat {

Config Config::from_environment() {
  Config c;
  const char* table = std::getenv("TABLE_NAME");
  if (!table || !*table) throw std::runtime_error("TABLE_NAME is not set");
  c.table_name = table;
  if (const char* secret = std::getenv(kTokenSecretVariable)) c.token_secret = secret;
  c.env = awsproto::Env::from_environment();
  return c;
}

}  // namespace chat
