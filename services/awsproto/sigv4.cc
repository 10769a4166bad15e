#include "awsproto/sigv4.h"

#include "awsproto/encoding.h"

#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <initializer_list>
#include <stdexcept>
#include <vector>

namespace awsproto {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";

// botocore's SIGNED_HEADERS_BLACKLIST: headers that proxies, tracing and the HTTP stack may
// change on the way, so signing them would break the signature.
constexpr std::string_view kUnsignedHeaders[] = {"expect", "user-agent", "x-amzn-trace-id"};

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Trimall: no leading or trailing whitespace, each inner run of it one space.
std::string trim_all(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out += ' ';
      pending_space = false;
      out += c;
    }
  }
  return out;
}

// RFC 3986 5.2.4 "Remove Dot Segments", which AWS also takes to drop empty segments ("//"): the
// algorithm of botocore.utils.remove_dot_segments, which the suite's normalize-path cases test.
std::string normalize_path(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (true) {
    size_t end = path.find('/', start);
    std::string_view segment =
        path.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  if (path.back() == '/' && !segments.empty()) out += '/';
  return out;
}

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

bool has_header(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

void remove_header(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
}

void check_amz_date(std::string_view amz_date) {
  bool ok = amz_date.size() == 16 && amz_date[8] == 'T' && amz_date[15] == 'Z';
  for (size_t i = 0; ok && i < 15; ++i) {
    if (i != 8 && (amz_date[i] < '0' || amz_date[i] > '9')) ok = false;
  }
  if (!ok) {
    throw std::invalid_argument("sigv4: the request time must be YYYYMMDDTHHMMSSZ, not \"" +
                                std::string(amz_date) + "\"");
  }
}

std::string payload_hash(const Request& request) {
  std::string_view given = find_header(request.headers, "x-amz-content-sha256");
  if (!given.empty()) return std::string(given);
  return sha256_hex(request.body);
}

}  // namespace

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 15];
  }
  return out;
}

namespace {

// SHA-256 fetched once. OpenSSL 3 looks an algorithm up on every EVP_sha256()-based call (an
// implicit fetch: a locked search of the provider's table), which made the one-shot HMAC() cost
// several times the hashing itself; with the digest fetched once and HMAC written out (RFC 2104)
// a signature is a few microseconds.
// https://docs.openssl.org/3.0/man7/crypto/#performance
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return md;
}

// One digest context per thread, reused.
EVP_MD_CTX* digest_context() {
  struct Holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Holder() { EVP_MD_CTX_free(ctx); }
  };
  static thread_local Holder holder;
  if (!holder.ctx) throw std::runtime_error("sigv4: out of memory");
  return holder.ctx;
}

// SHA-256 of the concatenation of `parts` into out[32].
void sha256_parts(std::initializer_list<std::string_view> parts, unsigned char* out) {
  EVP_MD_CTX* ctx = digest_context();
  unsigned int size = 0;
  bool ok = EVP_DigestInit_ex(ctx, sha256_md(), nullptr) == 1;
  for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx, p.data(), p.size()) == 1;
  if (!ok || EVP_DigestFinal_ex(ctx, out, &size) != 1 || size != 32) {
    throw std::runtime_error("sigv4: SHA-256 failed");
  }
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[32];
  sha256_parts({data}, digest);
  return hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

// HMAC-SHA256 (RFC 2104): H((K ^ opad) || H((K ^ ipad) || data)), K hashed first when longer
// than the 64-byte block.
std::string hmac_sha256(std::string_view key, std::string_view data) {
  constexpr size_t kBlock = 64;
  unsigned char k[kBlock] = {};
  if (key.size() > kBlock) {
    sha256_parts({key}, k);
  } else {
    std::copy(key.begin(), key.end(), k);
  }
  char ipad[kBlock], opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  unsigned char inner[32], outer[32];
  sha256_parts({std::string_view(ipad, kBlock), data}, inner);
  sha256_parts({std::string_view(opad, kBlock),
                std::string_view(reinterpret_cast<const char*>(inner), sizeof inner)},
               outer);
  return std::string(reinterpret_cast<const char*>(outer), sizeof outer);
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kUpperHexDigits[c >> 4];
      out += kUpperHexDigits[c & 15];
    }
  }
  return out;
}

std::string canonical_uri(std::string_view path, bool s3_path) {
  if (s3_path) return path.empty() ? "/" : std::string(path);
  return uri_encode(normalize_path(path), true);
}

std::string canonical_query_string(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      pairs.emplace_back(uri_encode(percent_decode(name), false),
                         uri_encode(percent_decode(value), false));
    }
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

