// The tokens of a PartiQL statement, for the parser (internal to partiql/).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::partiql {

struct Token {
  enum class Kind { End, Word, Quoted, String, Number, Punct } kind = Kind::End;
  std::string text;           // Word: as written; Quoted/String: unescaped; Punct: the symbol
  std::string upper;          // Word: upper-cased
  size_t begin = 0, end = 0;  // where it is written in the statement, in bytes
};

// DynamoDB's position of a token in some messages ("... at 1:27:7"): line, column and length,
// counted in characters from 1.
std::string position(std::string_view statement, const Token& t);

// Words that cannot stand bare for an attribute or table (a subset of PartiQL's reserved
// words: those the statements use as keywords); `upper` is upper-cased.
bool is_keyword(std::string_view upper);

// IS [NOT] <type>: the type name attribute_type tests for a PartiQL type DynamoDB tests
// ("S" for STRING), nullopt for any other word.
std::optional<std::string_view> tested_type(std::string_view upper);
// Whether `upper` is a PartiQL type name, tested or not (INT4, DATE, ...).
bool is_type_name(std::string_view upper);
// COUNT, SUM, AVG, MIN, MAX.
bool is_aggregate(std::string_view upper);

// The statement's tokens, ending in one of Kind::End; a character or literal no token can
// start is the not-well-formed ValidationException.
std::vector<Token> lex(std::string_view text);

// ValidationException "Statement wasn't well formed, can't be processed: <detail>".
[[noreturn]] void malformed(std::string_view detail);
// ValidationException "Unsupported operation: <what>".
[[noreturn]] void unsupported(std::string_view what);

}  // namespace ddb::partiql
