#include "chat/token.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "chat/model.h"

namespace chat {
namespace {

TEST(Token, IssuedTokensVerifyUntilTheyExpire) {
  std::string t = issue_token("s3cret", {"alice", 1000, 4600});
  EXPECT_EQ(t.substr(0, t.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  auto ok = verify_token(t, "s3cret", 4599);
  ASSERT_TRUE(ok.ok()) << problem_text(ok.problem);
  EXPECT_EQ(ok.claims.sub, "alice");
  EXPECT_EQ(ok.claims.iat, 1000);
  EXPECT_EQ(ok.claims.exp, 4600);
  EXPECT_EQ(verify_token(t, "s3cret", 4600).problem, TokenProblem::Expired);
  EXPECT_EQ(verify_token(t, "other", 1000).problem, TokenProblem::BadSignature);
  EXPECT_EQ(verify_token(t, "", 1000).problem, TokenProblem::BadSignature);
  EXPECT_THROW(issue_token("", {"alice", 1, 2}), std::invalid_argument);
}

TEST(Token, MatchesRfc7515sHmacConstruction) {
  // HMAC-SHA256 over "header.payload" with the key, base64url: computed independently with
  // `printf %s 'eyJ...' | openssl dgst -sha256 -hmac key -binary | basenc --base64url`.
  std::string t = issue_token("key", {"bob", 0, 60});
  EXPECT_EQ(t,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib2IiLCJpYXQiOjAsImV4cCI6NjB9."
            "cQG4m2T_B1mydFrwAOK9Xf9wW8uEl_salqDCEzmHp_w");
}

TEST(Token, RefusesOtherAlgorithmsAndMalformedTokens) {
  std::string t = issue_token("k", {"alice", 0, 100});
  std::string payload_and_sig = t.substr(t.find('.'));
  // alg none, with or without a signature.
  std::string none = base64url_encode(R"({"alg":"none","typ":"JWT"})");
  EXPECT_EQ(verify_token(none + payload_and_sig, "k", 1).problem, TokenProblem::BadAlgorithm);
  std::string payload = t.substr(t.find('.') + 1, t.rfind('.') - t.find('.') - 1);
  EXPECT_EQ(verify_token(none + "." + payload + ".", "k", 1).problem, TokenProblem::BadAlgorithm);
  std::string hs512 = base64url_encode(R"({"alg":"HS512","typ":"JWT"})");
  EXPECT_EQ(verify_token(hs512 + payload_and_sig, "k", 1).problem, TokenProblem::BadAlgorithm);
  for (const char* bad : {"", ".", "..", "a.b", "a.b.c.d", "@@@.b.c"}) {
    EXPECT_EQ(verify_token(bad, "k", 1).problem, TokenProblem::Malformed) << bad;
  }
  // A payload changed after signing.
  std::string forged = t.substr(0, t.find('.') + 1) +
                       base64url_encode(R"({"sub":"admin","iat":0,"exp":100})") +
                       t.substr(t.rfind('.'));
  EXPECT_EQ(verify_token(forged, "k", 1).problem, TokenProblem::BadSignature);
}

TEST(Token, ClaimsMustBeWellTyped) {
  std::string bad_sub = issue_token("k", {"<script>", 0, 100});
  EXPECT_EQ(verify_token(bad_sub, "k", 1).problem, TokenProblem::BadClaims);
}

TEST(Token, SecretFromTheEnvironment) {
  ::unsetenv(kTokenSecretVariable);
  EXPECT_THROW(token_secret_from_environment(), std::runtime_error);
  ::setenv(kTokenSecretVariable, "abc", 1);
  EXPECT_EQ(token_secret_from_environment(), "abc");
  ::unsetenv(kTokenSecretVariable);
}

}  // namespace
}  // namespace chat
