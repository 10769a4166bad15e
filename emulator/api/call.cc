#include "api/call.h"

#include <iostream>

namespace ddb::api {

void Call::reply_current_exception() {
  try {
    throw;
  } catch (const ApiError& e) {
    reply_error(e);
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << std::endl;
    reply_error(ApiError(Code::Internal, "Internal server error"));
  }
}

void Call::commit(storage::Database::Change change, std::function<std::string()> render) {
  svc.db.write(std::move(change),
               [self = shared_from_this(), render = std::move(render)](std::exception_ptr e) {
                 self->dispatch_([self, render, e] {
                   try {
                     if (e) std::rethrow_exception(e);
                     self->reply(render());
                   } catch (...) {
                     self->reply_current_exception();
                   }
                 });
               });
}

}  // namespace ddb::api
