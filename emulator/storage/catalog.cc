#include "storage/catalog.h"

#include <cstring>

#include "model/codec.h"
#include "model/json.h"

namespace ddb::storage {
namespace {

constexpr std::string_view kTablePrefix = "t";
constexpr std::string_view kStatsPrefix = "s";
constexpr std::string_view kNextId = "next_id";
constexpr std::string_view kNextSeq = "next_seq";
constexpr std::string_view kStreamPrefix = "S";

std::string table_key(std::string_view space, std::string_view name) {
  std::string k(kTablePrefix);
  k += space;
  k += '\0';
  k += name;
  return k;
}

uint64_t read_u64(std::string_view s) {
  uint64_t v = 0;
  std::memcpy(&v, s.data(), std::min(s.size(), sizeof v));
  return v;
}

void write_key_attribute(model::JsonWriter& w, const model::KeyAttribute& k) {
  w.StartObject();
  w.Key("name");
  model::write_string(w, k.name);
  w.Key("type");
  w.String(model::type_name(k.type));
  w.EndObject();
}

std::string encode(const model::TableDef& d) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  auto key_attr = [&](const model::KeyAttribute& k) { write_key_attribute(w, k); };
  w.StartObject();
  w.Key("id");
  w.Uint64(d.id);
  w.Key("space");
  model::write_string(w, d.space);
  w.Key("name");
  model::write_string(w, d.name);
  w.Key("region");
  model::write_string(w, d.region);
  w.Key("table_id");
  model::write_string(w, d.table_id);
  w.Key("created");
  w.Double(d.created);
  w.Key("hash");
  key_attr(d.hash);
  if (d.range) {
    w.Key("range");
    key_attr(*d.range);
  }
  w.Key("attributes");
  w.StartArray();
  for (const auto& a : d.attribute_definitions) key_attr(a);
  w.EndArray();
  w.Key("on_demand");
  w.Bool(d.on_demand);
  w.Key("rcu");
  w.Int64(d.read_capacity);
  w.Key("wcu");
  w.Int64(d.write_capacity);
  w.Key("stream_id");
  w.Uint64(d.stream_id);
  w.Key("latest_stream_id");
  w.Uint64(d.latest_stream_id);
  w.Key("latest_stream_label");
  model::write_string(w, d.latest_stream_label);
  w.Key("stream_view_type");
  model::write_string(w, d.stream_view_type);
  w.Key("ttl_attribute");
  model::write_string(w, d.ttl_attribute);
  w.Key("ttl_indexing");
  w.Bool(d.ttl_indexing);
  w.Key("ttl_generation");
  w.Uint64(d.ttl_generation);
  w.Key("tags");
  w.StartArray();
  for (const auto& [k, v] : d.tags) {
    w.StartArray();
    model::write_string(w, k);
    model::write_string(w, v);
    w.EndArray();
  }
  w.EndArray();
  w.Key("deletion_protection");
  w.Bool(d.deletion_protection);
  w.Key("pitr");
  w.Bool(d.pitr_enabled);
  w.Key("pitr_since");
  w.Double(d.pitr_enabled_at);
  w.Key("pitr_days");
  w.Int(d.pitr_recovery_days);
  w.Key("indexes");
  w.StartArray();
  for (const auto& i : d.indexes) {
    w.StartObject();
    w.Key("name");
    model::write_string(w, i.name);
    w.Key("global");
    w.Bool(i.global);
    w.Key("id");
    w.Uint64(i.id);
    w.Key("hash");
    key_attr(i.hash);
    if (i.range) {
      w.Key("range");
      key_attr(*i.range);
    }
    w.Key("projection");
    w.String(model::projection_name(i.projection));
    w.Key("non_key");
    w.StartArray();
    for (const auto& n : i.non_key_attributes) model::write_string(w, n);
    w.EndArray();
    w.Key("backfilling");
    w.Bool(i.backfilling);
    w.Key("rcu");
    w.Int64(i.read_capacity);
    w.Key("wcu");
    w.Int64(i.write_capacity);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

model::Type parse_type(std::string_view s) {
  return s == "N" ? model::Type::N : s == "B" ? model::Type::B : model::Type::S;
}

model::TableDef decode(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error("corrupt catalog entry");
  auto str = [&](const model::Json& j, const char* k) { return std::string(model::view(j[k])); };
  auto key_attr = [&](const model::Json& j) {
    return model::KeyAttribute{str(j, "name"), parse_type(model::view(j["type"]))};
  };
  model::TableDef d;
  d.id = doc["id"].GetUint64();
  d.space = str(doc, "space");
  d.name = str(doc, "name");
  d.region = str(doc, "region");
  d.table_id = str(doc, "table_id");
  d.created = doc["created"].GetDouble();
  d.hash = key_attr(doc["hash"]);
  if (doc.HasMember("range")) d.range = key_attr(doc["range"]);
  for (const auto& a : doc["attributes"].GetArray()) d.attribute_definitions.push_back(key_attr(a));
  d.on_demand = doc["on_demand"].GetBool();
  d.read_capacity = doc["rcu"].GetInt64();
  d.write_capacity = doc["wcu"].GetInt64();
  if (doc.HasMember("stream_id")) d.stream_id = doc["stream_id"].GetUint64();
  if (doc.HasMember("ttl_attribute")) d.ttl_attribute = str(doc, "ttl_attribute");
  if (doc.HasMember("ttl_indexing")) d.ttl_indexing = doc["ttl_indexing"].GetBool();
  if (doc.HasMember("ttl_generation")) d.ttl_generation = doc["ttl_generation"].GetUint64();
  // Members added later: a catalog written before them reads as their defaults.
  if (doc.HasMember("tags"))
    for (const auto& t : doc["tags"].GetArray())
      d.tags.emplace_back(model::view(t[0]), model::view(t[1]));
  if (doc.HasMember("deletion_protection"))
    d.deletion_protection = doc["deletion_protection"].GetBool();
  if (doc.HasMember("pitr")) {
    d.pitr_enabled = doc["pitr"].GetBool();
    d.pitr_enabled_at = doc["pitr_since"].GetDouble();
    d.pitr_recovery_days = doc["pitr_days"].GetInt();
  }
  if (doc.HasMember("latest_stream_id")) {
    d.latest_stream_id = doc["latest_stream_id"].GetUint64();
    d.latest_stream_label = str(doc, "latest_stream_label");
    d.stream_view_type = str(doc, "stream_view_type");
  }
  if (doc.HasMember("indexes")) {
    for (const auto& j : doc["indexes"].GetArray()) {
      model::IndexDef i;
      i.name = str(j, "name");
      i.global = j["global"].GetBool();
      i.id = j["id"].GetUint64();
      i.hash = key_attr(j["hash"]);
      if (j.HasMember("range")) i.range = key_attr(j["range"]);
      std::string_view p = model::view(j["projection"]);
      i.projection = p == "KEYS_ONLY" ? model::IndexDef::Projection::KeysOnly
                     : p == "INCLUDE" ? model::IndexDef::Projection::Include
                                      : model::IndexDef::Projection::All;
      for (const auto& n : j["non_key"].GetArray())
        i.non_key_attributes.emplace_back(model::view(n));
      i.backfilling = j["backfilling"].GetBool();
      i.read_capacity = j["rcu"].GetInt64();
      i.write_capacity = j["wcu"].GetInt64();
      d.indexes.push_back(std::move(i));
    }
  }
  return d;
}

std::string encode_stream(const model::StreamDef& s) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  auto key_attr = [&](const model::KeyAttribute& k) { write_key_attribute(w, k); };
  w.StartObject();
  w.Key("id");
  w.Uint64(s.id);
  w.Key("table_id");
  w.Uint64(s.table_id);
  w.Key("space");
  model::write_string(w, s.space);
  w.Key("table");
  model::write_string(w, s.table_name);
  w.Key("region");
  model::write_string(w, s.region);
  w.Key("label");
  model::write_string(w, s.label);
  w.Key("view");
  model::write_string(w, s.view_type);
  w.Key("enabled");
  w.Bool(s.enabled);
  w.Key("created");
  w.Int64(s.created_ms);
  w.Key("disabled");
  w.Int64(s.disabled_ms);
  w.Key("hash");
  key_attr(s.hash);
  if (s.range) {
    w.Key("range");
    key_attr(*s.range);
  }
  w.Key("trimmed");
  w.Uint64(s.trimmed_through);
  w.Key("shards");
  w.StartArray();
  for (const auto& sh : s.shards) {
    w.StartObject();
    w.Key("id");
    model::write_string(w, sh.id);
    w.Key("parent");
    model::write_string(w, sh.parent);
    w.Key("first");
    w.Uint64(sh.first_seq);
    w.Key("last");
    w.Uint64(sh.last_seq);
    w.Key("created");
    w.Int64(sh.created_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

model::StreamDef decode_stream(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error("corrupt stream entry");
  auto str = [&](const model::Json& j, const char* k) { return std::string(model::view(j[k])); };
  auto key_attr = [&](const model::Json& j) {
    return model::KeyAttribute{str(j, "name"), parse_type(model::view(j["type"]))};
  };
  model::StreamDef s;
  s.id = doc["id"].GetUint64();
  s.table_id = doc["table_id"].GetUint64();
  s.space = str(doc, "space");
  s.table_name = str(doc, "table");
  s.region = str(doc, "region");
  s.label = str(doc, "label");
  s.view_type = str(doc, "view");
  s.enabled = doc["enabled"].GetBool();
  s.created_ms = doc["created"].GetInt64();
  s.disabled_ms = doc["disabled"].GetInt64();
  s.hash = key_attr(doc["hash"]);
  if (doc.HasMember("range")) s.range = key_attr(doc["range"]);
  s.trimmed_through = doc["trimmed"].GetUint64();
  for (const auto& j : doc["shards"].GetArray())
    s.shards.push_back({str(j, "id"), str(j, "parent"), j["first"].GetUint64(),
                        j["last"].GetUint64(), j["created"].GetInt64()});
  return s;
}

}  // namespace

StreamPtr Catalog::stream(uint64_t id) const {
  auto state = view();
  auto it = state->streams.find(id);
  return it == state->streams.end() ? nullptr : it->second;
}

std::vector<StreamPtr> Catalog::streams() const {
  std::vector<StreamPtr> out;
  auto state = view();
  for (const auto& [id, s] : state->streams) out.push_back(s);
  return out;
}

StreamPtr Catalog::put_stream(Txn& txn, model::StreamDef def) {
  if (!def.id) def.id = allocate_id(txn);
  txn.put(meta_, std::string(kStreamPrefix) + model::be64(def.id), encode_stream(def));
  auto ptr = std::make_shared<const model::StreamDef>(std::move(def));
  writable().streams[ptr->id] = ptr;
  return ptr;
}

void Catalog::drop_stream(Txn& txn, uint64_t id) {
  txn.del(meta_, std::string(kStreamPrefix) + model::be64(id));
  writable().streams.erase(id);
}

uint64_t Catalog::peek_sequence(const Txn& txn) const {
  auto next = txn.get(meta_, kNextSeq);
  return next ? read_u64(*next) : 1;
}

uint64_t Catalog::next_sequence(Txn& txn) {
  auto next = txn.get(meta_, kNextSeq);
  uint64_t seq = next ? read_u64(*next) : 1;
  uint64_t following = seq + 1;
  txn.put(meta_, kNextSeq, {reinterpret_cast<const char*>(&following), sizeof following});
  return seq;
}

void Catalog::load() {
  std::map<Key, TablePtr, std::less<>> tables;
  Txn txn(env_, true);
  Cursor c(txn, meta_);
  for (bool ok = c.seek(kTablePrefix); ok && c.key().starts_with(kTablePrefix); ok = c.next()) {
    auto def = std::make_shared<model::TableDef>(decode(c.value()));
    tables[{def->space, def->name}] = std::move(def);
  }
  std::map<uint64_t, StreamPtr> streams;
  for (bool ok = c.seek(kStreamPrefix); ok && c.key().starts_with(kStreamPrefix); ok = c.next()) {
    auto s = std::make_shared<model::StreamDef>(decode_stream(c.value()));
    streams[s->id] = std::move(s);
  }
  auto state = std::make_shared<State>();
  state->tables = std::move(tables);
  state->streams = std::move(streams);
  std::unique_lock lock(mu_);
  published_ = std::move(state);
}

std::shared_ptr<const Catalog::State> Catalog::view() const {
  if (staged_ && std::this_thread::get_id() == writer_) return staged_;
  std::shared_lock lock(mu_);
  return published_;
}

Catalog::State& Catalog::writable() {
  if (!staged_) {
    std::shared_lock lock(mu_);
    staged_ = std::make_shared<State>(*published_);
  } else if (staged_ == savepoint_) {
    staged_ = std::make_shared<State>(*staged_);  // keep the savepoint intact
  }
  return *staged_;
}

void Catalog::publish() {
  if (staged_) {
    std::unique_lock lock(mu_);
    published_ = staged_;
  }
  staged_.reset();
  savepoint_.reset();
}

void Catalog::discard() {
  staged_.reset();
  savepoint_.reset();
}

TablePtr Catalog::find(const std::string& space, std::string_view name) const {
  auto state = view();
  auto it = state->tables.find(Key{space, std::string(name)});
  return it == state->tables.end() ? nullptr : it->second;
}

std::vector<std::string> Catalog::names(const std::string& space, std::string_view after,
                                        size_t limit, bool* more) const {
  std::vector<std::string> out;
  *more = false;
  auto state = view();
  for (auto it = state->tables.upper_bound(Key{space, std::string(after)});
       it != state->tables.end() && it->first.first == space; ++it) {
    if (out.size() == limit) {
      *more = true;
      break;
    }
    out.push_back(it->first.second);
  }
  return out;
}

TablePtr Catalog::create(Txn& txn, model::TableDef def) {
  def.id = allocate_id(txn);
  for (auto& i : def.indexes) i.id = allocate_id(txn);
  txn.put(meta_, table_key(def.space, def.name), encode(def));
  auto ptr = std::make_shared<const model::TableDef>(std::move(def));
  writable().tables[{ptr->space, ptr->name}] = ptr;
  return ptr;
}

uint64_t Catalog::allocate_id(Txn& txn) {
  auto next = txn.get(meta_, kNextId);
  uint64_t id = next ? read_u64(*next) : 1;
  uint64_t following = id + 1;
  txn.put(meta_, kNextId, {reinterpret_cast<const char*>(&following), sizeof following});
  return id;
}

TablePtr Catalog::replace(Txn& txn, model::TableDef def) {
  txn.put(meta_, table_key(def.space, def.name), encode(def));
  auto ptr = std::make_shared<const model::TableDef>(std::move(def));
  writable().tables[{ptr->space, ptr->name}] = ptr;
  return ptr;
}

std::vector<TablePtr> Catalog::all() const {
  std::vector<TablePtr> out;
  auto state = view();
  for (const auto& [k, t] : state->tables) out.push_back(t);
  return out;
}

void Catalog::drop(Txn& txn, const model::TableDef& def) {
  txn.del(meta_, table_key(def.space, def.name));
  txn.del(meta_, std::string(kStatsPrefix) + model::be64(def.id));
  for (const auto& i : def.indexes) txn.del(meta_, std::string(kStatsPrefix) + model::be64(i.id));
  writable().tables.erase(Key{def.space, def.name});
}

TableStats Catalog::stats(const Txn& txn, MDB_dbi meta, uint64_t id) {
  TableStats s;
  if (auto v = txn.get(meta, std::string(kStatsPrefix) + model::be64(id)); v && v->size() == 16) {
    std::memcpy(&s.item_count, v->data(), 8);
    std::memcpy(&s.size_bytes, v->data() + 8, 8);
  }
  return s;
}

void Catalog::add_stats(Txn& txn, MDB_dbi meta, uint64_t id, int64_t items, int64_t bytes) {
  if (!items && !bytes) return;
  TableStats s = stats(txn, meta, id);
  s.item_count += static_cast<uint64_t>(items);
  s.size_bytes += static_cast<uint64_t>(bytes);
  char buf[16];
  std::memcpy(buf, &s.item_count, 8);
  std::memcpy(buf + 8, &s.size_bytes, 8);
  txn.put(meta, std::string(kStatsPrefix) + model::be64(id), {buf, 16});
}

}  // namespace ddb::storage
