#include "chat/handlers.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <exception>

#include "awsproto/clock.h"
#include "awsproto/connections.h"
#include "chat/config.h"
#include "chat/token.h"
#include "runtime/runtime.h"

namespace chat {

namespace {

std::string_view text(const rapidjson::Value* v) {
  if (!v || !v->IsString()) return {};
  return {v->GetString(), v->GetStringLength()};
}

const rapidjson::Value* at(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto m = v.FindMember(name);
  return m == v.MemberEnd() ? nullptr : &m->value;
}

struct EventContext {
  std::string connection_id, domain_name, stage, username;
  int64_t connected_at = 0;
  std::string body;
};

EventContext read_event(std::string_view event) {
  rapidjson::Document doc;
  doc.Parse(event.data(), event.size());
  EventContext e;
  if (doc.HasParseError() || !doc.IsObject()) return e;
  e.body = text(at(doc, "body"));
  const rapidjson::Value* ctx = at(doc, "requestContext");
  if (!ctx) return e;
  e.connection_id = text(at(*ctx, "connectionId"));
  e.domain_name = text(at(*ctx, "domainName"));
  e.stage = text(at(*ctx, "stage"));
  if (const rapidjson::Value* c = at(*ctx, "connectedAt"); c && c->IsInt64()) {
    e.connected_at = c->GetInt64();
  }
  if (const rapidjson::Value* auth = at(*ctx, "authorizer")) {
    e.username = text(at(*auth, "username"));
    if (e.username.empty()) e.username = text(at(*auth, "principalId"));
  }
  return e;
}

}  // namespace

std::string proxy_result(int status, std::string_view body) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("statusCode");
  w.Int(status);
  if (!body.empty()) {
    w.Key("body");
    w.String(body.data(), static_cast<rapidjson::SizeType>(body.size()));
  }
  w.EndObject();
  return {b.GetString(), b.GetSize()};
}

std::string handle_connect(Services& s, std::string_view event) {
  EventContext e = read_event(event);
  // The authorizer checked the name; a connection without one (no authorizer configured) is
  // refused rather than stored under no user.
  if (e.connection_id.empty() || !is_valid_username(e.username)) return proxy_result(401);
  int64_t now = s.store.now_ms();
  Connection c{e.connection_id, e.username, e.connected_at ? e.connected_at : now,
               e.domain_name,   e.stage,    now / 1000 + kConnectionTtlSeconds};
  connect(s.store, c);
  return proxy_result(200);
}

std::string handle_disconnect(Services& s, std::string_view event) {
  EventContext e = read_event(event);
  if (!e.connection_id.empty()) disconnect(s.store, e.connection_id, e.username);
  return proxy_result(200);
}

std::string perform(Services& s, const Request& r, std::string_view username,
                    std::string_view endpoint) {
  const RequestId& rid = r.request_id;
  Store& st = s.store;
  switch (r.action) {
    case Action::SendMessage: {
      auto out = send_message(st, username, r.conversation_id, r.text, r.client_message_id);
      return out.error ? render_error(*out.error, rid) : render_ack(out.value, rid);
    }
    case Action::GetHistory: {
      int limit = r.limit ? r.limit : kDefaultHistoryLimit;
      auto out = get_history(st, username, r.conversation_id, limit, r.history_cursor);
      if (out.error) return render_error(*out.error, rid);
      return render_history(r.conversation_id, out.value.messages, out.value.cursor, rid);
    }
    case Action::CreateConversation: {
      auto out = create_conversation(st, username, r.kind, r.name, r.members);
      if (out.error) return render_error(*out.error, rid);
      return render_conversation(out.value.conversation, out.value.created, rid);
    }
    case Action::ListConversations: {
      int limit = r.limit ? r.limit : kDefaultInboxLimit;
      auto out = list_conversations(st, username, limit, r.inbox_cursor);
      if (out.error) return render_error(*out.error, rid);
      std::vector<InboxItem> items;
      for (const auto& e : out.value.entries) items.push_back(inbox_item(e));
      return render_conversations(items, out.value.cursor, rid);
    }
    case Action::MarkRead: {
      auto e = mark_read(st, username, r.conversation_id, r.message_id);
      return e ? render_error(*e, rid) : std::string();
    }
    case Action::React: {
      auto out = react(st, username, r.conversation_id, r.message_id, r.emoji);
      return out.error ? render_error(*out.error, rid) : std::string();
    }
    case Action::Typing: {
      auto out = other_participants_connections(st, username, r.conversation_id);
      if (out.error) return render_error(*out.error, rid);
      std::string frame = render_typing(r.conversation_id, username);
      for (const Target& t : out.value) {
        auto posted = s.poster.post(endpoint, t.connection_id, frame);
        // A connection that is gone (410) left its items behind: remove them.
        if (posted.gone()) remove_gone_connection(st, t);  // not one still in its $connect
      }
      return {};
    }
    case Action::Heartbeat: refresh_presence(st, username); return render_pong(rid);
    case Action::GetPresence: return render_presence_list(get_presence(st, r.usernames), rid);
    case Action::GetToken: {
      if (s.token_secret.empty()) {
        return render_error({ErrorCode::InternalError, "no token secret is configured"}, rid);
      }
      int64_t now_s = st.now_ms() / 1000;
      TokenClaims claims{std::string(username), now_s, now_s + kTokenLifetimeSeconds};
      return render_token(issue_token(s.token_secret, claims), claims.exp, rid);
    }
  }
  return render_error({ErrorCode::UnknownAction, "unknown action"}, rid);
}

std::string handle_send(Services& s, std::string_view event) {
  EventContext e = read_event(event);
  ParseResult parsed = parse_request(e.body);
  if (!parsed.request) return proxy_result(200, render_error(parsed.error, parsed.request_id));
  const Request& r = *parsed.request;
  try {
    // Who is calling: API Gateway gives every route of a connection the context its $connect
    // authorizer returned (requestContext.authorizer), which $connect stored the connection
    // under; without it (no authorizer configured) the connection item says.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html
    std::string username = e.username;
    if (!is_valid_username(username)) {
      auto caller = get_connection(s.store, e.connection_id);
      if (!caller) {
        return proxy_result(200, render_error({ErrorCode::InternalError,
                                               "this connection is not registered; reconnect"},
                                              r.request_id));
      }
      username = caller->username;
    }
    std::string endpoint;
    if (r.action == Action::Typing) {
      endpoint = awsproto::ConnectionsClient::endpoint_for(s.env, e.domain_name, e.stage);
    }
    return proxy_result(200, perform(s, r, username, endpoint));
  } catch (const std::exception& ex) {
    // Logged for the operator; the client learns only that it failed.
    std::fprintf(stderr, "chat-send: %s: %s\n", std::string(action_name(r.action)).c_str(),
                 ex.what());
    return proxy_result(200,
                        render_error({ErrorCode::InternalError, "internal error"}, r.request_id));
  }
}

int serve(std::string (*handle)(Services&, std::string_view)) {
  Config config;
  try {
    config = Config::from_environment();
  } catch (const std::exception& e) {
    runtime::report_init_error("Runtime.InitError", e.what());
    return 1;
  }
  // Clients made once per instance and reused by every invocation.
  DynamoDb ddb(config.env);
  ConnectionsPoster poster(config.env);
  MembersCache members;
  Services services{Store{ddb, config.table_name, [] { return awsproto::Clock::now_ms(); },
                          process_ulids(), &members},
                    poster, config.env, config.token_secret};
  return runtime::serve([&](const runtime::Invocation& in) { return handle(services, in.event); });
}

}  // namespace chat
