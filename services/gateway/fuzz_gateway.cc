// libFuzzer target over the gateway's pure parsers: client WebSocket frames and their
// reassembly into messages, close payloads, the plan, request targets, route selection on a
// message body, a function's proxy result and query strings; HTTP API targets and route
// matching, the HTTP response mappings (formats 2.0 and 1.0), authorizer responses, and the
// events built from a request; a WebSocket upgrade request read by Beast's parser as the server
// reads it. The first byte picks the parser.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/authorizer.h"
#include "gateway/config.h"
#include "gateway/event.h"
#include "gateway/frame.h"
#include "gateway/http_api.h"
#include "gateway/invoker.h"
#include "gateway/routing.h"

namespace {

const gateway::Plan& sample_plan() {
  static const gateway::Plan plan = gateway::parse_plan(R"({"websocketApis":[
    {"name":"chat","apiId":"a1b2c3d4e5","stage":"prod",
     "routeSelectionExpression":"$request.body.action",
     "routes":[{"routeKey":"$connect","function":"c"},{"routeKey":"send","function":"s",
               "routeResponse":true},{"routeKey":"$default","function":"d"}]},
    {"name":"other","apiId":"zzzzzzzzzz","stage":"prod",
     "routeSelectionExpression":"${request.body.a.b}","routes":[]}],
    "httpApis":[{"apiId":"h1h2h3h4h5","stage":"$default",
     "cors":{"allowOrigins":["https://*.example.com"],"allowMethods":["*"]},
     "routes":[{"routeKey":"GET /pets/{id}","function":"p"},{"routeKey":"ANY /{proxy+}",
               "function":"a"},{"routeKey":"GET /pets/dog/1","function":"e"},
               {"routeKey":"$default","function":"d"}]},
     {"apiId":"n1n2n3n4n5","stage":"dev","routes":[{"routeKey":"POST /x/{a}/{b+}",
      "function":"x"}]}]})");
  return plan;
}

// "METHOD PATH?QUERY\nheader: value\n...\n\nbody": routed, then both events built from it.
void http_request(std::string_view text) {
  size_t end = text.find("\n\n");
  std::string_view head = text.substr(0, end);
  gateway::HttpRequestInput in;
  size_t line_end = head.find('\n');
  std::string_view line = head.substr(0, line_end);
  size_t space = line.find(' ');
  in.method = std::string(line.substr(0, space));
  std::string_view target = space == std::string_view::npos ? "" : line.substr(space + 1);
  in.raw_path = std::string(target.substr(0, target.find('?')));
  if (auto q = target.find('?'); q != std::string_view::npos) in.raw_query = target.substr(q + 1);
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 1);
    line_end = head.find('\n');
    std::string_view h = head.substr(0, line_end);
    size_t colon = h.find(':');
    if (colon != std::string_view::npos) {
      in.headers.emplace_back(std::string(h.substr(0, colon)), std::string(h.substr(colon + 1)));
    }
  }
  if (end != std::string_view::npos) in.body = text.substr(end + 2);
  auto target_api = gateway::resolve_http_target(sample_plan(), "", in.raw_path);
  if (target_api.api) {
    auto m = gateway::match_route(*target_api.api, in.method, target_api.path);
    in.path_parameters = m.path_parameters;
    if (target_api.api->cors) {
      gateway::cors_preflight_headers(*target_api.api->cors, in.headers);
      gateway::cors_response_headers(*target_api.api->cors, in.headers);
    }
  }
  gateway::build_http_event_v2(in);
  gateway::build_http_event_v1(in);
  gateway::AuthorizerEventInput a{"arn", {"x"}};
  gateway::build_http_event_v2(in, &a);
  gateway::identity_values(
      {"$request.header.Authorization", "route.request.querystring.t", "$context.routeKey"},
      in.headers, gateway::parse_query(in.raw_query), {{"routeKey", in.method}});
}

