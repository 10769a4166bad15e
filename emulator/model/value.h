// AttributeValue: DynamoDB's ten data types, and the Item (a map of them).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ddb::model {

enum class Type : uint8_t { S, N, B, BOOL, NUL, M, L, SS, NS, BS };

// "S", "N", ... as on the wire.
const char* type_name(Type t);

struct Value;
using Map = std::map<std::string, Value, std::less<>>;

struct Value {
  Type type = Type::NUL;
  std::string scalar;            // S (UTF-8), N (canonical text), B (raw bytes)
  bool boolean = false;          // BOOL; NULL is always true
  std::vector<std::string> set;  // SS, NS (canonical text), BS (raw bytes)
  std::vector<Value> list;       // L
  Map map;                       // M

  static Value string(std::string s) { return {Type::S, std::move(s)}; }
  static Value number(std::string canonical) { return {Type::N, std::move(canonical)}; }
  static Value binary(std::string bytes) { return {Type::B, std::move(bytes)}; }

  bool operator==(const Value&) const = default;
};

using Item = Map;

// DynamoDB's size of an attribute value and of an item, in bytes, by the rules in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
size_t value_size(const Value& v);
size_t item_size(const Item& item);

// DynamoDB's equality: numbers by value, sets regardless of order.
bool values_equal(const Value& a, const Value& b);
bool items_equal(const Item& a, const Item& b);

constexpr size_t kMaxItemSize = 400 * 1024;
// An attribute value nests at most 32 levels, the value itself counting as the first (a leaf
// inside 31 maps or lists). DynamoDB's message for one deeper, in an item or in an expression
// attribute value.
constexpr int kMaxNestingDepth = 32;
constexpr const char* kNestingTooDeep =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";
// The levels of an item's deepest attribute (0 for an empty item), as counted above.
int item_depth(const Item& item);

}  // namespace ddb::model
