// The chat table's operations (schemas/chat-table.md, "Access patterns"), each a function over
// the Db interface: what it reads and writes, with which conditions, and how a cancelled
// transaction's reasons become the protocol's error codes. No read-modify-write: every write
// that depends on what is stored says so in its condition or transaction. The functions'
// handlers (handlers.h) call these; unit tests give a fake Db, the end-to-end suites the
// emulator.
#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "awsproto/connections.h"
#include "awsproto/json_client.h"
#include "chat/model.h"
#include "chat/ulid.h"
#include "chat/validate.h"

namespace chat {

// DynamoDB's JSON API: `op` is the operation ("PutItem"), `body` its request; the answer, or
// awsproto::AwsError (a TransactionCanceledException carries its reasons).
class Db {
 public:
  virtual ~Db() = default;
  virtual rapidjson::Document call(std::string_view op, std::string_view body) = 0;
};

// An invocation's time to answer by: set by the function's thread for each invocation, read
// by the threads that call DynamoDB and @connections for it.
class AnswerBy {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  void set(TimePoint t) { ticks_.store(t.time_since_epoch().count(), std::memory_order_relaxed); }
  TimePoint get() const {
    return TimePoint(TimePoint::duration(ticks_.load(std::memory_order_relaxed)));
  }

 private:
  std::atomic<TimePoint::rep> ticks_{TimePoint::max().time_since_epoch().count()};
};

// The real one: DynamoDB_20120810.<op> through awsproto::JsonClient. With `answer_by`, no
// attempt of a call starts that could end after its time (awsproto::JsonClient::call).
class DynamoDb : public Db {
 public:
  explicit DynamoDb(const awsproto::Env& env, awsproto::HttpClientOptions http = {},
                    const AnswerBy* answer_by = nullptr)
      : client_(awsproto::JsonClient::dynamodb(env, std::move(http))), answer_by_(answer_by) {}
  rapidjson::Document call(std::string_view op, std::string_view body) override;

 private:
  awsproto::JsonClient client_;
  const AnswerBy* answer_by_;
};

// @connections PostToConnection; `endpoint` as ConnectionsClient::endpoint_for makes it.
class Poster {
 public:
  virtual ~Poster() = default;
  virtual awsproto::ConnectionResult post(std::string_view endpoint, std::string_view connection_id,
                                          std::string_view data) = 0;
};

// One keep-alive ConnectionsClient per endpoint, made on first use.
class ConnectionsPoster : public Poster {
 public:
  explicit ConnectionsPoster(awsproto::Env env) : env_(std::move(env)) {}
  awsproto::ConnectionResult post(std::string_view endpoint, std::string_view connection_id,
                                  std::string_view data) override;

 private:
  awsproto::Env env_;
  std::vector<std::pair<std::string, std::unique_ptr<awsproto::ConnectionsClient>>> clients_;
};

// Conversations' members as a function instance keeps them: they never change once a
// conversation exists (createConversation alone writes them), so a send need not read them
// again. At most kMaxConversations (all forgotten when one more comes). Not thread-safe.
class MembersCache {
 public:
  static constexpr size_t kMaxConversations = 10000;
  const std::vector<std::string>* find(std::string_view cid) const {
    auto it = members_.find(std::string(cid));
    return it == members_.end() ? nullptr : &it->second;
  }
  void put(std::string_view cid, std::vector<std::string> members) {
    if (members_.size() >= kMaxConversations) members_.clear();
    members_[std::string(cid)] = std::move(members);
  }

