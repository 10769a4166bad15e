#include "chat/store.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace chat {

using awsproto::AttributeMap;
using awsproto::AttributeValue;
using awsproto::AwsError;

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

AttributeValue S(std::string s) { return AttributeValue::s(std::move(s)); }
AttributeValue N(int64_t n) { return AttributeValue::n(n); }

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string text_of(rapidjson::StringBuffer& b) { return {b.GetString(), b.GetSize()}; }

bool is_cancelled(const AwsError& e) { return e.type() == "TransactionCanceledException"; }

// The reason of item i, in the order of the request's items: its code ("None" for an item that
// was fine, or when the service sent fewer reasons). The item that failed its condition comes
// with its old image when it asked for ALL_OLD.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html
std::string_view reason(const AwsError& e, size_t i) {
  const auto& r = e.cancellation_reasons();
  return i < r.size() ? std::string_view(r[i].code) : std::string_view("None");
}
bool failed(const AwsError& e, size_t i) { return reason(e, i) == "ConditionalCheckFailed"; }
// The item as it was, when its condition failed and it existed (ALL_OLD); else null.
const rapidjson::Value* old_item(const AwsError& e, size_t i) {
  const auto& r = e.cancellation_reasons();
  if (i >= r.size() || !r[i].item || !r[i].item->IsObject()) return nullptr;
  if (r[i].item->MemberCount() == 0) return nullptr;
  return r[i].item.get();
}
bool conflicted(const AwsError& e) {
  for (const auto& r : e.cancellation_reasons()) {
    if (r.code == "TransactionConflict") return true;
  }
  return false;
}

[[noreturn]] void unexpected(const AwsError& e, std::string_view what) {
  throw std::runtime_error(std::string(what) + ": " + e.type() + ": " + e.message());
}

// GetItem with a consistent read; the item (an object) or nullopt.
std::optional<rapidjson::Document> get_item(Store& s, const AttributeMap& key) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("TableName");
  string(w, s.table);
  w.Key("Key");
  awsproto::write_item(w, key);
  w.Key("ConsistentRead");
  w.Bool(true);
  w.EndObject();
  rapidjson::Document answer = s.db.call("GetItem", text_of(b));
  if (!answer.IsObject()) return std::nullopt;
  auto item = answer.FindMember("Item");
  if (item == answer.MemberEnd() || !item->value.IsObject()) return std::nullopt;
  rapidjson::Document out;
  out.CopyFrom(item->value, out.GetAllocator());
  return out;
}

struct QuerySpec {
  std::string index;  // empty: the table
  std::string key_condition;
  AttributeMap values;
  bool forward = true;
  int limit = 0;  // 0: none
  bool count = false;
  std::string filter;      // FilterExpression; empty: none
  bool consistent = true;  // ignored for an index (GSIs read eventually consistent)
  const AttributeMap* start = nullptr;
  const rapidjson::Value* start_json = nullptr;  // a previous page's LastEvaluatedKey
};

rapidjson::Document query(Store& s, const QuerySpec& q) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("TableName");
  string(w, s.table);
  if (!q.index.empty()) {
    w.Key("IndexName");
    string(w, q.index);
  } else if (q.consistent) {
    w.Key("ConsistentRead");
    w.Bool(true);
  }
  w.Key("KeyConditionExpression");
  string(w, q.key_condition);
  if (!q.filter.empty()) {
    w.Key("FilterExpression");
    string(w, q.filter);
  }
  w.Key("ExpressionAttributeValues");
  awsproto::write_item(w, q.values);
  w.Key("ScanIndexForward");
  w.Bool(q.forward);
  if (q.limit > 0) {
    w.Key("Limit");
    w.Int(q.limit);
  }
  if (q.count) {
    w.Key("Select");
    w.String("COUNT");
  }
  if (q.start) {
    w.Key("ExclusiveStartKey");
    awsproto::write_item(w, *q.start);
  } else if (q.start_json) {
    w.Key("ExclusiveStartKey");
    q.start_json->Accept(w);
  }
  w.EndObject();
  return s.db.call("Query", text_of(b));
}

const rapidjson::Value* member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto m = v.FindMember(name);
  return m == v.MemberEnd() ? nullptr : &m->value;
}

// The items of a Query answer.
template <class F>
void each_item(const rapidjson::Document& answer, F&& f) {
  const rapidjson::Value* items = member(answer, "Items");
  if (!items || !items->IsArray()) return;
  for (const auto& item : items->GetArray()) f(item);
}

