// How each error Code is spelled on the wire: the one table from Code to HTTP status and
// __type, and the error body DynamoDB renders.
#pragma once

#include <string>

#include "model/error.h"

namespace ddb::api {

struct WireError {
  int status;
  const char* type;  // the __type string
};

const WireError& wire(Code code);

// {"__type":"...","message":"..."} as DynamoDB renders it.
std::string render_error(const ApiError& e);

}  // namespace ddb::api
