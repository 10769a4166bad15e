#include "actions/common/stream_access.h"

#include <algorithm>
#include <vector>

#include "model/base64.h"

namespace ddb::actions {

void check_stream_arn(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() < 5) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  bool ok = parts.size() == 5 && parts[0] == "arn" && !parts[1].empty() && parts[2] == "dynamodb" &&
            !parts[3].empty() && parts[4].size() == 12 &&
            parts[4].find_first_not_of("0123456789") == std::string_view::npos;
  std::string_view resource = arn.substr(std::min(start, arn.size()));
  size_t stream = resource.find("/stream/");
  ok = ok && resource.starts_with("table/") && stream != std::string_view::npos && stream >= 9 &&
       stream + 8 < resource.size() &&
       resource.substr(6, stream - 6).find('/') == std::string_view::npos &&
       resource.find('/', stream + 8) == std::string_view::npos;
  if (!ok) invalid("Invalid StreamArn");
}

storage::StreamPtr stream_by_arn(const api::Call& call, std::string_view arn) {
  for (const auto& s : call.svc.db.catalog().streams())
    if (s->space == call.space && s->arn() == arn) return s;
  fail(Code::ResourceNotFound,
       "Requested resource not found: Stream: " + std::string(arn) + " not found");
}

const model::ShardDef* shard_by_id(const model::StreamDef& s, std::string_view id) {
  for (const auto& sh : s.shards)
    if (sh.id == id) return &sh;
  return nullptr;
}

std::string encode_iterator(const Iterator& it) {
  return model::base64_encode("ddb-iterator|" + std::to_string(it.stream_id) + "|" + it.shard_id +
                              "|" + std::to_string(it.position) + "|" +
                              std::to_string(it.issued_ms));
}

Iterator decode_iterator(std::string_view text) {
  auto bad = [] { invalid("Invalid ShardIterator"); };
  auto raw = model::base64_decode(text);
  if (!raw || !raw->starts_with("ddb-iterator|")) bad();
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t bar = raw->find('|', start);
    parts.push_back(raw->substr(start, bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (parts.size() != 5) bad();
  Iterator it;
  try {
    it.stream_id = std::stoull(parts[1]);
    it.shard_id = parts[2];
    it.position = std::stoull(parts[3]);
    it.issued_ms = std::stoll(parts[4]);
  } catch (const std::exception&) {
    bad();
  }
  return it;
}

}  // namespace ddb::actions
