// The PartiQL statement parser and binder: what parses into which tree, and DynamoDB's words
// for what does not.
#include "partiql/parser.h"

#include <gtest/gtest.h>

#include "expr/eval.h"
#include "model/error.h"
#include "partiql/bind.h"
#include "partiql/plan.h"

namespace ddb {
namespace {

using partiql::Statement;

std::string parse_error(const std::string& text) {
  try {
    partiql::parse(text);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, Code::Validation) << text;
    return e.message;
  }
  return "";
}

const std::string kBad = "Statement wasn't well formed, can't be processed: ";

TEST(PartiqlParser, AcceptsTheStatements) {
  for (const char* ok : {
           R"(SELECT * FROM "t")",
           R"(select * from t)",
           R"(SELECT a, b.c, d[1], "e f"."g" FROM "t" WHERE pk = 'x')",
           R"(SELECT * FROM "t"."idx" WHERE gk = ? ORDER BY sk DESC)",
           R"(SELECT * FROM "t" WHERE pk = 'a' AND sk BETWEEN 1 AND 5 ORDER BY sk ASC;)",
           R"(SELECT * FROM "t" WHERE pk IN ['a', 'b'] OR NOT (x <> 3 AND y < 2))",
           R"(SELECT * FROM "t" WHERE pk IN ('a', ?) AND a IS MISSING AND b IS NOT NULL)",
           R"(SELECT * FROM "t" WHERE begins_with(sk, 'p') AND contains(l, 3))",
           R"(SELECT * FROM "t" WHERE attribute_type(a, 'S') AND size(b) >= 2)",
           R"(SELECT * FROM "t" WHERE a NOT BETWEEN 1 AND 2 AND b NOT IN [1])",
           R"(SELECT * FROM "t" WHERE m['k'].x[0] = -1.5e3 -- a comment)",
           R"(SELECT * /* all */ FROM "t")",
           R"(INSERT INTO "t" VALUE {'pk': 'a', 'n': 1, 'b': true, 'z': null, 'l': [1, 'x'],
                                     'm': {'k': <<'a', 'b'>>}, 'ns': <<1, 2>>, 'p': ?})",
           R"(UPDATE "t" SET a = 1, b = a + 2 SET c = list_append(c, [1]) REMOVE d, e[1]
              WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *)",
           R"(UPDATE "t" SET s = set_add(s, <<'x'>>) SET r = set_delete(r, <<1>>) WHERE pk = ?)",
           R"(UPDATE "t" SET a = if_not_exists(a, 0) WHERE pk = 'a' RETURNING MODIFIED OLD *)",
           R"(DELETE FROM "t" WHERE pk = 'a' AND a = 3 RETURNING ALL OLD *)",
           R"(EXISTS(SELECT * FROM "t" WHERE pk = 'a' AND x = 1))",
       }) {
    EXPECT_EQ(parse_error(ok), "") << ok;
  }
}

TEST(PartiqlParser, BuildsTheTree) {
  auto st = partiql::parse(R"(SELECT a.b, c[2] FROM "Music"."ByYear" WHERE y = ? ORDER BY t DESC)");
  EXPECT_EQ(st->kind, Statement::Kind::Select);
  EXPECT_EQ(st->target.table, "Music");
  EXPECT_EQ(st->target.index, "ByYear");
  ASSERT_EQ(st->projection.size(), 2u);
  EXPECT_EQ(expr::to_text(st->projection[0]), "a.b");
  EXPECT_EQ(expr::to_text(st->projection[1]), "c[2]");
  ASSERT_TRUE(st->order_by);
  EXPECT_EQ(expr::to_text(*st->order_by), "t");
  EXPECT_TRUE(st->descending);
  EXPECT_EQ(st->parameter_count, 1u);
  ASSERT_TRUE(st->where);
  EXPECT_EQ(st->where->kind, expr::Node::Kind::Compare);

  auto up = partiql::parse(R"(UPDATE t SET a = a + 1 REMOVE b WHERE pk = 'x' RETURNING ALL OLD *)");
  EXPECT_EQ(up->kind, Statement::Kind::Update);
  ASSERT_EQ(up->update.actions.size(), 2u);
  EXPECT_EQ(up->update.actions[0].kind, expr::UpdateAction::Kind::Set);
  EXPECT_EQ(up->update.actions[0].value.kind, expr::Node::Kind::Plus);
  EXPECT_EQ(up->update.actions[1].kind, expr::UpdateAction::Kind::Remove);
  EXPECT_EQ(up->returning, partiql::Returning::AllOld);

  auto add = partiql::parse(R"(UPDATE t SET s = set_add(s, <<'x'>>) WHERE pk = 'x')");
  EXPECT_EQ(add->update.actions[0].kind, expr::UpdateAction::Kind::Add);
}

