// libFuzzer target over what the chat functions read from clients and from the table: client
// frames (parse_request, then the error or a reply rendered), paging cursors, tokens, ULIDs, the
// authorizer's event and items read back from DynamoDB JSON. None may crash, hang or throw.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chat/authorizer.h"
#include "chat/model.h"
#include "chat/protocol.h"
#include "chat/token.h"
#include "chat/ulid.h"
#include "chat/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  chat::ParseResult r = chat::parse_request(input);
  if (r.request) {
    chat::render_pong(r.request->request_id);
    if (!r.request->text.empty()) {
      chat::Message m{
          r.request->conversation_id,  "01ARZ3NDEKTSV4RRFFQ69G5FAV", "al", r.request->text, 1,
          r.request->client_message_id};
      chat::render_message(m);
    }
  } else {
    chat::render_error(r.error, r.request_id);
  }
  chat::decode_history_cursor(input);
  chat::decode_inbox_cursor(input);
  chat::verify_token(input, "secret", 1000);
  chat::is_ulid(input);
  chat::is_valid_username(input);
  std::string trimmed;
  chat::normalize_message_text(input, trimmed);
  chat::connect_identity(input);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(input.data(), input.size());
  if (!doc.HasParseError()) {
    chat::Conversation c;
    chat::Message m;
    chat::Claim cl;
    chat::Reaction re;
    chat::ReadReceipt rr;
    chat::InboxEntry e;
    chat::Connection cn;
    chat::UserConnection uc;
    chat::Presence p;
    chat::from_item(doc, c);
    chat::from_item(doc, m);
    chat::from_item(doc, cl);
    chat::from_item(doc, re);
    chat::from_item(doc, rr);
    chat::from_item(doc, e);
    chat::from_item(doc, cn);
    chat::from_item(doc, uc);
    chat::from_item(doc, p);
    if (doc.IsObject()) chat::encode_cursor(doc);
  }
  return 0;
}
