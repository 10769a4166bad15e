// The evaluator: each operator and function on each type, binding of names and values,
// and every update action.
#include "expr/eval.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace ddb {
namespace {

model::Item item_of(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  return model::item_from_json(d);
}

// Parses, binds and evaluates `text` against `item` with the given value map.
bool check(const char* text, const char* values, const model::Item* item,
           const char* names = nullptr) {
  rapidjson::Document v, n;
  v.Parse(values);
  if (names) n.Parse(names);
  expr::Bindings b(names ? &n : nullptr, v.ObjectEmpty() ? nullptr : &v);
  auto tree = b.bind(*expr::parse_condition(text), expr::Kind::Condition);
  return expr::holds(tree, item);
}

std::string bind_error(const char* text, const char* values, const char* names = nullptr) {
  rapidjson::Document v, n;
  v.Parse(values);
  if (names) n.Parse(names);
  try {
    expr::Bindings b(names ? &n : nullptr, v.ObjectEmpty() ? nullptr : &v);
    b.bind(*expr::parse_condition(text), expr::Kind::Condition);
    b.check_unused();
  } catch (const ApiError& e) {
    return e.message;
  }
  return "";
}

const model::Item kItem = item_of(R"({
  "s": {"S": "hello"}, "n": {"N": "10"}, "b": {"B": "AQID"}, "t": {"BOOL": true},
  "z": {"NULL": true}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
  "bs": {"BS": ["AQ=="]}, "l": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"k": {"S": "v"}}}]},
  "m": {"M": {"nest": {"M": {"deep": {"N": "7"}}}, "list": {"L": [{"S": "q"}]}}},
  "status": {"S": "on"}
})");

TEST(Evaluator, Comparisons) {
  EXPECT_TRUE(check("n = :v", R"({":v":{"N":"10.0"}})", &kItem));
  EXPECT_TRUE(check("n > :v", R"({":v":{"N":"9.99"}})", &kItem));
  EXPECT_FALSE(check("n < :v", R"({":v":{"N":"-1"}})", &kItem));
  EXPECT_TRUE(check("s >= :v", R"({":v":{"S":"hello"}})", &kItem));
  EXPECT_TRUE(check("s < :v", R"({":v":{"S":"hellp"}})", &kItem));
  EXPECT_TRUE(check("b > :v", R"({":v":{"B":"AQI="}})", &kItem));
  // Different types: false, never an error; <> is true.
  EXPECT_FALSE(check("n = :v", R"({":v":{"S":"10"}})", &kItem));
  EXPECT_FALSE(check("n < :v", R"({":v":{"S":"99"}})", &kItem));
  EXPECT_TRUE(check("n <> :v", R"({":v":{"S":"10"}})", &kItem));
  // Missing attributes: comparisons false, <> true.
  EXPECT_FALSE(check("nope = :v", R"({":v":{"N":"1"}})", &kItem));
  EXPECT_TRUE(check("nope <> :v", R"({":v":{"N":"1"}})", &kItem));
  EXPECT_FALSE(check("nope = :v", R"({":v":{"N":"1"}})", nullptr));
  // Sets compare as sets, maps and lists deeply.
  EXPECT_TRUE(check("ss = :v", R"({":v":{"SS":["y","x"]}})", &kItem));
  EXPECT_TRUE(check("ns = :v", R"({":v":{"NS":["2.50","1"]}})", &kItem));
  EXPECT_TRUE(check("m.nest = :v", R"({":v":{"M":{"deep":{"N":"7"}}}})", &kItem));
  EXPECT_TRUE(check("l[2].k = :v", R"({":v":{"S":"v"}})", &kItem));
  EXPECT_TRUE(check("t = :v", R"({":v":{"BOOL":true}})", &kItem));
  EXPECT_TRUE(check("z = :v", R"({":v":{"NULL":true}})", &kItem));
  EXPECT_FALSE(check("t < s", "{}", &kItem));  // BOOL vs S from the item: false
  EXPECT_THROW(check("t < :v", R"({":v":{"BOOL":true}})", &kItem), ApiError);
  EXPECT_THROW(check("n = n", "{}", &kItem), ApiError);  // operands must differ
}