TEST(PartiqlParser, CachesByText) {
  EXPECT_EQ(partiql::parse(R"(SELECT * FROM "c")"), partiql::parse(R"(SELECT * FROM "c")"));
}

TEST(PartiqlParser, RefusesWithDynamoDbsWords) {
  const std::pair<const char*, std::string> kCases[] = {
      {R"(SELECT * FROM "t" WHERE pk = 1 foo)", kBad + "Unexpected token after expression"},
      {R"(SELECT * FROM "t" WHERE pk = 1))", kBad + "Unexpected token after expression"},
      {R"(DELETE FROM "t" WHERE pk = 1 ORDER BY pk)", kBad + "Unexpected token after expression"},
      {R"(SELECT * FROM "t" ORDER BY pk WHERE pk = 1)", kBad + "Unexpected token after expression"},
      {R"(INSERT INTO "t" t VALUE {'pk': 'x'})", kBad + "Unexpected token after expression"},
      {R"(SELECT * FROM "t" WHERE pk = 1e2147483648)", kBad},
      {R"(SELECT * FROM "t" WHERE pk = 1e99999999999)", kBad},
      {R"(SELECT * FROM "t" WHERE pk = 1.5e-2147483647)", kBad},
      {R"(SELECT * FROM "t" WHERE pk = 1 # note)", kBad},
      {R"(SELECT * FROM "t" WHERE pk = 1 /* note)", kBad},
      {R"(SELECT * FROM "t" WHERE pk = 'open)", kBad},
      {R"(SELECT * FROM "t" t WHERE pk = 'x')", "Aliasing is not supported"},
      {R"(SELECT * FROM "t" AS t WHERE pk = 'x')", "Aliasing is not supported"},
      {R"(UPDATE "t" t SET a = 3 WHERE pk = 'x')", "Aliasing is not supported"},
      {R"(DELETE FROM "t" t WHERE pk = 'x')", "Aliasing is not supported"},
      {R"(SELECT * FROM "t" WHERE)", kBad + "Unexpected term"},
      {R"(SELECT * FROM "t" WHERE;)", kBad + "Unexpected term"},
      {R"(UPDATE "t" SET a = 1 WHERE)", kBad + "Unexpected term"},
      {R"(SELECT * FROM "t" WHERE NOT)", kBad + "Unexpected term"},
      {R"(SELECT * FROM "t" WHERE ()", kBad + "Unexpected term"},
      {R"(SELECT * FROM "t" WHERE pk = 'p1' AND)",
       kBad + "Missing right-hand side expression of infix operator"},
      {R"(SELECT * FROM "t" WHERE pk = 'p1' OR)",
       kBad + "Missing right-hand side expression of infix operator"},
      {R"(SELECT * FROM "t" WHERE ORDER BY pk)", kBad + "Unexpected keyword"},
      {R"(SELECT * FROM "t" WHERE pk = 'a' AND x IS FOO)", kBad + "Expected type name"},
      {R"(SELECT * FROM "t" WHERE pk = 'a' AND x IS INT4)",
       "Unsupported data type for IS operator: INT4. Supported data types are [MISSING, NULL, "
       "BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"},
      {R"(SELECT * FROM "t" WHERE IS NULL)", kBad + "Unexpected operator"},
      {R"(SELECT * FROM "t" WHERE pk = LIKE)", kBad + "Unexpected operator"},
      {"DELETE FROM", kBad + "Expected identifier for simple path"},
      {"DELETE FROM   ", kBad + "Expected identifier for simple path"},
      {"DELETE FROM;", kBad + "Expected identifier for simple path"},
      {"DELETE FROM WHERE pk = 'a'", kBad + "Expected identifier for simple path"},
      {"SELECT * FROM", kBad + "Unexpected term"},
      {"", kBad + "Unexpected term"},
      {"DROP TABLE t", kBad + "Expected data manipulation"},
      {"x IS INT4", "Unsupported operation: IsType"},
      {"x IS DOUBLE PRECISION", "Unsupported operation: IsType"},
      {R"(SELECT * FROM "t" WHERE a LIKE 'x%')", "Unsupported operation: LIKE"},
      {R"(SELECT COUNT(*) FROM "t")", "Unsupported operation: Aggregation"},
      {R"(SELECT * FROM "a", "b")", "Unsupported operation: Join"},
      {R"(SELECT * FROM "a" JOIN "b" ON x = y)", "Unsupported operation: Join"},
      // Positions: line, column and length in characters from 1.
      {R"(UPDATE "t" SET t = set_add(ss, <<'x'>>) WHERE pk = 'p')",
       "The first argument to SET_ADD must equal the assignment value at 1:20:7"},
      {R"(UPDATE "t" SET ss = set_add(ss) WHERE pk = 'p')",
       "SET_ADD must have exactly two arguments at 1:21:7"},
      {R"(UPDATE "t" SET ss = set_delete(ss, 'a') WHERE pk = 'p')",
       "The second argument to SET_DELETE must be a value with type SET at 1:32:2"},
      {"SELECT * FROM \"t\"\n  WHERE pk = 'é' AND set_add(ss, <<'x'>>) = ss",
       "Unrecognized function: set_add at 2:22:7"},
      {R"(SELECT * FROM "t" WHERE EXISTS(ss))", "Unrecognized function: exists at 1:25:6"},
      {R"(SELECT attribute_exists(ss) FROM "t")", "Unexpected path component at 1:8:16"},
      {R"(INSERT INTO "t" VALUE {'pk': 'p', 'ss': set_add(<<'a'>>, <<'b'>>)})",
       "Unsupported data type: set_add under key root at 1:41:7"},
      {R"(SELECT * FROM "t" WHERE attribute_exists(m.inner))", kBad + "Invalid path dot component"},
      {R"(SELECT * FROM "t" WHERE attribute_exists('ss'))",
       "Operator or function requires a document path; operator or function: attribute_exists"},
      {R"(SELECT * FROM "t" WHERE attribute_exists(ss, ns))",
       "Incorrect number of operands for operator or function; operator or function: "
       "attribute_exists, number of operands: 2"},
      {R"(SELECT * FROM "t" WHERE attribute_exists())",
       "Incorrect number of operands for operator or function; operator or function: "
       "attribute_exists, number of operands: 0"},
      {R"(SELECT * FROM "t"."i"."x" WHERE pk = 'p')",
       "A path may contain at most 2 components in the FROM clause"},
      {R"(SELECT * FROM "t"."" WHERE pk = 'p')", "Path component cannot be an empty string"},
      {R"(SELECT * FROM "" WHERE pk = 'p')", "Path component cannot be an empty string"},
      {R"(INSERT INTO "t"."i" VALUE {'pk': 'x'})",
       "FROM clause may only contain a single table name"},
      {R"(UPDATE "t"."i" SET a = 1 WHERE pk = 'x')", "This operation is not supported on an index"},
      {R"(DELETE FROM "t"."i" WHERE pk = 'x')", "This operation is not supported on an index"},
  };
  for (const auto& [text, message] : kCases) EXPECT_EQ(parse_error(text), message) << text;
}

