#include "model/number.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace ddb {
namespace {

using model::Number;

std::string canon(const char* s) { return Number::parse(s).to_string(); }

std::string error_of(const char* s) {
  try {
    Number::parse(s);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, Code::Validation);
    return e.message;
  }
  return "";
}

TEST(Number, NormalisesToPlainNotation) {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "0"},      {"-0", "0"},    {"0.000", "0"},          {"+7", "7"},
      {"1.50", "1.5"}, {"1e2", "100"}, {"1E-5", "0.00001"},     {"-1.23e1", "-12.3"},
      {".5", "0.5"},   {"5.", "5"},    {"00012.3400", "12.34"},
  };
  for (const auto& [in, out] : cases) {
    if (!out) continue;
    EXPECT_EQ(canon(in), out) << in;
  }
  EXPECT_EQ(canon("1e-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(canon("9.9999999999999999999999999999999999999E+125"),
            "99999999999999999999999999999999999999" + std::string(88, '0'));
}

TEST(Number, RejectsMalformedWithDynamoDbMessage) {
  EXPECT_EQ(error_of("abc"), "The parameter cannot be converted to a numeric value: abc");
  EXPECT_EQ(error_of(""), "The parameter cannot be converted to a numeric value");
  for (const char* bad :
       {"1e", "--1", "1.2.3", "e5", "1e+", " 1", "1 ", "0x10", "NaN", "Infinity", "."})
    EXPECT_NE(error_of(bad).find("cannot be converted to a numeric value"), std::string::npos)
        << bad;
}

TEST(Number, EnforcesRangeAndPrecision) {
  EXPECT_EQ(error_of("1e126"),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
  EXPECT_EQ(error_of("-1e126"),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
  EXPECT_EQ(error_of("1e-131"),
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range");
  EXPECT_EQ(error_of("123456789012345678901234567890123456789"),
            "Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(error_of("-1.23456789012345678901234567890123456789"),
            "Attempting to store more than 38 significant digits in a Number");
  // 38 digits with trailing zeros beyond them are fine: zeros are not significant.
  EXPECT_EQ(canon("12345678901234567890123456789012345678000"),
            "12345678901234567890123456789012345678000");
  EXPECT_EQ(error_of("1e99999999999"),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
  // Digits less scale past a 32-bit integer wraps, as DynamoDB computes it: an underflow.
  const std::string underflow =
      "Number underflow. Attempting to store a number with magnitude smaller than supported "
      "range";
  EXPECT_EQ(error_of("1e2147483647"), underflow);
  EXPECT_EQ(error_of("10e2147483646"), underflow);
  EXPECT_EQ(error_of("1e2147483646"),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
  EXPECT_EQ(error_of("1e-2147483647"), underflow);
  EXPECT_EQ(canon("0e2147483647"), "0");
  EXPECT_EQ(canon("12.5e-1"), "1.25");
}

TEST(Number, OrdersNumerically) {
  const char* ascending[] = {"-1e125", "-100",    "-10", "-9.5",   "-1",   "-0.123",
                             "-0.12",  "-1e-130", "0",   "1e-130", "0.12", "0.123",
                             "1",      "9.5",     "10",  "100",    "1e125"};
  for (size_t i = 0; i + 1 < std::size(ascending); ++i) {
    EXPECT_LT(Number::parse(ascending[i]), Number::parse(ascending[i + 1]))
        << ascending[i] << " < " << ascending[i + 1];
  }
  EXPECT_EQ(Number::parse("1.0"), Number::parse("1"));
  EXPECT_EQ(Number::parse("100"), Number::parse("1e2"));
}

TEST(Number, AddsAndSubtractsExactly) {
  auto sum = [](const char* a, const char* b) {
    return (Number::parse(a) + Number::parse(b)).to_string();
  };
  auto diff = [](const char* a, const char* b) {
    return (Number::parse(a) - Number::parse(b)).to_string();
  };
  EXPECT_EQ(sum("0.1", "0.2"), "0.3");
  EXPECT_EQ(sum("1", "-1"), "0");
  EXPECT_EQ(sum("-5", "3"), "-2");
  EXPECT_EQ(sum("99999999999999999999999999999999999999", "1"),
            "100000000000000000000000000000000000000");
  EXPECT_EQ(diff("1", "0.0000001"), "0.9999999");
  EXPECT_EQ(diff("-1.5", "-1.5"), "0");
  EXPECT_EQ(sum("12345678901234567890123456789012345678", "0"),
            "12345678901234567890123456789012345678");
  // A result needing more than 38 significant digits is refused, not rounded, and DynamoDB
  // words it as an overflow (1E50 + 1 has 51 digits).
  const std::string overflow =
      "Number overflow. Attempting to store a number with magnitude larger than supported range";
  for (auto [a, b] :
       {std::pair{"1e20", "0.000000000000000000001"}, {"1e50", "1"}, {"1e50", "-1"}}) {
    try {
      sum(a, b);
      ADD_FAILURE() << a << " + " << b;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.message, overflow);
    }
  }
  EXPECT_THROW(sum("9.9999999999999999999999999999999999999e125",
                   "9.9999999999999999999999999999999999999e125"),
               ApiError);
}

}  // namespace
}  // namespace ddb
