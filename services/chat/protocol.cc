#include "chat/protocol.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "chat/ulid.h"

namespace chat {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr struct {
  Action action;
  std::string_view name;
} kActions[] = {
    {Action::SendMessage, "sendMessage"},
    {Action::GetHistory, "getHistory"},
    {Action::CreateConversation, "createConversation"},
    {Action::ListConversations, "listConversations"},
    {Action::MarkRead, "markRead"},
    {Action::React, "react"},
    {Action::Typing, "typing"},
    {Action::Heartbeat, "heartbeat"},
    {Action::GetToken, "getToken"},
    {Action::GetPresence, "getPresence"},
};

// What a client sent, quoted in a message: at most 64 characters of it.
std::string quoted(std::string_view text) {
  std::string_view cut = first_code_points(text, 64);
  return "\"" + std::string(cut) + (cut.size() < text.size() ? "...\"" : "\"");
}

Error bad(std::string message) { return {ErrorCode::BadRequest, std::move(message)}; }

std::string_view view(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// The member `name` of the frame; nullptr when absent or null.
const rapidjson::Value* find(const rapidjson::Value& frame, const char* name) {
  auto m = frame.FindMember(name);
  if (m == frame.MemberEnd() || m->value.IsNull()) return nullptr;
  return &m->value;
}

std::optional<Error> required_string(const rapidjson::Value& frame, const char* name,
                                     std::string& out) {
  const rapidjson::Value* v = find(frame, name);
  if (!v) return bad("missing \"" + std::string(name) + "\"");
  if (!v->IsString()) return bad("\"" + std::string(name) + "\" must be a string");
  out.assign(view(*v));
  return std::nullopt;
}

std::optional<Error> conversation_id(const rapidjson::Value& frame, Request& r) {
  if (auto e = required_string(frame, "conversationId", r.conversation_id)) return e;
  if (r.conversation_id.empty()) return bad("\"conversationId\" is empty");
  if (!is_conversation_id(r.conversation_id)) {
    return Error{ErrorCode::NotFound, "no conversation " + quoted(r.conversation_id)};
  }
  return std::nullopt;
}

std::optional<Error> message_id(const rapidjson::Value& frame, Request& r) {
  if (auto e = required_string(frame, "messageId", r.message_id)) return e;
  if (!is_ulid(r.message_id))
    return Error{ErrorCode::NotFound, "no message " + quoted(r.message_id)};
  return std::nullopt;
}

std::optional<Error> limit(const rapidjson::Value& frame, int default_limit, Request& r) {
  const rapidjson::Value* v = find(frame, "limit");
  r.limit = default_limit;
  if (!v) return std::nullopt;
  if (!v->IsInt() || v->GetInt() < 1 || v->GetInt() > kMaxLimit) {
    return bad("\"limit\" must be an integer from 1 to 100");
  }
  r.limit = v->GetInt();
  return std::nullopt;
}

// The cursor's text, or nullptr when there is none (absent or null).
std::optional<Error> cursor_text(const rapidjson::Value& frame, const rapidjson::Value*& out) {
  out = find(frame, "cursor");
  if (out && !out->IsString()) return bad("\"cursor\" must be a string or null");
  return std::nullopt;
}

std::optional<Error> parse_send(const rapidjson::Value& frame, Request& r) {
  if (auto e = conversation_id(frame, r)) return e;
  std::string text;
  if (auto e = required_string(frame, "text", text)) return e;
  if (auto e = normalize_message_text(text, r.text)) return e;
  if (auto e = required_string(frame, "clientMessageId", r.client_message_id)) return e;
  return check_client_message_id(r.client_message_id);
}

std::optional<Error> parse_history(const rapidjson::Value& frame, Request& r) {
  if (auto e = conversation_id(frame, r)) return e;
  if (auto e = limit(frame, kDefaultHistoryLimit, r)) return e;
  const rapidjson::Value* cursor;
  if (auto e = cursor_text(frame, cursor)) return e;
  if (cursor) {
    r.history_cursor = decode_history_cursor(view(*cursor));
    if (!r.history_cursor || r.history_cursor->conversation_id != r.conversation_id) {
      return bad("\"cursor\" is not one this conversation's history gave");
    }
  }
  return std::nullopt;
}

std::optional<Error> parse_create(const rapidjson::Value& frame, Request& r) {
  if (auto e = required_string(frame, "kind", r.kind)) return e;
  if (r.kind != "direct" && r.kind != "group") {
    return bad("\"kind\" must be \"direct\" or \"group\"");
  }
  const rapidjson::Value* members = find(frame, "members");
  if (!members) return bad("missing \"members\"");
  if (!members->IsArray()) return bad("\"members\" must be a list of usernames");
  for (const auto& m : members->GetArray()) {
    if (!m.IsString()) return bad("\"members\" must be a list of usernames");
    if (!is_valid_username(view(m))) {
      return Error{ErrorCode::InvalidUsername, "not a username: " + quoted(view(m))};
    }
    if (std::find(r.members.begin(), r.members.end(), view(m)) == r.members.end()) {
      r.members.emplace_back(view(m));
    }
    // The caller may be among them: one more than a group's others is still possible.
    if (r.members.size() > kMaxGroupOthers + 1) {
      return Error{ErrorCode::TooManyMembers, "a group has at most 99 members"};
    }
  }
  if (r.members.empty()) return bad("\"members\" is empty");
  if (r.kind == "direct") {
    if (r.members.size() != 1) return bad("a direct conversation has one other member");
    const rapidjson::Value* name = find(frame, "name");
    if (name && !name->IsString()) return bad("\"name\" must be a string");
    return std::nullopt;
  }
  std::string name;
  if (auto e = required_string(frame, "name", name)) return e;
  return normalize_group_name(name, r.name);
}

std::optional<Error> parse_list(const rapidjson::Value& frame, Request& r) {
  if (auto e = limit(frame, kDefaultInboxLimit, r)) return e;
  const rapidjson::Value* cursor;
  if (auto e = cursor_text(frame, cursor)) return e;
  if (cursor) {
    r.inbox_cursor = decode_inbox_cursor(view(*cursor));
    if (!r.inbox_cursor) return bad("\"cursor\" is not one listConversations gave");
  }
  return std::nullopt;
}

std::optional<Error> parse_react(const rapidjson::Value& frame, Request& r) {
  if (auto e = conversation_id(frame, r)) return e;
  if (auto e = message_id(frame, r)) return e;
  if (auto e = required_string(frame, "emoji", r.emoji)) return e;
  return check_emoji(r.emoji);
}

// getPresence: 1 to 100 usernames; a repeat is asked about once.
std::optional<Error> parse_presence(const rapidjson::Value& frame, Request& r) {
  const rapidjson::Value* names = find(frame, "usernames");
  if (!names) return bad("missing \"usernames\"");
  if (!names->IsArray()) return bad("\"usernames\" must be a list of usernames");
  for (const auto& n : names->GetArray()) {
    if (!n.IsString()) return bad("\"usernames\" must be a list of usernames");
    if (!is_valid_username(view(n))) {
      return Error{ErrorCode::InvalidUsername, "not a username: " + quoted(view(n))};
    }
    if (std::find(r.usernames.begin(), r.usernames.end(), view(n)) == r.usernames.end()) {
      r.usernames.emplace_back(view(n));
    }
    if (r.usernames.size() > kMaxPresenceUsernames) {
      return bad("\"usernames\" names at most 100 users");
    }
  }
  if (r.usernames.empty()) return bad("\"usernames\" is empty");
  return std::nullopt;
}

std::optional<Error> parse_members(const rapidjson::Value& frame, Request& r) {
  switch (r.action) {
    case Action::SendMessage: return parse_send(frame, r);
    case Action::GetHistory: return parse_history(frame, r);
    case Action::CreateConversation: return parse_create(frame, r);
    case Action::ListConversations: return parse_list(frame, r);
    case Action::MarkRead:
      if (auto e = conversation_id(frame, r)) return e;
      return message_id(frame, r);
    case Action::React: return parse_react(frame, r);
    case Action::Typing: return conversation_id(frame, r);
    case Action::GetPresence: return parse_presence(frame, r);
    case Action::Heartbeat:
    case Action::GetToken: return std::nullopt;
  }
  return std::nullopt;
}

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void member(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  string(w, value);
}

void member(Writer& w, const char* key, int64_t value) {
  w.Key(key);
  w.Int64(value);
}

// A string member that is null when empty.
void nullable(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  if (value.empty()) {
    w.Null();
  } else {
    string(w, value);
  }
}

void nullable_optional(Writer& w, const char* key, const std::optional<std::string>& value) {
  nullable(w, key, value ? std::string_view(*value) : std::string_view());
}

void request_id_member(Writer& w, const RequestId& request_id) {
  if (request_id) member(w, "requestId", *request_id);
}

void strings(Writer& w, const char* key, const std::vector<std::string>& list) {
  w.Key(key);
  w.StartArray();
  for (const auto& s : list) string(w, s);
  w.EndArray();
}

void message_members(Writer& w, const Message& m) {
  member(w, "conversationId", m.conversation_id);
  member(w, "messageId", m.message_id);
  member(w, "sender", m.sender);
  member(w, "text", m.text);
  member(w, "createdAt", m.created_at);
  member(w, "clientMessageId", m.client_message_id);
}

// Runs `body` between StartObject and EndObject, after "type" when one is given.
template <class Body>
std::string frame(const char* type, Body&& body) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (type) member(w, "type", type);
  body(w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void messages(Writer& w, const std::vector<Message>& list) {
  w.Key("messages");
  w.StartArray();
  for (const auto& m : list) {
    w.StartObject();
    message_members(w, m);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string_view action_name(Action action) {
  for (const auto& a : kActions) {
    if (a.action == action) return a.name;
  }
  return "";
}

std::optional<Action> parse_action(std::string_view name) {
  for (const auto& a : kActions) {
    if (a.name == name) return a.action;
  }
  return std::nullopt;
}

ParseResult parse_request(std::string_view text) {
  ParseResult result;
  auto fail = [&](Error e) {
    result.error = std::move(e);
    return std::move(result);
  };
  if (text.size() > kMaxFrameBytes) {
    return fail(bad("the frame is larger than " + std::to_string(kMaxFrameBytes) + " bytes"));
  }
  rapidjson::Document doc;
  // Iterative: a deeply nested frame costs heap, not stack. Strings must be valid UTF-8.
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(),
                                                                                    text.size());
  if (doc.HasParseError()) return fail(bad("the frame is not JSON"));
  if (!doc.IsObject()) return fail(bad("the frame is not a JSON object"));
  Request r;
  if (const rapidjson::Value* id = find(doc, "requestId")) {
    if (!id->IsString()) return fail(bad("\"requestId\" must be a string"));
    if (auto e = check_request_id(view(*id))) return fail(*e);
    r.request_id.emplace(view(*id));
    result.request_id = r.request_id;
  }
  const rapidjson::Value* action = find(doc, "action");
  if (!action) return fail(bad("missing \"action\""));
  if (!action->IsString()) return fail(bad("\"action\" must be a string"));
  auto parsed = parse_action(view(*action));
  if (!parsed) return fail({ErrorCode::UnknownAction, "unknown action " + quoted(view(*action))});
  r.action = *parsed;
  if (auto e = parse_members(doc, r)) return fail(*e);
  result.request = std::move(r);
  return result;
}

InboxItem inbox_item(const InboxEntry& e) {
  return {e.conversation_id, e.kind,        e.name,     e.members, e.unread, e.last_activity,
          e.last_message_id, e.last_sender, e.last_text};
}

std::string render_message(const Message& m) {
  return frame("message", [&](Writer& w) { message_members(w, m); });
}

std::string render_ack(const Message& m, const RequestId& request_id) {
  return frame("ack", [&](Writer& w) {
    member(w, "clientMessageId", m.client_message_id);
    member(w, "messageId", m.message_id);
    member(w, "conversationId", m.conversation_id);
    member(w, "createdAt", m.created_at);
    request_id_member(w, request_id);
  });
}

std::string render_history(std::string_view conversation_id, const std::vector<Message>& list,
                           const std::optional<std::string>& cursor, const RequestId& request_id) {
  return frame("history", [&](Writer& w) {
    member(w, "conversationId", conversation_id);
    messages(w, list);
    nullable_optional(w, "cursor", cursor);
    request_id_member(w, request_id);
  });
}

std::string render_history_body(std::string_view conversation_id, const std::vector<Message>& list,
                                const std::optional<std::string>& cursor) {
  return frame(nullptr, [&](Writer& w) {
    member(w, "conversationId", conversation_id);
    messages(w, list);
    nullable_optional(w, "cursor", cursor);
  });
}

std::string render_conversation(const Conversation& c, bool created, const RequestId& request_id) {
  return frame("conversation", [&](Writer& w) {
    member(w, "conversationId", c.conversation_id);
    member(w, "kind", c.kind);
    member(w, "name", c.name);
    strings(w, "members", c.members);
    member(w, "createdAt", c.created_at);
    w.Key("created");
    w.Bool(created);
    request_id_member(w, request_id);
  });
}

std::string render_conversations(const std::vector<InboxItem>& items,
                                 const std::optional<std::string>& cursor,
                                 const RequestId& request_id) {
  return frame("conversations", [&](Writer& w) {
    w.Key("items");
    w.StartArray();
    for (const auto& i : items) {
      w.StartObject();
      member(w, "conversationId", i.conversation_id);
      member(w, "kind", i.kind);
      member(w, "name", i.name);
      strings(w, "members", i.members);
      member(w, "unread", i.unread);
      member(w, "lastActivity", i.last_activity);
      nullable(w, "lastMessageId", i.last_message_id);
      nullable(w, "lastSender", i.last_sender);
      nullable(w, "lastText", i.last_text);
      w.EndObject();
    }
    w.EndArray();
    nullable_optional(w, "cursor", cursor);
    request_id_member(w, request_id);
  });
}

std::string render_read(const ReadReceipt& r) {
  return frame("read", [&](Writer& w) {
    member(w, "conversationId", r.conversation_id);
    member(w, "username", r.username);
    member(w, "messageId", r.message_id);
  });
}

std::string render_reaction(const Reaction& r, bool added) {
  return frame("reaction", [&](Writer& w) {
    member(w, "conversationId", r.conversation_id);
    member(w, "messageId", r.message_id);
    member(w, "username", r.username);
    member(w, "emoji", r.emoji);
    w.Key("added");
    w.Bool(added);
  });
}

std::string render_typing(std::string_view conversation_id, std::string_view username) {
  return frame("typing", [&](Writer& w) {
    member(w, "conversationId", conversation_id);
    member(w, "username", username);
  });
}

std::string render_presence(const std::vector<std::pair<std::string, bool>>& users) {
  return frame("presence", [&](Writer& w) {
    w.Key("users");
    w.StartArray();
    for (const auto& [username, online] : users) {
      w.StartObject();
      member(w, "username", username);
      w.Key("online");
      w.Bool(online);
      w.EndObject();
    }
    w.EndArray();
  });
}

std::string render_pong(const RequestId& request_id) {
  return frame("pong", [&](Writer& w) { request_id_member(w, request_id); });
}

std::string render_presence_list(const std::vector<PresenceState>& users,
                                 const RequestId& request_id) {
  return frame("presenceList", [&](Writer& w) {
    w.Key("users");
    w.StartArray();
    for (const auto& u : users) {
      w.StartObject();
      member(w, "username", u.username);
      w.Key("online");
      w.Bool(u.online);
      w.Key("lastSeen");
      if (u.last_seen) {
        w.Int64(u.last_seen);
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray();
    request_id_member(w, request_id);
  });
}

std::string render_token(std::string_view token, int64_t expires_at, const RequestId& request_id) {
  return frame("token", [&](Writer& w) {
    member(w, "token", token);
    member(w, "expiresAt", expires_at);
    request_id_member(w, request_id);
  });
}

std::string render_error(const Error& error, const RequestId& request_id) {
  return frame("error", [&](Writer& w) {
    member(w, "code", code_name(error.code));
    member(w, "message", error.message);
    request_id_member(w, request_id);
  });
}

std::string render_http_error(std::string_view code, std::string_view message) {
  return frame(nullptr, [&](Writer& w) {
    member(w, "code", code);
    if (!message.empty()) member(w, "message", message);
  });
}

}  // namespace chat