// Every page of a Query: f(answer) for each, following LastEvaluatedKey.
template <class F>
void query_pages(Store& s, QuerySpec q, F&& f) {
  rapidjson::Document last_key;
  for (;;) {
    rapidjson::Document answer = query(s, q);
    f(answer);
    const rapidjson::Value* next = member(answer, "LastEvaluatedKey");
    if (!next || !next->IsObject() || next->MemberCount() == 0) break;
    last_key.CopyFrom(*next, last_key.GetAllocator());
    q.start_json = &last_key;
  }
}

std::optional<std::string> page_cursor(const rapidjson::Document& answer) {
  const rapidjson::Value* last = member(answer, "LastEvaluatedKey");
  if (!last || !last->IsObject() || last->MemberCount() == 0) return std::nullopt;
  return encode_cursor(*last);
}

TxItem put(AttributeMap item, std::string condition = {}) {
  TxItem t;
  t.kind = TxItem::Kind::Put;
  t.item = std::move(item);
  t.condition = std::move(condition);
  return t;
}

TxItem check(AttributeMap key, std::string condition) {
  TxItem t;
  t.kind = TxItem::Kind::Check;
  t.item = std::move(key);
  t.condition = std::move(condition);
  return t;
}

void transact(Store& s, const std::vector<TxItem>& items) {
  s.db.call("TransactWriteItems", transact_body(s.table, items));
}

void delete_item(Store& s, AttributeMap key) {
  TxItem t;
  t.kind = TxItem::Kind::Delete;
  t.item = std::move(key);
  s.db.call("DeleteItem", single_body(s.table, t));
}

AttributeMap membership_key(std::string_view username, std::string_view cid) {
  return key(user_pk(username), membership_sk(cid));
}
AttributeMap conversation_key(std::string_view cid) {
  return key(conversation_pk(cid), std::string(kMetaSk));
}

std::optional<Conversation> get_conversation(Store& s, std::string_view cid) {
  auto item = get_item(s, conversation_key(cid));
  Conversation c;
  if (!item || !from_item(*item, c)) return std::nullopt;
  return c;
}

// The error for a user without an inbox entry for `cid`: NotFound when the conversation does
// not exist, else NotAParticipant.
Error not_a_participant(Store& s, std::string_view cid) {
  if (!get_item(s, conversation_key(cid))) {
    return make_error(ErrorCode::NotFound, "no conversation \"" + std::string(cid) + "\"");
  }
  return make_error(ErrorCode::NotAParticipant,
                    "not a participant of \"" + std::string(cid) + "\"");
}

Error no_message(std::string_view message_id) {
  return make_error(ErrorCode::NotFound, "no message \"" + std::string(message_id) + "\"");
}

}  // namespace

void connect(Store& s, const Connection& c) {
  UserConnection uc{c.username, c.connection_id, c.domain_name, c.stage, c.expires_at};
  int64_t now = s.now_ms();
  Presence p{c.username, now, now / 1000 + kPresenceTtlSeconds};
  transact(s, {put(to_item(c)), put(to_item(uc)), put(to_item(p)),
               add_connection_entry(c.username,
                                    connection_entry(c.connection_id, c.domain_name, c.stage),
                                    c.expires_at)});
}

std::string disconnect(Store& s, std::string_view connection_id, std::string_view username) {
  TxItem del;
  del.kind = TxItem::Kind::Delete;
  del.item = key(connection_pk(connection_id), std::string(kMetaSk));
  rapidjson::Document old = s.db.call("DeleteItem", single_body(s.table, del, "ALL_OLD"));
  std::string user(username);
  std::optional<Connection> gone;
  if (const rapidjson::Value* attrs = member(old, "Attributes")) {
    Connection c;
    if (from_item(*attrs, c)) {
      user = c.username;
      gone = std::move(c);
    }
  }
  if (user.empty()) return user;
  delete_item(s, key(user_pk(user), user_connection_sk(connection_id)));
  // Without the connection item its entry is gone already: a 410 removed both.
  if (gone)
    remove_connection_entry(s, user,
                            connection_entry(connection_id, gone->domain_name, gone->stage));

  // The presence goes with the last connection. It is read before the connections are counted
  // and deleted only if its lastSeen is still the one read: a connect that committed after the
  // count wrote a newer presence (one transaction with its connection items), which stays.
  auto presence = get_item(s, key(user_pk(user), std::string(kPresenceSk)));
  Presence p;
  if (!presence || !from_item(*presence, p)) return user;
  if (!user_connections(s, user).empty()) return user;
  TxItem t;
  t.kind = TxItem::Kind::Delete;
  t.item = key(user_pk(user), std::string(kPresenceSk));
  t.condition = "lastSeen = :seen";
  t.values = {{":seen", N(p.last_seen)}};
  try {
    s.db.call("DeleteItem", single_body(s.table, t));
  } catch (const AwsError& e) {
    if (e.type() != "ConditionalCheckFailedException") throw;
  }
  return user;
}

