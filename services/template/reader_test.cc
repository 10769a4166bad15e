#include "template/reader.h"

#include <gtest/gtest.h>

namespace tmpl {
namespace {

std::string read_error(const std::string& text) {
  try {
    read_template(text);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

TEST(TemplateReader, ShortFormsBecomeLongForms) {
  Value v = read_template(
      "a: !Ref X\n"
      "b: !GetAtt A.B\n"
      "c: !Sub [\"x${y}\", {y: !Ref Z}]\n"
      "d: !Condition C\n"
      "e: !If [C, 1, 2]\n");
  EXPECT_EQ(*v.find("a"), Value::of_map({{"Ref", Value::string("X")}}));
  EXPECT_EQ(*v.find("b"), Value::of_map({{"Fn::GetAtt", Value::string("A.B")}}));
  const Value& sub = v.find("c")->map.front().second;
  EXPECT_EQ(v.find("c")->map.front().first, "Fn::Sub");
  ASSERT_TRUE(sub.is_list());
  EXPECT_EQ(sub.list[0], Value::string("x${y}"));
  EXPECT_EQ(*sub.list[1].find("y"), Value::of_map({{"Ref", Value::string("Z")}}));
  EXPECT_EQ(*v.find("d"), Value::of_map({{"Condition", Value::string("C")}}));
  EXPECT_EQ(v.find("e")->map.front().first, "Fn::If");
}

TEST(TemplateReader, PlainScalarsGetTheirKindsQuotedOnesStayStrings) {
  Value v = read_template("n: 10\nq: '10'\nb: true\nqb: \"true\"\nz: ~\ne:\ns: abc\nf: 1.5\n");
  EXPECT_EQ(*v.find("n"), Value::number("10"));
  EXPECT_EQ(*v.find("q"), Value::string("10"));
  EXPECT_EQ(*v.find("b"), Value::of_bool(true));
  EXPECT_EQ(*v.find("qb"), Value::string("true"));
  EXPECT_TRUE(v.find("z")->is_null());
  EXPECT_TRUE(v.find("e")->is_null());
  EXPECT_EQ(*v.find("s"), Value::string("abc"));
  EXPECT_EQ(*v.find("f"), Value::number("1.5"));
}

TEST(TemplateReader, ReadsJsonTemplates) {
  Value v = read_template(
      "\n\t{\"Resources\": {\"T\": {\"Type\": \"X\", \"N\": 5, \"L\": [true, null]}}}");
  const Value* t = v.find("Resources")->find("T");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(*t->find("N"), Value::number("5"));
  EXPECT_EQ(t->find("L")->list.size(), 2u);
}

TEST(TemplateReader, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(read_error("a: 1\nb: [1,\n"), "template: line 3: end of sequence flow not found");
  EXPECT_EQ(read_error("{\"a\": 1,\n\"b\": }"), "template: line 2: Invalid value.");
}

TEST(TemplateReader, RefusesUnknownTagsAndDuplicateKeys) {
  EXPECT_EQ(read_error("a: 1\nb: !Bogus x\n"), "template: line 2: unknown tag !Bogus");
  EXPECT_EQ(read_error("a: 1\na: 2\n"), "template: line 2: duplicate key a");
}

TEST(TemplateReader, RefusesAliasesThatExpandBeyondATemplate) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (int i = 0; i < 7; ++i) {
    std::string name = "l" + std::to_string(i);
    text += name + ": &" + name + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *" : "*") + prev;
    text += "]\n";
    prev = name;
  }
  EXPECT_NE(read_error(text).find("too many nodes"), std::string::npos);
}

}  // namespace
}  // namespace tmpl
