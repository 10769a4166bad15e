#include <algorithm>
#include <unordered_set>

#include "model/base64.h"
#include "model/error.h"
#include "model/json.h"
#include "model/number.h"

namespace ddb::model {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

[[noreturn]] void serialization(std::string message) { fail(Code::Serialization, message); }

std::string join(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out + "]";
}

template <class F>
bool has_duplicates(const std::vector<std::string>& v, F key) {
  std::unordered_set<std::string> seen;
  for (const auto& s : v)
    if (!seen.insert(key(s)).second) return true;
  return false;
}

const std::string& string_of(const Json& j) {
  static thread_local std::string s;
  if (!j.IsString()) wrong_json_type(j, "String");
  s.assign(j.GetString(), j.GetStringLength());
  return s;
}

std::string blob_of(const Json& j) {
  if (!j.IsString()) wrong_json_type(j, "Blob");
  std::string_view text = view(j);
  auto bytes = base64_decode(text);
  if (!bytes) {
    if (text.size() % 4)
      serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                    std::to_string(text.size()));
    serialization("Invalid last non-pad Base64 character dectected");
  }
  return std::move(*bytes);
}

const Json& array_of(const Json& j) {
  if (!j.IsArray())
    serialization(j.IsObject() ? "Start of structure or map found where not expected"
                               : "Unexpected field type");
  return j;
}

Value parse(const Json& j, int depth);

Item parse_map(const Json& j, int depth) {
  if (!j.IsObject()) serialization(j.IsArray() ? "UnknownError" : "Unexpected field type");
  Item m;
  for (auto it = j.MemberBegin(); it != j.MemberEnd(); ++it) {
    check_attribute_name(view(it->name));
    m.insert_or_assign(std::string(view(it->name)), parse(it->value, depth + 1));
  }
  return m;
}

