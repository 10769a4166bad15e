#include "api/error.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ddb::api {
namespace {

// __type strings as DynamoDB sends them. Validation and the Coral framework errors live in
// their own namespaces; the service errors in com.amazonaws.dynamodb.v20120810.
struct Entry {
  Code code;
  WireError wire;
};
constexpr Entry kWire[] = {
    {Code::Validation, {400, "com.amazon.coral.validate#ValidationException"}},
    {Code::Serialization, {400, "com.amazon.coral.service#SerializationException"}},
    {Code::UnknownOperation, {400, "com.amazon.coral.service#UnknownOperationException"}},
    {Code::MissingAuthenticationToken,
     {400, "com.amazon.coral.service#MissingAuthenticationTokenException"}},
    {Code::AccessDenied, {400, "com.amazon.coral.service#AccessDeniedException"}},
    {Code::ResourceNotFound, {400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"}},
    {Code::ResourceInUse, {400, "com.amazonaws.dynamodb.v20120810#ResourceInUseException"}},
    {Code::ConditionalCheckFailed,
     {400, "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"}},
    {Code::DuplicateItem, {400, "com.amazonaws.dynamodb.v20120810#DuplicateItemException"}},
    {Code::LimitExceeded, {400, "com.amazonaws.dynamodb.v20120810#LimitExceededException"}},
    {Code::TransactionCanceled,
     {400, "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"}},
    {Code::IdempotentParameterMismatch,
     {400, "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"}},
    {Code::ExpiredIterator, {400, "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException"}},
    {Code::TrimmedDataAccess, {400, "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException"}},
    {Code::TableNotFound, {400, "com.amazonaws.dynamodb.v20120810#TableNotFoundException"}},
    {Code::PolicyNotFound, {400, "com.amazonaws.dynamodb.v20120810#PolicyNotFoundException"}},
    {Code::RequestTooLarge, {413, "com.amazon.coral.service#RequestEntityTooLargeException"}},
    {Code::Internal, {500, "com.amazonaws.dynamodb.v20120810#InternalServerError"}},
};

}  // namespace

const WireError& wire(Code code) {
  for (const auto& e : kWire)
    if (e.code == code) return e.wire;
  return kWire[std::size(kWire) - 1].wire;
}

std::string render_error(const ApiError& e) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("__type");
  w.String(wire(e.code).type);
  // The Coral serialization and authorization layers capitalise their message key; the
  // service uses "message".
  w.Key(e.code == Code::Serialization || e.code == Code::AccessDenied ? "Message" : "message");
  w.String(e.message.data(), static_cast<rapidjson::SizeType>(e.message.size()));
  for (const auto& [name, json] : e.extra) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.RawValue(json.data(), json.size(),
               json[0] == '[' ? rapidjson::kArrayType : rapidjson::kObjectType);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace ddb::api
