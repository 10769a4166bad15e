// libFuzzer target over the gateway's pure parsers: client WebSocket frames and their
// reassembly into messages, close payloads, the plan, request targets, route selection on a
// message body, a function's proxy result and query strings. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "gateway/config.h"
#include "gateway/frame.h"
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
     "routeSelectionExpression":"${request.body.a.b}","routes":[]}]})");
  return plan;
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
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
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
    default:
      gateway::parse_proxy_result(text);
      gateway::parse_query(text);
      gateway::percent_decode(text);
  }
  return 0;
}
