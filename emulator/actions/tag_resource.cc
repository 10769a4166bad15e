// TagResource: set tags on a table (a key that is there takes the new value), at most 50 in
// all. The whole request is refused if any tag is.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
#include "actions/actions.h"
#include "actions/common/tables.h"
#include "actions/common/tags.h"
#include "api/request.h"
#include "items/write.h"

namespace ddb::actions {

void tag_resource(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto arn = model::get_string(body, "ResourceArn");
  const model::Json* list = model::get_array(body, "Tags");
  api::Constraints c;
  c.not_null("tags", list != nullptr);
  c.check();
  if (!arn) invalid("Invalid TableArn");
  parse_resource_arn(*arn);
  if (list->Empty()) invalid("Atleast one Tag needs to be provided as Input.");
  auto tags = std::make_shared<Tags>(read_tags(*list));
  auto table = table_for_arn(*call, *arn);
  call->commit(
      [call, table, tags](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto current = items::find_live_table(db, *table);
        if (!current)
          fail(Code::ResourceNotFound,
               "Requested resource not found: ResourceArn: " + table->arn() + " not found");
        model::TableDef def = *current;
        def.tags = merge_tags(std::move(def.tags), *tags);
        db.catalog().replace(txn, std::move(def));
      },
      [] { return std::string(); });
}

}  // namespace ddb::actions
