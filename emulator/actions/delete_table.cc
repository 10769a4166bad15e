// DeleteTable: the definition and every item go in one transaction; the reply describes the
// table as DELETING, as DynamoDB's does.
#include "actions/actions.h"
#include "actions/common/items.h"
#include "actions/common/tables.h"

namespace actions {

void delete_table(const api::CallPtr& call) {
  auto table = table_for_describe(*call, required_table_name(*call));
  auto stats = std::make_shared<storage::TableStats>();
  call->commit(
      [call, table, stats](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto current = db.catalog().find(table->space, table->name);
        if (!current || current->id != table->id)
          api::fail(api::Code::ResourceNotFound,
                    "Requested resource not found: Table: " + table->name + " not found");
        *stats = storage::Catalog::stats(txn, db.meta(), table->id);
        std::string prefix = table_prefix(table->id);
        {
          storage::Cursor c(txn, db.items());
          while (c.seek(prefix) && c.key().starts_with(prefix)) c.del();
        }
        db.catalog().drop(txn, *table);
      },
      [table, stats] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        w.Key("TableDescription");
        write_table_description(w, *table, *stats, "DELETING");
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace actions