std::optional<Connection> get_connection(Store& s, std::string_view connection_id) {
  auto item = get_item(s, key(connection_pk(connection_id), std::string(kMetaSk)));
  Connection c;
  if (!item || !from_item(*item, c)) return std::nullopt;
  return c;
}

void refresh_presence(Store& s, std::string_view username) {
  int64_t now = s.now_ms();
  Presence p{std::string(username), now, now / 1000 + kPresenceTtlSeconds};
  s.db.call("PutItem", single_body(s.table, put(to_item(p))));
}

std::vector<PresenceState> get_presence(Store& s, const std::vector<std::string>& usernames) {
  std::vector<PresenceState> out;
  for (const auto& u : usernames) out.push_back({u, false, 0});
  std::vector<AttributeMap> keys;
  for (const auto& u : usernames) keys.push_back(key(user_pk(u), std::string(kPresenceSk)));
  const int64_t now = s.now_ms();
  batch_get(
      s, keys, "",
      [&](const rapidjson::Value& item) {
        Presence p;
        if (!from_item(item, p)) return;
        for (auto& state : out) {
          if (state.username != p.username) continue;
          state.last_seen = p.last_seen;
          state.online = p.expires_at == 0 || p.expires_at * 1000 > now;
        }
      },
      "getPresence");
  return out;
}

Outcome<Message> send_message(Store& s, std::string_view sender, std::string_view cid,
                              std::string_view text, std::string_view client_message_id) {
  const bool lobby = cid == kLobby;
  std::vector<std::string> members;
  if (!lobby) {
    if (const auto* kept = s.members ? s.members->find(cid) : nullptr) {
      members = *kept;
    } else {
      auto c = get_conversation(s, cid);
      if (!c)
        return {make_error(ErrorCode::NotFound, "no conversation \"" + std::string(cid) + "\"")};
      members = std::move(c->members);
      if (s.members) s.members->put(cid, members);
    }
    // The members never change; the sender's inbox condition below is what the write relies on.
    if (std::find(members.begin(), members.end(), sender) == members.end()) {
      return {make_error(ErrorCode::NotAParticipant,
                         "not a participant of \"" + std::string(cid) + "\"")};
    }
  }
  std::string id = s.ulids.next(s.now_ms());
  for (int attempt = 0; attempt < kMaxSendAttempts; ++attempt) {
    Message m{std::string(cid),    id,
              std::string(sender), std::string(text),
              *ulid_time_ms(id),   std::string(client_message_id)};
    std::vector<TxItem> items;
    // One write a message whatever the group's size: the conversation item carries the newest
    // message for every member's inbox (list_conversations reads it there and counts unread
    // messages from the member's lastReadMessageId), so no member's entry is written here.
    TxItem last;
    last.kind = TxItem::Kind::Update;
    last.item = conversation_key(cid);
    last.update = "SET lastMessageId = :id, lastSender = :ls, lastText = :lt";
    last.condition =
        "attribute_exists(pk) AND (attribute_not_exists(lastMessageId) OR lastMessageId < :id)";
    last.values = {{":id", S(id)},
                   {":ls", S(m.sender)},
                   {":lt", S(std::string(first_code_points(m.text, kLastTextCodePoints)))}};
    last.return_old = true;
    items.push_back(std::move(last));
    items.push_back(put(to_item(m), "attribute_not_exists(pk)"));
    Claim claim{m.conversation_id,   m.sender,
                m.client_message_id, id,
                m.created_at,        m.created_at / 1000 + kClaimTtlSeconds};
    TxItem claim_put = put(to_item(claim), "attribute_not_exists(pk)");
    claim_put.return_old = true;
    items.push_back(std::move(claim_put));
    // The sender's entry is the membership check.
    if (!lobby) items.push_back(check(membership_key(sender, cid), "attribute_exists(pk)"));
    try {
      transact(s, items);
      return {std::nullopt, std::move(m)};
    } catch (const AwsError& e) {
      if (!is_cancelled(e)) throw;
      if (failed(e, 2)) {
        // A repeat: the first send's claim answers with the first ack.
        Claim first;
        const rapidjson::Value* stored = old_item(e, 2);
        std::optional<rapidjson::Document> read;
        if (!stored) {
          read = get_item(s, key(conversation_pk(cid), claim_sk(sender, client_message_id)));
          if (read) stored = &*read;
        }
        if (stored && from_item(*stored, first)) {
          m.message_id = first.message_id;
          m.created_at = first.created_at;
          return {std::nullopt, std::move(m)};
        }
        continue;  // the claim expired in between: try again
      }
      if (!lobby && failed(e, 3)) {
        return {make_error(ErrorCode::NotAParticipant,
                           "not a participant of \"" + std::string(cid) + "\"")};
      }
      if (failed(e, 0)) {
        const rapidjson::Value* conv_item = old_item(e, 0);
        if (!conv_item) {
          if (!lobby) {
            return {
                make_error(ErrorCode::NotFound, "no conversation \"" + std::string(cid) + "\"")};
          }
          // The lobby's first message creates it.
          Conversation l{std::string(kLobby), "lobby", "lobby", {}, "", s.now_ms(), ""};
          try {
            s.db.call("PutItem", single_body(s.table, put(to_item(l), "attribute_not_exists(pk)")));
          } catch (const AwsError& put_error) {
            if (put_error.type() != "ConditionalCheckFailedException") throw;
          }
          continue;
        }
        // Another process committed a later id: go above it, so that commit order stays id
        // order.
        auto newest = awsproto::get_string(*conv_item, "lastMessageId");
        if (!newest || !is_ulid(*newest)) unexpected(e, "sendMessage");
        id = s.ulids.next_above(*newest, s.now_ms());
        continue;
      }
      if (conflicted(e)) continue;
      unexpected(e, "sendMessage");
    }
  }
  return {make_error(ErrorCode::InternalError, "the conversation is busy; try again")};
}

