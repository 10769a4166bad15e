// DynamoDB's PartiQL statements as a syntax tree.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
//
// The public interface of emulator/partiql/, in the order a statement goes through it:
//   1. parse(text) (partiql/parser.h): the statement text to its tree, cached by text, or a
//      ValidationException worded as DynamoDB words it ("Statement wasn't well formed, can't
//      be processed: ..."). The tree keeps its literals and `?` parameters apart
//      (Statement::literals) so that one parse serves every set of parameters.
//   2. bind(statement, parameters) (partiql/bind.h): the request's Parameters substituted;
//      the WHERE clause becomes the condition tree of the expression engine (expr::Node, with
//      literal values in place), SET/REMOVE an expr::Update, INSERT's VALUE an Item.
//      DynamoDB's errors for a wrong number of parameters and for literals it refuses.
//   3. plan_read / plan_write (partiql/plan.h): against the table's definition, which of the
//      engine's operations serves it (GetItem, Query forwards or backwards, Scan; the key of
//      an UPDATE or DELETE and the condition that remains).
//   4. Execution (actions/common/statement.h): runs one planned statement against the
//      database inside a given write transaction (writes, and full-key reads of a
//      transaction) or read snapshot, through the engine's own write path (items::store).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "expr/ast.h"
#include "model/value.h"

namespace ddb::partiql {

// A literal as written, in PartiQL's Ion-flavoured syntax ('text', 12.5, true, null,
// [list], {'map': ...}, <<set>>, MISSING), possibly holding `?` parameters at any depth.
struct Literal {
  enum class Kind { Value, Parameter, List, Map, Set, Missing } kind = Kind::Value;
  model::Value value;             // Value: S, N, BOOL or NUL
  size_t parameter = 0;           // Parameter: its 0-based position
  std::vector<Literal> elements;  // List, Set; Map: the members' values, in the order written
  std::vector<std::string> keys;  // Map: the members' names, one per element
};

// FROM "table" or "table"."index".
struct Target {
  std::string table;
  std::optional<std::string> index;
};

enum class Returning { None, AllOld, AllNew, ModifiedOld, ModifiedNew };

struct Statement {
  // Exists: EXISTS(SELECT ...), the condition check of ExecuteTransaction.
  enum class Kind { Select, Insert, Update, Delete, Exists } kind = Kind::Select;
  Target target;

  // SELECT: the projected paths (empty for *).
  std::vector<expr::Path> projection;
  // SELECT, UPDATE, DELETE, EXISTS: the WHERE clause. Its literal operands are ValueRef nodes
  // whose `name` is the decimal index of the literal in `literals`.
  std::optional<expr::Node> where;
  // SELECT ... ORDER BY <path> [ASC | DESC].
  std::optional<expr::Path> order_by;
  bool descending = false;

  // INSERT: the VALUE (a Map literal).
  Literal value;

  // UPDATE: SET and REMOVE clauses in order (ValueRef operands as in `where`).
  expr::Update update;
  Returning returning = Returning::None;

  std::vector<Literal> literals;
  size_t parameter_count = 0;  // how many `?` the statement has
};

// "SELECT", "INSERT", ...
const char* kind_name(Statement::Kind k);

}  // namespace ddb::partiql
