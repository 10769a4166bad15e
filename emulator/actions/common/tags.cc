#include "actions/common/tags.h"

#include <locale.h>
#include <wctype.h>

#include <set>

#include "model/error.h"

namespace ddb::actions {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// Decodes one UTF-8 sequence at `i`, advancing it; 0xFFFFFFFF for a malformed one.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
  if (extra < 0 || i + extra >= s.size()) {
    ++i;
    return 0xFFFFFFFF;
  }
  uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFFFFFF;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += extra + 1;
  return cp;
}

// Unicode space separators (category Z): \p{Z} in DynamoDB's pattern.
bool separator(uint32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Letters and digits of every script (\p{L}, \p{N}), from the C library's Unicode tables.
bool letter_or_digit(uint32_t cp) {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  return utf8 && iswalnum_l(static_cast<wint_t>(cp), utf8);
}

bool reserved(std::string_view key) {
  if (key.size() < 4) return false;
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  return lower(key[0]) == 'a' && lower(key[1]) == 'w' && lower(key[2]) == 's' && key[3] == ':';
}

[[noreturn]] void too_many() {
  invalid("Number of Tags exceed the current limit for the provided ResourceArn");
}

bool valid_table_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = s.find(sep);
    if (at == std::string_view::npos) break;
    parts.push_back(s.substr(0, at));
    s.remove_prefix(at + 1);
  }
  parts.push_back(s);
  return parts;
}

}  // namespace

bool tag_characters_ok(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = next_code_point(s, i);
    bool ok = letter_or_digit(cp) || separator(cp) || cp == '_' || cp == '.' || cp == ':' ||
              cp == '/' || cp == '=' || cp == '+' || cp == '-' || cp == '@';
    if (!ok) return false;
  }
  return true;
}

size_t utf16_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) n += next_code_point(s, i) >= 0x10000 ? 2 : 1;
  return n;
}

void check_tag_key(std::string_view key) {
  size_t n = utf16_length(key);
  if (n < 1 || n > 128 || !tag_characters_ok(key))
    invalid("The Tag Key provided is invalid, Key: " + std::string(key));
  if (reserved(key)) invalid("Tag Key cannot be prefixed with aws:, Key: " + std::string(key));
}

void check_tag_value(std::string_view value) {
  if (utf16_length(value) > 256 || !tag_characters_ok(value))
    invalid("The Tag Value provided is invalid, Value: " + std::string(value));
}

Tags read_tags(const model::Json& list) {
  // Every member is read before any is checked: a type error anywhere wins.
  for (const auto& t : list.GetArray()) {
    if (!t.IsObject()) model::wrong_json_type(t, "Tag");
    model::get_string(t, "Key");
    model::get_string(t, "Value");
  }
  Tags tags;
  std::set<std::string_view> seen;
  for (const auto& t : list.GetArray()) {
    auto key = model::get_string(t, "Key");
    auto value = model::get_string(t, "Value");
    if (!key) invalid("The Tag Key provided is invalid, Key: null");
    check_tag_key(*key);
    if (!value) invalid("The Tag Value provided is invalid, Value: null");
    check_tag_value(*value);
    if (!seen.insert(*key).second)
      invalid("Duplicate Tag Keys provided as input: Duplicate Tag Key found " + std::string(*key));
    tags.emplace_back(*key, *value);
  }
  if (tags.size() > kMaxTags) too_many();
  return tags;
}

Tags merge_tags(Tags current, const Tags& added) {
  for (const auto& [k, v] : added) {
    bool found = false;
    for (auto& [ck, cv] : current)
      if (ck == k) {
        cv = v;
        found = true;
      }
    if (!found) current.emplace_back(k, v);
  }
  if (current.size() > kMaxTags) too_many();
  return current;
}

ResourceArn parse_resource_arn(std::string_view arn) {
  std::string text(arn);
  if (!arn.starts_with("arn:"))
    invalid(std::string(kInvalid) + "ARNs must start with 'arn:': " + text);
  // arn:partition:service:region:account:resource
  auto parts = split(arn, ':', 6);
  if (parts.size() < 6 || parts[2] != "dynamodb")
    invalid(std::string(kInvalid) + "Provided Arn is not a DynamoDB resource arn: " + text);
  auto resource = split(parts[5], '/', 5);
  if (resource[0] != "table" || (resource.size() >= 3 && resource[2] == "backup"))
    invalid(std::string(kInvalid) + "Provided Arn is not a DynamoDB resource arn: " + text);
  if (resource.size() >= 3 && resource[2] == "index")
    invalid(std::string(kInvalid) +
            "Invalid resource arn provided, only table or stream is accepted. Provided resource "
            "arn: " +
            text);
  bool table = resource.size() == 2;
  bool stream = resource.size() == 4 && resource[2] == "stream" && !resource[3].empty();
  if (parts[1] != "aws" || (!table && !stream) || !valid_table_name(resource[1]))
    invalid("Invalid TableArn: Invalid ResourceArn provided as input " + text);
  return {std::string(parts[3]), std::string(parts[4]), std::string(resource[1]),
          stream ? std::string(resource[3]) : std::string()};
}

}  // namespace ddb::actions
