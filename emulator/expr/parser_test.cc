// Table-driven tests of the expression parser: what parses, and DynamoDB's words for what
// does not.
#include "expr/parser.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace ddb {
namespace {

using expr::Kind;

std::string condition_error(const std::string& text, Kind kind = Kind::Condition) {
  try {
    expr::parse_condition(text, kind);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, Code::Validation);
    return e.message;
  }
  return "";
}

std::string update_error(const std::string& text) {
  try {
    expr::parse_update(text);
  } catch (const ApiError& e) {
    return e.message;
  }
  return "";
}

TEST(ConditionParser, AcceptsTheGrammar) {
  for (const char* ok : {
           "a = :v",
           "a <> :v",
           "a < :v",
           "a <= :v",
           "a > :v",
           "a >= :v",
           "#n = :v",
           "a.b.c = :v",
           "a[0] = :v",
           "a.b[2].c[10] = :v",
           "a BETWEEN :lo AND :hi",
           "a IN (:x)",
           "a IN (:x, :y, :z)",
           "attribute_exists(a)",
           "attribute_not_exists(#n.b)",
           "attribute_type(a, :t)",
           "begins_with(a, :p)",
           "contains(a, :x)",
           "size(a) > :n",
           ":n < size(a.b)",
           "NOT a = :v",
           "not a = :v",
           "a = :v AND b = :w OR c = :x",
           "(a = :v OR b = :w) AND NOT (c = :x)",
           "((a = :v) OR b = :w)",
           "a = b",
           "a.b = c[1]",
           "a=:v and b<>:w",
           "NOT NOT attribute_exists(a)",
           "a1 = :v",
           "a_ = :v",
       }) {
    EXPECT_EQ(condition_error(ok), "") << ok;
  }
}

TEST(ConditionParser, RefusesWithDynamoDbMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "Invalid ConditionExpression: The expression can not be empty;"},
      {"   ", "Invalid ConditionExpression: The expression can not be empty;"},
      {"a = ", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \""},
      {"a = = :v", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :v\""},
      {"a :v", "Invalid ConditionExpression: Syntax error; token: \":v\", near: \"a :v\""},
      {"status = :v",
       "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
       "status"},
      {"a.Name = :v",
       "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Name"},
      {"foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"},
      {"size(a)",
       "Invalid ConditionExpression: The function is not allowed to be used this way in an "
       "expression; function: size"},
      {"attribute_exists(a) = :v",
       "Invalid ConditionExpression: The function is not allowed to be used this way in an "
       "expression; function: attribute_exists"},
      {"if_not_exists(a, :v) = :v",
       "Invalid ConditionExpression: The function is not allowed in a condition expression; "
       "function: if_not_exists"},
      {"a = :v AND", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\""},
      {"(a = :v", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\""},
      {"a[x] = :v", "Invalid ConditionExpression: Syntax error; token: \"x\", near: \"[x]\""},
      {"((a = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
      {"_a = :v", "Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_a\""},
      {"a = :v $", "Invalid ConditionExpression: Syntax error; token: \"$\", near: \":v $\""},
  };
  for (const auto& [text, message] : cases) EXPECT_EQ(condition_error(text), message) << text;
  EXPECT_EQ(condition_error("a = = :v", Kind::Filter),
            "Invalid FilterExpression: Syntax error; token: \"=\", near: \"= = :v\"");
}

TEST(ConditionParser, TakesOperandsInParentheses) {
  for (const char* ok :
       {"a > (b)", "(a) = :v", "(size(a)) > :n", "(a) BETWEEN (:lo) AND (:hi)", "(a) IN ((:x), :y)",
        "contains((a), (:v))", "((a) = :v)", "NOT (a) = :v", "(a = :v) AND (b) <> :w"}) {
    EXPECT_EQ(condition_error(ok), "") << ok;
  }
  auto tree = expr::parse_condition("(a.b[1]) = (:v)");
  ASSERT_EQ(tree->kind, expr::Node::Kind::Compare);
  EXPECT_EQ(tree->kids[0].kind, expr::Node::Kind::Path);
  EXPECT_EQ(tree->kids[0].path.size(), 3u);
  EXPECT_EQ(tree->kids[1].kind, expr::Node::Kind::ValueRef);
  for (const char* syntax : {"(a).b = :v", "(size(a)).b > a", "(size(a))[0] > a", "(a) AND b"})
    EXPECT_EQ(condition_error(syntax).rfind("Invalid ConditionExpression: Syntax error; ", 0), 0u)
        << syntax;
  // DynamoDB's order of faults, as dynalite's test/scan.js records it: redundant parentheses,
  // then an unknown function, a misused function and a reserved word.
  const std::pair<const char*, const char*> cases[] = {
      {"a=a and a > ((views))", "The expression has redundant parentheses;"},
      {"a > whatever((:things), ((a)))", "The expression has redundant parentheses;"},
      {"attRIbute_exIsts((views), #a)", "Invalid function name; function: attRIbute_exIsts"},
      {"a=a and attribute_exists((views), (#a)) > b",
       "The function is not allowed to be used this way in an expression; function: "
       "attribute_exists"},
      {"status = :v AND (", "Syntax error; token: \"<EOF>\", near: \"(\""},
  };
  for (const auto& [text, message] : cases)
    EXPECT_EQ(condition_error(text), std::string("Invalid ConditionExpression: ") + message)
        << text;
}

