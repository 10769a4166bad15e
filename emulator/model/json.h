// RapidJSON types used across the emulator, the AttributeValue JSON codec, and typed readers
// of request members as DynamoDB's deserializer reads them.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/value.h"

namespace ddb::model {

using Json = rapidjson::Value;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// A {"NULL": false} value's refusal.
inline constexpr std::string_view kNullFalseMessage =
    "One or more parameter values were invalid: Null attribute value types must have the value "
    "of true";

// One AttributeValue from its wire JSON ({"S": "x"}, {"N": "1"}, ...), validated as
// DynamoDB validates it. Throws ApiError (Validation or Serialization).
Value value_from_json(const Json& j);
// An attribute map ({"name": AttributeValue, ...}).
Item item_from_json(const Json& j);
// An attribute name in an item, a key, a map value or an AttributeUpdates entry: at least one
// byte and at most 65535 (the 64 KB of
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-attributes
// is exclusive). Throws the ValidationException DynamoDB gives otherwise.
constexpr size_t kMaxAttributeNameSize = 65535;
void check_attribute_name(std::string_view name);

void write_value(JsonWriter& w, const Value& v);
void write_item(JsonWriter& w, const Item& item);

inline void write_string(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void write_key(JsonWriter& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline std::string_view view(const Json& j) { return {j.GetString(), j.GetStringLength()}; }

// The SerializationException DynamoDB's deserializer gives when a JSON value is not of the
// scalar kind expected: `expected` is "String", "Integer", "Long", "Double", "Boolean", "Date"
// or "Blob" ("NUMBER_VALUE cannot be converted to String", ...). See api/shapes.cc.
[[noreturn]] void wrong_json_type(const Json& j, const char* expected);
// A Boolean member: true, false, or the strings "true" and "false" in any case, as DynamoDB's
// deserializer reads them; nullopt for anything else.
std::optional<bool> boolean_of(const Json& j);

// Requests nested deeper than this are refused before they are parsed, so that no recursive
// walk of a request (validation, rendering) can exhaust the stack. AttributeValues may nest
// 32 levels, about 70 levels of JSON; one nested deeper gets DynamoDB's nesting message, which
// it gives for a value 100 levels deep (about 200 of JSON) as well: the cap is well past that.
constexpr int kMaxJsonDepth = 1000;
// Whether `json` opens more than kMaxJsonDepth objects and arrays at once (strings skipped).
bool too_deep(std::string_view json);

// Typed access to an optional member; absent or null gives nullopt/nullptr, a member of the
// wrong JSON kind a SerializationException in Coral's words.
std::optional<std::string_view> get_string(const Json& obj, const char* name);
std::optional<int64_t> get_integer(const Json& obj, const char* name);
std::optional<bool> get_bool(const Json& obj, const char* name);
const Json* get_object(const Json& obj, const char* name);
const Json* get_array(const Json& obj, const char* name);

}  // namespace ddb::model
