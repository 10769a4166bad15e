#include "http/decode.h"

#include <zlib.h>

#include <vector>

namespace ddb::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// One layer: gzip (window bits 16 + 15) or zlib (15). All of `in` must be consumed: trailing
// bytes are refused, except further gzip members.
Decoded inflate_one(std::string_view in, bool gzip, size_t limit, std::string& out) {
  out.clear();
  if (in.empty()) return Decoded::Bad;
  z_stream z{};
  if (inflateInit2(&z, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) return Decoded::Bad;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char chunk[64 * 1024];
  Decoded result = Decoded::Bad;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    int rc = inflate(&z, Z_NO_FLUSH);
    size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > limit) {
      result = Decoded::TooLarge;
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) {
        result = Decoded::Ok;
        break;
      }
      if (!gzip || inflateReset(&z) != Z_OK) break;  // deflate: one stream only
      continue;                                      // the next gzip member
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
  }
  inflateEnd(&z);
  return result;
}

}  // namespace

Decoded decode_body(std::string_view encodings, std::string_view body, size_t limit,
                    std::string& out) {
  std::vector<std::string_view> codings;
  size_t start = 0;
  for (;;) {
    size_t comma = encodings.find(',', start);
    std::string_view c = trim(encodings.substr(start, comma - start));
    if (!c.empty()) codings.push_back(c);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::string current(body), next;
  // The last coding applied is undone first.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    if (iequals(*it, "identity")) continue;
    bool gzip = iequals(*it, "gzip") || iequals(*it, "x-gzip");
    if (!gzip && !iequals(*it, "deflate")) return Decoded::Bad;
    Decoded d = inflate_one(current, gzip, limit, next);
    if (d != Decoded::Ok) return d;
    current.swap(next);
  }
  out = std::move(current);
  return Decoded::Ok;
}

}  // namespace ddb::http