 private:
  std::unordered_map<std::string, std::vector<std::string>> members_;
};

struct Store {
  Db& db;
  std::string table;
  std::function<int64_t()> now_ms;  // epoch milliseconds
  UlidGenerator& ulids;
  MembersCache* members = nullptr;  // when given, send_message keeps members there
};

// What an operation answers: a value, or the error frame's code and message.
template <class T>
struct Outcome {
  std::optional<Error> error;
  T value{};
  bool ok() const { return !error; }
};
inline Error make_error(ErrorCode code, std::string message) { return {code, std::move(message)}; }

// How often a send is tried again with an id above the newest one (another process committed a
// later id first) or after a TransactionConflict, before InternalError.
inline constexpr int kMaxSendAttempts = 8;
// Likewise for markRead's recount and react's toggle.
inline constexpr int kMaxRetries = 4;

// connect: Put connection, Put user's connection, Put presence, and the connection's entry in
// the user's CONNS item, in one transaction.
void connect(Store& s, const Connection& c);
// disconnect: both connection items deleted; the presence too when no connection of the user
// is left. `username` is used when the connection item is already gone. Returns the user.
std::string disconnect(Store& s, std::string_view connection_id, std::string_view username);
// The connection item (consistent read), or nullopt.
std::optional<Connection> get_connection(Store& s, std::string_view connection_id);
// heartbeat: the presence Put again (lastSeen now, expiresAt now + 90 s).
void refresh_presence(Store& s, std::string_view username);

// getPresence: who of `usernames` (at most 100, distinct) is online, in their order. One
// BatchGetItem of their presence items with consistent reads (UnprocessedKeys asked again).
// Online means a presence whose expiresAt is still ahead: TTL deletes an expired item only
// eventually ("typically within a few days", https://docs.aws.amazon.com/amazondynamodb/latest/
// developerguide/howitworks-ttl.html), so a stored item alone does not say the user is there.
std::vector<PresenceState> get_presence(Store& s, const std::vector<std::string>& usernames);

// sendMessage; the stored (or, for a repeated clientMessageId, the first) message for the ack.
// A repeat's text is the one sent now (the ack does not carry it).
Outcome<Message> send_message(Store& s, std::string_view sender, std::string_view cid,
                              std::string_view text, std::string_view client_message_id);

// NotFound (no such conversation) or NotAParticipant, or nullopt for a participant.
std::optional<Error> check_participant(Store& s, std::string_view username, std::string_view cid);

struct HistoryPage {
  std::vector<Message> messages;      // newest first
  std::optional<std::string> cursor;  // nullopt: the last page
};
Outcome<HistoryPage> get_history(Store& s, std::string_view username, std::string_view cid,
                                 int limit, const std::optional<HistoryCursor>& cursor);

struct CreatedConversation {
  Conversation conversation;
  bool created = false;
};
// `others`: the members besides the caller, valid usernames.
Outcome<CreatedConversation> create_conversation(Store& s, std::string_view caller,
                                                 std::string_view kind, std::string_view name,
                                                 const std::vector<std::string>& others);

struct InboxPage {
  std::vector<InboxEntry> entries;  // most recent activity first
  std::optional<std::string> cursor;
};
Outcome<InboxPage> list_conversations(Store& s, std::string_view username, int limit,
                                      const std::optional<InboxCursor>& cursor);

// markRead: the inbox entry's unread becomes the number of messages after `message_id`; the
// receipt is stored. Marking a message older than the one already read changes nothing.
std::optional<Error> mark_read(Store& s, std::string_view username, std::string_view cid,
                               std::string_view message_id);

// react: adds the reaction, or removes it when the user had it; value: added.
Outcome<bool> react(Store& s, std::string_view username, std::string_view cid,
                    std::string_view message_id, std::string_view emoji);

// Where a frame goes: a connection and the @connections endpoint's parts from its item.
struct Target {
  std::string connection_id, username, domain_name, stage;
};
// The connections of the participants of `cid` but `username` (the lobby: every open
// connection, from the connections index's 16 partitions); errors as check_participant.
Outcome<std::vector<Target>> other_participants_connections(Store& s, std::string_view username,
                                                            std::string_view cid);
// Every connection of a user (a Query of its USER#<u>/CONN# items).
std::vector<Target> user_connections(Store& s, std::string_view username);
// BatchGetItem takes at most 100 keys a call (API_BatchGetItem).
inline constexpr size_t kBatchGetKeys = 100;
// Each user's connections from the users' CONNS items: out[i] are users[i]'s. One BatchGetItem
// (consistent) for every 100 users, where user_connections is a Query for each.
std::vector<std::vector<Target>> users_connections(Store& s, const std::vector<std::string>& users);
// A CONNS item's entry: "<connectionId> <domainName> <stage>" (none of them holds a space).
std::string connection_entry(std::string_view connection_id, std::string_view domain_name,
                             std::string_view stage);
// BatchGetItem of `keys` (100 a call, consistent, `projection` unless empty), asking again for
// UnprocessedKeys; every item found goes to `each`. `what` names the read in its error.
void batch_get(Store& s, const std::vector<awsproto::AttributeMap>& keys,
               const std::string& projection,
               const std::function<void(const rapidjson::Value&)>& each, std::string_view what);
// Every open connection, from the connections index's 16 partitions, but those of `except`
// (none left out when it is empty).
std::vector<Target> all_connections(Store& s, std::string_view except = {});
// The open connections of one of those partitions (0 <= bucket < kConnectionBuckets).
std::vector<Target> bucket_connections(Store& s, int bucket, std::string_view except = {});
// The connections of every member of `cid` but `except`; nullopt when there is no such
// conversation.
std::optional<std::vector<Target>> conversation_connections(Store& s, std::string_view cid,
                                                            std::string_view except = {});
// The members of `cid`; nullopt when there is no such conversation. Members never change once a
// conversation exists (createConversation alone writes them), so a caller may keep them.
std::optional<std::vector<std::string>> conversation_members(Store& s, std::string_view cid);
// The connections of `members` but `except` (users_connections).
std::vector<Target> members_connections(Store& s, const std::vector<std::string>& members,
                                        std::string_view except = {});

// A post answered 410 GoneException deletes the connection's items, but API Gateway answers 410
// for a connection whose $connect has not returned yet too, and chat-connect writes the items
// during $connect: a frame posted then (the connecting user's own presence, a lobby message)
// must not delete them. So the connection item goes only once it is older than the longest a
// $connect can still run after writing it, API Gateway's integration timeout of 29 s
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html),
// or when it is gone already; a younger one stays (its $disconnect or TTL removes it if the
// connection never opens).
inline constexpr int64_t kConnectGraceMs = 30'000;

