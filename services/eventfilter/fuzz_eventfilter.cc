// libFuzzer target over the event filter: the input is a pattern's text, a NUL byte, then a
// record's JSON (without a NUL, the whole input is also read as a FilterCriteria). Anything but
// a match result or FilterError (a crash, a hang, another exception) is a bug.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "eventfilter/filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  std::string_view pattern_text = input.substr(0, nul);
  std::string_view event_text = nul == std::string_view::npos ? "{}" : input.substr(nul + 1);

  std::optional<eventfilter::Pattern> pattern;
  try {
    pattern = eventfilter::Pattern::parse(pattern_text);
  } catch (const eventfilter::FilterError&) {
  }
  std::optional<eventfilter::Criteria> criteria;
  if (nul == std::string_view::npos) {
    try {
      criteria = eventfilter::Criteria::parse(pattern_text);
    } catch (const eventfilter::FilterError&) {
    }
  }
  rapidjson::Document event;
  event.Parse<rapidjson::kParseIterativeFlag>(event_text.data(), event_text.size());
  if (event.HasParseError()) return 0;
  if (pattern) {
    bool matched = pattern->matches(event);
    if (pattern->matches(event) != matched) __builtin_trap();  // matching is a pure function
  }
  if (criteria) {
    bool matched = criteria->matches(event);
    if (criteria->empty() && !matched) __builtin_trap();  // no filters: everything passes
  }
  return 0;
}
