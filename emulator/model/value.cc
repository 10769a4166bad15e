#include "model/value.h"

#include <algorithm>

#include "model/number.h"
#include "model/table.h"

namespace ddb::model {

const char* type_name(Type t) {
  static constexpr const char* kNames[] = {"S", "N", "B",  "BOOL", "NULL",
                                           "M", "L", "SS", "NS",   "BS"};
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
    case Type::B: return v.scalar.size();
    case Type::N: return number_size(v.scalar);
    case Type::BOOL:
    case Type::NUL: return 1;
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

namespace {

int value_depth(const Value& v) {
  int inner = 0;
  if (v.type == Type::M)
    for (const auto& [k, e] : v.map) inner = std::max(inner, value_depth(e));
  if (v.type == Type::L)
    for (const auto& e : v.list) inner = std::max(inner, value_depth(e));
  return 1 + inner;
}

}  // namespace

int item_depth(const Item& item) {
  int n = 0;
  for (const auto& [k, v] : item) n = std::max(n, value_depth(v));
  return n;
}

namespace {

bool same_set(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  std::vector<std::string> x = a, y = b;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

}  // namespace

bool values_equal(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Type::N: return Number::parse(a.scalar) == Number::parse(b.scalar);
    case Type::S:
    case Type::B: return a.scalar == b.scalar;
    case Type::BOOL: return a.boolean == b.boolean;
    case Type::NUL: return true;
    case Type::SS:
    case Type::NS:
    case Type::BS: return same_set(a.set, b.set);
    case Type::L:
      if (a.list.size() != b.list.size()) return false;
      for (size_t i = 0; i < a.list.size(); ++i)
        if (!values_equal(a.list[i], b.list[i])) return false;
      return true;
    case Type::M: return items_equal(a.map, b.map);
  }
  return false;
}

bool items_equal(const Item& a, const Item& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || !values_equal(v, it->second)) return false;
  }
  return true;
}

}  // namespace ddb::model