Value parse(const Json& j, int depth) {
  // The value itself is level 1: a leaf at depth 31 below it is the deepest DynamoDB keeps.
  if (depth >= kMaxNestingDepth) invalid(std::string(kNestingTooDeep));
  if (!j.IsObject())
    serialization(j.IsArray() ? "UnknownError" : "Unexpected value type in payload");
  Value v;
  int kinds = 0;
  for (auto it = j.MemberBegin(); it != j.MemberEnd(); ++it) {
    std::string_view name = view(it->name);
    const Json& x = it->value;
    if (x.IsNull()) continue;  // Coral treats an explicit null member as absent
    if (name == "S") {
      v.type = Type::S;
      v.scalar = string_of(x);
    } else if (name == "N") {
      v.type = Type::N;
      v.scalar = Number::parse(string_of(x)).to_string();
    } else if (name == "B") {
      v.type = Type::B;
      v.scalar = blob_of(x);
    } else if (name == "BOOL") {
      auto b = boolean_of(x);
      if (!b) wrong_json_type(x, "Boolean");
      v.type = Type::BOOL;
      v.boolean = *b;
    } else if (name == "NULL") {
      auto b = boolean_of(x);
      if (!b) wrong_json_type(x, "Boolean");
      // Refused: some regions took {"NULL": false} as NULL for a few weeks in mid-2026, and every
      // region refuses it again since July 2026 (paritysuite/dynamodb-conformance,
      // tests/tier3/error-messages/putItem.test.ts and its captures).
      if (!*b) invalid(std::string(kNullFalseMessage));
      v.type = Type::NUL;
      v.boolean = true;
    } else if (name == "SS") {
      v.type = Type::SS;
      for (const auto& e : array_of(x).GetArray()) v.set.push_back(string_of(e));
      if (v.set.empty()) invalid(std::string(kInvalid) + "An string set  may not be empty");
      if (has_duplicates(v.set, [](const std::string& s) { return s; }))
        invalid(std::string(kInvalid) + "Input collection " + join(v.set) +
                " contains duplicates.");
    } else if (name == "NS") {
      v.type = Type::NS;
      for (const auto& e : array_of(x).GetArray())
        v.set.push_back(Number::parse(string_of(e)).to_string());
      if (v.set.empty()) invalid(std::string(kInvalid) + "An number set  may not be empty");
      if (has_duplicates(v.set, [](const std::string& s) { return s; }))
        invalid("Input collection contains duplicates");
    } else if (name == "BS") {
      v.type = Type::BS;
      std::vector<std::string> texts;
      for (const auto& e : array_of(x).GetArray()) {
        v.set.push_back(blob_of(e));
        texts.emplace_back(view(e));
      }
      if (v.set.empty()) invalid(std::string(kInvalid) + "Binary sets should not be empty");
      if (has_duplicates(v.set, [](const std::string& s) { return s; }))
        invalid(std::string(kInvalid) + "Input collection " + join(texts) +
                "of type BS contains duplicates.");
    } else if (name == "L") {
      v.type = Type::L;
      for (const auto& e : array_of(x).GetArray()) v.list.push_back(parse(e, depth + 1));
    } else if (name == "M") {
      v.type = Type::M;
      v.map = parse_map(x, depth);
    } else {
      continue;  // unknown members are ignored by the deserializer
    }
    ++kinds;
  }
  if (kinds == 0)
    invalid(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (kinds > 1)
    invalid(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes");
  return v;
}

void write_bytes_b64(JsonWriter& w, const std::string& bytes) {
  write_string(w, base64_encode(bytes));
}

}  // namespace

void wrong_json_type(const Json& j, const char* expected) {
  std::string e = expected;
  if (j.IsArray()) serialization("UnknownError");
  if (j.IsObject()) serialization("Start of structure or map found where not expected");
  if (e == "Blob") serialization("only base-64-encoded strings are convertible to bytes");
  if (j.IsBool())
    serialization(std::string(j.GetBool() ? "TRUE" : "FALSE") + "_VALUE cannot be converted to " +
                  e);
  if (j.IsNumber())
    serialization(std::string(j.IsDouble() ? "DECIMAL" : "NUMBER") +
                  "_VALUE cannot be converted to " + e);
  if (j.IsString()) {
    if (e == "Boolean") serialization("Unexpected token received from parser");
    serialization("STRING_VALUE cannot be converted to " + e);
  }
  serialization("Unexpected value type in payload");
}

std::optional<bool> boolean_of(const Json& j) {
  if (j.IsBool()) return j.GetBool();
  if (!j.IsString()) return std::nullopt;
  std::string s(view(j));
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

void check_attribute_name(std::string_view name) {
  // DynamoDB Local's wording for both; DynamoDB's own is not documented.
  if (name.empty()) invalid("Empty attribute name");
  if (name.size() > kMaxAttributeNameSize)
    invalid("Attribute name is too large, must be less than 65536 bytes");
}

Value value_from_json(const Json& j) { return parse(j, 0); }

Item item_from_json(const Json& j) { return parse_map(j, -1); }

void write_value(JsonWriter& w, const Value& v) {
  w.StartObject();
  w.Key(type_name(v.type));
  switch (v.type) {
    case Type::S:
    case Type::N: write_string(w, v.scalar); break;
    case Type::B: write_bytes_b64(w, v.scalar); break;
    case Type::BOOL: w.Bool(v.boolean); break;
    case Type::NUL: w.Bool(true); break;
    case Type::SS:
    case Type::NS:
    case Type::BS:
      w.StartArray();
      for (const auto& s : v.set) {
        if (v.type == Type::BS)
          write_bytes_b64(w, s);
        else
          write_string(w, s);
      }
      w.EndArray();
      break;
    case Type::L:
      w.StartArray();
      for (const auto& e : v.list) write_value(w, e);
      w.EndArray();
      break;
    case Type::M: write_item(w, v.map); break;
  }
  w.EndObject();
}

void write_item(JsonWriter& w, const Item& item) {
  w.StartObject();
  for (const auto& [k, v] : item) {
    write_key(w, k);
    write_value(w, v);
  }
  w.EndObject();
}

}  // namespace ddb::model
