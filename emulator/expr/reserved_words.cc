#include <algorithm>
#include <cctype>
#include <string>

#include "expr/parser.h"

namespace ddb::expr {
namespace {
constexpr const char* kReserved[] = {
#include "expr/reserved_words.inc"
};
}  // namespace

bool is_reserved_word(std::string_view word) {
  std::string upper(word);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return std::binary_search(std::begin(kReserved), std::end(kReserved), upper,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

}  // namespace ddb::expr
