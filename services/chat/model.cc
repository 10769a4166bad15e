#include "chat/model.h"

#include <algorithm>
#include <cstdio>

#include "awsproto/encoding.h"
#include "awsproto/sigv4.h"
#include "chat/ulid.h"

namespace chat {

using awsproto::AttributeMap;
using awsproto::AttributeValue;

namespace {

AttributeValue S(std::string s) { return AttributeValue::s(std::move(s)); }
AttributeValue N(int64_t n) { return AttributeValue::n(n); }

AttributeValue string_list(const std::vector<std::string>& items) {
  std::vector<AttributeValue> list;
  list.reserve(items.size());
  for (const auto& s : items) list.push_back(S(s));
  return AttributeValue::l(std::move(list));
}

// Optional strings are left out of the item when empty.
void put_optional(AttributeMap& item, const char* name, const std::string& value) {
  if (!value.empty()) item.emplace_back(name, S(value));
}

// Readers over a DynamoDB JSON item; each returns false (and leaves `out`) when the attribute
// is missing or of another type.
bool read(const rapidjson::Value& item, std::string_view name, std::string& out) {
  auto s = awsproto::get_string(item, name);
  if (!s) return false;
  out.assign(*s);
  return true;
}
bool read(const rapidjson::Value& item, std::string_view name, int64_t& out) {
  auto n = awsproto::get_int(item, name);
  if (!n) return false;
  out = *n;
  return true;
}
void read_optional(const rapidjson::Value& item, std::string_view name, std::string& out) {
  out.clear();
  read(item, name, out);
}
bool read(const rapidjson::Value& item, std::string_view name, std::vector<std::string>& out) {
  out.clear();
  if (!item.IsObject()) return false;
  auto m = item.FindMember(rapidjson::Value(
      rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  if (m == item.MemberEnd() || !m->value.IsObject()) return false;
  auto l = m->value.FindMember("L");
  if (l == m->value.MemberEnd() || !l->value.IsArray()) return false;
  for (const auto& element : l->value.GetArray()) {
    if (!element.IsObject()) return false;
    auto s = element.FindMember("S");
    if (s == element.MemberEnd() || !s->value.IsString()) return false;
    out.emplace_back(s->value.GetString(), s->value.GetStringLength());
  }
  return true;
}

bool has_type(const rapidjson::Value& item, std::string_view type) {
  return item_type(item) == type;
}

// The part of `text` after `prefix`, or nullopt.
std::optional<std::string_view> after(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  return text.substr(prefix.size());
}

bool key_is(const rapidjson::Value& item, std::string_view pk, std::string_view sk) {
  auto p = awsproto::get_string(item, "pk");
  auto s = awsproto::get_string(item, "sk");
  return p && s && *p == pk && *s == sk;
}

std::optional<rapidjson::Document> parse_cursor_key(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > kMaxCursorLength) return std::nullopt;
  auto json = base64url_decode(cursor);
  if (!json) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(json->data(),
                                                                                    json->size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  // Every member a string attribute {"S": "..."} and nothing else.
  for (const auto& m : doc.GetObject()) {
    if (!m.value.IsObject() || m.value.MemberCount() != 1) return std::nullopt;
    auto s = m.value.FindMember("S");
    if (s == m.value.MemberEnd() || !s->value.IsString()) return std::nullopt;
  }
  return doc;
}

std::string string_of(const rapidjson::Value& key, const char* name) {
  auto s = awsproto::get_string(key, name);
  return s ? std::string(*s) : std::string();
}

}  // namespace

std::string conversation_pk(std::string_view cid) { return "CONV#" + std::string(cid); }
std::string message_sk(std::string_view id) { return "MSG#" + std::string(id); }
std::string claim_sk(std::string_view sender, std::string_view client_message_id) {
  return "CLIENT#" + std::string(sender) + "#" + std::string(client_message_id);
}
std::string reaction_sk(std::string_view message_id, std::string_view username,
                        std::string_view emoji) {
  return reaction_prefix(message_id) + std::string(username) + "#" + std::string(emoji);
}
std::string reaction_prefix(std::string_view message_id) {
  return "REACT#" + std::string(message_id) + "#";
}
std::string read_sk(std::string_view username) { return "READ#" + std::string(username); }
std::string user_pk(std::string_view username) { return "USER#" + std::string(username); }
std::string membership_sk(std::string_view cid) { return "CONV#" + std::string(cid); }
std::string connection_pk(std::string_view id) { return "CONN#" + std::string(id); }
std::string user_connection_sk(std::string_view id) { return "CONN#" + std::string(id); }
std::string inbox_pk(std::string_view username) { return "INBOX#" + std::string(username); }
std::string user_messages_pk(std::string_view username) {
  return "USERMSG#" + std::string(username);
}

std::string inbox_sort_key(int64_t last_activity_ms, std::string_view cid) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%013lld",
                static_cast<long long>(std::clamp<int64_t>(last_activity_ms, 0, 9999999999999)));
  return std::string(digits) + "#" + std::string(cid);
}

int connection_bucket(std::string_view connection_id) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : connection_id) h = (h ^ c) * 1099511628211ull;
  return static_cast<int>(h % kConnectionBuckets);
}

