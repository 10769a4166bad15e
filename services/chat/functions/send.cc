// chat-send: every client action (chat/handlers.h), the reply as the route response.
#include "chat/handlers.h"

int main() { return chat::serve(chat::handle_send); }
