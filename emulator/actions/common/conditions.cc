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

namespace {

std::string reason_json(const std::string& code, const std::string* message,
                        std::string_view item_json) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Code");
  model::write_string(w, code);
  if (message && !message->empty()) {
    w.Key("Message");
    model::write_string(w, *message);
  }
  if (!item_json.empty()) {
    w.Key("Item");
    w.RawValue(item_json.data(), item_json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

void Cancellation::fail(size_t i, const char* code, const std::string& message) {
  cancelled_ = true;
  codes_[i] = code;
  reasons_[i] = reason_json(code, &message, {});
}

void Cancellation::fail(size_t i, const char* code, const ApiError& e) {
  std::string_view item;
  for (const auto& [name, json] : e.extra)
    if (name == "Item") item = json;
  cancelled_ = true;
  codes_[i] = code;
  reasons_[i] = reason_json(code, &e.message, item);
}

void Cancellation::raise() const {
  std::string codes, list = "[";
  for (size_t i = 0; i < codes_.size(); ++i) {
    codes += (i ? ", " : "") + codes_[i];
    list +=
        (i ? "," : "") + (reasons_[i].empty() ? reason_json(codes_[i], nullptr, {}) : reasons_[i]);
  }
  ApiError e(Code::TransactionCanceled,
             "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
                 codes + "]");
  e.extra.emplace_back("CancellationReasons", list + "]");
  throw e;
}

bool ClientTokens::seen(const std::string& token, const std::string& request) {
  if (token.empty()) return false;
  auto now = std::chrono::steady_clock::now();
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.expires < now; });
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return false;
  if (it->second.request != request)
    fail(Code::IdempotentParameterMismatch,
         "The request uses the same client token as a previous, but non-identical request.");
  return true;
}

void ClientTokens::remember(const std::string& token, const std::string& request) {
  if (!token.empty())
    tokens_[token] = Entry{request, std::chrono::steady_clock::now() + std::chrono::minutes(10)};
}

}  // namespace ddb::actions
