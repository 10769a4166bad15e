// The one error type of the emulator. Handlers throw ApiError with a Code; only
// api/error.cc knows how each code is spelled on the wire.
#pragma once

#include <exception>
#include <string>

namespace api {

enum class Code {
  Validation,
  Serialization,
  UnknownOperation,
  MissingAuthenticationToken,
  ResourceNotFound,
  ResourceInUse,
  ConditionalCheckFailed,
  RequestTooLarge,
  LimitExceeded,
  Internal,
};

struct ApiError : std::exception {
  ApiError(Code c, std::string m) : code(c), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
  Code code;
  std::string message;
  // ConditionalCheckFailedException with ReturnValuesOnConditionCheckFailure=ALL_OLD: the
  // item as JSON, sent as the error's "Item" member.
  std::string item_json;
};

[[noreturn]] inline void fail(Code code, std::string message) {
  throw ApiError(code, std::move(message));
}
[[noreturn]] inline void invalid(std::string message) {
  throw ApiError(Code::Validation, std::move(message));
}

struct WireError {
  int status;
  const char* type;  // the __type string
};

const WireError& wire(Code code);

// {"__type":"...","message":"..."} as DynamoDB renders it.
std::string render_error(const ApiError& e);

}  // namespace api
