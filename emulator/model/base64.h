#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ddb::model {

std::string base64_encode(std::string_view bytes);
// Strict standard-alphabet decoding with padding; nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ddb::model
