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

}  // namespace chat
