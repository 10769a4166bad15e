// ULIDs (https://github.com/ulid/spec): 48 bits of Unix milliseconds then 80 random bits, written
// as 26 characters of Crockford's base32 (0-9 A-Z without I L O U), so that the text sorts as
// the number does. Message ids and group ids are ULIDs (schemas/chat-table.md).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace chat {

inline constexpr size_t kUlidLength = 26;
// The largest timestamp 48 bits hold (the year 10889).
inline constexpr int64_t kUlidMaxTimeMs = (int64_t{1} << 48) - 1;

// A ULID as a 128-bit number: `hi` holds the 48-bit time and the top 16 random bits, `lo` the
// other 64 random bits.
struct Ulid {
  uint64_t hi = 0, lo = 0;

  int64_t time_ms() const { return static_cast<int64_t>(hi >> 16); }
  std::string text() const;
  auto operator<=>(const Ulid&) const = default;

  // The canonical form only: 26 characters of the upper-case alphabet, the first one 0-7 (a
  // larger one would need 131 bits). Ids come from clients, so no lenient spellings.
  static std::optional<Ulid> parse(std::string_view text);
};

bool is_ulid(std::string_view text);
// The millisecond timestamp of a ULID's text; nullopt when it is not a ULID.
std::optional<int64_t> ulid_time_ms(std::string_view text);

// Makes ULIDs that increase within the generator: an id made in the same millisecond as the
// previous one (or, after the clock stepped back, in an earlier one) is the previous plus one in
// its random part, as the spec's monotonic generator does. Thread-safe.
class UlidGenerator {
 public:
  std::string next(int64_t now_ms);
  // An id above both `floor_id` and every id this generator made before (the send function's
  // retry when another process committed a later id than the one it tried). Throws
  // std::invalid_argument when floor_id is not a ULID.
  std::string next_above(std::string_view floor_id, int64_t now_ms);

 private:
  Ulid advance(int64_t now_ms);  // mutex_ held
  std::mutex mutex_;
  Ulid last_;
};

// The process's generator (ids are monotonic within one process).
UlidGenerator& process_ulids();

}  // namespace chat