std::optional<Error> check_participant(Store& s, std::string_view username, std::string_view cid) {
  if (cid == kLobby) return std::nullopt;
  if (get_item(s, membership_key(username, cid))) return std::nullopt;
  return not_a_participant(s, cid);
}

Outcome<HistoryPage> get_history(Store& s, std::string_view username, std::string_view cid,
                                 int limit, const std::optional<HistoryCursor>& cursor) {
  if (auto e = check_participant(s, username, cid)) return {e};
  QuerySpec q;
  q.key_condition = "pk = :pk AND begins_with(sk, :msg)";
  q.values = {{":pk", S(conversation_pk(cid))}, {":msg", S("MSG#")}};
  q.forward = false;
  q.limit = limit;
  if (cursor) q.start = &cursor->key;
  rapidjson::Document answer = query(s, q);
  HistoryPage page;
  each_item(answer, [&](const rapidjson::Value& item) {
    Message m;
    if (from_item(item, m)) page.messages.push_back(std::move(m));
  });
  page.cursor = page_cursor(answer);
  return {std::nullopt, std::move(page)};
}

Outcome<CreatedConversation> create_conversation(Store& s, std::string_view caller,
                                                 std::string_view kind, std::string_view name,
                                                 const std::vector<std::string>& others) {
  std::vector<std::string> members;
  if (auto e = conversation_members(caller, kind, others, members)) return {e};
  int64_t now = s.now_ms();
  Conversation c;
  c.kind = std::string(kind);
  c.members = members;
  c.created_by = std::string(caller);
  c.created_at = now;
  if (kind == "direct") {
    c.conversation_id = direct_conversation_id(members[0], members[1]);
  } else {
    c.conversation_id = group_conversation_id(s.ulids.next(now));
    c.name = std::string(name);
  }
  std::vector<TxItem> items;
  TxItem meta = put(to_item(c), "attribute_not_exists(pk)");
  meta.return_old = true;
  items.push_back(std::move(meta));
  for (const auto& member : members) {
    InboxEntry e;
    e.username = member;
    e.conversation_id = c.conversation_id;
    e.kind = c.kind;
    e.name = c.name;
    e.members = members;
    items.push_back(put(to_item(e)));
  }
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    try {
      transact(s, items);
      return {std::nullopt, {c, true}};
    } catch (const AwsError& e) {
      if (!is_cancelled(e)) throw;
      if (failed(e, 0)) {
        // The direct conversation existed: the first one's item answers.
        Conversation first;
        const rapidjson::Value* stored = old_item(e, 0);
        std::optional<rapidjson::Document> read;
        if (!stored) {
          read = get_item(s, conversation_key(c.conversation_id));
          if (read) stored = &*read;
        }
        if (stored && from_item(*stored, first)) return {std::nullopt, {first, false}};
        unexpected(e, "createConversation");
      }
      if (conflicted(e)) continue;
      unexpected(e, "createConversation");
    }
  }
  return {make_error(ErrorCode::InternalError, "the conversation is busy; try again")};
}

