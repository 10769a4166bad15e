// chat-disconnect: the $disconnect route (chat/handlers.h): the connection's items removed, and the
// presence with the last one.
#include "chat/handlers.h"

int main() { return chat::serve(chat::handle_disconnect); }
