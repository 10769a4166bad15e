// UntagResource: remove tags from a table by key; a key that is not there is no error.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UntagResource.html
#include <set>

#include "actions/actions.h"
#include "actions/common/tables.h"
#include "actions/common/tags.h"
#include "api/request.h"
#include "items/write.h"

namespace ddb::actions {

void untag_resource(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto arn = model::get_string(body, "ResourceArn");
  const model::Json* list = model::get_array(body, "TagKeys");
  api::Constraints c;
  c.not_null("tagKeys", list != nullptr);
  c.check();
  auto keys = std::make_shared<std::set<std::string>>();
  std::vector<std::string_view> in_order;
  for (const auto& k : list->GetArray()) {
    if (!k.IsString()) model::wrong_json_type(k, "String");
    in_order.push_back(model::view(k));
  }
  if (!arn) invalid("Invalid TableArn");
  parse_resource_arn(*arn);
  if (in_order.empty()) invalid("Atleast one Tag Key needs to be provided as Input.");
  for (auto k : in_order) {
    check_tag_key(k);
    keys->emplace(k);
  }
  // Even removing more keys than a table may hold is refused as too many tags.
  if (in_order.size() > kMaxTags)
    invalid("Number of Tags exceed the current limit for the provided ResourceArn");
  auto table = table_for_arn(*call, *arn);
  call->commit(
      [call, table, keys](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto current = items::find_live_table(db, *table);
        if (!current)
          fail(Code::ResourceNotFound,
               "Requested resource not found: ResourceArn: " + table->arn() + " not found");
        model::TableDef def = *current;
        std::erase_if(def.tags, [&](const auto& t) { return keys->count(t.first) > 0; });
        if (def.tags.size() != current->tags.size()) db.catalog().replace(txn, std::move(def));
      },
      [] { return std::string(); });
}

}  // namespace ddb::actions
