// A C++ function on services/runtime: echoes the event and what the runtime learnt about the
// invocation. {"fail": "Type"} throws runtime::FunctionError of that type; {"throw": true} throws
// std::invalid_argument.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>
#include <string>

#include "runtime/runtime.h"

int main() {
  return runtime::serve([](const runtime::Invocation& in) {
    rapidjson::Document event;
    event.Parse(in.event.data(), in.event.size());
    if (!event.HasParseError() && event.IsObject()) {
      if (event.HasMember("fail") && event["fail"].IsString()) {
        throw runtime::FunctionError(event["fail"].GetString(), "asked to fail");
      }
      if (event.HasMember("throw")) throw std::invalid_argument("asked to throw");
    }
    std::cout << "cpp_echo handling " << in.request_id << std::endl;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("requestId");
    w.String(in.request_id.c_str());
    w.Key("functionArn");
    w.String(in.function_arn.c_str());
    w.Key("remainingMs");
    w.Int64(in.remaining_ms());
    w.Key("pid");
    w.Int(static_cast<int>(::getpid()));
    w.Key("event");
    if (in.event.empty()) {
      w.Null();
    } else {
      w.RawValue(in.event.data(), in.event.size(), rapidjson::kObjectType);
    }
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  });
}