// The DeleteItem request (JSON) of connection_id's CONN#<id>/META item, on the condition above
// at now_ms. Its ConditionalCheckFailedException means "keep both items".
std::string gone_connection_delete(std::string_view table, std::string_view connection_id,
                                   int64_t now_ms);
// A connection that answered 410: its connection item deleted on the condition above, then its
// user's connection item. False, and nothing deleted, for a connection too young to go.
bool remove_gone_connection(Store& s, const Target& t);

// The request bodies, for tests: one transaction item (Put, Update, Delete or ConditionCheck).
struct TxItem {
  enum class Kind { Put, Update, Delete, Check };
  Kind kind = Kind::Put;
  awsproto::AttributeMap item;  // Put: the item; the others: the key
  std::string update;           // Update: the UpdateExpression
  std::string condition;
  std::vector<std::pair<std::string, std::string>> names;
  awsproto::AttributeMap values;
  bool return_old = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
};
std::string transact_body(std::string_view table, const std::vector<TxItem>& items);
// PutItem, UpdateItem, DeleteItem or (for Check) nothing: the single-item request.
std::string single_body(std::string_view table, const TxItem& item,
                        std::string_view return_values = {});

// Adds an entry (connect's transaction item; the item's expiresAt moves to the connection's);
// removes one (disconnect, a 410), if the item is there.
TxItem add_connection_entry(std::string_view username, const std::string& entry,
                            int64_t expires_at);
TxItem remove_connection_entry(std::string_view username, const std::string& entry);
void remove_connection_entry(Store& s, std::string_view username, const std::string& entry);

}  // namespace chat
