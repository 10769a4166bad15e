// awsproto_sign: signs requests described in JSON on stdin and prints the result as JSON, so
// that tests/services/test_sigv4_botocore.py can compare this signer with botocore's.
//
// Input: one object, or an array of them:
//   {"method": "POST", "path": "/", "query": "a=1", "headers": [["Host", "h"], ...],
//    "body": "...", "access_key_id": "...", "secret_access_key": "...", "session_token": "",
//    "region": "us-east-1", "service": "dynamodb", "amz_date": "20150830T123600Z",
//    "s3_path": false, "add_content_sha256": false}
// Output: for each, {"headers": [[name, value], ...], "canonical_request": ..., "string_to_sign":
// ..., "signature": ..., "authorization": ...}, or {"error": "..."}; an array for an array.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <iostream>
#include <iterator>
#include <string>

#include "awsproto/sigv4.h"

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string string_member(const rapidjson::Value& v, const char* name, std::string fallback = "") {
  auto it = v.FindMember(name);
  if (it == v.MemberEnd()) return fallback;
  if (!it->value.IsString()) throw std::invalid_argument(std::string(name) + " must be a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

bool bool_member(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

void write_string(Writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void sign_one(const rapidjson::Value& in, Writer& out) {
  out.StartObject();
  try {
    if (!in.IsObject()) throw std::invalid_argument("each request must be an object");
    awsproto::Request request;
    request.method = string_member(in, "method", "GET");
    request.path = string_member(in, "path", "/");
    request.query = string_member(in, "query");
    request.body = string_member(in, "body");
    if (auto it = in.FindMember("headers"); it != in.MemberEnd()) {
      if (!it->value.IsArray()) throw std::invalid_argument("headers must be [[name, value]...]");
      for (const auto& pair : it->value.GetArray()) {
        if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsString() || !pair[1].IsString()) {
          throw std::invalid_argument("each header must be [name, value]");
        }
        request.headers.emplace_back(std::string(pair[0].GetString(), pair[0].GetStringLength()),
                                     std::string(pair[1].GetString(), pair[1].GetStringLength()));
      }
    }
    awsproto::Credentials credentials{string_member(in, "access_key_id"),
                                      string_member(in, "secret_access_key"),
                                      string_member(in, "session_token")};
    awsproto::SigningOptions options;
    options.s3_path = bool_member(in, "s3_path");
    options.add_content_sha256 = bool_member(in, "add_content_sha256");
    awsproto::Signed s =
        awsproto::sign(request, credentials, string_member(in, "region", "us-east-1"),
                       string_member(in, "service"), string_member(in, "amz_date"), options);
    out.Key("headers");
    out.StartArray();
    for (const auto& [name, value] : request.headers) {
      out.StartArray();
      write_string(out, name);
      write_string(out, value);
      out.EndArray();
    }
    out.EndArray();
    out.Key("canonical_request");
    write_string(out, s.canonical_request);
    out.Key("string_to_sign");
    write_string(out, s.string_to_sign);
    out.Key("signature");
    write_string(out, s.signature);
    out.Key("authorization");
    write_string(out, s.authorization);
  } catch (const std::exception& e) {
    out.Key("error");
    out.String(e.what());
  }
  out.EndObject();
}

}  // namespace

int main() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  rapidjson::Document doc;
  doc.Parse(input.data(), input.size());
  if (doc.HasParseError()) {
    std::cerr << "awsproto_sign: stdin is not JSON\n";
    return 2;
  }
  rapidjson::StringBuffer buffer;
  Writer out(buffer);
  if (doc.IsArray()) {
    out.StartArray();
    for (const auto& request : doc.GetArray()) sign_one(request, out);
    out.EndArray();
  } else {
    sign_one(doc, out);
  }
  std::cout << buffer.GetString() << '\n';
  return 0;
}
