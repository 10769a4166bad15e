// BatchWriteItem: up to 25 puts and deletes over any tables, applied in one transaction
// (so nothing is ever left unprocessed: UnprocessedItems is always empty).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
#include <set>

#include "actions/actions.h"
#include "actions/common/key_checks.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "items/write.h"
#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

struct Write {
  storage::TablePtr table;
  std::string key;
  std::optional<model::Item> item;  // nullopt: delete
  std::string record;
  model::Item deleted_key;              // a delete's Key, for ItemCollectionMetrics
  std::optional<model::Item> old_item;  // what it replaced, for the indexes' capacity
};

}  // namespace

void batch_write_item(const api::CallPtr& call) {
  const model::Json& body = call->body();
  const model::Json* requests = model::get_object(body, "RequestItems");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  auto ricm = model::get_string(body, "ReturnItemCollectionMetrics");
  api::Constraints c;
  c.not_null("requestItems", requests != nullptr);
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  c.one_of("returnItemCollectionMetrics", ricm, {"SIZE", "NONE"});
  if (requests) c.count("requestItems", requests, 0, 1000, "{...}");
  c.check();
  // An empty map has its own message in most regions, us-east-1 among them (others report it as
  // BatchGetItem does; paritysuite/dynamodb-conformance, captures/2026-10-07-batch-empty-...).
  if (requests->ObjectEmpty()) invalid("The requestItems parameter is required for BatchWriteItem");

  size_t total = 0;
  // The map as DynamoDB echoes it: {table=[...], ...} (the requests elided).
  std::string echoed;
  for (auto it = requests->MemberBegin(); it != requests->MemberEnd(); ++it)
    echoed += (echoed.empty() ? "" : ", ") + std::string(model::view(it->name)) +
              (it->value.IsArray() && it->value.Empty() ? "=[]" : "=[...]");
  for (auto it = requests->MemberBegin(); it != requests->MemberEnd(); ++it) {
    api::Constraints tc;
    tc.table_name("requestItems." + std::string(model::view(it->name)), model::view(it->name));
    tc.check();
    if (!it->value.IsArray()) model::wrong_json_type(it->value, "List");
    if (it->value.Empty() || it->value.Size() > 25)
      invalid("1 validation error detected: Value '{" + echoed +
              "}' at 'requestItems' failed to satisfy constraint: Map value must satisfy "
              "constraint: [Member must have length less than or equal to 25, Member must have "
              "length greater than or equal to 1]");
    total += it->value.Size();
  }
  if (total > 25) invalid("Too many items requested for the BatchWriteItem call");

  auto writes = std::make_shared<std::vector<Write>>();
  std::set<std::pair<uint64_t, std::string>> seen;
  for (auto it = requests->MemberBegin(); it != requests->MemberEnd(); ++it) {
    auto table = table_for_items(*call, model::view(it->name));
    for (const auto& request : it->value.GetArray()) {
      if (!request.IsObject()) model::wrong_json_type(request, "WriteRequest");
      const model::Json* put = model::get_object(request, "PutRequest");
      const model::Json* del = model::get_object(request, "DeleteRequest");
      if ((put != nullptr) == (del != nullptr))
        invalid(
            "Supplied AttributeValue has more than one datatypes set, must contain "
            "exactly one of the supported datatypes");
      Write w{table, {}, std::nullopt, {}};
      if (put) {
        const model::Json* item = model::get_object(*put, "Item");
        if (!item)
          invalid("1 validation error detected: Value null at 'requestItems." + table->name +
                  ".member.putRequest.item' failed to satisfy constraint: Member must not be null");
        w.item = model::item_from_json(*item);
        // A put whose item lacks a key attribute, or has one of the wrong type, is refused
        // with the key schema message in a batch.
        for (const model::KeyAttribute* k :
             {&table->hash, table->range ? &*table->range : nullptr}) {
          if (!k) continue;
          auto a = w.item->find(k->name);
          if (a == w.item->end() || a->second.type != k->type)
            invalid("The provided key element does not match the schema");
        }
        check_put_item(*table, *w.item);
        w.key = storage::storage_key(*table, *w.item);
        w.record = storage::make_record(*w.item);
      } else {
        const model::Json* key = model::get_object(*del, "Key");
        if (!key)
          invalid(
              "1 validation error detected: Value null at 'requestItems." + table->name +
              ".member.deleteRequest.key' failed to satisfy constraint: Member must not be null");
        model::Item k = model::item_from_json(*key);
        check_lookup_key(*table, k);
        w.key = storage::storage_key(*table, k);
        w.deleted_key = std::move(k);
      }
      if (!seen.insert({table->id, w.key}).second)
        invalid("Provided list of item keys contains duplicates");
      writes->push_back(std::move(w));
    }
  }

  call->commit(
      [call, writes](storage::Txn& txn) {
        auto& db = call->svc.db;
        for (auto& w : *writes) {
          auto t = items::live_table(db, *w.table);
          items::Current current = items::read_current(txn, db, w.key, t->needs_old_item());
          items::Existing old = current.existing();
          if (!t->indexes.empty() && current.item) w.old_item = *current.item;
          if (w.item) {
            check_index_keys(*t, *w.item);
            items::store(txn, db, *t, w.key, old, &*w.item, w.record);
          } else if (old.exists) {
            items::store(txn, db, *t, w.key, old, nullptr, {});
          }
        }
      },
      [call, writes, consumed = rcc == "TOTAL" || rcc == "INDEXES", indexes = rcc == "INDEXES",
       metrics = ricm == "SIZE"] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        w.Key("UnprocessedItems");
        w.StartObject();
        w.EndObject();
        if (consumed) {
          std::map<std::string, Consumed> units;
          for (const auto& x : *writes) {
            Consumed one = write_consumption(*x.table, x.old_item ? &*x.old_item : nullptr,
                                             x.item ? &*x.item : nullptr,
                                             write_units(x.item ? model::item_size(*x.item) : 0));
            Consumed& sum = units[x.table->name];
            sum.table_units += one.table_units;
            for (const auto& [n, u] : one.global_indexes) sum.global_indexes[n] += u;
            for (const auto& [n, u] : one.local_indexes) sum.local_indexes[n] += u;
          }
          write_consumed_list(w, units, indexes);
        }
        // Each write to a table with local indexes, by table.
        CollectionWrites by_table;
        if (metrics)
          for (const auto& x : *writes)
            if (has_item_collections(*x.table))
              by_table[x.table->name].emplace_back(&*x.table, x.item ? &*x.item : &x.deleted_key);
        write_item_collection_lists(w, *call, by_table);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace ddb::actions