TEST(PartiqlParser, RefusesDeepNestingWithoutCrashing) {
  std::string deep = R"(SELECT * FROM "t" WHERE )" + std::string(5000, '(') + "a = 1";
  EXPECT_NE(parse_error(deep), "");
  std::string lists = R"(INSERT INTO "t" VALUE {'pk': )" + std::string(5000, '[');
  EXPECT_NE(parse_error(lists), "");
}

std::string bind_error(const std::string& text, const std::vector<model::Value>& params) {
  try {
    partiql::bind(*partiql::parse(text), params);
  } catch (const ApiError& e) {
    return e.message;
  }
  return "";
}

TEST(PartiqlBind, SubstitutesParametersAndLiterals) {
  auto st = partiql::parse(
      R"(INSERT INTO "t" VALUE {'pk': ?, 'n': 1.50, 'ss': <<'b', 'a'>>, 'm': {'x': [?, MISSING]}, 'gone': MISSING})");
  std::vector<model::Value> params = {model::Value::string("k"), model::Value::number("7")};
  try {
    partiql::bind(*st, params);
    ADD_FAILURE() << "MISSING in a list is refused";
  } catch (const ApiError&) {
  }
  auto ok = partiql::parse(
      R"(INSERT INTO "t" VALUE {'pk': ?, 'n': 1.50, 'ss': <<'b', 'a'>>, 'm': {'x': [?]}, 'gone': MISSING})");
  partiql::Bound b = partiql::bind(*ok, params);
  EXPECT_EQ(b.item.at("pk"), model::Value::string("k"));
  EXPECT_EQ(b.item.at("n"), model::Value::number("1.5"));
  EXPECT_EQ(b.item.at("ss").type, model::Type::SS);
  EXPECT_EQ(b.item.at("m").map.at("x").list.at(0), model::Value::number("7"));
  EXPECT_EQ(b.item.count("gone"), 0u);

  auto sel = partiql::parse(R"(SELECT * FROM "t" WHERE pk = ? AND n > 2)");
  partiql::Bound w = partiql::bind(*sel, {model::Value::string("k")});
  ASSERT_TRUE(w.where);
  model::Item item{{"pk", model::Value::string("k")}, {"n", model::Value::number("3")}};
  EXPECT_TRUE(expr::holds(*w.where, &item));
  item["n"] = model::Value::number("2");
  EXPECT_FALSE(expr::holds(*w.where, &item));

  auto missing = partiql::parse(R"(SELECT * FROM "t" WHERE a IS MISSING AND b IS NOT MISSING)");
  partiql::Bound m = partiql::bind(*missing, {});
  model::Item only_b{{"b", model::Value::string("x")}};
  EXPECT_TRUE(expr::holds(*m.where, &only_b));
  EXPECT_FALSE(expr::holds(*m.where, &item));
}

