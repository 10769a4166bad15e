#include "actions/common/key_checks.h"

#include <optional>

#include "model/error.h"

namespace ddb::actions {
namespace {

constexpr size_t kMaxHashKeyBytes = 2048;
constexpr size_t kMaxRangeKeyBytes = 1024;
constexpr const char* kRangeKeyTooLong =
    "One or more parameter values were invalid: Aggregated size of all range keys has exceeded "
    "the size limit of 1024 bytes";

std::string type_mismatch(const model::KeyAttribute& k, const model::Value& v) {
  return "One or more parameter values were invalid: Type mismatch for key " + k.name +
         " expected: " + model::type_name(k.type) + " actual: " + model::type_name(v.type);
}

void check_not_empty(const model::KeyAttribute& k, const model::Value& v) {
  if (!v.scalar.empty()) return;
  invalid(std::string("One or more parameter values are not valid. The AttributeValue for a key "
                      "attribute cannot contain an empty ") +
          (v.type == model::Type::B ? "binary" : "string") + " value. Key: " + k.name);
}

// The sizes of the key attributes present in `item` with their declared types.
void check_key_sizes(const model::TableDef& t, const model::Item& item) {
  auto size = [&](const model::KeyAttribute& k) -> size_t {
    auto it = item.find(k.name);
    return it == item.end() || it->second.type != k.type ? 0 : it->second.scalar.size();
  };
  if (size(t.hash) > kMaxHashKeyBytes)
    invalid(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
        "size limit of2048 bytes");
  if (t.range && size(*t.range) > kMaxRangeKeyBytes) invalid(kRangeKeyTooLong);
}

}  // namespace

void check_put_item(const model::TableDef& t, const model::Item& item) {
  auto check_key = [&](const model::KeyAttribute& k) {
    auto it = item.find(k.name);
    if (it == item.end())
      invalid("One or more parameter values were invalid: Missing the key " + k.name +
              " in the item");
    if (it->second.type != k.type) invalid(type_mismatch(k, it->second));
    check_not_empty(k, it->second);
  };
  check_key(t.hash);
  if (t.range) check_key(*t.range);
  if (model::item_size(item) > model::kMaxItemSize)
    invalid("Item size has exceeded the maximum allowed size");
  check_key_sizes(t, item);
  check_index_keys(t, item);
}

void check_key_values(const model::TableDef& t, const model::Item& item) {
  for (const model::KeyAttribute* k : {&t.hash, t.range ? &*t.range : nullptr}) {
    if (!k) continue;
    auto it = item.find(k->name);
    if (it != item.end() && it->second.type == k->type) check_not_empty(*k, it->second);
  }
  check_key_sizes(t, item);
}

void check_lookup_key(const model::TableDef& t, const model::Item& key) {
  const char* kMismatch = "The provided key element does not match the schema";
  if (key.size() != (t.range ? 2u : 1u)) invalid(kMismatch);
  auto check_key = [&](const model::KeyAttribute& k) {
    auto it = key.find(k.name);
    if (it == key.end() || it->second.type != k.type) invalid(kMismatch);
    check_not_empty(k, it->second);
  };
  check_key(t.hash);
  if (t.range) check_key(*t.range);
  check_key_sizes(t, key);
}

namespace {

// Runs `check` (which throws DynamoDB's message for an index's first refusal) on every index
// and throws the refusal of the index whose name sorts first, as DynamoDB reports it
// (nubo-db/dynamodb-conformance, tests/tier3/error-messages/batchWriteItem.test.ts: an
// attribute keying gsi1 and lsi1 is reported for gsi1). Nothing is sorted or copied while
// every index accepts.
template <class Check>
void refuse_first_by_name(const model::TableDef& t, Check check) {
  const model::IndexDef* named = nullptr;
  std::optional<ApiError> refusal;
  for (const auto& ix : t.indexes) {
    if (named && named->name < ix.name) continue;  // could not be reported
    try {
      check(ix);
    } catch (const ApiError& e) {
      named = &ix;
      refusal = e;
    }
  }
  if (refusal) throw *refusal;
}

[[noreturn]] void empty_index_key(const model::IndexDef& ix, const model::KeyAttribute& k) {
  invalid(
      "One or more parameter values are not valid. A value specified for a secondary index "
      "key is not supported. The AttributeValue for a key attribute cannot contain an empty " +
      std::string(k.type == model::Type::B ? "binary" : "string") +
      " value. IndexName: " + ix.name + ", IndexKey: " + k.name);
}

}  // namespace

void check_index_key_values(const model::TableDef& t, const model::Item& item) {
  refuse_first_by_name(t, [&](const model::IndexDef& ix) {
    for (const model::KeyAttribute* k : {&ix.hash, ix.range ? &*ix.range : nullptr}) {
      if (!k) continue;
      auto it = item.find(k->name);
      if (it != item.end() && it->second.type == k->type && it->second.type != model::Type::N &&
          it->second.scalar.empty())
        empty_index_key(ix, *k);
    }
  });
}

void check_update_index_keys(const model::TableDef& t, const expr::Update& update) {
  for (const expr::UpdateAction& a : update.actions) {
    if (a.kind != expr::UpdateAction::Kind::Set || a.path.size() != 1 || a.path[0].is_index() ||
        a.value.kind != expr::Node::Kind::Literal)
      continue;
    const model::Value& v = a.value.value;
    if ((v.type != model::Type::S && v.type != model::Type::B) || !v.scalar.empty()) continue;
    // The message names no index: any index keyed on the attribute refuses it.
    for (const auto& ix : t.indexes)
      for (const model::KeyAttribute* k : {&ix.hash, ix.range ? &*ix.range : nullptr})
        if (k && k->name == a.path[0].name && k->type == v.type)
          invalid(
              "One or more parameter values are not valid. The update expression attempted to "
              "update a secondary index key to a value that is not supported. The AttributeValue "
              "for a key attribute cannot contain an empty " +
              std::string(v.type == model::Type::B ? "binary" : "string") + " value.");
  }
}

void check_index_keys(const model::TableDef& t, const model::Item& item) {
  refuse_first_by_name(t, [&](const model::IndexDef& ix) {
    for (const model::KeyAttribute* k : {&ix.hash, ix.range ? &*ix.range : nullptr}) {
      if (!k) continue;
      auto it = item.find(k->name);
      if (it == item.end()) continue;
      if (it->second.type != k->type)
        invalid("One or more parameter values were invalid: Type mismatch for Index Key " +
                k->name + " Expected: " + model::type_name(k->type) +
                " Actual: " + model::type_name(it->second.type) + " IndexName: " + ix.name);
      if (it->second.scalar.empty()) empty_index_key(ix, *k);
      // An index key past its limit refuses the write (it is not left out of the index).
      // A partition key's message names the index; a sort key's is the table's range-key
      // message
      // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys).
      size_t size = it->second.type == model::Type::N ? 0 : it->second.scalar.size();
      if (k == &ix.hash && ix.global && size > kMaxHashKeyBytes)
        invalid("One or more parameter values were invalid: Size limit exceeded for Index Key " +
                k->name + " Actual Size: " + std::to_string(size) +
                " bytes Max Size: 2048 bytes IndexName: " + ix.name);
      if (k != &ix.hash && size > kMaxRangeKeyBytes) invalid(kRangeKeyTooLong);
    }
  });
}

void check_scalar_key_paths(const model::TableDef& t,
                            const std::optional<std::vector<expr::Path>>& projection,
                            const std::optional<expr::Node>& filter) {
  // The attributes the expressions look into, past their first step.
  std::vector<std::string> nested;
  auto note = [&](const expr::Path& p) {
    if (p.size() > 1 && !p[0].is_index()) nested.push_back(p[0].name);
  };
  if (projection)
    for (const auto& p : *projection) note(p);
  if (filter) expr::for_each_path(*filter, note);
  if (nested.empty()) return;
  auto refuse_if_nested = [&](const model::KeyAttribute& k, const char* what) {
    for (const auto& name : nested)
      if (name == k.name)
        invalid(std::string("Key attributes must be scalars; list random access '[]' and map "
                            "lookup '.' are not allowed: ") +
                what + ": " + k.name);
  };
  refuse_if_nested(t.hash, "Key");
  if (t.range) refuse_if_nested(*t.range, "Key");
  for (const auto& ix : t.indexes) {
    refuse_if_nested(ix.hash, "IndexKey");
    if (ix.range) refuse_if_nested(*ix.range, "IndexKey");
  }
}

}  // namespace ddb::actions