CanonicalHeaders canonical_headers(const Headers& headers) {
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string lname = lower(name);
    if (std::find(std::begin(kUnsignedHeaders), std::end(kUnsignedHeaders), lname) !=
        std::end(kUnsignedHeaders)) {
      continue;
    }
    entries.emplace_back(std::move(lname), trim_all(value));
  }
  // Stable: the values of a repeated header keep the order they were given in.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) {
      out.text.back() = ',';  // replaces the '\n' of the previous value
    } else {
      if (!out.signed_headers.empty()) out.signed_headers += ';';
      out.signed_headers += entries[i].first;
      out.text += entries[i].first;
      out.text += ':';
    }
    out.text += entries[i].second;
    out.text += '\n';
  }
  return out;
}

std::string canonical_request(const Request& request, const SigningOptions& options) {
  CanonicalHeaders headers = canonical_headers(request.headers);
  std::string out = request.method;
  out += '\n';
  out += canonical_uri(request.path, options.s3_path);
  out += '\n';
  out += canonical_query_string(request.query);
  out += '\n';
  out += headers.text;
  out += '\n';
  out += headers.signed_headers;
  out += '\n';
  out += payload_hash(request);
  return out;
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string out(date);
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += "/aws4_request";
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += sha256_hex(canonical_request);
  return out;
}

std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service) {
  // The key changes once a day per secret, region and service, and a process signs with a few
  // of those: the last ones derived are kept (per thread), which saves four HMACs a request.
  struct Cached {
    std::string secret, date, region, service, key;
  };
  static thread_local std::vector<Cached> cache;
  for (const Cached& c : cache) {
    if (c.date == date && c.region == region && c.service == service &&
        c.secret == secret_access_key)
      return c.key;
  }
  std::string key = "AWS4";
  key += secret_access_key;
  key = hmac_sha256(key, date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  constexpr size_t kCached = 8;
  if (cache.size() == kCached) cache.erase(cache.begin());
  cache.push_back({std::string(secret_access_key), std::string(date), std::string(region),
                   std::string(service), key});
  return key;
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return hex(hmac_sha256(signing_key, string_to_sign));
}

std::string format_amz_date(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Signed sign(Request& request, const Credentials& credentials, std::string_view region,
            std::string_view service, std::chrono::system_clock::time_point when,
            const SigningOptions& options) {
  return sign(request, credentials, region, service, format_amz_date(when), options);
}

Signed sign(Request& request, const Credentials& credentials, std::string_view region,
            std::string_view service, std::string_view amz_date, const SigningOptions& options) {
  check_amz_date(amz_date);
  if (!has_header(request.headers, "host")) {
    throw std::invalid_argument("sigv4: the request has no Host header (AWS requires it signed)");
  }
  Headers& headers = request.headers;
  remove_header(headers, "authorization");
  remove_header(headers, "x-amz-date");
  headers.emplace_back("X-Amz-Date", std::string(amz_date));
  if (!credentials.session_token.empty()) {
    remove_header(headers, "x-amz-security-token");
    headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (options.add_content_sha256 && !has_header(headers, "x-amz-content-sha256")) {
    headers.emplace_back("X-Amz-Content-SHA256", sha256_hex(request.body));
  }

  Signed out;
  std::string_view date = amz_date.substr(0, 8);
  std::string scope = credential_scope(date, region, service);
  out.canonical_request = canonical_request(request, options);
  out.string_to_sign = string_to_sign(amz_date, scope, out.canonical_request);
  out.signature = signature(signing_key(credentials.secret_access_key, date, region, service),
                            out.string_to_sign);
  out.signed_headers = canonical_headers(headers).signed_headers;
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      scope + ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + out.signature;
  headers.emplace_back("Authorization", out.authorization);
  return out;
}

std::optional<Authorization> parse_authorization(std::string_view header_value) {
  // A field's value runs to the first ',' or ' ' after its "Name=".
  auto field = [&](std::string_view name) -> std::optional<std::string_view> {
    size_t pos = header_value.find(name);
    if (pos == std::string_view::npos) return std::nullopt;
    std::string_view rest = header_value.substr(pos + name.size());
    return rest.substr(0, rest.find_first_of(", "));
  };
  std::optional<std::string_view> scope = field("Credential=");
  if (!scope || scope->find('/') == std::string_view::npos) return std::nullopt;

  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = scope->find('/', start);
    parts.push_back(scope->substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  Authorization out;
  out.access_key_id = parts[0];
  out.date = parts[1];
  // The region is the third part when another part follows it (a scope cut short after its
  // region names none): the emulator has always read it so.
  out.region = parts.size() >= 4 ? std::string(parts[2]) : "us-east-1";
  if (parts.size() >= 4) out.service = parts[3];
  out.signed_headers = field("SignedHeaders=").value_or("");
  out.signature = field("Signature=").value_or("");
  return out;
}

}  // namespace awsproto
