// DescribeTable: the table's definition with its live item count and size.
#include "actions/actions.h"
#include "actions/common/tables.h"

namespace ddb::actions {

void describe_table(const api::CallPtr& call) {
  auto table = table_for_describe(*call, described_table_name(*call));
  storage::Txn txn = call->svc.db.read();
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Table");
  write_table_description(
      w, *table, [&](uint64_t id) { return storage::Catalog::stats(txn, call->svc.db.meta(), id); },
      "ACTIVE");
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
