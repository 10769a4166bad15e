// One API call: the parsed request, who made it, and how to answer it. A handler either
// replies at once (reads) or hands a change to the group-commit writer and replies once the
// change is durable (writes). Calls are shared so that they outlive the handler.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/error.h"
#include "model/json.h"
#include "storage/database.h"

namespace ddb::api {

struct Services {
  storage::Database& db;
};

class Call : public std::enable_shared_from_this<Call> {
 public:
  // `respond` sends (HTTP status, JSON body); `dispatch` runs a function on the connection's
  // own thread. Both are supplied by the HTTP layer.
  using Respond = std::function<void(int, std::string)>;
  using Dispatch = std::function<void(std::function<void()>)>;

  Call(Services& s, rapidjson::Document body, std::string space, std::string region,
       Respond respond, Dispatch dispatch)
      : svc(s),
        space(std::move(space)),
        region(std::move(region)),
        body_(std::move(body)),
        respond_(std::move(respond)),
        dispatch_(std::move(dispatch)) {}

  Services& svc;
  const model::Json& body() const { return body_; }
  const std::string space;   // table namespace of the caller
  const std::string region;  // region the request was signed for
  std::string operation;     // "GetItem": the target's operation, for messages that name it

  void reply(std::string json) { respond_(200, std::move(json)); }
  void reply_error(const ApiError& e) { respond_(wire(e.code).status, render_error(e)); }
  // Replies with whatever the current exception is (ApiError or an internal fault).
  void reply_current_exception();

  // Runs `change` in the writer; once it is committed, `render` runs on the connection's
  // thread and its result is the reply. Either may throw ApiError.
  void commit(storage::Database::Change change, std::function<std::string()> render);

 private:
  rapidjson::Document body_;
  Respond respond_;
  Dispatch dispatch_;
};

using CallPtr = std::shared_ptr<Call>;
using Handler = void (*)(const CallPtr&);

}  // namespace ddb::api
