// BatchExecuteStatement: 1 to 25 PartiQL statements, all reads (SELECTs of one item by its
// full key) or all writes (INSERT, UPDATE, DELETE of one item). Each statement succeeds or
// fails on its own and is answered in request order: its TableName, the Item a SELECT found,
// or an Error {Code, Message, Item} (BatchStatementError's codes). The writes that succeed are
// applied in one transaction, as BatchWriteItem applies its items.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchStatementError.html
#include <map>
#include <set>

#include "actions/actions.h"
#include "actions/common/options.h"
#include "actions/common/statement_list.h"
#include "items/write.h"
#include "model/codec.h"

namespace ddb::actions {
namespace {

// BatchStatementError's Code of an error a statement failed with.
const char* batch_code(Code c) {
  switch (c) {
    case Code::ConditionalCheckFailed: return "ConditionalCheckFailed";
    case Code::DuplicateItem: return "DuplicateItem";
    case Code::ResourceNotFound: return "ResourceNotFound";
    case Code::Validation: return "ValidationError";
    default: return "InternalServerError";
  }
}

// What one statement came to.
struct Outcome {
  std::optional<ApiError> error;
  std::optional<model::Item> item;  // a SELECT's item, projected, or RETURNING's
  size_t size = 0;                  // the bytes its capacity is reckoned on
  bool ran = false;                 // it reached its item (capacity is consumed)
};

void write_error(model::JsonWriter& w, const ApiError& e) {
  w.Key("Error");
  w.StartObject();
  w.Key("Code");
  w.String(batch_code(e.code));
  w.Key("Message");
  model::write_string(w, e.message);
  for (const auto& [name, json] : e.extra) {
    if (name != "Item") continue;
    w.Key("Item");
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

std::string render(const std::vector<StatementMember>& members,
                   const std::vector<Outcome>& outcomes, CapacityDetail capacity, bool reads) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  std::map<std::string, double> units;
  for (size_t i = 0; i < members.size(); ++i) {
    const StatementMember& m = members[i];
    const Outcome& o = outcomes[i];
    w.StartObject();
    // A statement that names its table is answered with it, failed or not
    // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchStatementResponse.html).
    // ... except one refused before it ran (paritysuite/dynamodb-conformance,
    // tests/tier2/partiql/batchExecuteStatement.test.ts records AWS leaving it out then).
    if (m.statement && !(m.error && m.error->code == Code::Validation)) {
      w.Key("TableName");
      model::write_string(w, m.statement->target.table);
    }
    if (o.error) write_error(w, *o.error);
    // A write's RETURNING that selects nothing (MODIFIED of a REMOVE) answers no Item.
    if (o.item && (reads || !o.item->empty())) {
      w.Key("Item");
      model::write_item(w, *o.item);
    }
    w.EndObject();
    if (o.ran)
      units[m.statement->target.table] +=
          reads ? read_units(o.size, m.consistent_read) : write_units(o.size);
  }
  w.EndArray();
  if (capacity != CapacityDetail::None && !units.empty())
    write_consumed_list(w, units, capacity == CapacityDetail::Indexes);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

void batch_execute_statement(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  api::Constraints c;
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  // A statement that does not parse, names no table or lacks its key fails alone; mixing
  // reads and writes, or naming one item twice, refuses the whole request.
  auto members = std::make_shared<std::vector<StatementMember>>(read_statements(
      *call, c, {.list = "Statements", .path = "statements", .max = 25, .per_statement = true}));
  bool reads = check_one_kind(
      *members, "Read and write requests together in the same batch is not supported.");
  plan_statements(*call, *members, true);
  check_distinct_items(*members, "Provided list of item keys contains duplicates");
  CapacityDetail capacity = capacity_detail(rcc);

  auto outcomes = std::make_shared<std::vector<Outcome>>(members->size());
  for (size_t i = 0; i < members->size(); ++i)
    if ((*members)[i].error) (*outcomes)[i].error = (*members)[i].error;

  if (reads) {
    auto& db = call->svc.db;
    storage::Txn txn = db.read();
    for (size_t i = 0; i < members->size(); ++i) {
      StatementMember& m = (*members)[i];
      Outcome& o = (*outcomes)[i];
      if (o.error) continue;
      try {
        auto found = read_member(txn, db, m);
        o.ran = true;
        o.size = found.size;
        o.item = std::move(found.item);
      } catch (const ApiError& e) {
        o.error = e;
      }
    }
    txn.abort();
    call->reply(render(*members, *outcomes, capacity, true));
    return;
  }

  call->commit(
      [call, members, outcomes](storage::Txn& txn) {
        auto& db = call->svc.db;
        for (size_t i = 0; i < members->size(); ++i) {
          StatementMember& m = (*members)[i];
          Outcome& o = (*outcomes)[i];
          if ((*members)[i].error) continue;
          // Each statement in a transaction of its own inside the change: a failing one
          // leaves nothing behind and the others go on.
          storage::Txn own(db.env(), false, txn.get());
          try {
            o.error.reset();
            o.item.reset();
            WrittenItem written = write_member(own, db, m, m.return_old);
            o.size = written.size;
            o.item = std::move(written.returned);  // RETURNING's item
            o.ran = true;
            own.commit();
          } catch (const ApiError& e) {
            o.error = e;
            o.ran = e.code == Code::ConditionalCheckFailed || e.code == Code::DuplicateItem;
          }
        }
      },
      [members, outcomes, capacity] { return render(*members, *outcomes, capacity, false); });
}

}  // namespace ddb::actions
