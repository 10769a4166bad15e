// Helpers for the template library's unit tests: plan a template given inline.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "template/stack.h"

namespace tmpl::testing {

inline Stack plan(const std::string& yaml, Options options = {}) {
  if (options.stack_name.empty()) options.stack_name = "test";
  return plan_stack(yaml, "/base/dir", options);
}

// The message plan() throws, or "" when it does not throw.
inline std::string error_of(const std::string& yaml, Options options = {}) {
  try {
    plan(yaml, options);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

inline bool has_notice(const Stack& s, const std::string& text) {
  for (const auto& n : s.notices) {
    if (n == text) return true;
  }
  return false;
}

inline const Function* function_named(const Stack& s, const std::string& logical_id) {
  for (const auto& f : s.functions) {
    if (f.logical_id == logical_id) return &f;
  }
  return nullptr;
}

inline std::string env_of(const Function& f, const std::string& key) {
  for (const auto& [k, v] : f.environment) {
    if (k == key) return v;
  }
  return "<unset>";
}

inline std::string output_of(const Stack& s, const std::string& name) {
  for (const auto& o : s.outputs) {
    if (o.name == name) return o.value;
  }
  return "<no output>";
}

}  // namespace tmpl::testing