std::string connection_bucket_pk(int bucket) { return "CONNS#" + std::to_string(bucket); }

std::string direct_conversation_id(std::string_view user_a, std::string_view user_b) {
  if (user_b < user_a) std::swap(user_a, user_b);
  std::string input;
  input.append(user_a).push_back('\0');
  input.append(user_b);
  return "dm-" + awsproto::sha256_hex(input).substr(0, 24);
}

std::string group_conversation_id(std::string_view ulid) { return "grp-" + std::string(ulid); }

std::optional<Error> conversation_members(std::string_view caller, std::string_view kind,
                                          const std::vector<std::string>& others,
                                          std::vector<std::string>& out) {
  std::vector<std::string> members(others.begin(), others.end());
  members.erase(std::remove(members.begin(), members.end(), caller), members.end());
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  if (kind == "direct" && members.size() != 1) {
    return Error{ErrorCode::BadRequest, "a direct conversation has one other member"};
  }
  if (kind == "group" && members.empty()) {
    return Error{ErrorCode::BadRequest, "a group needs at least one other member"};
  }
  if (members.size() > kMaxGroupOthers) {
    return Error{ErrorCode::TooManyMembers, "a group has at most 99 members"};
  }
  members.emplace_back(caller);
  std::sort(members.begin(), members.end());
  out = std::move(members);
  return std::nullopt;
}

AttributeMap key(std::string pk, std::string sk) {
  return {{"pk", S(std::move(pk))}, {"sk", S(std::move(sk))}};
}

AttributeMap to_item(const Conversation& c) {
  AttributeMap item = key(conversation_pk(c.conversation_id), std::string(kMetaSk));
  item.emplace_back("type", S("conversation"));
  item.emplace_back("conversationId", S(c.conversation_id));
  item.emplace_back("kind", S(c.kind));
  item.emplace_back("name", S(c.name));
  if (c.kind != "lobby") item.emplace_back("members", string_list(c.members));
  item.emplace_back("createdBy", S(c.created_by));
  item.emplace_back("createdAt", N(c.created_at));
  put_optional(item, "lastMessageId", c.last_message_id);
  put_optional(item, "lastSender", c.last_sender);
  put_optional(item, "lastText", std::string(first_code_points(c.last_text, kLastTextCodePoints)));
  return item;
}

