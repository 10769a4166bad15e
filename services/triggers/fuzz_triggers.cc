// libFuzzer target over the triggers' parsers of bytes from outside: a GetRecords record (the
// emulator's or anyone's answer), a function's batch response, and a checkpoint file. The first
// byte picks the parser.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "triggers/checkpoints.h"
#include "triggers/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      rapidjson::Document doc;
      doc.Parse(text.data(), text.size());
      if (doc.HasParseError()) break;
      try {
        triggers::Record r = triggers::to_lambda_record(doc, "arn:aws:dynamodb:us-east-1:1:t");
        rapidjson::Document back;
        back.Parse(r.json.data(), r.json.size());
        if (back.HasParseError()) __builtin_trap();  // the event must stay JSON
        // The Document a filter judges is the same record: written out, the same bytes. (Not
        // compared with `back`: rapidjson's default number parsing is not exact, so a double
        // written and read again may differ from the one written in its last bit.)
        rapidjson::Document judged;
        triggers::lambda_record_document(doc, "arn:aws:dynamodb:us-east-1:1:t", judged);
        rapidjson::StringBuffer written;
        rapidjson::Writer<rapidjson::StringBuffer> w(written);
        judged.Accept(w);
        if (std::string_view(written.GetString(), written.GetSize()) != r.json) __builtin_trap();
      } catch (const std::invalid_argument&) {
      }
      break;
    }
    case 1: {
      std::vector<triggers::Record> batch(3);
      batch[0].sequence = "100";
      batch[1].sequence = "101";
      batch[2].sequence = "102";
      auto v = triggers::parse_batch_response(text, batch, 0, 3);
      if (v.kind == triggers::BatchVerdict::Kind::Partial && v.first_failed >= 3) __builtin_trap();
      break;
    }
    case 2:
      try {
        triggers::MappingCheckpoint c = triggers::checkpoint_from_json(text);
        triggers::checkpoint_from_json(triggers::to_json(c));
      } catch (const std::invalid_argument&) {
      }
      break;
  }
  return 0;
}
