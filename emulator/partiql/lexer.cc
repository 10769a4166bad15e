// The lexer of DynamoDB's PartiQL dialect.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.syntax.html
#include "partiql/lexer.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "model/error.h"
#include "model/number.h"
#include "partiql/parser.h"

namespace ddb::partiql {

[[noreturn]] void malformed(std::string_view detail) {
  invalid(std::string(kNotWellFormed) + std::string(detail));
}
[[noreturn]] void unsupported(std::string_view what) {
  invalid("Unsupported operation: " + std::string(what));
}

bool is_keyword(std::string_view upper) {
  static constexpr std::string_view kWords[] = {
      "ALL",       "AND",    "AS",     "ASC",     "BETWEEN", "BY",        "DELETE", "DESC",
      "EXISTS",    "FALSE",  "FROM",   "GROUP",   "HAVING",  "IN",        "INSERT", "INTO",
      "IS",        "JOIN",   "LIKE",   "LIMIT",   "MISSING", "NOT",       "NULL",   "OFFSET",
      "OR",        "ORDER",  "REMOVE", "SELECT",  "SET",     "TRUE",      "UNION",  "UPDATE",
      "VALUE",     "VALUES", "WHERE",  "CROSS",   "INNER",   "LEFT",      "RIGHT",  "OUTER",
      "FULL",      "ON",     "CASE",   "WHEN",    "THEN",    "ELSE",      "END",    "DISTINCT",
      "INTERSECT", "EXCEPT", "PIVOT",  "UNPIVOT", "AT",      "RETURNING",
  };
  return std::find(std::begin(kWords), std::end(kWords), upper) != std::end(kWords);
}

std::optional<std::string_view> tested_type(std::string_view upper) {
  // The types DynamoDB tests, as attribute_type(path, 'S') and so on; BOOL too, though
  // DynamoDB's message for the others does not list it (paritysuite/dynamodb-conformance,
  // tests/tier2/partiql/whereFunctions.test.ts).
  static constexpr std::pair<std::string_view, std::string_view> kTested[] = {
      {"BOOLEAN", "BOOL"}, {"BOOL", "BOOL"}, {"BLOB", "B"},  {"STRING", "S"},
      {"NUMERIC", "N"},    {"STRUCT", "M"},  {"TUPLE", "M"}, {"LIST", "L"}};
  for (const auto& [name, type_name] : kTested)
    if (upper == name) return type_name;
  return std::nullopt;
}

bool is_type_name(std::string_view upper) {
  static constexpr std::string_view kTypes[] = {
      "BOOL",    "BOOLEAN", "INT",       "INTEGER", "INT2",      "INT4",    "INT8",   "SMALLINT",
      "BIGINT",  "FLOAT",   "REAL",      "DOUBLE",  "DECIMAL",   "NUMERIC", "STRING", "SYMBOL",
      "VARCHAR", "CHAR",    "CHARACTER", "BLOB",    "CLOB",      "LIST",    "SEXP",   "STRUCT",
      "TUPLE",   "BAG",     "DATE",      "TIME",    "TIMESTAMP", "ANY"};
  return std::find(std::begin(kTypes), std::end(kTypes), upper) != std::end(kTypes);
}

bool is_aggregate(std::string_view upper) {
  static constexpr std::string_view kAggregates[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
  return std::find(std::begin(kAggregates), std::end(kAggregates), upper) != std::end(kAggregates);
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto bad = [] { malformed(""); };
  while (true) {
    while (i < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++i;
      } else if (s.compare(i, 2, "--") == 0) {
        while (i < s.size() && s[i] != '\n') ++i;
      } else if (s.compare(i, 2, "/*") == 0) {
        size_t end = s.find("*/", i + 2);
        if (end == std::string_view::npos) bad();
        i = end + 2;
      } else {
        break;
      }
    }
    if (i >= s.size()) break;
    Token t;
    t.begin = i;
    char c = s[i];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      size_t j = i;
      while (j < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '$'))
        ++j;
      t.kind = Token::Kind::Word;
      t.text = std::string(s.substr(i, j - i));
      t.upper = t.text;
      for (char& ch : t.upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      i = j;
    } else if (c == '"' || c == '\'') {
      // "identifier" or 'string'; the quote is doubled to stand for itself.
      t.kind = c == '"' ? Token::Kind::Quoted : Token::Kind::String;
      size_t j = i + 1;
      while (true) {
        if (j >= s.size()) bad();
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            t.text += c;
            j += 2;
            continue;
          }
          break;
        }
        t.text += s[j++];
      }
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      int64_t fraction_digits = 0;
      if (j < s.size() && s[j] == '.') {
        size_t point = ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        fraction_digits = static_cast<int64_t>(j - point);
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        bool negative = k < s.size() && s[k] == '-';
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        size_t digits = k;
        while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) ++k;
        if (k > digits) {
          // An exponent beyond a 32-bit integer cannot be read at all, nor one that leaves a
          // scale (the digits after the point less the exponent) beyond one: 1e2147483648 and
          // 1.5e-2147483647 are both "not well formed" with nothing after the colon (AWS's
          // answers as nubo-db/dynamodb-conformance records them).
          constexpr int64_t kIntMax = 2147483647;
          std::string_view exp = s.substr(digits, k - digits);
          if (model::exponent_past_int32(exp)) bad();
          int64_t e = std::stoll(std::string(exp));
          if (negative) e = -e;
          int64_t scale = fraction_digits - e;
          if (scale > kIntMax || scale < -kIntMax - 1) bad();
          j = k;
        }
      }
      t.kind = Token::Kind::Number;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else {
      static constexpr std::string_view kPunct[] = {
          "<<", ">>", "<>", "!=", "<=", ">=", "||", "(", ")", "[", "]", "{", "}",
          ",",  ".",  ":",  "*",  "?",  "=",  "<",  ">", "+", "-", ";", "/", "%"};
      bool found = false;
      for (std::string_view p : kPunct) {
        if (s.compare(i, p.size(), p) == 0) {
          t.kind = Token::Kind::Punct;
          t.text = std::string(p);
          i += p.size();
          found = true;
          break;
        }
      }
      if (!found) bad();
    }
    t.end = i;
    out.push_back(std::move(t));
  }
  Token end;
  end.begin = end.end = s.size();
  out.push_back(std::move(end));
  return out;
}

std::string position(std::string_view statement, const Token& t) {
  auto characters = [](std::string_view bytes) {
    size_t n = 0;
    for (unsigned char c : bytes) n += (c & 0xC0) != 0x80;  // not a UTF-8 continuation byte
    return n;
  };
  std::string_view before = statement.substr(0, t.begin);
  size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  size_t line_start = before.rfind('\n');
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  return std::to_string(line) + ":" + std::to_string(characters(before.substr(line_start)) + 1) +
         ":" + std::to_string(characters(statement.substr(t.begin, t.end - t.begin)));
}

}  // namespace ddb::partiql
