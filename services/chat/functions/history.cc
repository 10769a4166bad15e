// chat-history: GET /conversations/{id}/messages?limit=&cursor= on the HTTP API (payload format
// 2.0; schemas/chat-protocol.md's HTTP section).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
//
//   Authorization: Bearer <token>  the getToken frame's HS256 token (chat/token.h), else 401
//   {id}                           a conversation id of a shape the backend makes, else 404
//   limit                          1 to 100 (default 50), cursor: the last page's; else 400
//   participant                    the lobby, or the caller's inbox entry; else 403, or 404
//                                  when the conversation does not exist
//   200                            {"conversationId", "messages" (newest first), "cursor"}
// The checks come in that order, so that nobody learns which conversations exist without a
// valid token.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "awsproto/clock.h"
#include "chat/config.h"
#include "chat/protocol.h"
#include "chat/store.h"
#include "chat/token.h"
#include "chat/validate.h"
#include "runtime/runtime.h"

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// The payload 2.0 result: the status, a JSON body.
std::string response(int status, std::string_view body) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("statusCode");
  w.Int(status);
  w.Key("headers");
  w.StartObject();
  w.Key("content-type");
  w.String("application/json");
  w.Key("cache-control");
  w.String("no-store");
  w.EndObject();
  w.Key("body");
  string(w, body);
  w.Key("isBase64Encoded");
  w.Bool(false);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string error(int status, std::string_view code, std::string_view message = {}) {
  return response(status, chat::render_http_error(code, message));
}

std::optional<std::string_view> string_at(const rapidjson::Value& object, const char* outer,
                                          const char* name) {
  if (!object.IsObject()) return std::nullopt;
  auto o = object.FindMember(outer);
  if (o == object.MemberEnd() || !o->value.IsObject()) return std::nullopt;
  auto m = o->value.FindMember(name);
  if (m == o->value.MemberEnd() || !m->value.IsString()) return std::nullopt;
  return std::string_view(m->value.GetString(), m->value.GetStringLength());
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// "Bearer <token>" (the scheme's case does not matter, RFC 7235 2.1); nullopt otherwise.
std::optional<std::string_view> bearer_token(std::string_view header) {
  size_t space = header.find(' ');
  if (space == std::string_view::npos || !iequals(header.substr(0, space), "bearer")) {
    return std::nullopt;
  }
  std::string_view token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

class History {
 public:
  explicit History(chat::Config config)
      : config_(std::move(config)),
        ddb_(config_.env),
        store_{ddb_, config_.table_name, [] { return awsproto::Clock::now_ms(); },
               chat::process_ulids()} {
    if (config_.token_secret.empty()) {
      std::fprintf(stderr, "history: %s is not set: every request is 401\n",
                   chat::kTokenSecretVariable);
    }
  }

  std::string handle(const runtime::Invocation& in) {
    rapidjson::Document event;
    event.Parse<rapidjson::kParseIterativeFlag>(in.event.data(), in.event.size());
    if (event.HasParseError() || !event.IsObject()) return error(400, "BadRequest", "no event");

    // Header names are lower case in payload 2.0.
    auto authorization = string_at(event, "headers", "authorization");
    auto token = authorization ? bearer_token(*authorization) : std::nullopt;
    if (!token) return error(401, "Unauthorized");
    int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    chat::TokenCheck check = chat::verify_token(*token, config_.token_secret, now_s);
    if (!check.ok()) return error(401, "Unauthorized", chat::problem_text(check.problem));
    const std::string& username = check.claims.sub;

    std::string cid(string_at(event, "pathParameters", "id").value_or(""));
    if (!chat::is_conversation_id(cid)) return error(404, "NotFound", "no such conversation");

    int limit = chat::kDefaultHistoryLimit;
    if (auto text = string_at(event, "queryStringParameters", "limit")) {
      int value = 0;
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
      if (ec != std::errc() || end != text->data() + text->size() || value < 1 ||
          value > chat::kMaxLimit) {
        return error(400, "BadRequest", "limit must be an integer from 1 to 100");
      }
      limit = value;
    }
    std::optional<chat::HistoryCursor> cursor;
    if (auto text = string_at(event, "queryStringParameters", "cursor"); text && !text->empty()) {
      if (text->size() <= chat::kMaxCursorLength) cursor = chat::decode_history_cursor(*text);
      if (!cursor || cursor->conversation_id != cid) {
        return error(400, "BadRequest", "cursor is not one of this conversation's pages");
      }
    }

    try {
      auto out = chat::get_history(store_, username, cid, limit, cursor);
      if (out.error && out.error->code == chat::ErrorCode::NotFound) {
        return error(404, "NotFound", "no such conversation");
      }
      if (out.error && out.error->code == chat::ErrorCode::NotAParticipant) {
        return error(403, "NotAParticipant", "not a participant of this conversation");
      }
      if (out.error) throw std::runtime_error(out.error->message);
      return response(200, chat::render_history_body(cid, out.value.messages, out.value.cursor));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "history: %s\n", e.what());
      return error(500, "InternalError");
    }
  }

 private:
  chat::Config config_;
  chat::DynamoDb ddb_;
  chat::Store store_;
};

}  // namespace

int main() {
  std::unique_ptr<History> history;
  try {
    history = std::make_unique<History>(chat::Config::from_environment());
  } catch (const std::exception& e) {
    runtime::report_init_error("Runtime.InitError", e.what());
    return 1;
  }
  return runtime::serve([&](const runtime::Invocation& in) { return history->handle(in); });
}
