// ListStreams (DynamoDB Streams): the caller's streams, optionally of one table, paged.
#include "actions/actions.h"
#include "actions/common/stream_access.h"
#include "api/request.h"

namespace ddb::actions {

void list_streams(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto table = model::get_string(body, "TableName");
  auto limit = model::get_integer(body, "Limit");
  auto start = model::get_string(body, "ExclusiveStartStreamArn");
  // Checked as every StreamArn member is.
  if (start) check_stream_arn(*start);
  api::Constraints c;
  c.pattern_name("tableName", table);
  c.length("tableName", table, 3, 255);
  c.at_least("limit", limit, 1);
  c.at_most("limit", limit, 100);
  c.length("exclusiveStartStreamArn", start, 37, 1024);
  c.check();

  std::vector<storage::StreamPtr> streams;
  for (const auto& s : call->svc.db.catalog().streams())  // in creation order
    if (s->space == call->space && (!table || s->table_name == *table)) streams.push_back(s);
  size_t from = 0;
  if (start)
    for (size_t i = 0; i < streams.size(); ++i)
      if (streams[i]->arn() == *start) from = i + 1;
  size_t n = static_cast<size_t>(limit.value_or(100));
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Streams");
  w.StartArray();
  size_t i = from;
  for (; i < streams.size() && i < from + n; ++i) {
    w.StartObject();
    w.Key("StreamArn");
    model::write_string(w, streams[i]->arn());
    w.Key("TableName");
    model::write_string(w, streams[i]->table_name);
    w.Key("StreamLabel");
    model::write_string(w, streams[i]->label);
    w.EndObject();
  }
  w.EndArray();
  if (i < streams.size()) {
    w.Key("LastEvaluatedStreamArn");
    model::write_string(w, streams[i - 1]->arn());
  }
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
