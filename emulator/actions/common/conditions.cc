#include "actions/common/conditions.h"

#include "api/request.h"
#include "expr/eval.h"
#include "model/error.h"

namespace ddb::actions {

bool return_item_on_failure(const model::Json& body, api::Constraints& c, const std::string& path) {
  auto v = model::get_string(body, "ReturnValuesOnConditionCheckFailure");
  c.one_of(path, v, {"ALL_OLD", "NONE"});
  return v == "ALL_OLD";
}

void require(const std::optional<expr::Node>& condition, const model::Item* old, bool return_item) {
  if (!condition || expr::holds(*condition, old)) return;
  ApiError e(Code::ConditionalCheckFailed, "The conditional request failed");
  if (return_item && old) {
    rapidjson::StringBuffer buf;
    model::JsonWriter w(buf);
    model::write_item(w, *old);
    e.extra.emplace_back("Item", std::string(buf.GetString(), buf.GetSize()));
  }
  throw e;
}

}  // namespace ddb::actions
