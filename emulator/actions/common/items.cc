#include "actions/common/items.h"

#include <openssl/evp.h>

#include "api/error.h"
#include "model/codec.h"
#include "ttl/ttl.h"

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
  check_index_keys(t, item);
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

std::string table_prefix(uint64_t id) { return model::be64(id); }

std::optional<std::string> items_batch(
    const storage::Txn& txn, const storage::Database& db, uint64_t table_id,
    const std::string& after, int limit,
    const std::function<void(std::string_view key, std::string_view stored)>& visit) {
  std::string prefix = table_prefix(table_id), last;
  storage::Cursor c(txn, db.items());
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
    key += digest(part);
  }
  if (range) key += sort_part(*range);
}

std::string sort_part(const model::Value& v) {
  std::string part;
  model::encode_key_part(v, part);
  if (part.size() <= kInlineSort) return part;
  std::string out = part.substr(0, kInlineSort);
  return out + digest(part);
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

void check_index_keys(const model::TableDef& t, const model::Item& item) {
  for (const auto& ix : t.indexes) {
    for (const model::KeyAttribute* k : {&ix.hash, ix.range ? &*ix.range : nullptr}) {
      if (!k) continue;
      auto it = item.find(k->name);
      if (it == item.end()) continue;
      if (it->second.type != k->type)
        api::invalid("One or more parameter values were invalid: Type mismatch for Index Key " +
                     k->name + " Expected: " + model::type_name(k->type) +
                     " Actual: " + model::type_name(it->second.type) + " IndexName: " + ix.name);
      if (it->second.scalar.empty())
        api::invalid(
            "One or more parameter values are not valid. A value specified for a secondary index "
            "key is not supported. The AttributeValue for a key attribute cannot contain an "
            "empty " + std::string(k->type == model::Type::B ? "binary" : "string") +
            " value. IndexName: " + ix.name + ", IndexKey: " + k->name);
    }
  }
}

std::optional<std::string> index_entry_key(const model::IndexDef& ix, const model::Item& item,
                                           std::string_view key) {
  auto h = item.find(ix.hash.name);
  if (h == item.end() || h->second.type != ix.hash.type) return std::nullopt;
  const model::Value* r = nullptr;
  if (ix.range) {
    auto it = item.find(ix.range->name);
    if (it == item.end() || it->second.type != ix.range->type) return std::nullopt;
    r = &it->second;
  }
  std::string out = table_prefix(ix.id);
  append_key_parts(out, h->second, r);
  out.append(key.substr(8));  // the table key makes entries with equal index keys distinct
  return out;
}

model::Item index_projection(const model::TableDef& t, const model::IndexDef& ix,
                             const model::Item& item) {
  if (ix.projection == model::IndexDef::Projection::All) return item;
  model::Item out;
  auto keep = [&](const std::string& name) {
    if (auto it = item.find(name); it != item.end()) out.insert(*it);
  };
  keep(t.hash.name);
  if (t.range) keep(t.range->name);
  keep(ix.hash.name);
  if (ix.range) keep(ix.range->name);
  for (const auto& n : ix.non_key_attributes) keep(n);
  return out;
}

Current read_current(const storage::Txn& txn, const storage::Database& db, const std::string& key,
                     bool decode) {
  Current c;
  if (auto stored = txn.get(db.items(), key)) {
    c.stored.assign(*stored);
    if (decode) c.item = model::decode_item(read_record(c.stored).item);
  }
  return c;
}

storage::TablePtr live_table(storage::Database& db, const model::TableDef& t) {
  auto current = db.catalog().find(t.space, t.name);
  if (!current || current->id != t.id)
    api::fail(api::Code::ResourceNotFound, "Requested resource not found");
  return current;
}

void store_item(storage::Txn& txn, storage::Database& db, const model::TableDef& t,
                const std::string& key, const Existing& old, const model::Item* next,
                std::string_view next_record, streams::Origin origin) {
  if (next)
    txn.put(db.items(), key, next_record);
  else if (old.exists)
    txn.del(db.items(), key);
  int64_t count = (next ? 1 : 0) - (old.exists ? 1 : 0);
  // The record starts with the item's size: no second walk of the item.
  int64_t bytes = (next ? static_cast<int64_t>(read_record(next_record).size) : 0) -
                  static_cast<int64_t>(old.exists ? old.size : 0);
  storage::Catalog::add_stats(txn, db.meta(), t.id, count, bytes);
  if (t.needs_old_item() && old.exists && !old.item)
    throw std::logic_error("store_item: the replaced item is needed for indexes, stream, TTL");
  streams::append(txn, db, t, old.exists ? old.item : nullptr, next, origin);
  ttl::track(txn, db, t, key, old.exists ? old.item : nullptr, next);
  for (const auto& ix : t.indexes) {
    if (old.exists) {
      if (auto k = index_entry_key(ix, *old.item, key)) {
        if (auto stored = txn.get(db.indexes(), *k)) {
          int64_t size = static_cast<int64_t>(read_record(*stored).size);
          txn.del(db.indexes(), *k);
          storage::Catalog::add_stats(txn, db.meta(), ix.id, -1, -size);
        }
      }
    }
    if (next) {
      if (auto k = index_entry_key(ix, *next, key)) {
        model::Item projected = index_projection(t, ix, *next);
        std::string record = make_record(projected);
        bool existed = txn.get(db.indexes(), *k).has_value();
        txn.put(db.indexes(), *k, record);
        if (!existed)
          storage::Catalog::add_stats(txn, db.meta(), ix.id, 1,
                                      static_cast<int64_t>(model::item_size(projected)));
      }
    }
  }
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
