#include "actions/common/items.h"

#include <openssl/evp.h>

#include "api/error.h"
#include "model/codec.h"

namespace actions {
namespace {

constexpr size_t kMaxHashKeyBytes = 2048;
constexpr size_t kMaxRangeKeyBytes = 1024;
// LMDB keys are at most 511 bytes. Partition keys whose encoding exceeds kInlinePartition are
// stored as a digest (partitions have no order in DynamoDB, only contiguity); sort keys keep
// their first kInlineSort encoded bytes, which fixes their order, plus a digest for identity.
constexpr size_t kInlinePartition = 160;
constexpr size_t kInlineSort = 300;

std::string digest(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), 16);
}

std::string type_mismatch(const model::KeyAttribute& k, const model::Value& v) {
  return "One or more parameter values were invalid: Type mismatch for key " + k.name +
         " expected: " + model::type_name(k.type) + " actual: " + model::type_name(v.type);
}

void check_not_empty(const model::KeyAttribute& k, const model::Value& v) {
  if (!v.scalar.empty()) return;
  api::invalid(
      std::string("One or more parameter values are not valid. The AttributeValue for a key "
                  "attribute cannot contain an empty ") +
      (v.type == model::Type::B ? "binary" : "string") + " value. Key: " + k.name);
}

void check_key_sizes(const model::TableDef& t, const model::Item& item) {
  if (item.at(t.hash.name).scalar.size() > kMaxHashKeyBytes)
    api::invalid(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
        "size limit of2048 bytes");
  if (t.range && item.at(t.range->name).scalar.size() > kMaxRangeKeyBytes)
    api::invalid(
        "One or more parameter values were invalid: Aggregated size of all range keys has "
        "exceeded the size limit of 1024 bytes");
}

}  // namespace

void check_put_item(const model::TableDef& t, const model::Item& item) {
  auto check_key = [&](const model::KeyAttribute& k) {
    auto it = item.find(k.name);
    if (it == item.end())
      api::invalid("One or more parameter values were invalid: Missing the key " + k.name +
                   " in the item");
    if (it->second.type != k.type) api::invalid(type_mismatch(k, it->second));
    check_not_empty(k, it->second);
  };
  check_key(t.hash);
  if (t.range) check_key(*t.range);
  if (model::item_size(item) > model::kMaxItemSize)
    api::invalid("Item size has exceeded the maximum allowed size");
  check_key_sizes(t, item);
}

void check_lookup_key(const model::TableDef& t, const model::Item& key) {
  const char* kMismatch = "The provided key element does not match the schema";
  if (key.size() != (t.range ? 2u : 1u)) api::invalid(kMismatch);
  auto check_key = [&](const model::KeyAttribute& k) {
    auto it = key.find(k.name);
    if (it == key.end() || it->second.type != k.type) api::invalid(kMismatch);
    check_not_empty(k, it->second);
  };
  check_key(t.hash);
  if (t.range) check_key(*t.range);
  check_key_sizes(t, key);
}

std::string table_prefix(uint64_t id) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, id >>= 8) s[i] = static_cast<char>(id & 0xff);
  return s;
}

std::string storage_key(const model::TableDef& t, const model::Item& item) {
  std::string key = table_prefix(t.id);
  std::string part;
  model::encode_key_part(item.at(t.hash.name), part);
  if (part.size() <= kInlinePartition) {
    key += '\x01';
    key += part;
  } else {
    key += '\x02';
    key += digest(part);
  }
  if (t.range) {
    part.clear();
    model::encode_key_part(item.at(t.range->name), part);
    if (part.size() <= kInlineSort) {
      key += part;
    } else {
      key.append(part, 0, kInlineSort);
      key += digest(part);
    }
  }
  return key;
}

std::string make_record(const model::Item& item) {
  std::string out;
  model::put_varint(out, model::item_size(item));
  model::encode_item(item, out);
  return out;
}

Record read_record(std::string_view stored) {
  size_t size = model::get_varint(stored);
  return {size, stored};
}

}  // namespace actions
