// The Authorization header's checks and the SigV4 verifier: AWS's published test suite
// (tests/services/sigv4), then each refusal with DynamoDB's __type and message.
#include "http/signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "awsproto/sigv4.h"

namespace ddb::http {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::filesystem::path kSuiteDir = SIGV4_SUITE_DIR;
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

// A suite .req file as the emulator's parser hands it over: method, target, headers with
// lower-case names, body.
struct SuiteRequest {
  std::string method, target, body;
  Headers headers;
};

SuiteRequest parse_suite_request(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (!text.empty() && text.back() == '\n') lines.push_back("");
  SuiteRequest r;
  const std::string& first = lines.at(0);
  r.method = first.substr(0, first.find(' '));
  r.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
  size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      r.headers.emplace_back(r.headers.back().first, trim(line));
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  for (++i; i < lines.size(); ++i) {
    if (!r.body.empty()) r.body += '\n';
    r.body += lines[i];
  }
  return r;
}

std::string signature_of(const std::string& authorization) {
  return authorization.substr(authorization.find("Signature=") + 10);
}

// Each case of AWS's suite: the verifier computes the signature AWS published for it.
TEST(ExpectedSignature, MatchesAwsPublishedTestSuite) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSuiteDir)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename().string();
    SuiteRequest req = parse_suite_request(read_file(entry.path() / (name + ".req")));
    std::string authz = trim(read_file(entry.path() / (name + ".authz")));
    SignedRequest signed_request{req.method, req.target, &req.headers, req.body};
    EXPECT_EQ(expected_signature(signed_request, authz, kSecret), signature_of(authz)) << name;
    ++checked;
  }
  EXPECT_GE(checked, 17);
}

