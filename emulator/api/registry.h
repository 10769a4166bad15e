#pragma once

#include <string_view>

#include "api/call.h"

namespace api {

// The handler for an operation name ("PutItem"), or nullptr.
Handler find_action(std::string_view operation);
// The same for DynamoDB Streams ("GetRecords").
Handler find_stream_action(std::string_view operation);

}  // namespace api
