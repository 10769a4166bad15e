// What the fanout function (chat-fanout) delivers for one DynamoDB stream record of the chat
// table (schemas/chat-table.md): the frame (schemas/chat-protocol.md) and who gets it. Pure, so
// that the unit tests read records as Lambda delivers them without a table or a gateway.
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat {

struct Delivery {
  enum class Audience {
    Conversation,  // every connection of every participant of conversation_id
    Everyone,      // every open connection (the lobby)
    Presence,      // a presence change: coalesced per batch (PresenceBatch), then everyone
  };
  Audience audience = Audience::Everyone;
  std::string conversation_id;  // Audience::Conversation
  std::string frame;            // empty for Audience::Presence
  std::string username;         // Audience::Presence: whose presence appeared or went
  bool online = false;          // Audience::Presence
};

// One record of a stream event's Records[] (eventName and dynamodb.NewImage/OldImage):
//   message INSERT            -> message, to the conversation (the lobby: everyone)
//   reaction INSERT / REMOVE  -> reaction added true / false, to the conversation
//   read INSERT / MODIFY      -> read, to the conversation
//   presence INSERT / REMOVE  -> a presence change (online true / false), Audience::Presence
// nullopt for anything else (another item, a presence MODIFY, an image that does not read as
// its item): nothing to deliver, and nothing that a retry would change.
std::optional<Delivery> delivery_for(const rapidjson::Value& record);

// The presence changes of one batch, as one frame to every connection instead of one frame per
// change: a lobby of N users connecting is then N / BatchSize frames per connection, not N
// (schemas/chat-protocol.md, `presence`). Each user's latest change counts; users are listed in
// the order of their latest change.
class PresenceBatch {
 public:
  // The change of Records[record] (records are added in order).
  void add(std::string_view username, bool online, size_t record);
  bool empty() const { return users_.empty(); }
  // The lowest record of the batch (the one to report as failed when the frame is not posted).
  size_t first_record() const { return first_record_; }
  std::string frame() const;
  void clear();

 private:
  std::vector<std::pair<std::string, bool>> users_;
  size_t first_record_ = 0;
};

// The record's dynamodb.SequenceNumber (ReportBatchItemFailures' itemIdentifier); empty when
// it has none.
std::string sequence_number(const rapidjson::Value& record);

}  // namespace chat
