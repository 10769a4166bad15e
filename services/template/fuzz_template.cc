// libFuzzer target: template text through the reader and the whole resolver. Anything but a
// plan or a TemplateError (a crash, a hang, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "template/stack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  tmpl::Options options;
  options.stack_name = "fuzz";
  try {
    tmpl::to_json(tmpl::plan_stack(text, "/fuzz", options));
  } catch (const tmpl::TemplateError&) {
  }
  return 0;
}
