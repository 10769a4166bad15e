#include "chat/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <stdexcept>

#include "chat/model.h"
#include "chat/validate.h"

namespace chat {

namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::string hmac(std::string_view secret, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::optional<rapidjson::Document> json_object(std::string_view part) {
  auto text = base64url_decode(part);
  if (!text) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text->data(),
                                                                                    text->size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  return doc;
}

}  // namespace

std::string issue_token(std::string_view secret, const TokenClaims& claims) {
  if (secret.empty()) throw std::invalid_argument("the token secret is empty");
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("sub");
  w.String(claims.sub.data(), static_cast<rapidjson::SizeType>(claims.sub.size()));
  w.Key("iat");
  w.Int64(claims.iat);
  w.Key("exp");
  w.Int64(claims.exp);
  w.EndObject();
  std::string signing_input =
      base64url_encode(kHeader) + "." + base64url_encode({buffer.GetString(), buffer.GetSize()});
  return signing_input + "." + base64url_encode(hmac(secret, signing_input));
}

std::string_view problem_text(TokenProblem problem) {
  switch (problem) {
    case TokenProblem::None: return "valid";
    case TokenProblem::Malformed: return "not a JWT";
    case TokenProblem::BadAlgorithm: return "not an HS256 JWT";
    case TokenProblem::BadSignature: return "bad signature";
    case TokenProblem::Expired: return "expired";
    case TokenProblem::BadClaims: return "bad claims";
  }
  return "";
}

TokenCheck verify_token(std::string_view token, std::string_view secret, int64_t now_s) {
  TokenCheck check;
  auto fail = [&](TokenProblem p) {
    check.problem = p;
    return check;
  };
  if (token.size() > 4096) return fail(TokenProblem::Malformed);
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(TokenProblem::Malformed);
  }
  std::string_view header = token.substr(0, dot1);
  std::string_view payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature = token.substr(dot2 + 1);
  auto head = json_object(header);
  if (!head) return fail(TokenProblem::Malformed);
  auto alg = head->FindMember("alg");
  if (alg == head->MemberEnd() || !alg->value.IsString() ||
      std::string_view(alg->value.GetString(), alg->value.GetStringLength()) != "HS256") {
    return fail(TokenProblem::BadAlgorithm);
  }
  auto typ = head->FindMember("typ");
  if (typ != head->MemberEnd() &&
      (!typ->value.IsString() ||
       std::string_view(typ->value.GetString(), typ->value.GetStringLength()) != "JWT")) {
    return fail(TokenProblem::Malformed);
  }
  auto given = base64url_decode(signature);
  if (!given) return fail(TokenProblem::Malformed);
  if (secret.empty()) return fail(TokenProblem::BadSignature);
  std::string expected = hmac(secret, token.substr(0, dot2));
  if (given->size() != expected.size() ||
      CRYPTO_memcmp(given->data(), expected.data(), expected.size()) != 0) {
    return fail(TokenProblem::BadSignature);
  }
  auto claims = json_object(payload);
  if (!claims) return fail(TokenProblem::Malformed);
  auto sub = claims->FindMember("sub");
  auto iat = claims->FindMember("iat");
  auto exp = claims->FindMember("exp");
  if (sub == claims->MemberEnd() || !sub->value.IsString() || iat == claims->MemberEnd() ||
      !iat->value.IsInt64() || exp == claims->MemberEnd() || !exp->value.IsInt64()) {
    return fail(TokenProblem::BadClaims);
  }
  check.claims.sub.assign(sub->value.GetString(), sub->value.GetStringLength());
  check.claims.iat = iat->value.GetInt64();
  check.claims.exp = exp->value.GetInt64();
  if (!is_valid_username(check.claims.sub)) return fail(TokenProblem::BadClaims);
  if (now_s >= check.claims.exp) return fail(TokenProblem::Expired);
  return check;
}

std::string token_secret_from_environment() {
  const char* value = std::getenv(kTokenSecretVariable);
  if (!value || !*value) {
    throw std::runtime_error(std::string(kTokenSecretVariable) + " is not set");
  }
  return value;
}

}  // namespace chat
