#include "http/signature.h"

#include <time.h>

#include <algorithm>
#include <stdexcept>

#include "awsproto/sigv4.h"

namespace ddb::http {
namespace {

constexpr std::string_view kIncomplete = "com.amazon.coral.service#IncompleteSignatureException";
constexpr std::string_view kInvalid = "com.amazon.coral.service#InvalidSignatureException";
constexpr std::string_view kMissing =
    "com.amazon.coral.service#MissingAuthenticationTokenException";
constexpr std::string_view kUnrecognized = "com.amazon.coral.service#UnrecognizedClientException";
constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int64_t kWindowSeconds = 15 * 60;

AuthError fail(std::string_view type, std::string message) {
  return {std::string(type), std::move(message)};
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The "Name=value" parameters after the algorithm, split at ',' and ' ' (DynamoDB's reading:
// "Credential=a/b/c/d/e,SignedHeaders=host,Signature=f" and the spaced form are the same).
struct Params {
  std::string_view algorithm;
  std::map<std::string_view, std::string_view, std::less<>> values;
};

Params parse_params(std::string_view auth) {
  Params p;
  auth = trim(auth);
  size_t sp = auth.find_first_of(" \t");
  p.algorithm = auth.substr(0, sp);
  if (sp == std::string_view::npos) return p;
  std::string_view rest = auth.substr(sp);
  size_t i = 0;
  while (i < rest.size()) {
    size_t end = rest.find_first_of(", \t", i);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view item = rest.substr(i, end - i);
    if (size_t eq = item.find('='); eq != std::string_view::npos)
      p.values.emplace(item.substr(0, eq), item.substr(eq + 1));
    i = end + 1;
  }
  return p;
}

std::string_view param(const Params& p, std::string_view name) {
  auto it = p.values.find(name);
  return it == p.values.end() ? std::string_view() : it->second;
}

// The credential's parts; trailing slashes are ignored, as DynamoDB ignores them.
std::vector<std::string_view> credential_parts(std::string_view credential) {
  while (!credential.empty() && credential.back() == '/') credential.remove_suffix(1);
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = credential.find('/', start);
    parts.push_back(credential.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

const std::string* header(const SignedRequest& r, std::string_view name) {
  if (!r.headers) return nullptr;
  for (const auto& [n, v] : *r.headers)
    if (n == name) return &v;
  return nullptr;
}

// A region as AWS spells them: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ...
bool valid_region(std::string_view r) {
  size_t dash = r.find('-');
  if (dash != 2 ||
      !std::all_of(r.begin(), r.begin() + 2, [](char c) { return c >= 'a' && c <= 'z'; }))
    return false;
  size_t last = r.rfind('-');
  if (last == dash || last + 1 >= r.size()) return false;
  for (size_t i = last + 1; i < r.size(); ++i)
    if (r[i] < '0' || r[i] > '9') return false;
  for (size_t i = dash + 1; i < last; ++i)
    if (!((r[i] >= 'a' && r[i] <= 'z') || r[i] == '-') || (r[i] == '-' && r[i - 1] == '-'))
      return false;
  return true;
}

// Trim-all: no leading or trailing whitespace, each inner run of it one space.
std::string trim_all(std::string_view v) {
  std::string out;
  bool pending = false;
  for (char c : v) {
    if (is_space(c) || c == '\v' || c == '\f') {
      pending = !out.empty();
    } else {
      if (pending) out += ' ';
      pending = false;
      out += c;
    }
  }
  return out;
}

std::vector<std::string> signed_header_names(std::string_view list) {
  std::vector<std::string> names;
  size_t start = 0;
  for (;;) {
    size_t semi = list.find(';', start);
    std::string_view name = list.substr(start, semi - start);
    if (!name.empty()) names.push_back(lower(name));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return names;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

}  // namespace

std::optional<int64_t> parse_request_date(std::string_view v) {
  struct tm tm {};
  std::string s(trim(v));
  const char* end = nullptr;
  if (s.size() == 16 && s[8] == 'T' && s[15] == 'Z')
    end = strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  else
    end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::string format_basic_date(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::optional<AuthError> check_authorization(std::string_view auth, bool verifying, bool has_date) {
  std::string_view trimmed = trim(auth);
  if (!trimmed.starts_with("AWS4-"))
    return fail(kMissing, "Request is missing Authentication Token");
  Params p = parse_params(trimmed);
  std::string msg;
  for (std::string_view name : {"Credential", "Signature", "SignedHeaders"})
    if (param(p, name).empty())
      msg += "Authorization header requires '" + std::string(name) + "' parameter. ";
  if (verifying && !has_date)
    msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (!msg.empty()) return fail(kIncomplete, msg + "Authorization=" + std::string(auth));
  std::string_view credential = param(p, "Credential");
  if (credential_parts(credential).size() != 5)
    return fail(kIncomplete,
                "Credential must have exactly 5 slash-delimited elements, e.g. "
                "keyid/date/region/service/term, got '" +
                    std::string(credential) + "'");
  return std::nullopt;
}

std::string expected_signature(const SignedRequest& r, std::string_view auth,
                               std::string_view secret) {
  Params p = parse_params(auth);
  std::vector<std::string_view> scope = credential_parts(param(p, "Credential"));
  if (scope.size() != 5) return {};
  const std::string* amz_date = header(r, "x-amz-date");
  const std::string* date = amz_date ? amz_date : header(r, "date");
  std::optional<int64_t> when = date ? parse_request_date(*date) : std::nullopt;
  if (!when) return {};
  std::string request_date = format_basic_date(*when);
  std::vector<std::string> signed_names = signed_header_names(param(p, "SignedHeaders"));

  // The canonical request
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), over exactly the
  // headers the client named.
  std::string_view target = r.target;
  size_t q = target.find('?');
  std::string canonical(r.method);
  canonical += '\n';
  canonical += awsproto::canonical_uri(target.substr(0, q));
  canonical += '\n';
  canonical +=
      q == std::string_view::npos ? "" : awsproto::canonical_query_string(target.substr(q + 1));
  canonical += '\n';
  std::string names_line;
  for (const auto& name : signed_names) {
    std::string value;
    bool first = true;
    if (r.headers)
      for (const auto& [n, v] : *r.headers)
        if (n == name) {
          if (!first) value += ',';
          value += trim_all(v);
          first = false;
        }
    canonical += name + ':' + value + '\n';
    names_line += (names_line.empty() ? "" : ";") + name;
  }
  canonical += '\n';
  canonical += names_line;
  canonical += '\n';
  canonical += awsproto::sha256_hex(r.body);
  std::string credential_scope = awsproto::credential_scope(scope[1], scope[2], scope[3]);
  std::string to_sign = awsproto::string_to_sign(request_date, credential_scope, canonical);
  return awsproto::signature(awsproto::signing_key(secret, scope[1], scope[2], scope[3]), to_sign);
}

std::optional<AuthError> verify_signature(const SignedRequest& r, std::string_view auth,
                                          const KeyPairs& keys, int64_t now_ms) {
  Params p = parse_params(auth);
  const std::string* amz_date = header(r, "x-amz-date");
  const std::string* date = amz_date ? amz_date : header(r, "date");
  std::string_view date_text = date ? trim(*date) : std::string_view();
  std::optional<int64_t> when = parse_request_date(date_text);
  if (!when || (amz_date && date_text.size() != 16))
    return fail(kIncomplete, "Date must be in ISO-8601 'basic format'. Got '" +
                                 std::string(date_text) +
                                 "'. See http://en.wikipedia.org/wiki/ISO_8601");
  std::string request_date = format_basic_date(*when);
  int64_t now = now_ms / 1000;
  if (*when < now - kWindowSeconds)
    return fail(kInvalid, "Signature expired: " + request_date + " is now earlier than " +
                              format_basic_date(now - kWindowSeconds) + " (" +
                              format_basic_date(now) + " - 15 min.)");
  if (*when > now + kWindowSeconds)
    return fail(kInvalid, "Signature not yet current: " + request_date + " is still later than " +
                              format_basic_date(now + kWindowSeconds) + " (" +
                              format_basic_date(now) + " + 15 min.)");

  std::vector<std::string> signed_names = signed_header_names(param(p, "SignedHeaders"));
  if (std::find(signed_names.begin(), signed_names.end(), "host") == signed_names.end())
    return fail(kInvalid, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  if (p.algorithm != kAlgorithm)
    return fail(kIncomplete, "Unsupported AWS 'algorithm': '" + std::string(p.algorithm) +
                                 "' (only AWS4-HMAC-SHA256 for now). ");

  std::vector<std::string_view> scope = credential_parts(param(p, "Credential"));
  std::string scope_msg;
  auto add = [&](std::string s) { scope_msg += (scope_msg.empty() ? "" : " ") + s; };
  if (!valid_region(scope[2]))
    add("Credential should be scoped to a valid region, not '" + std::string(scope[2]) + "'.");
  if (scope[3] != "dynamodb") add("Credential should be scoped to correct service: 'dynamodb'.");
  if (scope[4] != "aws4_request")
    add("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
        std::string(scope[4]) + "'.");
  if (scope[1] != std::string_view(request_date).substr(0, 8))
    add("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        std::string(scope[1]) + "' != '" + request_date.substr(0, 8) + "', from '" + request_date +
        "'.");
  if (!scope_msg.empty()) return fail(kInvalid, scope_msg);

  auto key = keys.find(scope[0]);
  if (key == keys.end())
    return fail(kUnrecognized, "The security token included in the request is invalid.");

  // A payload hash the client sent must be the body's.
  bool ok = true;
  if (const std::string* sent = header(r, "x-amz-content-sha256");
      sent && trim(*sent) != awsproto::sha256_hex(r.body))
    ok = false;
  if (ok)
    ok =
        constant_time_equal(lower(param(p, "Signature")), expected_signature(r, auth, key->second));
  if (!ok)
    return fail(kInvalid,
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.");
  return std::nullopt;
}

void parse_key_pairs(std::string_view text, std::string_view origin, KeyPairs& keys) {
  size_t line_no = 0, start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = trim(text.substr(start, nl - start));
    ++line_no;
    if (!line.empty() && line.front() != '#') {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == line.size())
        throw std::invalid_argument(std::string(origin) + ":" + std::to_string(line_no) +
                                    ": expected ACCESS_KEY_ID:SECRET");
      keys[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

}  // namespace ddb::http
