#pragma once

#include <string_view>

#include "api/call.h"

namespace ddb::actions {

// The handler for an operation name ("PutItem"), or nullptr.
api::Handler find_action(std::string_view operation);
// The same for DynamoDB Streams ("GetRecords").
api::Handler find_stream_action(std::string_view operation);

}  // namespace ddb::actions