namespace {

// The messages of `cid` after `after` (a message id; empty: from the first) up to `to`, both
// ids, not sent by `reader`: Select COUNT over every page.
int64_t count_unread(Store& s, std::string_view cid, std::string_view after, std::string_view to,
                     std::string_view reader) {
  QuerySpec q;
  q.key_condition = "pk = :pk AND sk BETWEEN :from AND :to";
  q.values = {{":pk", S(conversation_pk(cid))},
              {":from", S(message_sk(after))},
              {":to", S(message_sk(to))},
              {":me", S(std::string(reader))},
              {":read", S(std::string(after))}};
  // The read message itself is in BETWEEN's range: left out by id (a filter may not name
  // the key attributes).
  q.filter = "sender <> :me AND messageId <> :read";
  q.count = true;
  int64_t total = 0;
  query_pages(s, q, [&](const rapidjson::Document& answer) {
    if (const rapidjson::Value* c = member(answer, "Count"); c && c->IsInt64()) {
      total += c->GetInt64();
    }
  });
  return total;
}

std::string inbox_order(const InboxEntry& e) {
  return inbox_sort_key(e.last_activity, e.conversation_id);
}

}  // namespace

// Fan-out on read: the member's entries (one Query of USER#<u>, every page), their
// conversations' items (BatchGetItem, 100 a call) for the newest message, ordered by it;
// then, for the page only, the unread count from the entry's lastReadMessageId. A send writes
// one conversation item instead of every member's entry (a group of 10 was 13 writes a message,
// 4 now, and a group is no longer bounded by a send's 100 transaction actions).
Outcome<InboxPage> list_conversations(Store& s, std::string_view username, int limit,
                                      const std::optional<InboxCursor>& cursor) {
  if (cursor && cursor->username != username) {
    return {make_error(ErrorCode::BadRequest, "\"cursor\" is not one listConversations gave")};
  }
  std::vector<InboxEntry> entries;
  QuerySpec q;
  q.key_condition = "pk = :pk AND begins_with(sk, :conv)";
  q.values = {{":pk", S(user_pk(username))}, {":conv", S(membership_sk(""))}};
  query_pages(s, q, [&](const rapidjson::Document& answer) {
    each_item(answer, [&](const rapidjson::Value& item) {
      InboxEntry e;
      if (from_item(item, e)) entries.push_back(std::move(e));
    });
  });
  std::vector<AttributeMap> keys;
  std::unordered_map<std::string, size_t> at;
  for (size_t i = 0; i < entries.size(); ++i) {
    at.emplace(entries[i].conversation_id, i);
    keys.push_back(conversation_key(entries[i].conversation_id));
  }
  batch_get(
      s, keys, "",
      [&](const rapidjson::Value& item) {
        Conversation c;
        if (!from_item(item, c)) return;
        auto i = at.find(c.conversation_id);
        if (i == at.end()) return;
        InboxEntry& e = entries[i->second];
        e.last_activity = c.created_at;
        if (!c.last_message_id.empty()) {
          e.last_message_id = c.last_message_id;
          e.last_activity = ulid_time_ms(c.last_message_id).value_or(c.created_at);
          e.last_sender = c.last_sender;
          e.last_text = c.last_text;
        }
      },
      "listConversations");
  std::sort(entries.begin(), entries.end(), [](const InboxEntry& a, const InboxEntry& b) {
    return inbox_order(a) > inbox_order(b);
  });
  const std::string* after = cursor ? &cursor->order : nullptr;
  InboxPage page;
  size_t i = 0;
  while (i < entries.size() && after && inbox_order(entries[i]) >= *after) ++i;
  for (; i < entries.size() && page.entries.size() < static_cast<size_t>(limit); ++i) {
    InboxEntry& e = entries[i];
    if (!e.last_message_id.empty() && e.last_read_message_id < e.last_message_id) {
      e.unread =
          count_unread(s, e.conversation_id, e.last_read_message_id, e.last_message_id, username);
    }
    page.entries.push_back(std::move(e));
  }
  if (i < entries.size() && !page.entries.empty()) {
    const InboxEntry& last = page.entries.back();
    AttributeMap k = key(user_pk(username), membership_sk(last.conversation_id));
    k.emplace_back("inboxPk", S(inbox_pk(username)));
    k.emplace_back("inboxSk", S(inbox_order(last)));
    page.cursor = encode_cursor(k);
  }
  return {std::nullopt, std::move(page)};
}

