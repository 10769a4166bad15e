// The one error type of the emulator. Everything below the wire throws ApiError with a Code
// and DynamoDB's message; only api/error.cc knows how each code is spelled on the wire, so
// the values, expressions and storage can fail without knowing about requests.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace ddb {

enum class Code {
  Validation,
  Serialization,
  UnknownOperation,
  MissingAuthenticationToken,
  AccessDenied,
  ResourceNotFound,
  ResourceInUse,
  ConditionalCheckFailed,
  DuplicateItem,  // a PartiQL INSERT of an item that exists
  RequestTooLarge,
  LimitExceeded,
  TransactionCanceled,
  IdempotentParameterMismatch,
  ExpiredIterator,
  TrimmedDataAccess,
  TableNotFound,
  PolicyNotFound,
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

}  // namespace ddb