AttributeMap to_item(const Message& m) {
  AttributeMap item = key(conversation_pk(m.conversation_id), message_sk(m.message_id));
  item.emplace_back("type", S("message"));
  item.emplace_back("conversationId", S(m.conversation_id));
  item.emplace_back("messageId", S(m.message_id));
  item.emplace_back("sender", S(m.sender));
  item.emplace_back("text", S(m.text));
  item.emplace_back("createdAt", N(m.created_at));
  item.emplace_back("clientMessageId", S(m.client_message_id));
  item.emplace_back("userPk", S(user_messages_pk(m.sender)));
  item.emplace_back("userSk", S(m.message_id));
  return item;
}

AttributeMap to_item(const Claim& c) {
  AttributeMap item =
      key(conversation_pk(c.conversation_id), claim_sk(c.sender, c.client_message_id));
  item.emplace_back("messageId", S(c.message_id));
  item.emplace_back("createdAt", N(c.created_at));
  item.emplace_back("expiresAt", N(c.expires_at));
  return item;
}

AttributeMap to_item(const Reaction& r) {
  AttributeMap item =
      key(conversation_pk(r.conversation_id), reaction_sk(r.message_id, r.username, r.emoji));
  item.emplace_back("type", S("reaction"));
  item.emplace_back("conversationId", S(r.conversation_id));
  item.emplace_back("messageId", S(r.message_id));
  item.emplace_back("username", S(r.username));
  item.emplace_back("emoji", S(r.emoji));
  item.emplace_back("createdAt", N(r.created_at));
  return item;
}

AttributeMap to_item(const ReadReceipt& r) {
  AttributeMap item = key(conversation_pk(r.conversation_id), read_sk(r.username));
  item.emplace_back("type", S("read"));
  item.emplace_back("conversationId", S(r.conversation_id));
  item.emplace_back("username", S(r.username));
  item.emplace_back("messageId", S(r.message_id));
  item.emplace_back("readAt", N(r.read_at));
  return item;
}

AttributeMap to_item(const InboxEntry& e) {
  AttributeMap item = key(user_pk(e.username), membership_sk(e.conversation_id));
  item.emplace_back("type", S("inbox"));
  item.emplace_back("conversationId", S(e.conversation_id));
  item.emplace_back("kind", S(e.kind));
  item.emplace_back("name", S(e.name));
  item.emplace_back("members", string_list(e.members));
  put_optional(item, "lastReadMessageId", e.last_read_message_id);
  return item;
}

AttributeMap to_item(const Connection& c) {
  AttributeMap item = key(connection_pk(c.connection_id), std::string(kMetaSk));
  item.emplace_back("type", S("connection"));
  item.emplace_back("connectionId", S(c.connection_id));
  item.emplace_back("username", S(c.username));
  item.emplace_back("connectedAt", N(c.connected_at));
  item.emplace_back("domainName", S(c.domain_name));
  item.emplace_back("stage", S(c.stage));
  item.emplace_back("expiresAt", N(c.expires_at));
  item.emplace_back("connBucket", S(connection_bucket_pk(connection_bucket(c.connection_id))));
  item.emplace_back("connSk", S(c.connection_id));
  return item;
}

AttributeMap to_item(const UserConnection& c) {
  AttributeMap item = key(user_pk(c.username), user_connection_sk(c.connection_id));
  item.emplace_back("type", S("userconn"));
  item.emplace_back("connectionId", S(c.connection_id));
  item.emplace_back("domainName", S(c.domain_name));
  item.emplace_back("stage", S(c.stage));
  item.emplace_back("expiresAt", N(c.expires_at));
  return item;
}

AttributeMap to_item(const Presence& p) {
  AttributeMap item = key(user_pk(p.username), std::string(kPresenceSk));
  item.emplace_back("type", S("presence"));
  item.emplace_back("username", S(p.username));
  item.emplace_back("lastSeen", N(p.last_seen));
  item.emplace_back("expiresAt", N(p.expires_at));
  return item;
}

std::string_view item_type(const rapidjson::Value& item) {
  return awsproto::get_string(item, "type").value_or(std::string_view());
}

