#include "chat/ulid.h"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace chat {

namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int digit_value(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

// Bit `i` (0 = least significant) of the 128-bit number.
int bit(const Ulid& u, int i) {
  return static_cast<int>(i >= 64 ? (u.hi >> (i - 64)) & 1 : (u.lo >> i) & 1);
}

void random_bytes(unsigned char* out, int n) {
  if (RAND_bytes(out, n) != 1) throw std::runtime_error("RAND_bytes failed");
}

Ulid random_ulid(int64_t time_ms) {
  unsigned char bytes[10];
  random_bytes(bytes, sizeof bytes);
  Ulid u;
  u.hi = static_cast<uint64_t>(time_ms) << 16 | uint64_t{bytes[0]} << 8 | bytes[1];
  for (int i = 2; i < 10; ++i) u.lo = u.lo << 8 | bytes[i];
  return u;
}

// Plus `n` (at least 1) in the 80 random bits; when they overflow, the next millisecond (the
// spec says to fail there; an id a millisecond late keeps the order instead).
Ulid add(Ulid u, uint64_t n) {
  uint64_t lo = u.lo + n;
  bool carry = lo < u.lo;
  u.lo = lo;
  if (!carry) return u;
  if ((u.hi & 0xFFFF) != 0xFFFF) {
    ++u.hi;
    return u;
  }
  u.hi = (u.hi & ~uint64_t{0xFFFF}) + (uint64_t{1} << 16);
  return u;
}

Ulid increment(Ulid u) { return add(u, 1); }

// A random step of 1 to 2^32.
uint64_t random_step() {
  unsigned char bytes[4];
  random_bytes(bytes, sizeof bytes);
  uint64_t v = 0;
  for (unsigned char b : bytes) v = v << 8 | b;
  return v + 1;
}

}  // namespace

std::string Ulid::text() const {
  std::string out(kUlidLength, '0');
  // 26 digits of 5 bits cover 130 bits; the top two are always zero.
  for (size_t d = 0; d < kUlidLength; ++d) {
    int value = 0;
    int top = static_cast<int>((kUlidLength - 1 - d) * 5) + 4;
    for (int b = top; b > top - 5; --b) value = value << 1 | (b < 128 ? bit(*this, b) : 0);
    out[d] = kAlphabet[value];
  }
  return out;
}

std::optional<Ulid> Ulid::parse(std::string_view text) {
  if (text.size() != kUlidLength) return std::nullopt;
  Ulid u;
  for (size_t d = 0; d < kUlidLength; ++d) {
    int value = digit_value(text[d]);
    if (value < 0 || (d == 0 && value > 7)) return std::nullopt;
    // Shift the 128-bit number left by 5 and add the digit.
    u.hi = u.hi << 5 | u.lo >> 59;
    u.lo = u.lo << 5 | static_cast<uint64_t>(value);
  }
  return u;
}

bool is_ulid(std::string_view text) { return Ulid::parse(text).has_value(); }

std::optional<int64_t> ulid_time_ms(std::string_view text) {
  auto u = Ulid::parse(text);
  if (!u) return std::nullopt;
  return u->time_ms();
}

Ulid UlidGenerator::advance(int64_t now_ms) {
  if (now_ms < 0) now_ms = 0;
  if (now_ms > kUlidMaxTimeMs) throw std::invalid_argument("time beyond what a ULID holds");
  last_ = (last_.hi != 0 || last_.lo != 0) && now_ms <= last_.time_ms() ? increment(last_)
                                                                        : random_ulid(now_ms);
  return last_;
}

std::string UlidGenerator::next(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  return advance(now_ms).text();
}

std::string UlidGenerator::next_above(std::string_view floor_id, int64_t now_ms) {
  auto floor = Ulid::parse(floor_id);
  if (!floor) throw std::invalid_argument("not a ULID: " + std::string(floor_id));
  std::lock_guard lock(mutex_);
  if (now_ms < 0) now_ms = 0;
  Ulid base = std::max(*floor, last_);
  if (now_ms > base.time_ms()) return advance(now_ms).text();
  // Another process that committed `floor` goes on from it plus one, as every generator does
  // within a millisecond: plus one here too would give both the same id (in another
  // conversation, where no condition refuses it). A random step keeps them apart.
  last_ = add(base, random_step());
  return last_.text();
}

UlidGenerator& process_ulids() {
  static UlidGenerator generator;
  return generator;
}

}  // namespace chat
