// DynamoDB's Number: an exact decimal of up to 38 significant digits whose magnitude lies in
// [1E-130, 1E126). Never a double: comparison, printing and arithmetic are exact.
#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace ddb::model {

class Number {
 public:
  Number() = default;  // zero

  // Parses DynamoDB's number syntax ("-1.5e3", "+7", ".5"); throws ApiError
  // (Validation) with DynamoDB's message on malformed, out-of-range or too-precise input.
  static Number parse(std::string_view text);

  // Canonical plain notation, as DynamoDB returns numbers: "100", "0.00001", "-1.5".
  std::string to_string() const;

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  // The significant digits, no leading or trailing zeros; empty for zero.
  const std::string& digits() const { return digits_; }
  // Exponent in scientific notation: value = d.ddd x 10^sci_exponent().
  int sci_exponent() const { return exponent_ + static_cast<int>(digits_.size()) - 1; }

  // Exact sum/difference; throws ApiError when the result does not fit a DynamoDB Number
  // (DynamoDB's overflow message also for a result that would need more than 38 digits).
  Number operator+(const Number& o) const;
  Number operator-(const Number& o) const;
  Number operator-() const;

  std::strong_ordering operator<=>(const Number& o) const;
  bool operator==(const Number& o) const = default;

 private:
  // Normalises and checks the range and precision; `sum` words a result of + or - that needs
  // more than 38 digits as DynamoDB does (an overflow).
  static Number make(bool negative, std::string digits, int exponent, bool sum = false);
  bool negative_ = false;
  std::string digits_;  // value = digits_ x 10^exponent_
  int exponent_ = 0;
};

// Whether an exponent written as decimal digits (no sign, leading zeros allowed) is past what a
// 32-bit integer holds: DynamoDB cannot read such a number at all (a PartiQL literal is "not well
// formed", a parameter "cannot be converted to a numeric value").
bool exponent_past_int32(std::string_view digits);

}  // namespace ddb::model
