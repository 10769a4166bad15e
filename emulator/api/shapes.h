// Each operation's input shape, read as DynamoDB's deserializer reads a request before any
// validation: every member of the body, depth first in the order the body gives them, must be
// of its shape's JSON kind, or the request is a SerializationException in DynamoDB's words
// ("NUMBER_VALUE cannot be converted to String", "Unexpected field type", ...). Unknown members
// and nulls are left to the operation, as DynamoDB leaves them.
#pragma once

#include <string_view>

#include "model/json.h"

namespace ddb::api {

// Throws ApiError(Serialization) for the first member of the wrong kind in `body`, read as the
// input of `operation` ("PutItem", "GetRecords"); an operation without a shape here is not
// checked.
void check_shape(std::string_view operation, const model::Json& body);

// Whether `operation` has an input shape here (every operation of the registry has one).
bool has_shape(std::string_view operation);

}  // namespace ddb::api