std::optional<Error> mark_read(Store& s, std::string_view username, std::string_view cid,
                               std::string_view message_id) {
  const int64_t now = s.now_ms();
  ReadReceipt receipt{std::string(cid), std::string(username), std::string(message_id), now};
  TxItem exists = check(key(conversation_pk(cid), message_sk(message_id)), "attribute_exists(pk)");
  // The receipt moves forward only; in a conversation other than the lobby, so does the
  // member's lastReadMessageId (the inbox counts unread messages from it).
  TxItem moved;
  if (cid == kLobby) {
    moved = put(to_item(receipt), "attribute_not_exists(pk) OR messageId < :m");
  } else {
    moved.kind = TxItem::Kind::Update;
    moved.item = membership_key(username, cid);
    moved.update = "SET lastReadMessageId = :m";
    moved.condition =
        "attribute_exists(pk) AND (attribute_not_exists(lastReadMessageId) OR "
        "lastReadMessageId < :m)";
    moved.return_old = true;
  }
  moved.values = {{":m", S(std::string(message_id))}};
  std::vector<TxItem> items{exists, moved};
  if (cid != kLobby) items.push_back(put(to_item(receipt)));
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    try {
      transact(s, items);
      return std::nullopt;
    } catch (const AwsError& e) {
      if (!is_cancelled(e)) throw;
      if (failed(e, 0)) return no_message(message_id);
      if (failed(e, 1)) {
        if (cid != kLobby && !old_item(e, 1)) return not_a_participant(s, cid);
        return std::nullopt;  // this message or a later one was read already
      }
      if (conflicted(e)) continue;
      unexpected(e, "markRead");
    }
  }
  return make_error(ErrorCode::InternalError, "the conversation is busy; try again");
}

Outcome<bool> react(Store& s, std::string_view username, std::string_view cid,
                    std::string_view message_id, std::string_view emoji) {
  Reaction r{std::string(cid), std::string(message_id), std::string(username), std::string(emoji),
             s.now_ms()};
  AttributeMap reaction_key = key(conversation_pk(cid), reaction_sk(message_id, username, emoji));
  bool adding = true;
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    std::vector<TxItem> items;
    items.push_back(
        check(key(conversation_pk(cid), message_sk(message_id)), "attribute_exists(pk)"));
    if (adding) {
      items.push_back(put(to_item(r), "attribute_not_exists(pk)"));
    } else {
      TxItem del;
      del.kind = TxItem::Kind::Delete;
      del.item = reaction_key;
      del.condition = "attribute_exists(pk)";
      items.push_back(std::move(del));
    }
    if (cid != kLobby)
      items.push_back(check(membership_key(username, cid), "attribute_exists(pk)"));
    try {
      transact(s, items);
      return {std::nullopt, adding};
    } catch (const AwsError& e) {
      if (!is_cancelled(e)) throw;
      if (cid != kLobby && failed(e, 2)) return {not_a_participant(s, cid)};
      if (failed(e, 0)) return {no_message(message_id)};
      // Add failed: the user has it, so remove it; remove failed: someone removed it in between,
      // so add it.
      if (failed(e, 1)) {
        adding = !adding;
        continue;
      }
      if (conflicted(e)) continue;
      unexpected(e, "react");
    }
  }
  return {make_error(ErrorCode::InternalError, "the reaction is busy; try again")};
}

