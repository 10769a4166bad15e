// Template text to a Value tree. YAML short forms become their long forms as CloudFormation
// defines them (`!Ref X` -> {"Ref": "X"}, `!Sub s` -> {"Fn::Sub": s}, `!Condition C` ->
// {"Condition": "C"}), so the resolver sees one form. A pure function: text in, tree or
// TemplateError out (a fuzz target can call it directly).
#pragma once

#include <string>

#include "template/stack.h"

namespace tmpl {

// JSON when the first non-blank character is '{', else YAML. Plain YAML scalars that read as
// numbers, booleans or null get those kinds; quoted scalars stay strings.
Value read_template(const std::string& text);

}  // namespace tmpl
