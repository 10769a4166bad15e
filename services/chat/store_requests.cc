// The store's wire side: the request bodies of transactions and single-item operations, and the
// clients behind Db and Poster.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "chat/store.h"

namespace chat {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string text_of(rapidjson::StringBuffer& b) { return {b.GetString(), b.GetSize()}; }

const char* op_name(TxItem::Kind kind) {
  switch (kind) {
    case TxItem::Kind::Put: return "Put";
    case TxItem::Kind::Update: return "Update";
    case TxItem::Kind::Delete: return "Delete";
    case TxItem::Kind::Check: return "ConditionCheck";
  }
  return "Put";
}

// The members of a Put, Update, Delete or ConditionCheck, shared by a transaction's items and
// the single-item operations.
void write_members(Writer& w, std::string_view table, const TxItem& t) {
  w.Key("TableName");
  string(w, table);
  w.Key(t.kind == TxItem::Kind::Put ? "Item" : "Key");
  awsproto::write_item(w, t.item);
  if (!t.update.empty()) {
    w.Key("UpdateExpression");
    string(w, t.update);
  }
  if (!t.condition.empty()) {
    w.Key("ConditionExpression");
    string(w, t.condition);
  }
  if (!t.names.empty()) {
    w.Key("ExpressionAttributeNames");
    w.StartObject();
    for (const auto& [k, v] : t.names) {
      string(w, k);
      string(w, v);
    }
    w.EndObject();
  }
  if (!t.values.empty()) {
    w.Key("ExpressionAttributeValues");
    awsproto::write_item(w, t.values);
  }
  if (t.return_old) {
    w.Key("ReturnValuesOnConditionCheckFailure");
    w.String("ALL_OLD");
  }
}

}  // namespace

rapidjson::Document DynamoDb::call(std::string_view op, std::string_view body) {
  return client_.call("DynamoDB_20120810." + std::string(op), body,
                      answer_by_ ? answer_by_->get() : AnswerBy::TimePoint::max());
}

awsproto::ConnectionResult ConnectionsPoster::post(std::string_view endpoint,
                                                   std::string_view connection_id,
                                                   std::string_view data) {
  auto it = std::find_if(clients_.begin(), clients_.end(),
                         [&](const auto& c) { return c.first == endpoint; });
  if (it == clients_.end()) {
    clients_.emplace_back(std::string(endpoint), std::make_unique<awsproto::ConnectionsClient>(
                                                     endpoint, env_.region, env_.credentials));
    it = std::prev(clients_.end());
  }
  return it->second->post_to_connection(connection_id, data);
}

std::string transact_body(std::string_view table, const std::vector<TxItem>& items) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("TransactItems");
  w.StartArray();
  for (const TxItem& t : items) {
    w.StartObject();
    w.Key(op_name(t.kind));
    w.StartObject();
    write_members(w, table, t);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return text_of(b);
}

std::string single_body(std::string_view table, const TxItem& item,
                        std::string_view return_values) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  write_members(w, table, item);
  if (!return_values.empty()) {
    w.Key("ReturnValues");
    string(w, return_values);
  }
  w.EndObject();
  return text_of(b);
}

}  // namespace chat