bool from_item(const rapidjson::Value& item, Conversation& out) {
  Conversation c;
  if (!has_type(item, "conversation") || !read(item, "conversationId", c.conversation_id) ||
      !key_is(item, conversation_pk(c.conversation_id), kMetaSk) || !read(item, "kind", c.kind) ||
      !read(item, "createdAt", c.created_at)) {
    return false;
  }
  read_optional(item, "name", c.name);
  read_optional(item, "createdBy", c.created_by);
  read_optional(item, "lastMessageId", c.last_message_id);
  read_optional(item, "lastSender", c.last_sender);
  read_optional(item, "lastText", c.last_text);
  if (!read(item, "members", c.members) && c.kind != "lobby") return false;
  out = std::move(c);
  return true;
}

bool from_item(const rapidjson::Value& item, Message& out) {
  Message m;
  if (!has_type(item, "message") || !read(item, "conversationId", m.conversation_id) ||
      !read(item, "messageId", m.message_id) ||
      !key_is(item, conversation_pk(m.conversation_id), message_sk(m.message_id)) ||
      !read(item, "sender", m.sender) || !read(item, "text", m.text) ||
      !read(item, "createdAt", m.created_at)) {
    return false;
  }
  read_optional(item, "clientMessageId", m.client_message_id);
  out = std::move(m);
  return true;
}

bool from_item(const rapidjson::Value& item, Claim& out) {
  Claim c;
  std::string pk, sk;
  if (!read(item, "pk", pk) || !read(item, "sk", sk) || !read(item, "messageId", c.message_id) ||
      !read(item, "createdAt", c.created_at) || !read(item, "expiresAt", c.expires_at)) {
    return false;
  }
  auto cid = after(pk, "CONV#");
  auto rest = after(sk, "CLIENT#");
  if (!cid || !rest) return false;
  // The sender has no '#' (a username), the clientMessageId may.
  size_t hash = rest->find('#');
  if (hash == std::string_view::npos) return false;
  c.conversation_id.assign(*cid);
  c.sender.assign(rest->substr(0, hash));
  c.client_message_id.assign(rest->substr(hash + 1));
  out = std::move(c);
  return true;
}

bool from_item(const rapidjson::Value& item, Reaction& out) {
  Reaction r;
  if (!has_type(item, "reaction") || !read(item, "conversationId", r.conversation_id) ||
      !read(item, "messageId", r.message_id) || !read(item, "username", r.username) ||
      !read(item, "emoji", r.emoji) ||
      !key_is(item, conversation_pk(r.conversation_id),
              reaction_sk(r.message_id, r.username, r.emoji)) ||
      !read(item, "createdAt", r.created_at)) {
    return false;
  }
  out = std::move(r);
  return true;
}

bool from_item(const rapidjson::Value& item, ReadReceipt& out) {
  ReadReceipt r;
  if (!has_type(item, "read") || !read(item, "conversationId", r.conversation_id) ||
      !read(item, "username", r.username) ||
      !key_is(item, conversation_pk(r.conversation_id), read_sk(r.username)) ||
      !read(item, "messageId", r.message_id) || !read(item, "readAt", r.read_at)) {
    return false;
  }
  out = std::move(r);
  return true;
}

bool from_item(const rapidjson::Value& item, InboxEntry& out) {
  InboxEntry e;
  std::string pk;
  if (!has_type(item, "inbox") || !read(item, "pk", pk) || !after(pk, "USER#") ||
      !read(item, "conversationId", e.conversation_id) || !read(item, "kind", e.kind) ||
      !read(item, "members", e.members)) {
    return false;
  }
  e.username = pk.substr(5);
  if (!key_is(item, pk, membership_sk(e.conversation_id))) return false;
  read_optional(item, "name", e.name);
  read_optional(item, "lastReadMessageId", e.last_read_message_id);
  out = std::move(e);
  return true;
}

