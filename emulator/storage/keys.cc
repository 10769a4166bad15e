#include "storage/keys.h"

#include <openssl/evp.h>

#include "model/codec.h"

namespace ddb::storage {
namespace {

// LMDB keys are at most 511 bytes. Partition keys whose encoding exceeds kInlinePartition are
// stored as a digest (partitions have no order in DynamoDB, only contiguity); sort keys keep
// their first kInlineSort encoded bytes, which fixes their order, plus a digest for identity.
constexpr size_t kInlinePartition = 160;
constexpr size_t kInlineSort = 300;

}  // namespace

std::string key_digest(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), 16);
}

std::string table_prefix(uint64_t id) { return model::be64(id); }

std::optional<std::string> items_batch(
    const Txn& txn, const Database& db, uint64_t table_id, const std::string& after, int limit,
    const std::function<void(std::string_view key, std::string_view stored)>& visit) {
  std::string prefix = table_prefix(table_id), last;
  Cursor c(txn, db.items());
  bool ok = c.seek(after.empty() ? prefix : after);
  if (ok && !after.empty() && c.key() == after) ok = c.next();
  for (int n = 0; ok && c.key().starts_with(prefix) && n < limit; ok = c.next(), ++n) {
    last = c.key();
    visit(last, c.value());
  }
  if (ok && c.key().starts_with(prefix)) return last;
  return std::nullopt;
}

void append_key_parts(std::string& key, const model::Value& hash, const model::Value* range) {
  std::string part;
  model::encode_key_part(hash, part);
  if (part.size() <= kInlinePartition) {
    key += '\x01';
    key += part;
  } else {
    key += '\x02';
    key += key_digest(part);
  }
  if (range) key += sort_part(*range);
}

std::string sort_part(const model::Value& v) {
  std::string part;
  model::encode_key_part(v, part);
  if (part.size() <= kInlineSort) return part;
  std::string out = part.substr(0, kInlineSort);
  return out + key_digest(part);
}

bool partition_part_is_whole(const model::Value& v) {
  std::string part;
  model::encode_key_part(v, part);
  return part.size() <= kInlinePartition;
}

bool sort_part_is_whole(const model::Value& v) {
  std::string part;
  model::encode_key_part(v, part);
  return part.size() <= kInlineSort;
}

std::string sort_prefix_part(const model::Value& prefix) {
  // The order-preserving encoding of a prefix, without its two-byte terminator, is a prefix
  // of the encoding of every value that starts with it.
  std::string part;
  model::encode_key_part(prefix, part);
  part.resize(part.size() - 2);
  if (part.size() > kInlineSort) part.resize(kInlineSort);
  return part;
}

std::string storage_key(const model::TableDef& t, const model::Item& item) {
  std::string key = table_prefix(t.id);
  append_key_parts(key, item.at(t.hash.name), t.range ? &item.at(t.range->name) : nullptr);
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

}  // namespace ddb::storage
