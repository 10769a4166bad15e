// Storage encodings. Items are stored in a compact binary form; keys in an order-preserving
// form so that LMDB's byte order is DynamoDB's order.
#pragma once

#include <string>
#include <string_view>

#include "model/json.h"
#include "model/value.h"

namespace ddb::model {

// Item <-> compact binary (type tags, varint lengths, canonical number text).
void encode_item(const Item& item, std::string& out);
Item decode_item(std::string_view bytes);
// Writes the stored item straight to JSON, without building an Item.
void write_item_json(JsonWriter& w, std::string_view bytes);

// Order-preserving encoding of a key attribute (S, N or B), self-delimiting so a sort key can
// follow a partition key: S and B by bytes, N numerically.
void encode_key_part(const Value& v, std::string& out);

// 8 bytes, most significant first: fixed-width integers in keys that sort numerically.
std::string be64(uint64_t v);
uint64_t read_be64(std::string_view s);

void put_varint(std::string& out, uint64_t v);
uint64_t get_varint(std::string_view& in);

}  // namespace ddb::model
