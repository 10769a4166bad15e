// ListTables: the caller's table names in order, paged by Limit / ExclusiveStartTableName.
#include "actions/actions.h"
#include "api/request.h"

namespace ddb::actions {

void list_tables(const api::CallPtr& call) {
  auto start = model::get_string(call->body(), "ExclusiveStartTableName");
  auto limit = model::get_integer(call->body(), "Limit");
  api::Constraints c;
  c.pattern_name("exclusiveStartTableName", start);
  c.length("exclusiveStartTableName", start, 3, 255);
  c.at_least("limit", limit, 1);
  c.at_most("limit", limit, 100);
  c.check();

  bool more = false;
  auto names = call->svc.db.catalog().names(call->space, start.value_or(""),
                                            static_cast<size_t>(limit.value_or(100)), &more);
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("TableNames");
  w.StartArray();
  for (const auto& n : names) model::write_string(w, n);
  w.EndArray();
  if (more && !names.empty()) {
    w.Key("LastEvaluatedTableName");
    model::write_string(w, names.back());
  }
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
