#pragma once

#include <string_view>

#include "api/call.h"

namespace api {

// The handler for an operation name ("PutItem"), or nullptr.
Handler find_action(std::string_view operation);

}  // namespace api
