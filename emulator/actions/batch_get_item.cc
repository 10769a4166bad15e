// BatchGetItem: up to 100 items by key over any tables, from one snapshot, each table with
// its own projection. Responses stay under DynamoDB's 16 MB; keys beyond that are returned
// in UnprocessedKeys.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
#include <set>

#include "actions/actions.h"
#include "actions/common/expressions.h"
#include "actions/common/key_checks.h"
#include "actions/common/options.h"
#include "actions/common/tables.h"
#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::actions {

void batch_get_item(const api::CallPtr& call) {
  const model::Json& body = call->body();
  const model::Json* requests = model::get_object(body, "RequestItems");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  api::Constraints c;
  c.not_null("requestItems", requests != nullptr);
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  // An empty map is reported in the newer form, without its value (every region but one in
  // paritysuite/dynamodb-conformance's captures of 2026-09); too many tables in the older one.
  if (requests && requests->ObjectEmpty())
    c.unshown("RequestItems", "Member must have length greater than or equal to 1");
  else if (requests)
    c.count("requestItems", requests, 1, 100, "{...}");
  c.check();

  struct TableRead {
    storage::TablePtr table;
    const model::Json* spec;
    std::vector<model::Item> keys;
    std::optional<std::vector<expr::Path>> projection;
    bool consistent = false;
  };
  std::vector<TableRead> reads;
  size_t total = 0;
  for (auto it = requests->MemberBegin(); it != requests->MemberEnd(); ++it) {
    api::Constraints tc;
    tc.table_name("requestItems." + std::string(model::view(it->name)), model::view(it->name));
    tc.check();
    const model::Json& spec = it->value;
    if (!spec.IsObject()) model::wrong_json_type(spec, "KeysAndAttributes");
    const model::Json* keys = model::get_array(spec, "Keys");
    // No value, and the path in capitals: AWS's words as nubo-db/dynamodb-conformance,
    // tests/tier3/error-messages/batchGetItem.test.ts, records them.
    if (keys && keys->Size() > 100)
      invalid("1 validation error detected: Value at 'RequestItems." +
              std::string(model::view(it->name)) +
              ".member.Keys' failed to satisfy constraint: Member must have length less "
              "than or equal to 100");
    if (!keys || keys->Empty())
      invalid("1 validation error detected: Value " + std::string(keys ? "'[]'" : "null") +
              " at 'requestItems." + std::string(model::view(it->name)) +
              ".member.keys' failed to satisfy constraint: " +
              (keys ? "Member must have length greater than or equal to 1"
                    : "Member must not be null"));
    total += keys->Size();
  }
  if (total > 100) invalid("Too many items requested for the BatchGetItem call");
  // Expression and legacy parameters do not mix across the request's tables either
  // (nubo-db/dynamodb-conformance, tests/tier3/error-messages/batchGetItem.test.ts).
  bool expression = false, legacy = false;
  for (auto it = requests->MemberBegin(); it != requests->MemberEnd(); ++it) {
    expression = expression || model::get_string(it->value, "ProjectionExpression").has_value();
    legacy = legacy || model::get_array(it->value, "AttributesToGet") != nullptr;
  }
  if (expression && legacy)
    invalid(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}");

  for (auto it = requests->MemberBegin(); it != requests->MemberEnd(); ++it) {
    TableRead r;
    r.spec = &it->value;
    Expressions expressions(it->value, {"ProjectionExpression"});
    r.projection = expressions.projection();
    expressions.finish();
    r.consistent = model::get_bool(it->value, "ConsistentRead").value_or(false);
    std::vector<model::Item> keys;
    for (const auto& k : model::get_array(it->value, "Keys")->GetArray())
      keys.push_back(model::item_from_json(k));
    r.table = table_for_items(*call, model::view(it->name));
    std::set<std::string> seen;
    for (auto& k : keys) {
      check_lookup_key(*r.table, k);
      if (!seen.insert(storage::storage_key(*r.table, k)).second)
        invalid("Provided list of item keys contains duplicates");
    }
    r.keys = std::move(keys);
    reads.push_back(std::move(r));
  }

  constexpr size_t kMaxResponse = 16 * 1024 * 1024;
  auto& db = call->svc.db;
  storage::Txn txn = db.read();
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  std::vector<std::pair<const TableRead*, std::vector<const model::Item*>>> unprocessed;
  std::map<std::string, double> units;
  w.StartObject();
  w.Key("Responses");
  w.StartObject();
  size_t bytes = 0;
  for (const auto& r : reads) {
    model::write_key(w, r.table->name);
    w.StartArray();
    std::vector<const model::Item*> left;
    for (const auto& k : r.keys) {
      if (bytes >= kMaxResponse) {
        left.push_back(&k);
        continue;
      }
      auto stored = txn.get(db.items(), storage::storage_key(*r.table, k));
      size_t size = 0;
      if (stored) {
        storage::Record rec = storage::read_record(*stored);
        size = rec.size;
        bytes += rec.size;
        if (r.projection)
          model::write_item(w, expr::project(model::decode_item(rec.item), *r.projection));
        else
          model::write_item_json(w, rec.item);
      }
      units[r.table->name] += read_units(size, r.consistent);
    }
    w.EndArray();
    if (!left.empty()) unprocessed.emplace_back(&r, std::move(left));
  }
  w.EndObject();
  w.Key("UnprocessedKeys");
  w.StartObject();
  for (const auto& [r, keys] : unprocessed) {
    model::write_key(w, r->table->name);
    w.StartObject();
    w.Key("Keys");
    w.StartArray();
    for (const auto* k : keys) model::write_item(w, *k);
    w.EndArray();
    // Carry the table's own read options over, as DynamoDB does.
    for (const char* m : {"ProjectionExpression", "AttributesToGet", "ExpressionAttributeNames",
                          "ConsistentRead"}) {
      auto it = r->spec->FindMember(m);
      if (it == r->spec->MemberEnd()) continue;
      w.Key(m);
      it->value.Accept(w);
    }
    w.EndObject();
  }
  w.EndObject();
  if (rcc == "TOTAL" || rcc == "INDEXES") {
    write_consumed_list(w, units, rcc == "INDEXES");
  }
  w.EndObject();
  txn.abort();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
