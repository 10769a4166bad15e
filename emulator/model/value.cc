#include "model/value.h"

#include "model/number.h"
#include "model/table.h"

namespace model {

const char* type_name(Type t) {
  static constexpr const char* kNames[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS",
                                           "BS"};
  return kNames[static_cast<int>(t)];
}

const char* projection_name(IndexDef::Projection p) {
  switch (p) {
    case IndexDef::Projection::All: return "ALL";
    case IndexDef::Projection::KeysOnly: return "KEYS_ONLY";
    case IndexDef::Projection::Include: return "INCLUDE";
  }
  return "ALL";
}

namespace {
// A number takes one byte per two significant digits plus one byte.
size_t number_size(const std::string& canonical) {
  size_t digits = 0;
  bool leading = true;
  for (char c : canonical) {
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++digits;
  }
  // Trailing zeros of an integer are not significant either.
  size_t point = canonical.find('.');
  if (point == std::string::npos) {
    size_t last = canonical.find_last_not_of('0');
    if (last != std::string::npos) digits -= canonical.size() - 1 - last;
  }
  return (digits + 1) / 2 + 1;
}
}  // namespace

size_t value_size(const Value& v) {
  switch (v.type) {
    case Type::S:
    case Type::B:
      return v.scalar.size();
    case Type::N:
      return number_size(v.scalar);
    case Type::BOOL:
    case Type::NUL:
      return 1;
    case Type::SS:
    case Type::BS: {
      size_t n = 0;
      for (const auto& s : v.set) n += s.size();
      return n;
    }
    case Type::NS: {
      size_t n = 0;
      for (const auto& s : v.set) n += number_size(s);
      return n;
    }
    case Type::L: {
      // 3 bytes for the list, 1 byte per element.
      size_t n = 3;
      for (const auto& e : v.list) n += 1 + value_size(e);
      return n;
    }
    case Type::M: {
      size_t n = 3;
      for (const auto& [k, e] : v.map) n += 1 + k.size() + value_size(e);
      return n;
    }
  }
  return 0;
}

size_t item_size(const Item& item) {
  size_t n = 0;
  for (const auto& [k, v] : item) n += k.size() + value_size(v);
  return n;
}

}  // namespace model
