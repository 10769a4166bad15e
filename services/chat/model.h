// The chat table's items (schemas/chat-table.md): key builders, each item written as an
// awsproto::AttributeMap and read back from DynamoDB JSON (a GetItem/Query item or a stream
// record's image), the direct conversation id, the connection bucket and the paging cursors.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsproto/json.h"
#include "chat/validate.h"

namespace chat {

inline constexpr std::string_view kLobby = "lobby";
inline constexpr std::string_view kMetaSk = "META";
inline constexpr std::string_view kPresenceSk = "PRESENCE";
// A user's open connections in one item (USER#<u>/CONNS: `conns`, a string set of
// connection_entry()s), so that many users' are one BatchGetItem.
inline constexpr std::string_view kConnectionsSk = "CONNS";
inline constexpr int kConnectionBuckets = 16;
inline constexpr int64_t kConnectionTtlSeconds = 3 * 3600;
inline constexpr int64_t kPresenceTtlSeconds = 90;
inline constexpr int64_t kClaimTtlSeconds = 24 * 3600;
inline constexpr size_t kLastTextCodePoints = 100;
inline constexpr const char* kByUserIndex = "byUser";
inline constexpr const char* kConnectionsIndex = "connections";

// Keys.
std::string conversation_pk(std::string_view cid);    // CONV#<cid>
std::string message_sk(std::string_view message_id);  // MSG#<id>
std::string claim_sk(std::string_view sender, std::string_view client_message_id);
std::string reaction_sk(std::string_view message_id, std::string_view username,
                        std::string_view emoji);            // REACT#<id>#<user>#<emoji>
std::string reaction_prefix(std::string_view message_id);   // REACT#<id>#
std::string read_sk(std::string_view username);             // READ#<user>
std::string user_pk(std::string_view username);             // USER#<user>
std::string membership_sk(std::string_view cid);            // CONV#<cid> (the inbox entry's sk)
std::string connection_pk(std::string_view connection_id);  // CONN#<id>
std::string user_connection_sk(std::string_view connection_id);  // CONN#<id>
std::string inbox_pk(std::string_view username);                 // INBOX#<user>
// <lastActivity as 13 digits>#<cid>: sorts by activity, then by id.
std::string inbox_sort_key(int64_t last_activity_ms, std::string_view cid);
std::string user_messages_pk(std::string_view username);  // USERMSG#<user>
// 0-15, from a hash of the id (FNV-1a, 64 bits), and its partition key CONNS#<n>.
int connection_bucket(std::string_view connection_id);
std::string connection_bucket_pk(int bucket);

// dm-<24 hex digits of SHA-256(a NUL b)>, the two names in byte order: either member finds it.
std::string direct_conversation_id(std::string_view user_a, std::string_view user_b);
std::string group_conversation_id(std::string_view ulid);  // grp-<ULID>

// A conversation's members: the caller and the others, sorted, without repeats. A direct
// conversation needs exactly one other user (BadRequest), a group 1 to 96 (BadRequest,
// TooManyMembers).
std::optional<Error> conversation_members(std::string_view caller, std::string_view kind,
                                          const std::vector<std::string>& others,
                                          std::vector<std::string>& out);

struct Conversation {
  std::string conversation_id, kind, name;  // kind: lobby, direct, group
  std::vector<std::string> members;         // empty for the lobby
  std::string created_by;
  int64_t created_at = 0;
  // The newest message, kept by every send (the inbox reads them here, not from each member's
  // entry: a send writes one item, not one per member). Empty: no message yet.
  std::string last_message_id, last_sender, last_text;
};

struct Message {
  std::string conversation_id, message_id, sender, text;
  int64_t created_at = 0;
  std::string client_message_id;
};

// The idempotency claim of a clientMessageId (no `type`: nothing delivers it).
struct Claim {
  std::string conversation_id, sender, client_message_id, message_id;
  int64_t created_at = 0;
  int64_t expires_at = 0;  // epoch seconds
};

struct Reaction {
  std::string conversation_id, message_id, username, emoji;
  int64_t created_at = 0;
};

struct ReadReceipt {
  std::string conversation_id, username, message_id;
  int64_t read_at = 0;
};

// A member's entry of a conversation (`USER#<u>` / `CONV#<cid>`): the membership and what the
// member read. The stored item holds the first five fields and last_read_message_id; the
// inbox fills in the rest from the conversation item and a count of the messages after the
// one read.
struct InboxEntry {
  std::string username, conversation_id, kind, name;
  std::vector<std::string> members;
  int64_t unread = 0;
  std::string last_message_id, last_read_message_id;  // empty: none
  int64_t last_activity = 0;
  std::string last_sender, last_text;  // empty: no message yet
};

struct Connection {
  std::string connection_id, username;
  int64_t connected_at = 0;
  std::string domain_name, stage;
  int64_t expires_at = 0;
};

struct UserConnection {
  std::string username, connection_id, domain_name, stage;
  int64_t expires_at = 0;
};

struct Presence {
  std::string username;
  int64_t last_seen = 0;
  int64_t expires_at = 0;
};

// What getPresence answers about one user.
struct PresenceState {
  std::string username;
  bool online = false;
  int64_t last_seen = 0;  // ms; 0 when no presence is stored
};

// The item's key alone ({pk, sk}), for GetItem, DeleteItem and conditions.
awsproto::AttributeMap key(std::string pk, std::string sk);

// Whole items, keys and the GSI attributes included.
awsproto::AttributeMap to_item(const Conversation& c);
awsproto::AttributeMap to_item(const Message& m);
awsproto::AttributeMap to_item(const Claim& c);
awsproto::AttributeMap to_item(const Reaction& r);
awsproto::AttributeMap to_item(const ReadReceipt& r);
awsproto::AttributeMap to_item(const InboxEntry& e);
awsproto::AttributeMap to_item(const Connection& c);
awsproto::AttributeMap to_item(const UserConnection& c);
awsproto::AttributeMap to_item(const Presence& p);

// An item in DynamoDB JSON; false when it is not that kind of item (its `type` or its key says
// otherwise, or a member is missing or of another type). Only the attributes the item needs are
// read; others are ignored.
bool from_item(const rapidjson::Value& item, Conversation& out);
bool from_item(const rapidjson::Value& item, Message& out);
bool from_item(const rapidjson::Value& item, Claim& out);
bool from_item(const rapidjson::Value& item, Reaction& out);
bool from_item(const rapidjson::Value& item, ReadReceipt& out);
bool from_item(const rapidjson::Value& item, InboxEntry& out);
bool from_item(const rapidjson::Value& item, Connection& out);
bool from_item(const rapidjson::Value& item, UserConnection& out);
bool from_item(const rapidjson::Value& item, Presence& out);
// The item's `type` attribute ("message", "reaction"...), empty when it has none.
std::string_view item_type(const rapidjson::Value& item);

// Paging cursors: base64url (no padding) of the LastEvaluatedKey's JSON text. Decoding accepts
// only a key of the right shape (exactly its attributes, each a string of the form the table
// holds); anything else is nullopt, which the functions answer with BadRequest.
inline constexpr size_t kMaxCursorLength = 1024;
std::string encode_cursor(const awsproto::AttributeMap& last_evaluated_key);
std::string encode_cursor(const rapidjson::Value& last_evaluated_key);  // DynamoDB JSON
struct HistoryCursor {
  std::string conversation_id, message_id;
  awsproto::AttributeMap key;  // {pk, sk}: the ExclusiveStartKey
};
// A history page's key: {pk: CONV#<cid>, sk: MSG#<ULID>}.
std::optional<HistoryCursor> decode_history_cursor(std::string_view cursor);
struct InboxCursor {
  std::string username, conversation_id;
  std::string order;           // inboxSk: the page goes on below it
  awsproto::AttributeMap key;  // {pk, sk, inboxPk, inboxSk}
};
// An inbox page's last entry: {pk: USER#<u>, sk: CONV#<cid>, inboxPk: INBOX#<u>,
// inboxSk: <lastActivity, 13 digits>#<cid>} (the form the inbox index's LastEvaluatedKey had,
// so a cursor handed out before still reads).
std::optional<InboxCursor> decode_inbox_cursor(std::string_view cursor);

std::string base64url_encode(std::string_view bytes);  // no padding
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace chat
