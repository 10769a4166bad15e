#include "chat/fanout.h"

#include <algorithm>
#include <string_view>

#include "chat/model.h"
#include "chat/protocol.h"

namespace chat {

namespace {

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto m = object.FindMember(name);
  return m == object.MemberEnd() ? nullptr : &m->value;
}

std::string_view string_member(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* v = member(object, name);
  if (!v || !v->IsString()) return {};
  return {v->GetString(), v->GetStringLength()};
}

// The conversation's audience: the lobby is everyone's.
Delivery to_conversation(const std::string& cid, std::string frame) {
  Delivery d;
  d.audience = cid == kLobby ? Delivery::Audience::Everyone : Delivery::Audience::Conversation;
  d.conversation_id = cid;
  d.frame = std::move(frame);
  return d;
}

}  // namespace

void PresenceBatch::add(std::string_view username, bool online, size_t record) {
  if (users_.empty()) first_record_ = record;
  auto it = std::find_if(users_.begin(), users_.end(),
                         [&](const auto& u) { return u.first == username; });
  if (it != users_.end()) users_.erase(it);
  users_.emplace_back(std::string(username), online);
}

std::string PresenceBatch::frame() const { return render_presence(users_); }

void PresenceBatch::clear() {
  users_.clear();
  first_record_ = 0;
}

std::string sequence_number(const rapidjson::Value& record) {
  const rapidjson::Value* dynamodb = member(record, "dynamodb");
  return dynamodb ? std::string(string_member(*dynamodb, "SequenceNumber")) : std::string();
}

std::optional<Delivery> delivery_for(const rapidjson::Value& record) {
  std::string_view event = string_member(record, "eventName");
  const rapidjson::Value* dynamodb = member(record, "dynamodb");
  if (!dynamodb) return std::nullopt;
  const rapidjson::Value* new_image = member(*dynamodb, "NewImage");
  const rapidjson::Value* old_image = member(*dynamodb, "OldImage");
  // The image that says what the item is: the new one, the old one for a REMOVE.
  const rapidjson::Value* image = event == "REMOVE" ? old_image : new_image;
  if (!image || !image->IsObject()) return std::nullopt;
  std::string_view type = item_type(*image);

  if (type == "message" && event == "INSERT") {
    Message m;
    if (!from_item(*image, m)) return std::nullopt;
    return to_conversation(m.conversation_id, render_message(m));
  }
  if (type == "reaction" && (event == "INSERT" || event == "REMOVE")) {
    Reaction r;
    if (!from_item(*image, r)) return std::nullopt;
    return to_conversation(r.conversation_id, render_reaction(r, event == "INSERT"));
  }
  if (type == "read" && (event == "INSERT" || event == "MODIFY")) {
    ReadReceipt r;
    if (!from_item(*image, r)) return std::nullopt;
    return to_conversation(r.conversation_id, render_read(r));
  }
  // A MODIFY of presence is a heartbeat's refresh: the user was online and still is.
  if (type == "presence" && (event == "INSERT" || event == "REMOVE")) {
    Presence p;
    if (!from_item(*image, p)) return std::nullopt;
    Delivery d;
    d.audience = Delivery::Audience::Presence;
    d.username = p.username;
    d.online = event == "INSERT";
    return d;
  }
  return std::nullopt;
}

}  // namespace chat
