// The WebSocket protocol (schemas/chat-protocol.md): a client's frame parsed into a Request, and
// every server frame rendered with RapidJSON's writer (strings escaped by it, never by hand).
// parse_request reads bytes straight from a socket: it never throws and never recurses on the
// input's nesting (fuzz_chat).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/model.h"
#include "chat/validate.h"

namespace chat {

enum class Action {
  SendMessage,
  GetHistory,
  CreateConversation,
  ListConversations,
  MarkRead,
  React,
  Typing,
  Heartbeat,
  GetToken,
  GetPresence,
};
std::string_view action_name(Action action);  // "sendMessage"
std::optional<Action> parse_action(std::string_view name);

inline constexpr int kDefaultHistoryLimit = 50;
inline constexpr int kDefaultInboxLimit = 20;
inline constexpr int kMaxLimit = 100;
// getPresence asks about at most this many usernames: one BatchGetItem (100 keys at most).
inline constexpr size_t kMaxPresenceUsernames = 100;
// A frame larger than this is refused before parsing (the gateway allows 128 KB messages; the
// largest valid request, a group of 96 names or 1,000 four-byte characters, is far smaller).
inline constexpr size_t kMaxFrameBytes = 32 * 1024;

// One client request: the action and the members it uses (the others stay empty). Every member
// has been checked as the protocol says; ids of a shape the backend never makes were refused
// with NotFound (no such conversation or message can exist).
struct Request {
  Action action = Action::Heartbeat;
  std::optional<std::string> request_id;
  std::string conversation_id;         // sendMessage, getHistory, markRead, react, typing
  std::string text;                    // sendMessage, trimmed
  std::string client_message_id;       // sendMessage
  std::string message_id;              // markRead, react (a ULID)
  std::string emoji;                   // react
  std::string kind;                    // createConversation: "direct" or "group"
  std::vector<std::string> members;    // createConversation: valid usernames, as sent
  std::string name;                    // createConversation (groups), trimmed
  std::vector<std::string> usernames;  // getPresence: distinct valid usernames, as sent
  int limit = 0;                       // getHistory, listConversations (the default when absent)
  std::optional<HistoryCursor> history_cursor;  // getHistory, when a cursor was given
  std::optional<InboxCursor> inbox_cursor;      // listConversations, likewise
};

struct ParseResult {
  std::optional<Request> request;  // set on success
  Error error;                     // otherwise
  // The frame's requestId when it was a valid one, for the error frame.
  std::optional<std::string> request_id;
};

ParseResult parse_request(std::string_view frame);

// Server frames. `request_id` is left out of the frame when nullopt.
using RequestId = std::optional<std::string>;

struct InboxItem {
  std::string conversation_id, kind, name;
  std::vector<std::string> members;
  int64_t unread = 0;
  int64_t last_activity = 0;
  std::string last_message_id, last_sender, last_text;  // empty: null in the frame
};
InboxItem inbox_item(const InboxEntry& entry);

std::string render_message(const Message& m);
std::string render_ack(const Message& m, const RequestId& request_id);
// `cursor` nullopt: the last page (null in the frame).
std::string render_history(std::string_view conversation_id, const std::vector<Message>& messages,
                           const std::optional<std::string>& cursor, const RequestId& request_id);
std::string render_conversation(const Conversation& c, bool created, const RequestId& request_id);
std::string render_conversations(const std::vector<InboxItem>& items,
                                 const std::optional<std::string>& cursor,
                                 const RequestId& request_id);
std::string render_read(const ReadReceipt& r);
std::string render_reaction(const Reaction& r, bool added);
std::string render_typing(std::string_view conversation_id, std::string_view username);
// `presence`: users, each {username, online}, in the order given.
std::string render_presence(const std::vector<std::pair<std::string, bool>>& users);
std::string render_pong(const RequestId& request_id);
std::string render_presence_list(const std::vector<PresenceState>& users,
                                 const RequestId& request_id);
std::string render_token(std::string_view token, int64_t expires_at, const RequestId& request_id);
std::string render_error(const Error& error, const RequestId& request_id);
// The HTTP history answer's body: {"conversationId", "messages", "cursor"}.
std::string render_history_body(std::string_view conversation_id,
                                const std::vector<Message>& messages,
                                const std::optional<std::string>& cursor);
// {"code": "...", "message": "..."}: the HTTP API's error bodies ("Unauthorized",
// "NotAParticipant", ...); the message is left out when empty.
std::string render_http_error(std::string_view code, std::string_view message = {});

}  // namespace chat
