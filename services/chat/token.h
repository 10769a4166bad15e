// The HTTP history endpoint's bearer tokens: HS256 JSON Web Tokens (RFC 7519, RFC 7515) with the
// header {"alg":"HS256","typ":"JWT"} and the claims sub (the username), iat and exp (epoch
// seconds). Issued by the getToken action, verified by the history function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat {

inline constexpr int64_t kTokenLifetimeSeconds = 3600;
inline constexpr const char* kTokenSecretVariable = "CHAT_TOKEN_SECRET";

struct TokenClaims {
  std::string sub;
  int64_t iat = 0, exp = 0;
};

// header.payload.signature, each part base64url without padding. Throws std::invalid_argument
// for an empty secret.
std::string issue_token(std::string_view secret, const TokenClaims& claims);

enum class TokenProblem { None, Malformed, BadAlgorithm, BadSignature, Expired, BadClaims };
std::string_view problem_text(TokenProblem problem);

struct TokenCheck {
  TokenProblem problem = TokenProblem::None;
  TokenClaims claims;  // when problem is None
  bool ok() const { return problem == TokenProblem::None; }
};

// Checks, in this order: three base64url parts; a header that is a JSON object whose alg is
// "HS256" (anything else, "none" included, is refused; typ, when present, is "JWT"); the
// signature (HMAC-SHA256 over "header.payload", compared in constant time); claims sub (a
// valid username), iat and exp (integers); now_s < exp (RFC 7519 4.1.4: the token must not be
// accepted on or after exp). Never throws; an empty secret verifies nothing.
TokenCheck verify_token(std::string_view token, std::string_view secret, int64_t now_s);

// CHAT_TOKEN_SECRET; throws std::runtime_error naming it when unset or empty.
std::string token_secret_from_environment();

}  // namespace chat
