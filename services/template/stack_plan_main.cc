// stack-plan --template FILE [--parameter-overrides K=V ...] [--region R] [--stack-name NAME]
//            [--account-id N]
// Prints the stack plan (schemas/stack-plan.md) on stdout. A template at fault: one line on
// stderr, exit status 2. The stack name defaults to the template folder's name.
#include <cstring>
#include <iostream>
#include <string>

#include "template/stack.h"

namespace {

int usage(const std::string& message) {
  std::cerr << "stack-plan: " << message << "\n"
            << "usage: stack-plan --template FILE [--parameter-overrides K=V ...] [--region R] "
               "[--stack-name NAME] [--account-id N]\n";
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  tmpl::Options options;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "--template" || arg == "-t") {
      if (!value(path)) return usage(arg + " needs a value");
    } else if (arg == "--region") {
      if (!value(options.region)) return usage(arg + " needs a value");
    } else if (arg == "--stack-name") {
      if (!value(options.stack_name)) return usage(arg + " needs a value");
    } else if (arg == "--account-id") {
      if (!value(options.account_id)) return usage(arg + " needs a value");
    } else if (arg == "--parameter-overrides") {
      // As sam deploy takes them: K=V words until the next option.
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
        std::string kv = argv[++i];
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return usage("expected K=V, got " + kv);
        std::string key = kv.substr(0, eq);
        // sam deploy also accepts ParameterKey=K,ParameterValue=V.
        const std::string long_key = "ParameterKey=";
        if (kv.rfind(long_key, 0) == 0) {
          size_t comma = kv.find(",ParameterValue=");
          if (comma == std::string::npos) return usage("expected K=V, got " + kv);
          options.parameter_overrides.emplace_back(
              kv.substr(long_key.size(), comma - long_key.size()), kv.substr(comma + 16));
          continue;
        }
        options.parameter_overrides.emplace_back(key, kv.substr(eq + 1));
      }
    } else if (arg == "--help" || arg == "-h") {
      return usage("prints the stack plan of a SAM / CloudFormation template");
    } else {
      return usage("unknown argument " + arg);
    }
  }
  if (path.empty()) return usage("--template is required");
  try {
    std::cout << tmpl::to_json(tmpl::load_stack(path, options));
  } catch (const tmpl::TemplateError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    // Not the template's fault (out of memory, a library failure): say so, differently.
    std::cerr << "stack-plan: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
