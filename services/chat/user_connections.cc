// Users' connections in one item each (USER#<u>/CONNS, a string set of entries), so that a
// batch's audiences are one BatchGetItem for every 100 members instead of a Query each
// (schemas/chat-table.md); and the BatchGetItem loop they share with getPresence.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "chat/store.h"

namespace chat {

using awsproto::AttributeValue;

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string batch_request(const Store& s, const std::vector<awsproto::AttributeMap>& keys,
                          size_t from, size_t to, const std::string& projection) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("RequestItems");
  w.StartObject();
  w.Key(s.table.c_str(), static_cast<rapidjson::SizeType>(s.table.size()));
  w.StartObject();
  w.Key("Keys");
  w.StartArray();
  for (size_t i = from; i < to; ++i) awsproto::write_item(w, keys[i]);
  w.EndArray();
  w.Key("ConsistentRead");
  w.Bool(true);
  if (!projection.empty()) {
    w.Key("ProjectionExpression");
    w.String(projection.c_str(), static_cast<rapidjson::SizeType>(projection.size()));
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return {b.GetString(), b.GetSize()};
}

}  // namespace

void batch_get(Store& s, const std::vector<awsproto::AttributeMap>& keys,
               const std::string& projection,
               const std::function<void(const rapidjson::Value&)>& each, std::string_view what) {
  for (size_t from = 0; from < keys.size(); from += kBatchGetKeys) {
    std::string request =
        batch_request(s, keys, from, std::min(keys.size(), from + kBatchGetKeys), projection);
    // UnprocessedKeys are asked for again, as DynamoDB asks ("we strongly recommend that you use
    // an exponential backoff algorithm", API_BatchGetItem); a few rounds, then the call fails.
    for (int round = 0; !request.empty(); ++round) {
      if (round == 5) throw std::runtime_error(std::string(what) + ": keys left unprocessed");
      if (round) std::this_thread::sleep_for(std::chrono::milliseconds(25 << round));
      rapidjson::Document answer = s.db.call("BatchGetItem", request);
      request.clear();
      if (!answer.IsObject()) break;
      auto responses = answer.FindMember("Responses");
      if (responses != answer.MemberEnd() && responses->value.IsObject()) {
        auto items = responses->value.FindMember(s.table.c_str());
        if (items != responses->value.MemberEnd() && items->value.IsArray()) {
          for (const auto& item : items->value.GetArray()) each(item);
        }
      }
      auto unprocessed = answer.FindMember("UnprocessedKeys");
      if (unprocessed != answer.MemberEnd() && unprocessed->value.IsObject() &&
          unprocessed->value.MemberCount() > 0) {
        rapidjson::StringBuffer again;
        Writer aw(again);
        aw.StartObject();
        aw.Key("RequestItems");
        unprocessed->value.Accept(aw);
        aw.EndObject();
        request.assign(again.GetString(), again.GetSize());
      }
    }
  }
}

std::string connection_entry(std::string_view connection_id, std::string_view domain_name,
                             std::string_view stage) {
  std::string out(connection_id);
  out += ' ';
  out += domain_name;
  out += ' ';
  out += stage;
  return out;
}

TxItem add_connection_entry(std::string_view username, const std::string& entry,
                            int64_t expires_at) {
  TxItem t;
  t.kind = TxItem::Kind::Update;
  t.item = key(user_pk(username), std::string(kConnectionsSk));
  // The item outlives its newest connection as a connection item does (TTL), and API Gateway
  // closes a connection after 2 hours at most: when it expires, none of its entries is open.
  t.update = "ADD conns :c SET #type = :type, expiresAt = :exp";
  t.names = {{"#type", "type"}};
  t.values = {{":c", AttributeValue::ss({entry})},
              {":type", AttributeValue::s("conns")},
              {":exp", AttributeValue::n(expires_at)}};
  return t;
}

TxItem remove_connection_entry(std::string_view username, const std::string& entry) {
  TxItem t;
  t.kind = TxItem::Kind::Update;
  t.item = key(user_pk(username), std::string(kConnectionsSk));
  // On an item that exists: a DELETE would otherwise create an empty one.
  t.update = "DELETE conns :c";
  t.condition = "attribute_exists(pk)";
  t.values = {{":c", AttributeValue::ss({entry})}};
  return t;
}

void remove_connection_entry(Store& s, std::string_view username, const std::string& entry) {
  try {
    s.db.call("UpdateItem", single_body(s.table, remove_connection_entry(username, entry)));
  } catch (const awsproto::AwsError& e) {
    if (e.type() != "ConditionalCheckFailedException") throw;
  }
}

std::vector<std::vector<Target>> users_connections(Store& s,
                                                   const std::vector<std::string>& users) {
  std::vector<std::vector<Target>> out(users.size());
  std::unordered_map<std::string_view, size_t> index;
  std::vector<awsproto::AttributeMap> keys;
  for (size_t i = 0; i < users.size(); ++i) {
    if (!index.emplace(users[i], i).second) continue;  // asked for twice: read once
    keys.push_back(key(user_pk(users[i]), std::string(kConnectionsSk)));
  }
  batch_get(
      s, keys, "pk, conns",
      [&](const rapidjson::Value& item) {
        auto pk = awsproto::get_string(item, "pk");
        if (!pk || !pk->starts_with("USER#")) return;
        auto it = index.find(pk->substr(5));
        auto conns = item.FindMember("conns");
        if (it == index.end() || conns == item.MemberEnd() || !conns->value.IsObject()) return;
        auto set = conns->value.FindMember("SS");
        if (set == conns->value.MemberEnd() || !set->value.IsArray()) return;
        for (const auto& e : set->value.GetArray()) {
          if (!e.IsString()) continue;
          std::string_view entry(e.GetString(), e.GetStringLength());
          size_t a = entry.find(' '), b = a == entry.npos ? a : entry.find(' ', a + 1);
          if (b == entry.npos || a == 0) continue;
          out[it->second].push_back({std::string(entry.substr(0, a)), users[it->second],
                                     std::string(entry.substr(a + 1, b - a - 1)),
                                     std::string(entry.substr(b + 1))});
        }
      },
      "the users' connections");
  // Duplicates in `users` get the first one's.
  for (size_t i = 0; i < users.size(); ++i) {
    size_t first = index.at(users[i]);
    if (first != i) out[i] = out[first];
  }
  return out;
}

}  // namespace chat
