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

namespace chat {

struct Delivery {
  enum class Audience {
    Conversation,  // every connection of every participant of conversation_id
    Everyone,      // every open connection (presence)
  };
  Audience audience = Audience::Everyone;
  std::string conversation_id;  // Audience::Conversation
  std::string frame;
};

// One record of a stream event's Records[] (eventName and dynamodb.NewImage/OldImage):
//   message INSERT            -> message, to the conversation (the lobby: everyone)
//   reaction INSERT / REMOVE  -> reaction added true / false, to the conversation
//   read INSERT / MODIFY      -> read, to the conversation
//   presence INSERT / REMOVE  -> presence online true / false, to everyone
// nullopt for anything else (another item, a presence MODIFY, an image that does not read as
// its item): nothing to deliver, and nothing that a retry would change.
std::optional<Delivery> delivery_for(const rapidjson::Value& record);

// The record's dynamodb.SequenceNumber (ReportBatchItemFailures' itemIdentifier); empty when
// it has none.
std::string sequence_number(const rapidjson::Value& record);

}  // namespace chat
