// The expression language's syntax tree, shared by all five expression kinds. Parsing
// produces it with placeholders (#n, :v) in place; bind() substitutes them per request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/value.h"

namespace ddb::expr {

// One step of a document path: a map key / attribute name, or a list index.
struct Step {
  std::string name;    // attribute or map key; "#x" before binding when `placeholder`
  int64_t index = -1;  // >= 0 for a list index step
  bool placeholder = false;
  bool is_index() const { return index >= 0; }
  bool operator==(const Step&) const = default;
};
using Path = std::vector<Step>;

enum class Func {
  AttributeExists,
  AttributeNotExists,
  AttributeType,
  BeginsWith,
  Contains,
  Size,
  IfNotExists,
  ListAppend,
};

enum class Op { Eq, Ne, Lt, Le, Gt, Ge };

struct Node {
  enum class Kind {
    Path,      // path
    ValueRef,  // :name before binding
    Literal,   // value (after binding)
    Call,      // func(kids...)
    Compare,   // kids[0] op kids[1]
    Between,   // kids[0] BETWEEN kids[1] AND kids[2]
    In,        // kids[0] IN (kids[1..])
    And,
    Or,
    Not,
    Plus,  // update SET operands
    Minus,
  } kind;
  Path path;
  std::string name;  // ValueRef placeholder
  model::Value value;
  Func func{};
  Op op{};
  std::vector<Node> kids;
};

// Calls f(path) for the path of every Path node in the tree under `n`.
template <class F>
void for_each_path(const Node& n, F&& f) {
  std::vector<const Node*> stack = {&n};
  while (!stack.empty()) {
    const Node* at = stack.back();
    stack.pop_back();
    if (at->kind == Node::Kind::Path) f(at->path);
    for (const auto& k : at->kids) stack.push_back(&k);
  }
}

struct UpdateAction {
  enum class Kind { Set, Remove, Add, Delete } kind;
  Path path;
  Node value;  // Set: the value expression; Add/Delete: the operand; Remove: unused
};

struct Update {
  std::vector<UpdateAction> actions;
  bool legacy = false;  // from AttributeUpdates
  // Whether applying it to a missing item creates the item: SET and ADD create, REMOVE and
  // DELETE alone do not.
  bool creates() const {
    for (const auto& a : actions)
      if (a.kind == UpdateAction::Kind::Set || a.kind == UpdateAction::Kind::Add) return true;
    return false;
  }
};

// "attribute_exists", ...: a function as it is written.
const char* function_name(Func f);

// "[a, b, [2]]": how DynamoDB prints a path in its messages.
std::string describe(const Path& p);
// "a.b[2]"
std::string to_text(const Path& p);

}  // namespace ddb::expr
