// ListTagsOfResource: a table's tags. DynamoDB returns all of a table's (at most 50) tags in
// one page, without a NextToken.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTagsOfResource.html
#include "actions/actions.h"
#include "actions/common/tables.h"
#include "actions/common/tags.h"

namespace ddb::actions {

void list_tags_of_resource(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto arn = model::get_string(body, "ResourceArn");
  model::get_string(body, "NextToken");
  if (!arn) invalid("Invalid TableArn");
  auto table = table_for_arn(*call, *arn);
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Tags");
  w.StartArray();
  for (const auto& [k, v] : table->tags) {
    w.StartObject();
    w.Key("Key");
    model::write_string(w, k);
    w.Key("Value");
    model::write_string(w, v);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
