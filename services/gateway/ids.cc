#include "gateway/ids.h"

#include <cstdio>
#include <ctime>
#include <random>

#include "awsproto/encoding.h"

namespace gateway {
namespace {

std::tm utc(int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

}  // namespace

std::string new_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string bytes(11, '\0');
  uint64_t a = random(), b = random();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(a >> (8 * i));
  for (int i = 0; i < 3; ++i) bytes[8 + i] = static_cast<char>(b >> (8 * i));
  return awsproto::base64_encode(bytes, /*url_safe=*/true);
}

std::string clf_time(int64_t epoch_ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm = utc(epoch_ms);
  char out[40];
  std::snprintf(out, sizeof out, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out;
}

std::string iso8601_ms(int64_t epoch_ms) {
  std::tm tm = utc(epoch_ms);
  char out[64];  // room for any int the fields could hold, so the format cannot be cut
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return out;
}

std::string trace_id(int64_t now_ms) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char out[64];
  std::snprintf(out, sizeof out, "Root=1-%08llx-%08llx%016llx",
                static_cast<unsigned long long>(now_ms / 1000),
                static_cast<unsigned long long>(random() & 0xFFFFFFFFu),
                static_cast<unsigned long long>(random()));
  return out;
}

}  // namespace gateway