// The documented get-vanilla case, spelled out.
TEST(ExpectedSignature, GetVanilla) {
  Headers headers{{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}};
  SignedRequest r{"GET", "/", &headers, ""};
  EXPECT_EQ(expected_signature(r,
                               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                               "aws4_request, SignedHeaders=host;x-amz-date, Signature=x",
                               kSecret),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

constexpr int64_t kNow = 1440938160000;  // 2015-08-30T12:36:00Z

// A DynamoDB request signed by the project's signer.
struct Fixture {
  Headers headers;
  std::string body = "{}";
  std::string authorization;

  explicit Fixture(std::string_view date = "20150830T123600Z",
                   std::string_view region = "us-east-1", std::string_view service = "dynamodb",
                   std::string_view secret = kSecret, std::string_view token = "") {
    awsproto::Request req;
    req.method = "POST";
    req.headers = {{"Host", "dynamodb.us-east-1.amazonaws.com"},
                   {"Content-Type", "application/x-amz-json-1.0"},
                   {"X-Amz-Target", "DynamoDB_20120810.ListTables"}};
    req.body = body;
    awsproto::sign(req, {"AKIDEXAMPLE", std::string(secret), std::string(token)}, region, service,
                   date);
    for (auto& [n, v] : req.headers) {
      if (n == "Authorization")
        authorization = v;
      else
        headers.emplace_back(lower(n), v);
    }
  }
  std::optional<AuthError> verify(const KeyPairs& keys = {{"AKIDEXAMPLE", kSecret}},
                                  int64_t now = kNow) const {
    SignedRequest r{"POST", "/", &headers, body};
    return verify_signature(r, authorization, keys, now);
  }
};

void expect_error(const std::optional<AuthError>& e, std::string_view type,
                  std::string_view message) {
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, "com.amazon.coral.service#" + std::string(type));
  EXPECT_EQ(e->message, message);
}

TEST(VerifySignature, AcceptsWhatTheSignerSigns) {
  EXPECT_FALSE(Fixture().verify().has_value());
  // A session token is signed like any header; its value is not checked.
  EXPECT_FALSE(Fixture("20150830T123600Z", "us-east-1", "dynamodb", kSecret, "any-token")
                   .verify()
                   .has_value());
  // Fifteen minutes either way are fine.
  EXPECT_FALSE(Fixture().verify({{"AKIDEXAMPLE", kSecret}}, kNow + 15 * 60 * 1000).has_value());
  EXPECT_FALSE(Fixture().verify({{"AKIDEXAMPLE", kSecret}}, kNow - 15 * 60 * 1000).has_value());
}

TEST(VerifySignature, WrongSecretUnknownKeyAndTamperedRequest) {
  expect_error(Fixture("20150830T123600Z", "us-east-1", "dynamodb", "other").verify(),
               "InvalidSignatureException",
               "The request signature we calculated does not match the signature you provided. "
               "Check your AWS Secret Access Key and signing method. Consult the service "
               "documentation for details.");
  expect_error(Fixture().verify({{"AKIDOTHER", kSecret}}), "UnrecognizedClientException",
               "The security token included in the request is invalid.");
  Fixture tampered;
  tampered.body = "{\"Limit\":1}";
  EXPECT_EQ(tampered.verify()->type, "com.amazon.coral.service#InvalidSignatureException");
  Fixture header_changed;
  header_changed.headers[2].second = "DynamoDB_20120810.DeleteTable";
  EXPECT_EQ(header_changed.verify()->type, "com.amazon.coral.service#InvalidSignatureException");
  // A payload hash that is not the body's.
  Fixture sha;
  sha.headers.emplace_back("x-amz-content-sha256", std::string(64, '0'));
  EXPECT_EQ(sha.verify()->type, "com.amazon.coral.service#InvalidSignatureException");
}

TEST(VerifySignature, SignatureExpiredOrNotYetCurrent) {
  Fixture f;
  expect_error(f.verify({{"AKIDEXAMPLE", kSecret}}, kNow + 16 * 60 * 1000),
               "InvalidSignatureException",
               "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
               "(20150830T125200Z - 15 min.)");
  expect_error(f.verify({{"AKIDEXAMPLE", kSecret}}, kNow - 16 * 60 * 1000),
               "InvalidSignatureException",
               "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
               "(20150830T122000Z + 15 min.)");
}

TEST(VerifySignature, CredentialScope) {
  expect_error(Fixture("20150830T123600Z", "nowhere").verify(), "InvalidSignatureException",
               "Credential should be scoped to a valid region, not 'nowhere'.");
  expect_error(Fixture("20150830T123600Z", "us-east-1", "s3").verify(), "InvalidSignatureException",
               "Credential should be scoped to correct service: 'dynamodb'.");
  Fixture f;
  std::string a = f.authorization;
  a.replace(a.find("20150830/"), 8, "20150831");
  a.replace(a.find("aws4_request"), 12, "aws5_request");
  f.authorization = a;
  expect_error(f.verify(), "InvalidSignatureException",
               "Credential should be scoped with a valid terminator: 'aws4_request', not "
               "'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 "
               "version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'.");
}

TEST(VerifySignature, DateHostAndAlgorithm) {
  Fixture bad_date;
  bad_date.headers[3].second = "2015-08-30";
  ASSERT_EQ(bad_date.headers[3].first, "x-amz-date");
  expect_error(bad_date.verify(), "IncompleteSignatureException",
               "Date must be in ISO-8601 'basic format'. Got '2015-08-30'. See "
               "http://en.wikipedia.org/wiki/ISO_8601");
  Fixture no_host;
  no_host.authorization.replace(no_host.authorization.find("SignedHeaders=") + 14, 0, "");
  size_t h = no_host.authorization.find("host;");
  no_host.authorization.erase(h, 5);
  expect_error(no_host.verify(), "InvalidSignatureException",
               "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  Fixture algo;
  algo.authorization.replace(0, 16, "AWS4-HMAC-SHA512");
  expect_error(algo.verify(), "IncompleteSignatureException",
               "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
  // An HTTP Date instead of X-Amz-Date.
  Headers headers{{"host", "dynamodb.us-east-1.amazonaws.com"},
                  {"date", "Sun, 30 Aug 2015 12:36:00 GMT"}};
  SignedRequest r{"POST", "/", &headers, "{}"};
  std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, "
      "SignedHeaders=date;host, Signature=";
  auth += expected_signature(r, auth + "x", kSecret);
  EXPECT_FALSE(verify_signature(r, auth, {{"AKIDEXAMPLE", kSecret}}, kNow).has_value());
}

TEST(CheckAuthorization, MissingAndIncomplete) {
  expect_error(check_authorization("", false, false), "MissingAuthenticationTokenException",
               "Request is missing Authentication Token");
  expect_error(check_authorization("Bearer abc", false, false),
               "MissingAuthenticationTokenException", "Request is missing Authentication Token");
  expect_error(check_authorization("AWS4-HMAC-SHA256 Signature=abc", false, false),
               "IncompleteSignatureException",
               "Authorization header requires 'Credential' parameter. Authorization header "
               "requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=abc");
  // The date is required only when signatures are checked.
  std::string ok =
      "AWS4-HMAC-SHA256 Credential=a/20250101/us-east-1/dynamodb/aws4_request, "
      "SignedHeaders=host, Signature=00";
  EXPECT_FALSE(check_authorization(ok, false, false).has_value());
  expect_error(check_authorization(ok, true, false), "IncompleteSignatureException",
               "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
               "header. Authorization=" +
                   ok);
  EXPECT_FALSE(check_authorization(ok, true, true).has_value());
  expect_error(
      check_authorization("AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=0",
                          false, false),
      "IncompleteSignatureException",
      "Credential must have exactly 5 slash-delimited elements, e.g. "
      "keyid/date/region/service/term, got 'a/b/c/d'");
  // Trailing slashes are ignored; commas without spaces are the same header.
  EXPECT_FALSE(check_authorization("AWS4-HMAC-SHA256 Credential=a/b/c/d/e//,SignedHeaders=host,"
                                   "Signature=0",
                                   false, false)
                   .has_value());
}

TEST(KeyPairs, ParsedFromLines) {
  KeyPairs keys;
  parse_key_pairs("# comment\n\nAKID1:secret/with:colon\n  AKID2:s2  \n", "f", keys);
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys.at("AKID1"), "secret/with:colon");
  EXPECT_EQ(keys.at("AKID2"), "s2");
  EXPECT_THROW(parse_key_pairs("AKID1\n", "f", keys), std::invalid_argument);
  EXPECT_THROW(parse_key_pairs("ok:1\n:secret\n", "f", keys), std::invalid_argument);
}

TEST(RequestDate, BasicFormatAndHttpDate) {
  EXPECT_EQ(parse_request_date("20150830T123600Z"), 1440938160);
  EXPECT_EQ(parse_request_date("Sun, 30 Aug 2015 12:36:00 GMT"), 1440938160);
  EXPECT_FALSE(parse_request_date("2015-08-30T12:36:00Z").has_value());
  EXPECT_FALSE(parse_request_date("").has_value());
  EXPECT_EQ(format_basic_date(1440938160), "20150830T123600Z");
}

}  // namespace
}  // namespace ddb::http
