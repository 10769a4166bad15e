// DeleteTable: the definition goes at once, its items, index entries and TTL entries are
// cleared in the background; the table's stream is disabled (still readable). The reply describes
// the table as DELETING, as DynamoDB's does.
#include "actions/actions.h"
#include "actions/common/tables.h"
#include "items/write.h"
#include "storage/garbage.h"
#include "storage/keys.h"
#include "streams/stream_log.h"

namespace ddb::actions {

void delete_table(const api::CallPtr& call) {
  auto table = table_for_describe(*call, described_table_name(*call));
  struct State {
    storage::TablePtr table;
    std::map<uint64_t, storage::TableStats> stats;
  };
  auto st = std::make_shared<State>();
  call->commit(
      [call, table, st](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto current = items::find_live_table(db, *table);
        if (!current)
          fail(Code::ResourceNotFound,
               "Requested resource not found: Table: " + table->name + " not found");
        // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
        if (current->deletion_protection)
          invalid(
              "Resource cannot be deleted as it is currently protected against deletion. Disable "
              "deletion protection first.");
        st->table = current;
        st->stats[current->id] = storage::Catalog::stats(txn, db.meta(), current->id);
        for (const auto& ix : current->indexes)
          st->stats[ix.id] = storage::Catalog::stats(txn, db.meta(), ix.id);
        // The items, index entries and TTL entries are cleared in the background.
        storage::discard_later(txn, db, storage::Space::Items, storage::table_prefix(current->id));
        for (const auto& ix : current->indexes)
          storage::discard_later(txn, db, storage::Space::Indexes, storage::table_prefix(ix.id));
        storage::discard_later(txn, db, storage::Space::Ttl, storage::table_prefix(current->id));
        // Its stream goes DISABLED and stays readable until its records expire.
        if (current->stream_id) streams::disable_stream(txn, db, current->stream_id);
        db.catalog().drop(txn, *current);
      },
      [st] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        w.Key("TableDescription");
        write_table_description(
            w, *st->table, [&](uint64_t id) { return st->stats[id]; }, "DELETING");
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace ddb::actions
