#include "awsproto/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace awsproto {
namespace {

// tests/services/sigv4: AWS's published SigV4 test suite (see its README.md).
const std::filesystem::path kSuiteDir = AWSPROTO_SIGV4_SUITE_DIR;
constexpr std::string_view kSuiteDate = "20150830T123600Z";
const Credentials kSuiteCredentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                       ""};
std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

// A suite .req file: "METHOD target HTTP/1.1", "Name:value" lines (a line that starts with
// whitespace is one more value of the header before it), a blank line, the body.
Request parse_suite_request(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  Request r;
  const std::string& first = lines.at(0);
  size_t sp1 = first.find(' ');
  size_t sp2 = first.rfind(' ');
  r.method = first.substr(0, sp1);
  std::string target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      r.headers.emplace_back(r.headers.back().first, trim(line));
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
  }
  for (++i; i < lines.size(); ++i) {
    if (!r.body.empty()) r.body += '\n';
    r.body += lines[i];
  }
  return r;
}

std::vector<std::string> suite_cases() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(kSuiteDir)) {
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class AwsSuite : public testing::TestWithParam<std::string> {};

TEST_P(AwsSuite, MatchesCanonicalRequestStringToSignAndAuthorization) {
  const std::string& name = GetParam();
  auto file = [&](std::string_view ext) {
    return read_file(kSuiteDir / name / (name + "." + std::string(ext)));
  };
  Request request = parse_suite_request(file("req"));
  // post-sts-header-before signs with the token its request carries; every other case has none
  // (post-sts-header-after adds its token only after signing).
  Credentials credentials = kSuiteCredentials;
  for (const auto& [header, value] : request.headers) {
    if (header == "X-Amz-Security-Token") credentials.session_token = value;
  }

  Signed s = sign(request, credentials, "us-east-1", "service", kSuiteDate);
  EXPECT_EQ(s.canonical_request, file("creq"));
  EXPECT_EQ(s.string_to_sign, file("sts"));
  EXPECT_EQ(s.authorization, file("authz"));
  ASSERT_FALSE(request.headers.empty());
  EXPECT_EQ(request.headers.back(),
            (std::pair<std::string, std::string>("Authorization", file("authz"))));
}

INSTANTIATE_TEST_SUITE_P(Sigv4, AwsSuite, testing::ValuesIn(suite_cases()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

TEST(Sigv4Suite, HasTheCasesItShould) {
  auto cases = suite_cases();
  for (const char* name :
       {"get-vanilla", "get-vanilla-query", "get-vanilla-query-order-key-case",
        "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-header-key-duplicate",
        "get-header-value-trim", "get-header-value-multiline", "post-vanilla", "post-vanilla-query",
        "post-x-www-form-urlencoded", "post-header-key-case", "post-header-value-case",
        "post-sts-header-before", "get-space", "get-slash", "get-utf8"}) {
    EXPECT_NE(std::find(cases.begin(), cases.end(), name), cases.end()) << name;
  }
}

// The worked example of "Create a signed AWS API request" (IAM ListUsers,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html): AWS gives the
// hash of the canonical request, the signing key and the signature.
TEST(Sigv4, AwsDocumentedIamListUsersExample) {
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = "Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  Signed s = sign(r, kSuiteCredentials, "us-east-1", "iam", "20150830T123600Z");
  EXPECT_EQ(s.canonical_request,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(s.canonical_request),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(hex(signing_key(kSuiteCredentials.secret_access_key, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  EXPECT_EQ(s.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

// "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
TEST(Sigv4, AwsDocumentedSigningKey) {
  EXPECT_EQ(
      hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
      "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(Sigv4, Sha256AndHmacKnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231, test case 2.
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231, test case 1 (a 20-byte key) and 6 (a 131-byte key: hashed first).
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'),
                            "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// Signing keys are kept once derived: each set of inputs still gets its own key, the same as a
// fresh derivation, however the calls interleave (more sets than the cache holds too).
TEST(Sigv4, SigningKeysKeptPerSecretDateRegionAndService) {
  auto derive = [](std::string secret, std::string date, std::string region, std::string service) {
    std::string key = hmac_sha256("AWS4" + secret, date);
    key = hmac_sha256(key, region);
    key = hmac_sha256(key, service);
    return hmac_sha256(key, "aws4_request");
  };
  std::vector<std::vector<std::string>> inputs;
  for (std::string secret : {"secret-a", "secret-b"})
    for (std::string date : {"20260101", "20260102"})
      for (std::string service : {"dynamodb", "execute-api", "lambda"})
        inputs.push_back({secret, date, "us-east-1", service});
  inputs.push_back({"secret-a", "20260101", "eu-west-1", "dynamodb"});
  std::set<std::string> keys;
  for (int round = 0; round < 3; ++round) {
    for (const auto& in : inputs) {
      std::string key = signing_key(in[0], in[1], in[2], in[3]);
      EXPECT_EQ(key, derive(in[0], in[1], in[2], in[3])) << in[0] << " " << in[1] << " " << in[3];
      keys.insert(key);
    }
  }
  EXPECT_EQ(keys.size(), inputs.size());
}

TEST(Sigv4, ConnectionIdsAreEncodedOnTheWireAndAgainInTheCanonicalUri) {
  // API Gateway's POST /@connections/{connectionId}: ids are base64-like and end in '='.
  std::string path = "/@connections/" + uri_encode("abc123=", false);
  EXPECT_EQ(path, "/@connections/abc123%3D");
  EXPECT_EQ(canonical_uri(path), "/%40connections/abc123%253D");
  // S3 signs the wire path as it is.
  EXPECT_EQ(canonical_uri(path, true), "/@connections/abc123%3D");
}

TEST(Sigv4, UriEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(uri_encode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b+c/d=e&f%", false), "a%20b%2Bc%2Fd%3De%26f%25");
  EXPECT_EQ(uri_encode("a/b c", true), "a/b%20c");
  EXPECT_EQ(uri_encode("\xe1\x88\xb4", false), "%E1%88%B4");
}

TEST(Sigv4, CanonicalUriNormalisesThenEncodes) {
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/"), "/");
  EXPECT_EQ(canonical_uri("/2015-03-31/functions/my-fn/invocations"),
            "/2015-03-31/functions/my-fn/invocations");
  EXPECT_EQ(canonical_uri("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(canonical_uri("/a/b/../../.."), "/");
  EXPECT_EQ(canonical_uri("/a%2Fb"), "/a%252Fb");  // an encoded '/' is not a separator
  EXPECT_EQ(canonical_uri("/a:b@c"), "/a%3Ab%40c");
}

TEST(Sigv4, CanonicalQueryStringDecodesEncodesAndSorts) {
  EXPECT_EQ(canonical_query_string(""), "");
  EXPECT_EQ(canonical_query_string("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(canonical_query_string("Qualifier=v%201"), "Qualifier=v%201");
  EXPECT_EQ(canonical_query_string("k=a%2fb"), "k=a%2Fb");   // hex case normalised
  EXPECT_EQ(canonical_query_string("k=a+b"), "k=a%2Bb");     // '+' is a plus, not a space
  EXPECT_EQ(canonical_query_string("flag&x="), "flag=&x=");  // no '=' signs as "name="
  EXPECT_EQ(canonical_query_string("a=1&&b=2"), "a=1&b=2");
  EXPECT_EQ(canonical_query_string("k=100%"), "k=100%25");  // a stray '%' is a character
  // Sorted by name first: "a" before "a-b" although "a=" sorts after "a-" as text.
  EXPECT_EQ(canonical_query_string("a-b=1&a=2"), "a=2&a-b=1");
}

TEST(Sigv4, CanonicalHeadersTrimJoinAndSort) {
  CanonicalHeaders h = canonical_headers({{"Host", "h"},
                                          {"X-B", "  two   words\t here "},
                                          {"x-a", "1"},
                                          {"X-A", "2"},
                                          {"User-Agent", "not signed"},
                                          {"Empty", "   "}});
  EXPECT_EQ(h.text, "empty:\nhost:h\nx-a:1,2\nx-b:two words here\n");
  EXPECT_EQ(h.signed_headers, "empty;host;x-a;x-b");
}

TEST(Sigv4, SignAddsSessionTokenAndReplacesOldHeaders) {
  Request r;
  r.method = "POST";
  r.headers = {{"host", "dynamodb.us-east-1.amazonaws.com"},
               {"X-Amz-Date", "19990101T000000Z"},
               {"authorization", "stale"},
               {"X-Amz-Security-Token", "old"},
               {"X-Amz-Target", "DynamoDB_20120810.GetItem"},
               {"Content-Type", "application/x-amz-json-1.0"}};
  r.body = R"({"TableName":"t"})";
  Credentials c{"AKID", "SECRET", "TOKEN"};
  Signed s = sign(r, c, "us-east-1", "dynamodb", "20250101T000000Z");
  Headers expected = {{"host", "dynamodb.us-east-1.amazonaws.com"},
                      {"X-Amz-Target", "DynamoDB_20120810.GetItem"},
                      {"Content-Type", "application/x-amz-json-1.0"},
                      {"X-Amz-Date", "20250101T000000Z"},
                      {"X-Amz-Security-Token", "TOKEN"},
                      {"Authorization", s.authorization}};
  EXPECT_EQ(r.headers, expected);
  EXPECT_EQ(s.signed_headers, "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
  EXPECT_NE(s.canonical_request.find("\nx-amz-security-token:TOKEN\n"), std::string::npos);
  EXPECT_TRUE(s.canonical_request.ends_with(sha256_hex(r.body)));
  // Signing twice gives the same headers (a retry re-signs the same request).
  Request again = r;
  Signed s2 = sign(again, c, "us-east-1", "dynamodb", "20250101T000000Z");
  EXPECT_EQ(s2.authorization, s.authorization);
  EXPECT_EQ(again.headers, r.headers);
}

TEST(Sigv4, ContentSha256OnlyWhenAskedAndThenUsedAsPayloadHash) {
  Request r;
  r.headers = {{"Host", "h"}};
  r.body = "abc";
  Request plain = r;
  sign(plain, kSuiteCredentials, "us-east-1", "s3", kSuiteDate);
  for (const auto& [n, v] : plain.headers) EXPECT_NE(n, "X-Amz-Content-SHA256");

  Request with = r;
  SigningOptions options;
  options.add_content_sha256 = true;
  Signed s = sign(with, kSuiteCredentials, "us-east-1", "s3", kSuiteDate, options);
  EXPECT_NE(s.canonical_request.find("\nx-amz-content-sha256:" + sha256_hex("abc") + "\n"),
            std::string::npos);

  Request unsigned_payload = r;
  unsigned_payload.headers.emplace_back("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  Signed u = sign(unsigned_payload, kSuiteCredentials, "us-east-1", "s3", kSuiteDate, options);
  EXPECT_TRUE(u.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
}

TEST(Sigv4, RejectsBadDateAndMissingHost) {
  Request r;
  r.headers = {{"Host", "h"}};
  EXPECT_THROW(sign(r, kSuiteCredentials, "us-east-1", "s", "2015-08-30T12:36:00Z"),
               std::invalid_argument);
  EXPECT_THROW(sign(r, kSuiteCredentials, "us-east-1", "s", "20150830T1236Z"),
               std::invalid_argument);
  Request no_host;
  EXPECT_THROW(sign(no_host, kSuiteCredentials, "us-east-1", "s", kSuiteDate),
               std::invalid_argument);
}

TEST(Sigv4, FormatsTimePointsAsAmzDate) {
  // 2015-08-30T12:36:00Z
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  EXPECT_EQ(format_amz_date(t), "20150830T123600Z");
  EXPECT_EQ(format_amz_date(t + std::chrono::milliseconds(999)), "20150830T123600Z");
  Request a, b;
  a.headers = b.headers = {{"Host", "example.amazonaws.com"}};
  EXPECT_EQ(sign(a, kSuiteCredentials, "us-east-1", "service", t).authorization,
            sign(b, kSuiteCredentials, "us-east-1", "service", kSuiteDate).authorization);
}

TEST(ParseAuthorization, ReadsEveryField) {
  auto a = parse_authorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/dynamodb/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abcd");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->access_key_id, "AKID");
  EXPECT_EQ(a->date, "20250101");
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_EQ(a->service, "dynamodb");
  EXPECT_EQ(a->signed_headers, "host;x-amz-date");
  EXPECT_EQ(a->signature, "abcd");
}

TEST(ParseAuthorization, RoundTripsWhatSignWrites) {
  Request r;
  r.headers = {{"Host", "h"}};
  Signed s = sign(r, {"AKIAEXAMPLE", "secret", ""}, "ap-south-1", "lambda", kSuiteDate);
  auto a = parse_authorization(s.authorization);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(a->date, "20150830");
  EXPECT_EQ(a->region, "ap-south-1");
  EXPECT_EQ(a->service, "lambda");
  EXPECT_EQ(a->signed_headers, s.signed_headers);
  EXPECT_EQ(a->signature, s.signature);
}

TEST(ParseAuthorization, IsLenientLikeTheEmulatorAlwaysWas) {
  // Only "Credential=" and one '/' are required; anything may come before.
  auto a = parse_authorization("Credential=key/x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->access_key_id, "key");
  EXPECT_EQ(a->date, "x");
  EXPECT_EQ(a->region, "us-east-1");  // fewer than four components: no region given
  EXPECT_EQ(a->service, "");
  EXPECT_EQ(a->signed_headers, "");
  EXPECT_EQ(a->signature, "");

  auto three = parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1");
  ASSERT_TRUE(three);
  EXPECT_EQ(three->region, "us-east-1");  // nothing after the region: cut short, not named

  // The scope ends at the first ',' or ' '.
  auto comma = parse_authorization("Credential=AKID/20250101,/eu-west-1/ddb/aws4_request");
  ASSERT_TRUE(comma);
  EXPECT_EQ(comma->region, "us-east-1");
  auto space = parse_authorization("Credential=AKID/20250101/sa-east-1 /x/y");
  ASSERT_TRUE(space);
  EXPECT_EQ(space->region, "us-east-1");
  EXPECT_EQ(space->service, "");

  // An empty access key or region is taken as given.
  auto four = parse_authorization("Credential=AKID/20250101/sa-east-1/dynamodb");
  ASSERT_TRUE(four);
  EXPECT_EQ(four->region, "sa-east-1");
  auto empty = parse_authorization("Credential=/20250101//dynamodb/aws4_request");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->access_key_id, "");
  EXPECT_EQ(empty->region, "");
}

TEST(ParseAuthorization, RejectsWhatHasNoScope) {
  EXPECT_FALSE(parse_authorization(""));
  EXPECT_FALSE(parse_authorization("Bearer abc"));
  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA256 Credential=AKID, SignedHeaders=host"));
  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA256 Credential=AKID /20250101/us-east-1"));
  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA256 credential=AKID/20250101/us-east-1"));
}

}  // namespace
}  // namespace awsproto
