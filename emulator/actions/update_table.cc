// UpdateTable: billing mode and throughput, and adding or deleting a global secondary index.
// A new index is filled from the table's items in the background, a batch per group commit,
// while writes keep it current; it reports CREATING / Backfilling until it is complete.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
#include "actions/actions.h"
#include "actions/common/index_defs.h"
#include "actions/common/tables.h"
#include "indexes/indexes.h"
#include "storage/garbage.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// A GlobalSecondaryIndexUpdates Update: an index's new throughput.
struct IndexThroughput {
  std::string name;
  api::Throughput throughput;
};

// DynamoDB refuses a throughput equal to the current one, for the table and for an index.
void check_changes(int64_t read, int64_t write, const api::Throughput& requested) {
  if (read != requested.read || write != requested.write) return;
  invalid(
      "The provisioned throughput for the table will not change. The requested value equals "
      "the current value. Current ReadCapacityUnits provisioned for the table: " +
      std::to_string(read) + ". Requested ReadCapacityUnits: " + std::to_string(*requested.read) +
      ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(write) +
      ". Requested WriteCapacityUnits: " + std::to_string(*requested.write) +
      ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request "
      "higher limits.");
}

}  // namespace

void update_table(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  auto billing = model::get_string(body, "BillingMode");
  const model::Json* throughput = model::get_object(body, "ProvisionedThroughput");
  const model::Json* defs = model::get_array(body, "AttributeDefinitions");
  const model::Json* updates = model::get_array(body, "GlobalSecondaryIndexUpdates");
  auto protection = model::get_bool(body, "DeletionProtectionEnabled");
  api::Constraints c;
  c.table_name("tableName", name);
  c.one_of("billingMode", billing, {"PROVISIONED", "PAY_PER_REQUEST"});
  std::optional<int64_t> rcu, wcu;
  if (throughput) {
    auto t = api::read_throughput(*throughput, "provisionedThroughput", c);
    rcu = t.read;
    wcu = t.write;
  }
  std::vector<model::KeyAttribute> new_defs;
  if (defs) {
    for (rapidjson::SizeType i = 0; i < defs->Size(); ++i) {
      const model::Json& d = (*defs)[i];
      if (!d.IsObject()) model::wrong_json_type(d, "AttributeDefinition");
      std::string path = "attributeDefinitions." + std::to_string(i + 1) + ".member.";
      auto an = model::get_string(d, "AttributeName");
      auto at = model::get_string(d, "AttributeType");
      c.not_null(path + "attributeName", an.has_value());
      c.length(path + "attributeName", an, 1, 255);
      c.not_null(path + "attributeType", at.has_value());
      c.one_of(path + "attributeType", at, {"B", "N", "S"});
      if (an && at)
        new_defs.push_back({std::string(*an), *at == "N"   ? model::Type::N
                                              : *at == "B" ? model::Type::B
                                                           : model::Type::S});
    }
  }
  std::vector<IndexRequest> creates;
  std::vector<std::string> deletes;
  std::vector<IndexThroughput> index_updates;
  if (updates) {
    for (rapidjson::SizeType i = 0; i < updates->Size(); ++i) {
      const model::Json& u = (*updates)[i];
      if (!u.IsObject()) model::wrong_json_type(u, "GlobalSecondaryIndexUpdate");
      std::string path = "globalSecondaryIndexUpdates." + std::to_string(i + 1) + ".member";
      if (const model::Json* create = model::get_object(u, "Create"))
        creates.push_back(read_index(*create, true, path + ".create", c));
      if (const model::Json* del = model::get_object(u, "Delete")) {
        auto index_name = model::get_string(*del, "IndexName");
        c.not_null(path + ".delete.indexName", index_name.has_value());
        if (index_name) deletes.emplace_back(*index_name);
      }
      if (const model::Json* update = model::get_object(u, "Update")) {
        auto index_name = model::get_string(*update, "IndexName");
        const model::Json* t = model::get_object(*update, "ProvisionedThroughput");
        c.not_null(path + ".update.indexName", index_name.has_value());
        c.not_null(path + ".update.provisionedThroughput", t != nullptr);
        if (index_name && t)
          index_updates.push_back(
              {std::string(*index_name),
               api::read_throughput(*t, path + ".update.provisionedThroughput", c)});
      }
    }
  }
  c.check();
  auto stream = stream_specification(body);
  if (!billing && !throughput && !updates && !stream && !protection)
    invalid(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
        "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
        "OnDemandThroughput, WarmThroughput or TableClass is required");
  if (creates.size() + deletes.size() > 1)
    fail(Code::LimitExceeded,
         "Subscriber limit exceeded: Only 1 online index can be created or deleted "
         "simultaneously per table");

  auto table = table_for_describe(*call, *name);
  model::TableDef def = *table;
  if (billing) def.on_demand = *billing == "PAY_PER_REQUEST";
  if (billing == "PROVISIONED" && !throughput && table->on_demand)
    invalid(std::string(kInvalid) +
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
  if (throughput && def.on_demand)
    invalid(std::string(kInvalid) +
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
            "BillingMode is PAY_PER_REQUEST");
  if (throughput) {
    api::check_capacity_bounds({rcu, wcu});
    if (!table->on_demand) check_changes(table->read_capacity, table->write_capacity, {rcu, wcu});
    def.read_capacity = *rcu;
    def.write_capacity = *wcu;
  }
  if (def.on_demand) def.read_capacity = def.write_capacity = 0;
  for (const auto& d : new_defs) {
    bool known = false;
    for (const auto& e : def.attribute_definitions) {
      if (e.name != d.name) continue;
      known = true;
      if (e.type != d.type)
        invalid(std::string(kInvalid) + "Attributes cannot be redefined: " + d.name);
    }
    if (!known) def.attribute_definitions.push_back(d);
  }
  auto new_index = std::make_shared<std::optional<model::IndexDef>>();
  for (const auto& r : creates) {
    if (def.index(r.def.name))
      invalid(std::string(kInvalid) + "Attempting to create an index which already exists");
    *new_index = check_index(r, def, def.attribute_definitions, def.on_demand);
    (*new_index)->backfilling = true;
  }
  std::vector<std::pair<std::string, api::Throughput>> retuned;
  for (const auto& u : index_updates) {
    const model::IndexDef* ix = def.index(u.name);
    if (!ix || !ix->global)
      fail(Code::ResourceNotFound, "Requested resource not found: Index: " + u.name + " not found");
    if (def.on_demand)
      invalid(std::string(kInvalid) +
              "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
              "BillingMode is PAY_PER_REQUEST");
    api::check_capacity_bounds(u.throughput);
    check_changes(ix->read_capacity, ix->write_capacity, u.throughput);
    retuned.emplace_back(u.name, u.throughput);
  }
  std::vector<uint64_t> dropped;
  for (const auto& n : deletes) {
    const model::IndexDef* ix = def.index(n);
    if (!ix || !ix->global)
      fail(Code::ResourceNotFound, "Requested resource not found: Index: " + n + " not found");
    dropped.push_back(ix->id);
  }

  struct State {
    storage::TablePtr table;
    uint64_t created = 0;
    std::vector<std::string> retuned;  // indexes whose throughput changes: UPDATING
  };
  auto st = std::make_shared<State>();
  for (const auto& [index_name, t] : retuned) st->retuned.push_back(index_name);
  call->commit(
      [call, table, def, new_index, dropped, retuned, st, stream,
       protection](storage::Txn& txn) mutable {
        auto& db = call->svc.db;
        auto current = db.catalog().find(table->space, table->name);
        if (!current || current->id != table->id)
          fail(Code::ResourceNotFound,
               "Requested resource not found: Table: " + table->name + " not found");
        // Indexes, streams and TTL may have changed since the request was read: what this
        // request does not set is taken from the table as it is now.
        def.indexes = current->indexes;
        def.stream_id = current->stream_id;
        def.latest_stream_id = current->latest_stream_id;
        def.latest_stream_label = current->latest_stream_label;
        def.stream_view_type = current->stream_view_type;
        def.ttl_attribute = current->ttl_attribute;
        def.ttl_indexing = current->ttl_indexing;
        def.ttl_generation = current->ttl_generation;
        def.tags = current->tags;
        def.pitr_enabled = current->pitr_enabled;
        def.pitr_enabled_at = current->pitr_enabled_at;
        def.pitr_recovery_days = current->pitr_recovery_days;
        def.deletion_protection = protection.value_or(current->deletion_protection);
        if (stream) set_stream(txn, db, def, *stream);
        for (const auto& [index_name, t] : retuned)
          for (auto& ix : def.indexes)
            if (ix.name == index_name) {
              ix.read_capacity = *t.read;
              ix.write_capacity = *t.write;
            }
        for (uint64_t id : dropped) {
          storage::discard_later(txn, db, storage::Space::Indexes, storage::table_prefix(id));
          std::erase_if(def.indexes, [&](const model::IndexDef& i) { return i.id == id; });
        }
        if (*new_index) {
          if (def.index((*new_index)->name))
            invalid(std::string(kInvalid) + "Attempting to create an index which already exists");
          model::IndexDef ix = **new_index;
          ix.id = db.catalog().allocate_id(txn);
          st->created = ix.id;
          def.indexes.push_back(std::move(ix));
        }
        st->table = db.catalog().replace(txn, def);
      },
      [call, st] {
        auto& db = call->svc.db;
        if (st->created) indexes::backfill(db, *st->table, st->created);
        storage::Txn txn = db.read();
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        w.Key("TableDescription");
        write_table_description(
            w, *st->table, [&](uint64_t id) { return storage::Catalog::stats(txn, db.meta(), id); },
            "UPDATING", st->retuned);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace ddb::actions