// A client's upgrade request, bytes as they arrive on the socket: read with the server's limits
// (16 KB of header), then what the handshake does with it: the target resolved to an API, the
// query decoded, the Sec-WebSocket-Accept computed, the $connect event built from the headers.
void upgrade_request(std::string_view bytes) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1u << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  while (!bytes.empty() && !parser.is_done()) {
    size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec || used == 0) break;
    bytes.remove_prefix(used);
  }
  if (!parser.is_header_done()) return;
  const auto& request = parser.get();
  std::string_view target = request.target();
  gateway::Target t = gateway::resolve_target(sample_plan(), request[http::field::host], target);
  gateway::EventInput input;
  input.type = gateway::EventInput::Type::Connect;
  input.route_key = "$connect";
  if (t.api) {
    input.stage = t.api->stage;
    input.api_id = t.api->api_id;
  }
  for (const auto& field : request) {
    input.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  if (auto q = target.find('?'); q != std::string_view::npos) {
    input.query = gateway::parse_query(target.substr(q + 1));
  }
  if (gateway::ws::accept_key(request[http::field::sec_websocket_key]).size() != 28) {
    __builtin_trap();  // base64 of a 20-byte SHA-1
  }
  gateway::build_event(input);
}

void frames(std::string_view bytes) {
  gateway::ws::MessageAssembler assembler(128 * 1024);
  while (!bytes.empty()) {
    auto r = gateway::ws::parse_frame(bytes, 32 * 1024);
    if (r.status != gateway::ws::FrameResult::Status::Ok) break;
    if (r.consumed == 0 || r.consumed > bytes.size()) __builtin_trap();
    bytes.remove_prefix(r.consumed);
    auto out = assembler.feed(std::move(r.frame));
    if (out.kind == gateway::ws::MessageAssembler::Output::Kind::Error) break;
    // A text message reaches a route only when it is UTF-8.
    if (out.kind == gateway::ws::MessageAssembler::Output::Kind::Message &&
        out.opcode == gateway::ws::kText && !gateway::ws::valid_utf8(out.payload)) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 9) {
    case 0: frames(text); break;
    case 1:
      // An empty payload reads as 1005 ("no status"), which is never sent: nothing to re-encode.
      if (auto c = gateway::ws::parse_close_payload(text); c && c->code != gateway::ws::kNoStatus) {
        auto again =
            gateway::ws::parse_close_payload(gateway::ws::close_payload(c->code, c->reason));
        if (!again || again->code != c->code) __builtin_trap();
      }
      break;
    case 2:
      try {
        gateway::Plan plan = gateway::parse_plan(text);
        gateway::resolve_target(plan, "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "/prod");
      } catch (const std::invalid_argument&) {
      }
      break;
    case 3: {
      size_t cut = text.find('\n');
      std::string_view host = cut == std::string_view::npos ? "" : text.substr(0, cut);
      std::string_view target = cut == std::string_view::npos ? text : text.substr(cut + 1);
      gateway::resolve_target(sample_plan(), host, target);
      break;
    }
    case 4:
      for (const auto& api : sample_plan().apis) gateway::select_route(api, text);
      gateway::parse_selection_expression(text);
      break;
    case 5: upgrade_request(text); break;
    case 6: http_request(text); break;
    case 7:
      gateway::map_response_v2(text);
      gateway::map_response_v1(text);
      break;
    case 8:
      gateway::parse_authorizer_response(text, false, "arn:aws:execute-api:r:1:a/s/$connect");
      gateway::parse_authorizer_response(text, true, "");
      gateway::is_unauthorized_error(text);
      {
        // The answer held under the identity's values comes back until its TTL has passed.
        static gateway::AuthorizerCache cache(64);
        std::vector<std::string> identity;
        for (size_t at = 0; at <= text.size();) {
          size_t comma = std::min(text.find(',', at), text.size());
          identity.emplace_back(text.substr(at, comma - at));
          at = comma + 1;
        }
        const int64_t now = static_cast<int64_t>(text.size()) * 1000;
        const std::string key = gateway::AuthorizerCache::key("api", "A", identity);
        cache.put(key, std::string(text), now, 1 + static_cast<int>(text.size() % 3600));
        auto held = cache.find(key, now);
        if (!held || *held != text || cache.size() > 64) __builtin_trap();
      }
      break;
    default:
      gateway::parse_proxy_result(text);
      gateway::ws::valid_utf8(text);
      gateway::parse_query(text);
      gateway::percent_decode(text);
  }
  return 0;
}
