#include "gateway/routing.h"

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gateway {

std::optional<std::vector<std::string>> parse_selection_expression(std::string_view expression) {
  std::string_view e = expression;
  if (e.size() > 3 && e.substr(0, 2) == "${" && e.back() == '}') {
    e = e.substr(2, e.size() - 3);
  } else if (!e.empty() && e.front() == '$') {
    e.remove_prefix(1);
  } else {
    return std::nullopt;
  }
  constexpr std::string_view kPrefix = "request.body.";
  if (e.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  e.remove_prefix(kPrefix.size());
  std::vector<std::string> path;
  size_t i = 0;
  while (true) {
    size_t j = e.find('.', i);
    std::string_view part = e.substr(i, j == std::string_view::npos ? e.npos : j - i);
    if (part.empty()) return std::nullopt;
    path.emplace_back(part);
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return path;
}

namespace {

struct DepthCheck : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthCheck> {
  int depth = 0, max_depth = 0;
  bool StartObject() { return ++depth <= max_depth; }
  bool EndObject(rapidjson::SizeType) { return --depth >= 0; }
  bool StartArray() { return ++depth <= max_depth; }
  bool EndArray(rapidjson::SizeType) { return --depth >= 0; }
};

}  // namespace

bool json_too_deep(std::string_view json, int max_depth) {
  rapidjson::MemoryStream bytes(json.data(), json.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
  rapidjson::Reader reader;
  DepthCheck check;
  check.max_depth = max_depth;
  reader.Parse<rapidjson::kParseIterativeFlag>(in, check);
  return reader.GetParseErrorCode() == rapidjson::kParseErrorTermination;
}

std::optional<std::string> select_value(const std::vector<std::string>& path,
                                        std::string_view body) {
  if (json_too_deep(body)) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return std::nullopt;
  const rapidjson::Value* at = &doc;
  for (const auto& name : path) {
    if (!at->IsObject()) return std::nullopt;
    auto it = at->FindMember(
        rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size())));
    if (it == at->MemberEnd()) return std::nullopt;
    at = &it->value;
  }
  if (at->IsNull()) return std::nullopt;
  if (at->IsString()) return std::string(at->GetString(), at->GetStringLength());
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  at->Accept(writer);
  return std::string(text.GetString(), text.GetSize());
}

Selection select_route(const Api& api, std::string_view body) {
  Selection out;
  if (auto path = parse_selection_expression(api.route_selection_expression)) {
    if (auto value = select_value(*path, body)) {
      // $connect and $disconnect are never selected by a message.
      if (*value != "$connect" && *value != "$disconnect") {
        if (const Route* route = api.find_route(*value)) {
          out.route_key = *value;
          out.route = route;
          return out;
        }
      }
    }
  }
  out.route_key = "$default";
  out.route = api.find_route("$default");
  return out;
}

}  // namespace gateway
