// The HTTP/1.1 request parser of the sessions, in a header of its own so that the HTTP fuzz
// target drives the same code. Beast's headers: include it only from session.cc and the fuzz
// target.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

#include "http/handler.h"

namespace ddb::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

inline Method method_of(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::Get;
    case bhttp::verb::post: return Method::Post;
    case bhttp::verb::options: return Method::Options;
    case bhttp::verb::head: return Method::Head;
    default: return Method::Other;
  }
}

// An HTTP/1.1 request parser that keeps only what the emulator reads: the request line, the
// few headers it routes on, and the body (Content-Length or chunked). Beast does the parsing;
// nothing is allocated per header.
class RequestParser : public bhttp::basic_parser<true> {
 public:
  // `body` is the session's buffer, reused from request to request; one that grew past
  // 1 MB (a large batch) is given back rather than kept for the connection's lifetime.
  RequestParser(std::string& body, bool keep_all_headers)
      : keep_all_headers_(keep_all_headers), body_(body) {
    if (body_.capacity() > (1u << 20))
      std::string().swap(body_);
    else
      body_.clear();
  }

  Request request;
  bool expect_continue = false;  // "Expect: 100-continue": the client waits for a go-ahead

 private:
  void on_request_impl(bhttp::verb m, beast::string_view, beast::string_view t, int v,
                       beast::error_code&) override {
    request.method = method_of(m);
    request.target.assign(t.data(), t.size());
    request.version = v;
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field name, beast::string_view name_text, beast::string_view value,
                     beast::error_code&) override {
    if (keep_all_headers_) keep(name_text, value);
    std::string* into = nullptr;
    switch (name) {
      case bhttp::field::authorization: into = &request.authorization; break;
      case bhttp::field::content_type: into = &request.content_type; break;
      case bhttp::field::content_encoding: into = &request.content_encoding; break;
      case bhttp::field::date: request.has_date = true; break;
      case bhttp::field::origin: into = &request.origin; break;
      case bhttp::field::access_control_request_headers:
        into = &request.cors_request_headers;
        break;
      case bhttp::field::expect: expect_continue = beast::iequals(value, "100-continue"); break;
      case bhttp::field::unknown:
        if (beast::iequals(name_text, "X-Amz-Target"))
          into = &request.amz_target;
        else if (beast::iequals(name_text, "X-Amz-Date"))
          request.has_date = true;
        break;
      default: break;
    }
    if (into) into->assign(value.data(), value.size());
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    if (length) body_.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view data, beast::error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view data, beast::error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  // Every header, for the signature check: names lower-cased, a repeated one joined with ','.
  void keep(beast::string_view name, beast::string_view value) {
    std::string lower(name.data(), name.size());
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    for (auto& [n, v] : request.headers)
      if (n == lower) {
        v += ',';
        v.append(value.data(), value.size());
        return;
      }
    request.headers.emplace_back(std::move(lower), std::string(value.data(), value.size()));
  }

  bool keep_all_headers_;
  std::string& body_;
};

}  // namespace ddb::http