TEST(PartiqlBind, RefusesWithDynamoDbsWords) {
  const std::string count = "Number of parameters in request and statement don't match.";
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE pk = ?)", {}), count);
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE pk = 'a')", {model::Value::string("x")}), count);
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE pk = ? AND a = ?)", {model::Value::string("x")}),
            count);
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE pk = 1e126)", {}),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range under root");
  EXPECT_EQ(bind_error(R"(INSERT INTO "t" VALUE {'pk': 1, 'm': {'x': 1e-131}})", {}),
            "Number underflow. Attempting to store a number with magnitude smaller than supported "
            "range under root.x");
  EXPECT_EQ(bind_error(R"(INSERT INTO "t" VALUE {'pk': 1, 'l': [1, 1e126]})", {}),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range under root[1]");
  EXPECT_EQ(bind_error(R"(INSERT INTO "t" VALUE {'pk': 1, 's': <<'a', 'a'>>})", {}),
            "One or more parameter values were invalid: Input collection [a, a] contains "
            "duplicates.");
  EXPECT_EQ(bind_error(R"(INSERT INTO "t" VALUE {'pk': 1, 's': <<>>})", {}),
            "Empty bags are not supported");
  EXPECT_EQ(bind_error(R"(INSERT INTO "t" VALUE {'pk': 1, 's': <<true>>})", {}),
            "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
            "bags");
  EXPECT_NE(bind_error(R"(INSERT INTO "t" VALUE {'pk': 1, 's': <<'a', 1>>})", {}), "");
  const std::string order =
      "Incorrect operand type for operator or function; operator or function: ";
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE pk = 'x' AND v < ?)",
                       {model::Value{model::Type::BOOL, "", true}}),
            order + "<, operand type: BOOL");
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE [1] >= v)", {}), order + ">=, operand type: L");
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE v BETWEEN 1 AND null)", {}),
            order + "BETWEEN, operand type: NULL");
  EXPECT_EQ(bind_error(R"(SELECT * FROM "t" WHERE v = true AND w <> null AND x < 'a')", {}), "");
}

}  // namespace
}  // namespace ddb

