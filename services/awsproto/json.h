// DynamoDB JSON, the little the services need: AttributeValues to write into request bodies,
// typed reads of attributes out of a parsed item, and the error a JSON-protocol service returns.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace awsproto {

class AttributeValue;
// An item, or the value of an "M": attribute names in the order they are written.
using AttributeMap = std::vector<std::pair<std::string, AttributeValue>>;

// One DynamoDB AttributeValue. Numbers stay decimal text, as on the wire (DynamoDB keeps 38
// digits; a double would not).
class AttributeValue {
 public:
  enum class Type { S, N, BOOL, NUL, M, L, SS };

  static AttributeValue s(std::string value);
  static AttributeValue n(std::string decimal);
  static AttributeValue n(int64_t value);
  static AttributeValue boolean(bool value);
  static AttributeValue null();
  static AttributeValue m(AttributeMap map);
  static AttributeValue l(std::vector<AttributeValue> list);
  static AttributeValue ss(std::vector<std::string> set);

  Type type() const { return type_; }
  const std::string& text() const { return text_; }  // S and N
  bool boolean_value() const { return bool_; }
  const AttributeMap& map() const { return map_; }
  const std::vector<AttributeValue>& list() const { return list_; }
  const std::vector<std::string>& strings() const { return strings_; }  // SS

 private:
  explicit AttributeValue(Type type) : type_(type) {}
  Type type_;
  bool bool_ = false;
  std::string text_;
  AttributeMap map_;
  std::vector<AttributeValue> list_;
  std::vector<std::string> strings_;
};

// Writes {"S":"x"}, {"N":"1"}, {"M":{...}}... with any RapidJSON writer.
template <class Writer>
void write_attribute_value(Writer& writer, const AttributeValue& value);

// Writes {"name":{"S":"x"},...}.
template <class Writer>
void write_item(Writer& writer, const AttributeMap& item) {
  writer.StartObject();
  for (const auto& [name, value] : item) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    write_attribute_value(writer, value);
  }
  writer.EndObject();
}

template <class Writer>
void write_attribute_value(Writer& writer, const AttributeValue& value) {
  auto string = [&](const std::string& s) {
    writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  writer.StartObject();
  switch (value.type()) {
    case AttributeValue::Type::S:
      writer.Key("S");
      string(value.text());
      break;
    case AttributeValue::Type::N:
      writer.Key("N");
      string(value.text());
      break;
    case AttributeValue::Type::BOOL:
      writer.Key("BOOL");
      writer.Bool(value.boolean_value());
      break;
    case AttributeValue::Type::NUL:
      writer.Key("NULL");
      writer.Bool(true);
      break;
    case AttributeValue::Type::M:
      writer.Key("M");
      write_item(writer, value.map());
      break;
    case AttributeValue::Type::L:
      writer.Key("L");
      writer.StartArray();
      for (const auto& element : value.list()) write_attribute_value(writer, element);
      writer.EndArray();
      break;
    case AttributeValue::Type::SS:
      writer.Key("SS");
      writer.StartArray();
      for (const auto& s : value.strings()) string(s);
      writer.EndArray();
      break;
  }
  writer.EndObject();
}

// The item as a JSON object text.
std::string to_json(const AttributeMap& item);

// Reads attribute `name` of an item as DynamoDB returns it ({"pk":{"S":"x"},"n":{"N":"5"}}):
// nullopt when the item is not an object, the attribute is missing, or has another type. The
// views point into `item`.
std::optional<std::string_view> get_string(const rapidjson::Value& item, std::string_view name);
std::optional<std::string_view> get_number(const rapidjson::Value& item, std::string_view name);
// An N attribute written as a plain integer that fits in 64 bits.
std::optional<int64_t> get_int(const rapidjson::Value& item, std::string_view name);
std::optional<bool> get_bool(const rapidjson::Value& item, std::string_view name);

// One entry of a TransactionCanceledException's CancellationReasons, in the order of the
// request's items: Code "None" for an item that was fine, "ConditionalCheckFailed",
// "TransactionConflict", "ValidationError", "ItemCollectionSizeLimitExceeded", ...
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html
struct CancellationReason {
  std::string code, message;
  // The item as it was ({"pk":{"S":"x"},...}), when the item asked for it with
  // ReturnValuesOnConditionCheckFailure ALL_OLD and its condition failed; null otherwise.
  std::shared_ptr<const rapidjson::Document> item;
};

// The error of a JSON-protocol service (DynamoDB, Lambda, API Gateway): {"__type":
// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"..."}.
class AwsError : public std::runtime_error {
 public:
  AwsError(int status, std::string type, std::string message);
  int status() const { return status_; }
  const std::string& type() const { return type_; }  // "ResourceNotFoundException"; may be ""
  const std::string& message() const { return message_; }
  // TransactionCanceledException: one reason per item of the request (empty otherwise).
  const std::vector<CancellationReason>& cancellation_reasons() const { return reasons_; }
  // The error's own Item: a ConditionalCheckFailedException of a PutItem, UpdateItem or
  // DeleteItem with ReturnValuesOnConditionCheckFailure ALL_OLD carries the item as it was.
  // Null when absent.
  const rapidjson::Document* item() const { return item_.get(); }

 private:
  friend AwsError parse_aws_error(int, std::string_view, std::string_view);
  int status_;
  std::string type_, message_;
  std::vector<CancellationReason> reasons_;
  std::shared_ptr<const rapidjson::Document> item_;
};

// The type comes from the X-Amzn-ErrorType header when given, else the body's __type (or code);
// a "namespace#" prefix and a ":url" suffix are removed, as the AWS JSON protocols specify. The
// message is "message" or "Message" (services differ in case). A body that is not a JSON object
// becomes the message as is (a proxy's HTML page, say), cut to 512 bytes. CancellationReasons
// and Item are read when they are there (a member of another shape reads as empty).
AwsError parse_aws_error(int status, std::string_view body,
                         std::string_view error_type_header = {});

}  // namespace awsproto
