// ExecuteTransaction: 1 to 100 PartiQL statements run all or nothing, as TransactWriteItems
// (INSERT, UPDATE, DELETE, and EXISTS as its ConditionCheck) or TransactGetItems (full-key
// SELECTs) run their actions: one item at most once, writes in one LMDB transaction whose
// cancellation reports a reason per statement in request order, reads from one snapshot.
// ClientRequestToken makes a retried write transaction succeed again without applying twice.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.multiplestatements.transactions.html
#include <chrono>

#include "actions/actions.h"
#include "actions/common/conditions.h"
#include "actions/common/options.h"
#include "actions/common/statement_list.h"
#include "items/write.h"
#include "model/codec.h"

namespace ddb::actions {
namespace {

// Its own tokens, as TransactWriteItems keeps its own.
ClientTokens& tokens() {
  static ClientTokens t;
  return t;
}
constexpr size_t kMaxTransactionBytes = 4 * 1024 * 1024;

const char* reason_code(Code c) {
  switch (c) {
    case Code::ConditionalCheckFailed: return "ConditionalCheckFailed";
    case Code::DuplicateItem: return "DuplicateItem";
    default: return "ValidationError";
  }
}

// What the statements consumed, as TransactGetItems and TransactWriteItems answer it.
void write_capacity(model::JsonWriter& w, const std::vector<StatementMember>& members,
                    const std::vector<size_t>& sizes, bool reads, CapacityDetail capacity) {
  TransactionUnits units(reads ? UnitKind::Read : UnitKind::Write);
  for (size_t i = 0; i < members.size(); ++i) units.add(members[i].prepared->table->name, sizes[i]);
  units.write(w, capacity);
}

// The request as its token remembers it: the statements with their parameters and options.
std::string fingerprint(const model::Json& statements) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  statements.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

void execute_transaction(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto token = model::get_string(body, "ClientRequestToken");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  api::Constraints c;
  c.length("clientRequestToken", token, 1, 36);
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  auto members =
      std::make_shared<std::vector<StatementMember>>(read_statements(*call, c,
                                                                     {.list = "TransactStatements",
                                                                      .path = "transactStatements",
                                                                      .max = 100,
                                                                      .per_statement = false}));
  bool reads = check_one_kind(*members,
                              "ExecuteTransaction API does not support both read and write "
                              "operations in the same request.");
  plan_statements(*call, *members, false);
  check_distinct_items(*members,
                       "Transaction request cannot include multiple operations on "
                       "one item");
  CapacityDetail capacity = capacity_detail(rcc);
  if (!reads) {
    // The items a transaction writes (and the keys it names) may total 4 MB, as for
    // TransactWriteItems.
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-dynamodb-transactions
    size_t total = 0;
    for (const StatementMember& m : *members) {
      const PreparedStatement& s = *m.prepared;
      total += model::item_size(s.kind() == partiql::Statement::Kind::Insert ? s.bound.item
                                                                             : s.write->key);
    }
    if (total > kMaxTransactionBytes)
      invalid(
          "Transaction failed: The total size of all items in the transaction request cannot "
          "exceed 4 MB");
  }

  if (reads) {
    auto& db = call->svc.db;
    storage::Txn txn = db.read();  // one snapshot for every item
    std::vector<size_t> sizes(members->size());
    rapidjson::StringBuffer buf;
    model::JsonWriter w(buf);
    w.StartObject();
    w.Key("Responses");
    w.StartArray();
    for (size_t i = 0; i < members->size(); ++i) {
      FoundItem found = read_member(txn, db, (*members)[i]);
      sizes[i] = found.size;
      w.StartObject();
      if (found.item) {
        w.Key("Item");
        model::write_item(w, *found.item);
      }
      w.EndObject();
    }
    w.EndArray();
    write_capacity(w, *members, sizes, true, capacity);
    w.EndObject();
    txn.abort();
    call->reply({buf.GetString(), buf.GetSize()});
    return;
  }

  std::string token_text(token.value_or(""));
  std::string request = token ? fingerprint(*model::get_array(body, "TransactStatements")) : "";
  auto sizes = std::make_shared<std::vector<size_t>>(members->size());
  auto replayed = std::make_shared<bool>(false);
  call->commit(
      [call, members, sizes, replayed, token_text, request](storage::Txn& txn) {
        auto& db = call->svc.db;
        if (tokens().seen(token_text, request)) {  // already applied
          *replayed = true;
          return;
        }
        // Every statement runs, in order, so that each reports its reason; no two name one
        // item, so none sees another's write. A cancellation undoes them all (the change's
        // own nested transaction is aborted).
        Cancellation cancellation(members->size());
        for (size_t i = 0; i < members->size(); ++i) {
          const StatementMember& m = (*members)[i];
          try {
            (*sizes)[i] = write_member(txn, db, m, m.return_old).size;
          } catch (const ApiError& e) {
            if (e.code != Code::ConditionalCheckFailed && e.code != Code::DuplicateItem &&
                e.code != Code::Validation)
              throw;
            cancellation.fail(i, reason_code(e.code), e);
          }
        }
        if (cancellation.cancelled()) cancellation.raise();
        tokens().remember(token_text, request);
      },
      [members, sizes, replayed, capacity] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        // A write transaction answers an empty list, not an entry per statement.
        w.Key("Responses");
        w.StartArray();
        w.EndArray();
        // A replay under the same token writes nothing and reports the units of reading the
        // items, as TransactWriteItems does.
        write_capacity(w, *members, *sizes, *replayed, capacity);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace ddb::actions