bool from_item(const rapidjson::Value& item, Connection& out) {
  Connection c;
  if (!has_type(item, "connection") || !read(item, "connectionId", c.connection_id) ||
      !key_is(item, connection_pk(c.connection_id), kMetaSk) ||
      !read(item, "username", c.username)) {
    return false;
  }
  read(item, "connectedAt", c.connected_at);
  read_optional(item, "domainName", c.domain_name);
  read_optional(item, "stage", c.stage);
  read(item, "expiresAt", c.expires_at);
  out = std::move(c);
  return true;
}

bool from_item(const rapidjson::Value& item, UserConnection& out) {
  UserConnection c;
  std::string pk;
  if (!has_type(item, "userconn") || !read(item, "pk", pk) || !after(pk, "USER#") ||
      !read(item, "connectionId", c.connection_id) ||
      !key_is(item, pk, user_connection_sk(c.connection_id))) {
    return false;
  }
  c.username = pk.substr(5);
  read_optional(item, "domainName", c.domain_name);
  read_optional(item, "stage", c.stage);
  read(item, "expiresAt", c.expires_at);
  out = std::move(c);
  return true;
}

bool from_item(const rapidjson::Value& item, Presence& out) {
  Presence p;
  if (!has_type(item, "presence") || !read(item, "username", p.username) ||
      !key_is(item, user_pk(p.username), kPresenceSk) || !read(item, "lastSeen", p.last_seen)) {
    return false;
  }
  read(item, "expiresAt", p.expires_at);
  out = std::move(p);
  return true;
}

std::string base64url_encode(std::string_view bytes) {
  std::string text = awsproto::base64_encode(bytes, true);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (c == '+' || c == '/' || c == '=') {
      return std::nullopt;  // the other alphabet, or padding: not what we write
    }
  }
  // Four characters make three bytes; one left over cannot be a whole byte.
  if (standard.size() % 4 == 1) return std::nullopt;
  return awsproto::base64_decode(standard);
}

std::string encode_cursor(const AttributeMap& last_evaluated_key) {
  return base64url_encode(awsproto::to_json(last_evaluated_key));
}

std::string encode_cursor(const rapidjson::Value& last_evaluated_key) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  last_evaluated_key.Accept(writer);
  return base64url_encode(std::string_view(buffer.GetString(), buffer.GetSize()));
}

std::optional<HistoryCursor> decode_history_cursor(std::string_view cursor) {
  auto doc = parse_cursor_key(cursor);
  if (!doc || doc->MemberCount() != 2) return std::nullopt;
  std::string pk = string_of(*doc, "pk"), sk = string_of(*doc, "sk");
  auto cid = after(pk, "CONV#");
  auto id = after(sk, "MSG#");
  if (!cid || !id || !is_conversation_id(*cid) || !is_ulid(*id)) return std::nullopt;
  HistoryCursor c{std::string(*cid), std::string(*id), key(pk, sk)};
  return c;
}

std::optional<InboxCursor> decode_inbox_cursor(std::string_view cursor) {
  auto doc = parse_cursor_key(cursor);
  if (!doc || doc->MemberCount() != 4) return std::nullopt;
  std::string pk = string_of(*doc, "pk"), sk = string_of(*doc, "sk");
  std::string ipk = string_of(*doc, "inboxPk"), isk = string_of(*doc, "inboxSk");
  auto user = after(pk, "USER#");
  auto cid = after(sk, "CONV#");
  if (!user || !cid || !is_valid_username(*user) || !is_conversation_id(*cid) ||
      ipk != inbox_pk(*user) || isk.size() != 14 + cid->size() || isk[13] != '#' ||
      isk.substr(14) != *cid) {
    return std::nullopt;
  }
  for (size_t i = 0; i < 13; ++i) {
    if (isk[i] < '0' || isk[i] > '9') return std::nullopt;
  }
  InboxCursor c{std::string(*user), std::string(*cid), isk, key(pk, sk)};
  c.key.emplace_back("inboxPk", S(ipk));
  c.key.emplace_back("inboxSk", S(isk));
  return c;
}

}  // namespace chat