TEST(ConditionParser, ListIndexHasNoLeadingZero) {
  EXPECT_EQ(condition_error("a[01] = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"1\", near: \"01]\"");
  EXPECT_EQ(condition_error("a[0] = :v AND a[10] = :v"), "");
}

TEST(ConditionParser, BoundsSizeAndDepth) {
  std::string big = "a = :v";
  while (big.size() <= 4096) big += " OR a = :v";
  EXPECT_NE(condition_error(big).find("Expression size has exceeded the maximum allowed size"),
            std::string::npos);
  std::string deep(300, '(');
  deep += "a = :v" + std::string(300, ')');
  EXPECT_NE(condition_error(deep), "");  // refused, not a stack overflow
  std::string path = "a";
  for (int i = 0; i < 40; ++i) path += ".b";
  EXPECT_NE(condition_error(path + " = :v").find("too many nesting levels"), std::string::npos);
}

TEST(ConditionParser, PrecedenceIsNotThenAndThenOr) {
  auto tree = expr::parse_condition("a = :a OR b = :b AND NOT c = :c");
  ASSERT_EQ(tree->kind, expr::Node::Kind::Or);
  EXPECT_EQ(tree->kids[0].kind, expr::Node::Kind::Compare);
  ASSERT_EQ(tree->kids[1].kind, expr::Node::Kind::And);
  EXPECT_EQ(tree->kids[1].kids[1].kind, expr::Node::Kind::Not);
}

TEST(ConditionParser, CachesByText) {
  auto a = expr::parse_condition("x = :cached");
  auto b = expr::parse_condition("x = :cached");
  EXPECT_EQ(a.get(), b.get());
}

TEST(UpdateParser, AcceptsEveryClause) {
  auto u = expr::parse_update(
      "SET a = :v, b.c[1] = b.c[0] + :one, d = if_not_exists(d, :z), e = list_append(e, :l) "
      "REMOVE f, g[2] ADD h :n DELETE s :set");
  ASSERT_EQ(u->actions.size(), 8u);
  EXPECT_EQ(u->actions[1].value.kind, expr::Node::Kind::Plus);
  EXPECT_EQ(u->actions[4].kind, expr::UpdateAction::Kind::Remove);
  EXPECT_EQ(u->actions[6].kind, expr::UpdateAction::Kind::Add);
  EXPECT_EQ(update_error("set a = :v remove b"), "");
}

TEST(UpdateParser, TakesParenthesisedSetValues) {
  // ElectroDB's decrement, and parentheses on either side of + and -.
  auto u = expr::parse_update(
      "SET #c = (if_not_exists(#c, :zero) - :n), a = (:x) + (b), d = ((e) - (:y)), f = (g)");
  ASSERT_EQ(u->actions.size(), 4u);
  EXPECT_EQ(u->actions[0].value.kind, expr::Node::Kind::Minus);
  EXPECT_EQ(u->actions[0].value.kids[0].kind, expr::Node::Kind::Call);
  EXPECT_EQ(u->actions[1].value.kind, expr::Node::Kind::Plus);
  EXPECT_EQ(u->actions[1].value.kids[1].kind, expr::Node::Kind::Path);
  EXPECT_EQ(u->actions[2].value.kind, expr::Node::Kind::Minus);
  EXPECT_EQ(u->actions[3].value.kind, expr::Node::Kind::Path);
  EXPECT_EQ(update_error("SET a = if_not_exists((a), (:z))"), "");
  for (const char* bad : {"SET a = (:x", "SET a = :x)", "SET a = ()", "SET (a) = :x"})
    EXPECT_NE(update_error(bad), "") << bad;
  // A sum is no operand, and one pair of parentheses is all an operand or a sum takes.
  EXPECT_EQ(update_error("SET a = :x - (:y - :z)"),
            "Invalid UpdateExpression: Syntax error; token: \"-\", near: \":y - :z\"");
  EXPECT_EQ(update_error("SET a = (:x - :y) - :z"),
            "Invalid UpdateExpression: Syntax error; token: \"-\", near: \":x - :y\"");
  for (const char* redundant : {"SET a = ((b))", "SET a = ((b + :x))", "SET a = ((b)) + :x"})
    EXPECT_EQ(update_error(redundant),
              "Invalid UpdateExpression: The expression has redundant parentheses;")
        << redundant;
}

TEST(UpdateParser, RefusesWithDynamoDbMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"SET a = :v SET b = :w",
       "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
       "expression;"},
      {"SET a = :v,", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\""},
      {"a = :v", "Invalid UpdateExpression: Syntax error; token: \"a\", near: \"a =\""},
      {"ADD a b", "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\""},
      {"SET a = attribute_exists(b)",
       "Invalid UpdateExpression: The function is not allowed in an update expression; "
       "function: attribute_exists"},
      {"SET #a = :v + :w + :x",
       "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":w + :x\""},
      {"REMOVE size",
       "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: size"},
      // DynamoDB's order, as dynalite's test/updateItem.js records it: a syntax error, then a
      // reserved word, an unknown function and a section used twice.
      {"add abort b", "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"abort b\""},
      {" set #c = :c set abOrt = true ",
       "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt"},
      {"set #c = if_not_exist(:c) set c = d",
       "Invalid UpdateExpression: Invalid function name; function: if_not_exist"},
  };
  for (const auto& [text, message] : cases) EXPECT_EQ(update_error(text), message) << text;
}

TEST(ProjectionParser, ParsesPathsAndRefusesJunk) {
  auto p = expr::parse_projection("a, b.c, d[3], #e");
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ((*p)[2][1].index, 3);
  EXPECT_THROW(expr::parse_projection("a,"), ApiError);
  EXPECT_THROW(expr::parse_projection("a = b"), ApiError);
}

}  // namespace
}  // namespace ddb