std::vector<Target> members_connections(Store& s, const std::vector<std::string>& members,
                                        std::string_view except) {
  std::vector<std::string> others;
  for (const auto& member_name : members)
    if (member_name != except) others.push_back(member_name);
  std::vector<Target> out;
  for (auto& conns : users_connections(s, others))
    out.insert(out.end(), std::make_move_iterator(conns.begin()),
               std::make_move_iterator(conns.end()));
  return out;
}

std::optional<std::vector<std::string>> conversation_members(Store& s, std::string_view cid) {
  auto conv = get_conversation(s, cid);
  if (!conv) return std::nullopt;
  return std::move(conv->members);
}

std::vector<Target> user_connections(Store& s, std::string_view username) {
  std::vector<Target> out;
  QuerySpec q;
  q.key_condition = "pk = :pk AND begins_with(sk, :conn)";
  q.values = {{":pk", S(user_pk(username))}, {":conn", S("CONN#")}};
  query_pages(s, q, [&](const rapidjson::Document& answer) {
    each_item(answer, [&](const rapidjson::Value& item) {
      UserConnection c;
      if (from_item(item, c)) {
        out.push_back({c.connection_id, std::string(username), c.domain_name, c.stage});
      }
    });
  });
  return out;
}

// The index holds KEYS_ONLY plus username, domainName and stage.
std::vector<Target> bucket_connections(Store& s, int bucket, std::string_view except) {
  std::vector<Target> out;
  QuerySpec q;
  q.index = kConnectionsIndex;
  q.key_condition = "connBucket = :b";
  q.values = {{":b", S(connection_bucket_pk(bucket))}};
  query_pages(s, q, [&](const rapidjson::Document& answer) {
    each_item(answer, [&](const rapidjson::Value& item) {
      auto id = awsproto::get_string(item, "connSk");
      std::string user(awsproto::get_string(item, "username").value_or(""));
      if (!id || id->empty() || (!except.empty() && user == except)) return;
      out.push_back({std::string(*id), std::move(user),
                     std::string(awsproto::get_string(item, "domainName").value_or("")),
                     std::string(awsproto::get_string(item, "stage").value_or(""))});
    });
  });
  return out;
}

std::vector<Target> all_connections(Store& s, std::string_view except) {
  std::vector<Target> out;
  for (int bucket = 0; bucket < kConnectionBuckets; ++bucket) {
    auto part = bucket_connections(s, bucket, except);
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return out;
}

std::optional<std::vector<Target>> conversation_connections(Store& s, std::string_view cid,
                                                            std::string_view except) {
  auto conv = get_conversation(s, cid);
  if (!conv) return std::nullopt;
  return members_connections(s, conv->members, except);
}

Outcome<std::vector<Target>> other_participants_connections(Store& s, std::string_view username,
                                                            std::string_view cid) {
  if (cid == kLobby) return {std::nullopt, all_connections(s, username)};
  auto conv = get_conversation(s, cid);
  if (!conv)
    return {make_error(ErrorCode::NotFound, "no conversation \"" + std::string(cid) + "\"")};
  if (std::find(conv->members.begin(), conv->members.end(), username) == conv->members.end()) {
    return {make_error(ErrorCode::NotAParticipant,
                       "not a participant of \"" + std::string(cid) + "\"")};
  }
  return {std::nullopt, members_connections(s, conv->members, username)};
}

std::string gone_connection_delete(std::string_view table, std::string_view connection_id,
                                   int64_t now_ms) {
  TxItem t;
  t.kind = TxItem::Kind::Delete;
  t.item = key(connection_pk(connection_id), std::string(kMetaSk));
  t.condition = "attribute_not_exists(pk) OR connectedAt < :young";
  t.values = {{":young", N(now_ms - kConnectGraceMs)}};
  return single_body(table, t);
}

bool remove_gone_connection(Store& s, const Target& t) {
  try {
    s.db.call("DeleteItem", gone_connection_delete(s.table, t.connection_id, s.now_ms()));
  } catch (const AwsError& e) {
    if (e.type() != "ConditionalCheckFailedException") throw;
    return false;
  }
  if (!t.username.empty()) {
    delete_item(s, key(user_pk(t.username), user_connection_sk(t.connection_id)));
    remove_connection_entry(s, t.username,
                            connection_entry(t.connection_id, t.domain_name, t.stage));
  }
  return true;
}

}  // namespace chat
