// Checking a write's condition against the item it would replace.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"
#include "expr/ast.h"
#include "model/error.h"
#include "model/json.h"
#include "model/value.h"

namespace ddb::actions {

// Reads ReturnValuesOnConditionCheckFailure (ALL_OLD | NONE), adding its constraint to `c`
// at `path` ("returnValuesOnConditionCheckFailure", or a transaction item's member path):
// true for ALL_OLD.
bool return_item_on_failure(const model::Json& body, api::Constraints& c,
                            const std::string& path = "returnValuesOnConditionCheckFailure");

// Throws ConditionalCheckFailedException ("The conditional request failed") when the
// condition does not hold for `old` (nullptr: no item), carrying the old item when asked.
void require(const std::optional<expr::Node>& condition, const model::Item* old, bool return_item);

// The reasons of a transaction (TransactWriteItems, ExecuteTransaction), one per action in
// order, "None" for an action that did not fail; raise() cancels it with them.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html
class Cancellation {
 public:
  explicit Cancellation(size_t actions) : codes_(actions, "None"), reasons_(actions) {}
  void fail(size_t i, const char* code, const std::string& message);
  // With the error's Item (the old item `require` attached for ALL_OLD), when it has one.
  void fail(size_t i, const char* code, const ApiError& e);
  bool cancelled() const { return cancelled_; }
  // TransactionCanceledException: the codes in its message, the reasons as
  // CancellationReasons.
  [[noreturn]] void raise() const;

 private:
  std::vector<std::string> codes_, reasons_;  // a reason: its JSON object, empty for None
  bool cancelled_ = false;
};

// The client request tokens of a transaction operation (TransactWriteItems, ExecuteTransaction,
// one each), kept 10 minutes with the request they came with. Only the writer thread uses them
// (inside changes), so they need no lock.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#DDB-TransactWriteItems-request-ClientRequestToken
class ClientTokens {
 public:
  // True when `token` came with this `request` in the last 10 minutes (already applied:
  // succeed again without applying twice); IdempotentParameterMismatchException when it came
  // with another request. An empty token is never seen.
  bool seen(const std::string& token, const std::string& request);
  // Recorded with the change: a group commit that fails would leave a token whose request was
  // not applied, and its retry would be refused as a replay.
  void remember(const std::string& token, const std::string& request);

 private:
  struct Entry {
    std::string request;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, Entry> tokens_;
};

}  // namespace ddb::actions
