#include "awsproto/json.h"

#include <charconv>

namespace awsproto {
namespace {

const rapidjson::Value* typed_member(const rapidjson::Value& item, std::string_view name,
                                     const char* type) {
  if (!item.IsObject()) return nullptr;
  auto attribute = item.FindMember(rapidjson::Value(
      rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  if (attribute == item.MemberEnd() || !attribute->value.IsObject()) return nullptr;
  auto value = attribute->value.FindMember(type);
  if (value == attribute->value.MemberEnd()) return nullptr;
  return &value->value;
}

std::optional<std::string_view> typed_string(const rapidjson::Value& item, std::string_view name,
                                             const char* type) {
  const rapidjson::Value* value = typed_member(item, name, type);
  if (!value || !value->IsString()) return std::nullopt;
  return std::string_view(value->GetString(), value->GetStringLength());
}

// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" -> "ResourceNotFoundException";
// "FooError:http://internal.amazon.com/coral/..." -> "FooError" (the rule of the AWS JSON and
// REST-JSON protocols: the part before the first ':', then the part after the first '#').
std::string sanitize_error_type(std::string_view type) {
  type = type.substr(0, type.find(':'));
  size_t hash = type.find('#');
  if (hash != std::string_view::npos) type.remove_prefix(hash + 1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return std::string(type);
}

std::string describe(int status, const std::string& type, const std::string& message) {
  std::string out = type.empty() ? "HTTP error" : type;
  if (!message.empty()) out += ": " + message;
  out += " (HTTP " + std::to_string(status) + ")";
  return out;
}

}  // namespace

AttributeValue AttributeValue::s(std::string value) {
  AttributeValue out(Type::S);
  out.text_ = std::move(value);
  return out;
}

AttributeValue AttributeValue::n(std::string decimal) {
  AttributeValue out(Type::N);
  out.text_ = std::move(decimal);
  return out;
}

AttributeValue AttributeValue::n(int64_t value) { return n(std::to_string(value)); }

AttributeValue AttributeValue::boolean(bool value) {
  AttributeValue out(Type::BOOL);
  out.bool_ = value;
  return out;
}

AttributeValue AttributeValue::null() { return AttributeValue(Type::NUL); }

AttributeValue AttributeValue::m(AttributeMap map) {
  AttributeValue out(Type::M);
  out.map_ = std::move(map);
  return out;
}

AttributeValue AttributeValue::l(std::vector<AttributeValue> list) {
  AttributeValue out(Type::L);
  out.list_ = std::move(list);
  return out;
}

AttributeValue AttributeValue::ss(std::vector<std::string> set) {
  AttributeValue out(Type::SS);
  out.strings_ = std::move(set);
  return out;
}

std::string to_json(const AttributeMap& item) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  write_item(writer, item);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<std::string_view> get_string(const rapidjson::Value& item, std::string_view name) {
  return typed_string(item, name, "S");
}

std::optional<std::string_view> get_number(const rapidjson::Value& item, std::string_view name) {
  return typed_string(item, name, "N");
}

std::optional<int64_t> get_int(const rapidjson::Value& item, std::string_view name) {
  std::optional<std::string_view> text = get_number(item, name);
  if (!text || text->empty()) return std::nullopt;
  int64_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<bool> get_bool(const rapidjson::Value& item, std::string_view name) {
  const rapidjson::Value* value = typed_member(item, name, "BOOL");
  if (!value || !value->IsBool()) return std::nullopt;
  return value->GetBool();
}

AwsError::AwsError(int status, std::string type, std::string message)
    : std::runtime_error(describe(status, type, message)),
      status_(status),
      type_(std::move(type)),
      message_(std::move(message)) {}

AwsError parse_aws_error(int status, std::string_view body, std::string_view error_type_header) {
  std::string type = sanitize_error_type(error_type_header);
  std::string message;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    message = std::string(body.substr(0, 512));
    return AwsError(status, std::move(type), std::move(message));
  }
  auto string_member = [&](const char* name) -> std::optional<std::string> {
    auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  if (type.empty()) {
    if (auto t = string_member("__type")) {
      type = sanitize_error_type(*t);
    } else if (auto c = string_member("code")) {
      type = sanitize_error_type(*c);
    }
  }
  if (auto m = string_member("message")) {
    message = std::move(*m);
  } else if (auto m2 = string_member("Message")) {
    message = std::move(*m2);
  }
  AwsError error(status, std::move(type), std::move(message));
  auto copy_item = [](const rapidjson::Value& v) {
    auto item = std::make_shared<rapidjson::Document>();
    item->CopyFrom(v, item->GetAllocator());
    return std::shared_ptr<const rapidjson::Document>(std::move(item));
  };
  if (auto item = doc.FindMember("Item"); item != doc.MemberEnd() && item->value.IsObject()) {
    error.item_ = copy_item(item->value);
  }
  auto reasons = doc.FindMember("CancellationReasons");
  if (reasons != doc.MemberEnd() && reasons->value.IsArray()) {
    for (const auto& r : reasons->value.GetArray()) {
      CancellationReason reason;  // empty for an entry that is not an object: indexes stay right
      if (!r.IsObject()) {
        error.reasons_.push_back(std::move(reason));
        continue;
      }
      auto text = [&](const char* name) -> std::string {
        auto it = r.FindMember(name);
        if (it == r.MemberEnd() || !it->value.IsString()) return "";
        return std::string(it->value.GetString(), it->value.GetStringLength());
      };
      reason.code = text("Code");
      reason.message = text("Message");
      if (auto item = r.FindMember("Item"); item != r.MemberEnd() && item->value.IsObject()) {
        reason.item = copy_item(item->value);
      }
      error.reasons_.push_back(std::move(reason));
    }
  }
  return error;
}

}  // namespace awsproto
