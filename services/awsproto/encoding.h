// Encodings every service speaks: percent-decoding of paths and query strings, and base64
// (Lambda's ClientContext and log tails, WebSocket accept keys and connection ids).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace awsproto {

// %XX sequences decoded (either case of hex); a malformed escape is kept as it is, and '+' stays
// a literal '+' (AWS wants a space sent as %20).
std::string percent_decode(std::string_view text);

// RFC 4648 base64 with padding; `url_safe` uses '-' and '_' for '+' and '/'.
std::string base64_encode(std::string_view bytes, bool url_safe = false);
// The standard alphabet, padding optional (decoding stops at the first '='); nullopt for any
// other character.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace awsproto
