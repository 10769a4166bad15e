#include "model/number.h"

#include <algorithm>
#include <cstdint>

#include "model/error.h"

namespace ddb::model {
namespace {

constexpr int kMaxDigits = 38;
constexpr int kMaxSciExponent = 125;   // largest: 9.99..E+125
constexpr int kMinSciExponent = -130;  // smallest: 1E-130

[[noreturn]] void not_numeric(std::string_view text) {
  if (text.empty()) invalid("The parameter cannot be converted to a numeric value");
  invalid("The parameter cannot be converted to a numeric value: " + std::string(text));
}

// |a| vs |b| for digit strings aligned to the same exponent (no leading zeros).
int compare_magnitude(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

std::string add_digits(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int s = carry;
    if (i < a.size()) s += a[a.size() - 1 - i] - '0';
    if (i < b.size()) s += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + s % 10));
    carry = s / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b where |a| >= |b|.
std::string sub_digits(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = a[a.size() - 1 - i] - '0' - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0;
    out.push_back(static_cast<char>('0' + (d + 10) % 10));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

Number Number::make(bool negative, std::string digits, int exponent, bool sum) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Number();
  digits.erase(0, first);
  size_t last = digits.find_last_not_of('0');
  exponent += static_cast<int>(digits.size() - 1 - last);
  digits.resize(last + 1);
  Number n;
  n.negative_ = negative;
  n.digits_ = std::move(digits);
  n.exponent_ = exponent;
  int sci = n.sci_exponent();
  // A sum that loses precision (1E50 + 1) is refused with the overflow message too, as DynamoDB
  // words it.
  if (sci > kMaxSciExponent || (sum && n.digits_.size() > kMaxDigits))
    invalid(
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range");
  if (sci < kMinSciExponent)
    invalid(
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range");
  if (n.digits_.size() > kMaxDigits)
    invalid("Attempting to store more than 38 significant digits in a Number");
  return n;
}

bool exponent_past_int32(std::string_view digits) {
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  return digits.size() > 10 || (digits.size() == 10 && digits > "2147483647");
}

Number Number::parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string digits;
  int64_t fraction = 0;  // digits after the point
  bool any_digit = false, seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      // Leading zeros carry no information; skipping them bounds the work on "000...0001".
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      if (seen_point) ++fraction;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) not_numeric(text);
  int64_t e = 0;
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') not_numeric(text);
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) not_numeric(text);
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') not_numeric(text);
      if (e < int64_t{1} << 40) e = e * 10 + (text[i] - '0');
    }
    if (exp_negative) e = -e;
  }
  // DynamoDB sizes a number by its digits less its scale (the digits after the point less the
  // exponent) in a 32-bit integer, which wraps for exponents near 2^31: 1e2147483647 is
  // answered as an underflow (paritysuite/dynamodb-conformance,
  // tests/tier3/error-messages/partiqlParameterNumbers.test.ts records AWS's answer).
  constexpr int64_t kIntMax = 2147483647;
  int64_t magnitude = static_cast<int64_t>(digits.size()) - fraction + e;
  if (!digits.empty() && magnitude > kIntMax && magnitude <= 2 * kIntMax + 1)
    invalid(
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range");
  // Far outside DynamoDB's range either way: the range checks of make() answer.
  int64_t exponent = std::clamp<int64_t>(e - fraction, -1000000, 1000000);
  return make(negative, std::move(digits), static_cast<int>(exponent));
}

std::string Number::to_string() const {
  if (is_zero()) return "0";
  std::string out = negative_ ? "-" : "";
  int n = static_cast<int>(digits_.size());
  if (exponent_ >= 0) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_), '0');
  } else if (-exponent_ < n) {
    out.append(digits_, 0, static_cast<size_t>(n + exponent_));
    out += '.';
    out.append(digits_, static_cast<size_t>(n + exponent_));
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_ - n), '0');
    out += digits_;
  }
  return out;
}

std::strong_ordering Number::operator<=>(const Number& o) const {
  auto sign = [](const Number& x) { return x.is_zero() ? 0 : (x.negative_ ? -1 : 1); };
  if (int a = sign(*this), b = sign(o); a != b) return a <=> b;
  if (is_zero()) return std::strong_ordering::equal;
  std::strong_ordering mag = sci_exponent() <=> o.sci_exponent();
  if (mag == 0) {
    int c = digits_.compare(o.digits_);  // same leading position: lexicographic is numeric
    mag = c <=> 0;
  }
  return negative_ ? 0 <=> mag : mag;
}

Number Number::operator-() const {
  Number n = *this;
  if (!n.is_zero()) n.negative_ = !n.negative_;
  return n;
}

Number Number::operator+(const Number& o) const {
  if (is_zero()) return o;
  if (o.is_zero()) return *this;
  // Align both to the smaller exponent. Both magnitudes lie within [1E-130, 1E126), so the
  // aligned strings stay under ~300 digits.
  int e = std::min(exponent_, o.exponent_);
  std::string a = digits_ + std::string(static_cast<size_t>(exponent_ - e), '0');
  std::string b = o.digits_ + std::string(static_cast<size_t>(o.exponent_ - e), '0');
  if (negative_ == o.negative_) return make(negative_, add_digits(a, b), e, true);
  int c = compare_magnitude(a, b);
  if (c == 0) return Number();
  return c > 0 ? make(negative_, sub_digits(a, b), e, true)
               : make(o.negative_, sub_digits(b, a), e, true);
}

Number Number::operator-(const Number& o) const { return *this + (-o); }

}  // namespace ddb::model