TEST(Evaluator, BetweenAndIn) {
  EXPECT_TRUE(check("n BETWEEN :a AND :b", R"({":a":{"N":"10"},":b":{"N":"11"}})", &kItem));
  EXPECT_FALSE(check("n BETWEEN :a AND :b", R"({":a":{"N":"11"},":b":{"N":"12"}})", &kItem));
  EXPECT_FALSE(check("n BETWEEN :a AND :b", R"({":a":{"S":"1"},":b":{"S":"2"}})", &kItem));
  EXPECT_TRUE(check("s IN (:a, :b)", R"({":a":{"S":"x"},":b":{"S":"hello"}})", &kItem));
  EXPECT_FALSE(check("s IN (:a)", R"({":a":{"S":"x"}})", &kItem));
}

TEST(Evaluator, Functions) {
  EXPECT_TRUE(check("attribute_exists(m.nest.deep)", "{}", &kItem));
  EXPECT_FALSE(check("attribute_exists(m.nest.absent)", "{}", &kItem));
  EXPECT_TRUE(check("attribute_not_exists(l[5])", "{}", &kItem));
  EXPECT_TRUE(check("attribute_not_exists(pk)", "{}", nullptr));
  for (const char* t : {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"}) {
    std::string attr = std::string(t) == "BOOL"   ? "t"
                       : std::string(t) == "NULL" ? "z"
                       : std::string(t) == "S"    ? "s"
                       : std::string(t) == "N"    ? "n"
                       : std::string(t) == "B"    ? "b"
                       : std::string(t) == "L"    ? "l"
                       : std::string(t) == "M"    ? "m"
                       : std::string(t) == "SS"   ? "ss"
                       : std::string(t) == "NS"   ? "ns"
                                                  : "bs";
    std::string text = "attribute_type(" + attr + ", :t)";
    std::string values = std::string(R"({":t":{"S":")") + t + "\"}}";
    EXPECT_TRUE(check(text.c_str(), values.c_str(), &kItem)) << t;
  }
  EXPECT_TRUE(check("begins_with(s, :p)", R"({":p":{"S":"he"}})", &kItem));
  EXPECT_FALSE(check("begins_with(s, :p)", R"({":p":{"S":"lo"}})", &kItem));
  EXPECT_TRUE(check("begins_with(b, :p)", R"({":p":{"B":"AQ=="}})", &kItem));
  EXPECT_TRUE(check("contains(s, :p)", R"({":p":{"S":"ell"}})", &kItem));
  EXPECT_TRUE(check("contains(ss, :p)", R"({":p":{"S":"y"}})", &kItem));
  EXPECT_TRUE(check("contains(ns, :p)", R"({":p":{"N":"2.5"}})", &kItem));
  EXPECT_FALSE(check("contains(ns, :p)", R"({":p":{"S":"2.5"}})", &kItem));
  EXPECT_TRUE(check("contains(l, :p)", R"({":p":{"N":"2"}})", &kItem));
  EXPECT_TRUE(check("contains(bs, :p)", R"({":p":{"B":"AQ=="}})", &kItem));
  EXPECT_TRUE(check("size(s) = :n", R"({":n":{"N":"5"}})", &kItem));
  EXPECT_TRUE(check("size(b) = :n", R"({":n":{"N":"3"}})", &kItem));
  EXPECT_TRUE(check("size(ss) = :n", R"({":n":{"N":"2"}})", &kItem));
  EXPECT_TRUE(check("size(l) = :n", R"({":n":{"N":"3"}})", &kItem));
  EXPECT_TRUE(check("size(m) = :n", R"({":n":{"N":"2"}})", &kItem));
  EXPECT_FALSE(check("size(n) = :n", R"({":n":{"N":"2"}})", &kItem));
}

TEST(Evaluator, LogicAndNames) {
  EXPECT_TRUE(check("#s = :v", R"({":v":{"S":"on"}})", &kItem, R"({"#s":"status"})"));
  EXPECT_TRUE(
      check("NOT n = :a OR n = :a AND s = :s", R"({":a":{"N":"10"},":s":{"S":"hello"}})", &kItem));
  EXPECT_FALSE(check("NOT (n = :a OR s = :s)", R"({":a":{"N":"1"},":s":{"S":"hello"}})", &kItem));
}

TEST(Bindings, RefusesUndefinedUnusedAndMalformed) {
  EXPECT_EQ(bind_error("a = :x", R"({":y":{"S":"1"}})"),
            "Invalid ConditionExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :x");
  EXPECT_EQ(bind_error("#a = :y", R"({":y":{"S":"1"}})", R"({"#b":"x"})"),
            "Invalid ConditionExpression: An expression attribute name used in the document "
            "path is not defined; attribute name: #a");
  EXPECT_EQ(bind_error("a = :y", R"({":y":{"S":"1"},":z":{"S":"2"}})"),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}");
  EXPECT_EQ(bind_error("a = :y", R"({":y":{"S":"1"}})", R"({"#b":"x"})"),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
  EXPECT_EQ(bind_error("a = :y", R"({"y":{"S":"1"}})"),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"y\"");
  EXPECT_EQ(bind_error("a = :y", R"({":y":{"SS":[]}})"),
            "ExpressionAttributeValues contains invalid value: One or more parameter values were "
            "invalid: An string set  may not be empty for key :y");
  EXPECT_EQ(bind_error("a BETWEEN :h AND :l", R"({":h":{"N":"5"},":l":{"N":"1"}})"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper "
            "bound operand: AttributeValue: {N:1}");
  EXPECT_EQ(bind_error("attribute_type(a, :t)", R"({":t":{"S":"X"}})"),
            "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid "
            "types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  EXPECT_EQ(bind_error("begins_with(a, :t)", R"({":t":{"N":"1"}})"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  // A function's operands are counted and typed once names and values are resolved.
  struct Case {
    const char *text, *values, *message;
  };
  const Case cases[] = {
      {"attribute_exists(a, b)", "{}",
       "Incorrect number of operands for operator or function; operator or function: "
       "attribute_exists, number of operands: 2"},
      {"attribute_exists(#p.q, :v)", R"({":v":{"S":"1"}})",
       "An expression attribute name used in the document path is not defined; attribute "
       "name: #p"},
      {"attribute_exists(:v)", R"({":v":{"S":"1"}})",
       "Operator or function requires a document path; operator or function: attribute_exists"},
      {"begins_with(size(a), :v)", R"({":v":{"S":"1"}})",
       "Incorrect operand type for operator or function; operator or function: begins_with, "
       "operand type: N"},
      {"size(size(a)) = :v", R"({":v":{"N":"1"}})",
       "Incorrect operand type for operator or function; operator or function: size, operand "
       "type: N"},
      {"size(:v) = :v", R"({":v":{"N":"1"}})",
       "Incorrect operand type for operator or function; operator or function: size, operand "
       "type: N"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(bind_error(c.text, c.values),
              std::string("Invalid ConditionExpression: ") + c.message)
        << c.text;
}

model::TableDef table() {
  model::TableDef t;
  t.hash = {"pk", model::Type::S};
  return t;
}

model::Item updated(const char* item, const char* update, const char* values = "{}") {
  rapidjson::Document v;
  v.Parse(values);
  expr::Bindings b(nullptr, v.ObjectEmpty() ? nullptr : &v);
  auto u = b.bind(*expr::parse_update(update));
  model::Item it = item_of(item);
  expr::apply(u, table(), it);
  return it;
}

std::string update_error(const char* item, const char* update, const char* values = "{}") {
  try {
    updated(item, update, values);
  } catch (const ApiError& e) {
    return e.message;
  }
  return "";
}

TEST(Update, SetArithmeticAndFunctions) {
  EXPECT_EQ(
      updated(R"({"pk":{"S":"k"},"n":{"N":"0.1"}})", "SET n = n + :v", R"({":v":{"N":"0.2"}})"),
      item_of(R"({"pk":{"S":"k"},"n":{"N":"0.3"}})"));
  EXPECT_EQ(updated(R"({"pk":{"S":"k"}})", "SET n = if_not_exists(n, :z) - :v",
                    R"({":z":{"N":"5"},":v":{"N":"7"}})"),
            item_of(R"({"pk":{"S":"k"},"n":{"N":"-2"}})"));
  EXPECT_EQ(updated(R"({"pk":{"S":"k"},"l":{"L":[{"N":"1"}]}})", "SET l = list_append(:a, l)",
                    R"({":a":{"L":[{"N":"0"}]}})"),
            item_of(R"({"pk":{"S":"k"},"l":{"L":[{"N":"0"},{"N":"1"}]}})"));
  // Operands read the item as it was: a swap works.
  EXPECT_EQ(updated(R"({"pk":{"S":"k"},"a":{"N":"1"},"b":{"N":"2"}})", "SET a = b, b = a"),
            item_of(R"({"pk":{"S":"k"},"a":{"N":"2"},"b":{"N":"1"}})"));
  // Nested map and list paths; an index past the end appends.
  EXPECT_EQ(
      updated(R"({"pk":{"S":"k"},"m":{"M":{"l":{"L":[{"S":"a"}]}}}})", "SET m.x = :v, m.l[5] = :v",
              R"({":v":{"S":"z"}})"),
      item_of(R"({"pk":{"S":"k"},"m":{"M":{"x":{"S":"z"},"l":{"L":[{"S":"a"},{"S":"z"}]}}}})"));
}

TEST(Update, RemoveAddDelete) {
  EXPECT_EQ(
      updated(
          R"({"pk":{"S":"k"},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]},"x":{"S":"1"}})",
          "REMOVE l[1], l[3], x, nothing"),
      item_of(R"({"pk":{"S":"k"},"l":{"L":[{"N":"0"},{"N":"2"}]}})"));
  EXPECT_EQ(updated(R"({"pk":{"S":"k"},"n":{"N":"1"},"s":{"SS":["a"]}})",
                    "ADD n :one, s :s, fresh :one", R"({":one":{"N":"1"},":s":{"SS":["a","b"]}})"),
            item_of(R"({"pk":{"S":"k"},"n":{"N":"2"},"s":{"SS":["a","b"]},"fresh":{"N":"1"}})"));
  EXPECT_EQ(updated(R"({"pk":{"S":"k"},"s":{"NS":["1","2"]},"t":{"NS":["1"]}})",
                    "DELETE s :d, t :d", R"({":d":{"NS":["1"]}})"),
            item_of(R"({"pk":{"S":"k"},"s":{"NS":["2"]}})"));
}

TEST(Update, RefusesWithDynamoDbMessages) {
  EXPECT_EQ(
      update_error(R"({"pk":{"S":"k"}})", "SET a = if_not_exists(:v, b)", R"({":v":{"S":"x"}})"),
      "Invalid UpdateExpression: Operator or function requires a document path; operator or "
      "function: if_not_exists");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"}})", "SET a = list_append(:v)", R"({":v":{"L":[]}})"),
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
            "operator or function: list_append, number of operands: 1");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"}})", "SET pk = :v", R"({":v":{"S":"x"}})"),
            "One or more parameter values were invalid: Cannot update attribute pk. This "
            "attribute is part of the key");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"}})", "SET a = :v REMOVE a.b", R"({":v":{"S":"x"}})"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, b]");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"}})", "SET a.b = :v REMOVE a[1]", R"({":v":{"S":"x"}})"),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
            "or rewrite one of these paths; path one: [a, b], path two: [a, [1]]");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"},"s":{"S":"x"}})", "ADD s :n", R"({":n":{"N":"1"}})"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"}})", "ADD s :n", R"({":n":{"S":"1"}})"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_EQ(
      update_error(R"({"pk":{"S":"k"},"s":{"S":"x"}})", "SET s = s + :n", R"({":n":{"N":"1"}})"),
      "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"}})", "SET a.b = :n", R"({":n":{"N":"1"}})"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(update_error(R"({"pk":{"S":"k"}})", "SET a = b"),
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(
      update_error(R"({"pk":{"S":"k"},"n":{"N":"9.9999999999999999999999999999999999999e125"}})",
                   "SET n = n + n"),
      "Number overflow. Attempting to store a number with magnitude larger than supported "
      "range");
}

TEST(Projection, PicksNestedPathsAndListElementsInOrder) {
  rapidjson::Document empty;
  expr::Bindings b(nullptr, nullptr);
  auto paths = b.bind(*expr::parse_projection("m.nest.deep, l[2].k, l[0], s, absent"),
                      expr::Kind::Projection);
  EXPECT_EQ(expr::project(kItem, paths), item_of(R"({
    "m": {"M": {"nest": {"M": {"deep": {"N": "7"}}}}},
    "l": {"L": [{"S": "a"}, {"M": {"k": {"S": "v"}}}]},
    "s": {"S": "hello"}})"));
  EXPECT_THROW(b.bind(*expr::parse_projection("a, a.b"), expr::Kind::Projection), ApiError);
}

}  // namespace
}  // namespace ddb