namespace ddb {
namespace {

model::TableDef music() {
  model::TableDef t;
  t.name = "Music";
  t.hash = {"Artist", model::Type::S};
  t.range = model::KeyAttribute{"Song", model::Type::S};
  model::IndexDef ix;
  ix.name = "ByYear";
  ix.hash = {"Year", model::Type::N};
  ix.range = model::KeyAttribute{"Song", model::Type::S};
  t.indexes.push_back(ix);
  return t;
}

partiql::ReadPlan read_plan(const std::string& text) {
  auto st = partiql::parse(text);
  static std::vector<std::shared_ptr<const partiql::Statement>> keep;
  keep.push_back(st);
  static const model::TableDef table = music();  // the plan points into it
  return partiql::plan_read(partiql::bind(*st, {}), table);
}

TEST(PartiqlPlan, ChoosesGetItemQueryOrScan) {
  using A = partiql::ReadPlan::Access;
  auto get = read_plan(R"(SELECT * FROM Music WHERE Artist = 'a' AND Song = 's' AND x = 1)");
  EXPECT_EQ(get.access, A::GetItem);
  EXPECT_EQ(get.key.size(), 2u);
  ASSERT_TRUE(get.filter);
  EXPECT_EQ(get.filter->kind, expr::Node::Kind::Compare);

  auto q = read_plan(R"(SELECT * FROM Music WHERE 'a' = Artist AND Song > 'm' ORDER BY Song DESC)");
  EXPECT_EQ(q.access, A::Query);
  EXPECT_FALSE(q.forward);
  EXPECT_FALSE(q.filter);
  ASSERT_TRUE(q.key_condition);
  EXPECT_EQ(q.key_condition->kind, expr::Node::Kind::And);

  auto ix = read_plan(R"(SELECT * FROM Music."ByYear" WHERE "Year" = 1999 AND Song = 's')");
  EXPECT_EQ(ix.access, A::Query);
  ASSERT_NE(ix.index, nullptr);
  EXPECT_EQ(ix.index->name, "ByYear");

  EXPECT_EQ(read_plan(R"(SELECT * FROM Music WHERE Artist = 'a' OR Song = 's')").access, A::Scan);
  EXPECT_EQ(read_plan(R"(SELECT * FROM Music WHERE Artist <> 'a')").access, A::Scan);
  EXPECT_EQ(read_plan(R"(SELECT * FROM Music WHERE Artist = 1)").access, A::Scan);
  EXPECT_EQ(read_plan(R"(SELECT * FROM Music)").access, A::Scan);

  // pk IN [...] (or an OR of pk equalities) with the sort key's equality: one GetItem a key,
  // in the order written; a single value is the key itself. (A value twice is two overlapping
  // reads of one partition, which DynamoDB refuses: test_partiql_4.py.)
  auto keys = read_plan(R"(SELECT * FROM Music WHERE Artist IN ['b', 'a'] AND Song = 's')");
  EXPECT_EQ(keys.access, A::Keys);
  ASSERT_EQ(keys.keys.size(), 2u);
  EXPECT_EQ(keys.keys[0].at("Artist").scalar, "b");
  EXPECT_EQ(keys.keys[1].at("Song").scalar, "s");
  EXPECT_FALSE(keys.filter);
  auto ors =
      read_plan(R"(SELECT * FROM Music WHERE Song = 's' AND (Artist = 'a' OR Artist = 'c'))");
  EXPECT_EQ(ors.access, A::Keys);
  EXPECT_EQ(ors.keys.size(), 2u);
  EXPECT_EQ(read_plan(R"(SELECT * FROM Music WHERE Artist IN ['a'] AND Song = 's')").access,
            A::GetItem);
  EXPECT_EQ(read_plan(R"(SELECT * FROM Music WHERE Artist IN ['a', 'b'])").access, A::Scan);
  EXPECT_EQ(read_plan(R"(SELECT * FROM Music WHERE Artist IN ['a', 1] AND Song = 's')").access,
            A::Scan);

  // Keyed: the partition key is conditioned at the top level, even where the read is a Scan.
  EXPECT_TRUE(read_plan(R"(SELECT * FROM Music."ByYear" WHERE "Year" = 1 AND x = 1)").keyed);
  EXPECT_TRUE(read_plan(R"(SELECT * FROM Music."ByYear" WHERE "Year" IN [1, 2] AND x = 1)").keyed);
  EXPECT_FALSE(read_plan(R"(SELECT * FROM Music."ByYear" WHERE x = 1)").keyed);
  EXPECT_FALSE(
      read_plan(R"(SELECT * FROM Music."ByYear" WHERE ("Year" = 1 AND x = 1) OR "Year" = 2)")
          .keyed);
}

TEST(PartiqlPlan, NamesANestedPathByItsLastStep) {
  model::Item item;
  model::Value inner{model::Type::M};
  inner.map["leaf"] = model::Value::string("x");
  model::Value list{model::Type::L};
  list.list = {model::Value::string("a"), model::Value::string("b")};
  item["m"] = model::Value{model::Type::M};
  item["m"].map["deep"] = inner;
  item["m"].map["l"] = list;
  item["top"] = model::Value::string("t");
  auto paths = [](const std::string& text) { return partiql::parse(text)->projection; };
  auto got = partiql::select_list(item, paths(R"(SELECT top, m.deep.leaf, m.absent FROM t)"));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.at("top").scalar, "t");
  EXPECT_EQ(got.at("leaf").scalar, "x");
  // A path that ends in a list index projects as ProjectionExpression does.
  got = partiql::select_list(item, paths(R"(SELECT m.l[1] FROM t)"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.at("m").map.at("l").list.at(0).scalar, "b");
}

TEST(PartiqlPlan, RefusesWithDynamoDbsWords) {
  auto error = [](const std::string& text) -> std::string {
    try {
      read_plan(text);
    } catch (const ApiError& e) {
      return e.message;
    }
    return "";
  };
  EXPECT_EQ(error(R"(SELECT * FROM Music."Nope")"), "The table does not have the specified index");
  EXPECT_EQ(error(R"(SELECT * FROM Music ORDER BY Song)"),
            "Must have WHERE clause in the statement when using ORDER BY clause.");
  EXPECT_EQ(error(R"(SELECT * FROM Music WHERE x = 1 ORDER BY Song)"),
            "Must have at least one non-optional hash key condition in WHERE clause when using "
            "ORDER BY clause.");

  auto write_error = [](const std::string& text) -> std::string {
    auto st = partiql::parse(text);
    try {
      partiql::plan_write(partiql::bind(*st, {}), music());
    } catch (const ApiError& e) {
      return e.message;
    }
    return "";
  };
  const std::string missing =
      "Where clause does not contain a mandatory equality on all key attributes";
  EXPECT_EQ(write_error(R"(DELETE FROM Music WHERE Artist = 'a')"), missing);
  EXPECT_EQ(write_error(R"(DELETE FROM Music WHERE Artist = 'a' OR Song = 's')"), missing);
  EXPECT_EQ(write_error(R"(UPDATE Music SET x = 1)"), missing);
  EXPECT_EQ(write_error(R"(DELETE FROM Music WHERE Artist = 'a' AND Song = 's' AND x = 1)"), "");

  auto st = partiql::parse(R"(DELETE FROM Music WHERE Song = 's' AND x = 1 AND Artist = 'a')");
  auto plan = partiql::plan_write(partiql::bind(*st, {}), music());
  EXPECT_EQ(plan.key.at("Artist"), model::Value::string("a"));
  EXPECT_EQ(plan.key.at("Song"), model::Value::string("s"));
  ASSERT_TRUE(plan.condition);
  EXPECT_EQ(plan.condition->kind, expr::Node::Kind::Compare);
}

}  // namespace
}  // namespace ddb
