// chat-authorizer: the $connect REQUEST authorizer (chat/authorizer.h).
#include "chat/authorizer.h"
#include "runtime/runtime.h"

int main() {
  return runtime::serve(
      [](const runtime::Invocation& in) { return chat::authorize_connect(in.event); });
}
