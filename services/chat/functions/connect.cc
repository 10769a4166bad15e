// chat-connect: the $connect route (chat/handlers.h): the connection, the user's connection and the
// presence stored.
#include "chat/handlers.h"

int main() { return chat::serve(chat::handle_connect); }
