#include "model/codec.h"

#include <stdexcept>

#include "model/base64.h"
#include "model/number.h"

namespace ddb::model {

std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return s;
}

uint64_t read_be64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

uint64_t get_varint(std::string_view& in) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) throw std::runtime_error("corrupt record: truncated varint");
    auto b = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("corrupt record: varint too long");
}

namespace {

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

std::string_view get_bytes(std::string_view& in) {
  uint64_t n = get_varint(in);
  if (n > in.size()) throw std::runtime_error("corrupt record: truncated bytes");
  std::string_view s = in.substr(0, n);
  in.remove_prefix(n);
  return s;
}

Type get_type(std::string_view& in) {
  if (in.empty()) throw std::runtime_error("corrupt record: missing type");
  auto t = static_cast<uint8_t>(in.front());
  if (t > static_cast<uint8_t>(Type::BS)) throw std::runtime_error("corrupt record: bad type");
  in.remove_prefix(1);
  return static_cast<Type>(t);
}

void encode_value(const Value& v, std::string& out) {
  out += static_cast<char>(v.type);
  switch (v.type) {
    case Type::S:
    case Type::N:
    case Type::B: put_bytes(out, v.scalar); break;
    case Type::BOOL: out += static_cast<char>(v.boolean); break;
    case Type::NUL: break;
    case Type::SS:
    case Type::NS:
    case Type::BS:
      put_varint(out, v.set.size());
      for (const auto& s : v.set) put_bytes(out, s);
      break;
    case Type::L:
      put_varint(out, v.list.size());
      for (const auto& e : v.list) encode_value(e, out);
      break;
    case Type::M: encode_item(v.map, out); break;
  }
}

Value decode_value(std::string_view& in);

Item decode_map(std::string_view& in) {
  Item m;
  uint64_t n = get_varint(in);
  for (uint64_t i = 0; i < n; ++i) {
    std::string name(get_bytes(in));
    m.emplace_hint(m.end(), std::move(name), decode_value(in));
  }
  return m;
}

Value decode_value(std::string_view& in) {
  Value v;
  v.type = get_type(in);
  switch (v.type) {
    case Type::S:
    case Type::N:
    case Type::B: v.scalar = get_bytes(in); break;
    case Type::BOOL:
      if (in.empty()) throw std::runtime_error("corrupt record: bool");
      v.boolean = in.front() != 0;
      in.remove_prefix(1);
      break;
    case Type::NUL: break;
    case Type::SS:
    case Type::NS:
    case Type::BS: {
      uint64_t n = get_varint(in);
      for (uint64_t i = 0; i < n; ++i) v.set.emplace_back(get_bytes(in));
      break;
    }
    case Type::L: {
      uint64_t n = get_varint(in);
      for (uint64_t i = 0; i < n; ++i) v.list.push_back(decode_value(in));
      break;
    }
    case Type::M: v.map = decode_map(in); break;
  }
  return v;
}

void write_stored_value(JsonWriter& w, std::string_view& in);

void write_stored_map(JsonWriter& w, std::string_view& in) {
  w.StartObject();
  uint64_t n = get_varint(in);
  for (uint64_t i = 0; i < n; ++i) {
    write_key(w, get_bytes(in));
    write_stored_value(w, in);
  }
  w.EndObject();
}

void write_stored_value(JsonWriter& w, std::string_view& in) {
  Type t = get_type(in);
  w.StartObject();
  w.Key(type_name(t));
  switch (t) {
    case Type::S:
    case Type::N: write_string(w, get_bytes(in)); break;
    case Type::B: write_string(w, base64_encode(get_bytes(in))); break;
    case Type::BOOL:
      if (in.empty()) throw std::runtime_error("corrupt record: bool");
      w.Bool(in.front() != 0);
      in.remove_prefix(1);
      break;
    case Type::NUL: w.Bool(true); break;
    case Type::SS:
    case Type::NS:
    case Type::BS: {
      w.StartArray();
      uint64_t n = get_varint(in);
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view s = get_bytes(in);
        if (t == Type::BS)
          write_string(w, base64_encode(s));
        else
          write_string(w, s);
      }
      w.EndArray();
      break;
    }
    case Type::L: {
      w.StartArray();
      uint64_t n = get_varint(in);
      for (uint64_t i = 0; i < n; ++i) write_stored_value(w, in);
      w.EndArray();
      break;
    }
    case Type::M: write_stored_map(w, in); break;
  }
  w.EndObject();
}

// S and B: each byte as is, 0x00 escaped as 00 FF, ended by 00 01. Lexicographic order of
// the encoding equals byte order of the value, and no encoding is a prefix of another.
void encode_bytes_ordered(std::string_view s, std::string& out) {
  for (char c : s) {
    out += c;
    if (c == '\0') out += '\xff';
  }
  out += '\0';
  out += '\x01';
}

// N: a sign class byte, then for non-zero numbers the scientific exponent and the digits,
// each transformed so that byte order is numeric order; negatives are complemented.
void encode_number_ordered(const Number& n, std::string& out) {
  if (n.is_zero()) {
    out += '\x02';
    return;
  }
  bool neg = n.negative();
  auto put = [&](uint8_t b) { out += static_cast<char>(neg ? 0xff - b : b); };
  out += neg ? '\x01' : '\x03';
  put(static_cast<uint8_t>(n.sci_exponent() + 130));                 // -130..125 -> 0..255
  for (char d : n.digits()) put(static_cast<uint8_t>(d - '0' + 1));  // 1..10
  put(0);  // terminator sorts before any digit: 0.12 < 0.123
}

}  // namespace

void encode_item(const Item& item, std::string& out) {
  put_varint(out, item.size());
  for (const auto& [k, v] : item) {
    put_bytes(out, k);
    encode_value(v, out);
  }
}

Item decode_item(std::string_view bytes) { return decode_map(bytes); }

void write_item_json(JsonWriter& w, std::string_view bytes) { write_stored_map(w, bytes); }

void encode_key_part(const Value& v, std::string& out) {
  switch (v.type) {
    case Type::S:
    case Type::B: encode_bytes_ordered(v.scalar, out); break;
    case Type::N: encode_number_ordered(Number::parse(v.scalar), out); break;
    default: throw std::logic_error("key attribute must be S, N or B");
  }
}

}  // namespace ddb::model
