// The one error type of the emulator. Handlers throw ApiError with a Code; only
// api/error.cc knows how each code is spelled on the wire.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

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
  TransactionCanceled,
  IdempotentParameterMismatch,
  ExpiredIterator,
  TrimmedDataAccess,
  Internal,
};

struct ApiError : std::exception {
  ApiError(Code c, std::string m) : code(c), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
  Code code;
  std::string message;
  // Further members of the error body as (name, raw JSON): the "Item" of a
  // ConditionalCheckFailedException, the "CancellationReasons" of a cancelled transaction.
  std::vector<std::pair<std::string, std::string>> extra;
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
