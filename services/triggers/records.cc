#include "triggers/records.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace triggers {
namespace {

using rapidjson::Value;

std::string_view digits_of(std::string_view s) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return s;
}

}  // namespace

int compare_sequence(std::string_view a, std::string_view b) {
  a = digits_of(a);
  b = digits_of(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string item_key(const Value& keys) {
  if (!keys.IsObject()) return "";
  std::vector<const Value::Member*> members;
  for (const auto& m : keys.GetObject()) members.push_back(&m);
  std::sort(members.begin(), members.end(), [](const Value::Member* a, const Value::Member* b) {
    return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
           std::string_view(b->name.GetString(), b->name.GetStringLength());
  });
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const Value::Member* m : members) {
    w.String(m->name.GetString(), m->name.GetStringLength());
    m->value.Accept(w);
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

namespace {

// The Lambda record of a wire record, member by member, into a rapidjson handler (a Writer, or
// a Document): every string copied.
template <typename Handler>
void lambda_record(const Value& wire, std::string_view stream_arn, Handler& w) {
  auto arn = [&] {
    w.Key("eventSourceARN", 14, true);
    w.String(stream_arn.data(), static_cast<rapidjson::SizeType>(stream_arn.size()), true);
  };
  w.StartObject();
  bool wrote_arn = false;
  rapidjson::SizeType members = 0;
  for (const auto& m : wire.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "eventSourceARN") continue;  // ours replaces any
    ++members;
    if (name == "userIdentity" && m.value.IsObject()) {
      // GetRecords: {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}; the Lambda
      // event: {"type": "Service", "principalId": "dynamodb.amazonaws.com"}.
      w.Key("userIdentity", 12, true);
      w.StartObject();
      for (const auto& u : m.value.GetObject()) {
        std::string key(u.name.GetString(), u.name.GetStringLength());
        if (key == "Type") key = "type";
        if (key == "PrincipalId") key = "principalId";
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), true);
        u.value.Accept(w);
      }
      w.EndObject(m.value.MemberCount());
      continue;
    }
    w.Key(m.name.GetString(), m.name.GetStringLength(), true);
    m.value.Accept(w);
    // Lambda's order: eventSourceARN after dynamodb (as in the documented examples).
    if (name == "dynamodb") {
      arn();
      ++members;
      wrote_arn = true;
    }
  }
  if (!wrote_arn) {
    arn();
    ++members;
  }
  w.EndObject(members);
}

}  // namespace

Record to_lambda_record(const Value& wire, std::string_view stream_arn, bool with_json) {
  if (!wire.IsObject()) throw std::invalid_argument("stream record: not an object");
  auto ddb = wire.FindMember("dynamodb");
  if (ddb == wire.MemberEnd() || !ddb->value.IsObject()) {
    throw std::invalid_argument("stream record: no dynamodb member");
  }
  auto seq = ddb->value.FindMember("SequenceNumber");
  if (seq == ddb->value.MemberEnd() || !seq->value.IsString() ||
      seq->value.GetStringLength() == 0) {
    throw std::invalid_argument("stream record: no dynamodb.SequenceNumber");
  }
  Record r;
  r.sequence.assign(seq->value.GetString(), seq->value.GetStringLength());
  if (auto t = ddb->value.FindMember("ApproximateCreationDateTime");
      t != ddb->value.MemberEnd() && t->value.IsNumber()) {
    r.created_ms = static_cast<int64_t>(std::llround(t->value.GetDouble() * 1000));
  }
  if (auto k = ddb->value.FindMember("Keys"); k != ddb->value.MemberEnd()) {
    r.key = item_key(k->value);
  }
  if (!with_json) return r;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  lambda_record(wire, stream_arn, w);
  r.json.assign(buffer.GetString(), buffer.GetSize());
  return r;
}

void lambda_record_document(const Value& wire, std::string_view stream_arn,
                            rapidjson::Document& out) {
  if (!wire.IsObject()) throw std::invalid_argument("stream record: not an object");
  auto generate = [&](rapidjson::Document& handler) {
    lambda_record(wire, stream_arn, handler);
    return true;
  };
  out.Populate(generate);
}

std::string event_payload(const std::vector<Record>& records, size_t begin, size_t end) {
  std::string out = "{\"Records\":[";
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    out += records[i].json;
  }
  out += "]}";
  return out;
}

namespace {

// A batch response is two levels deep; one nested deeper than this is read as no response at
// all, before a DOM is built: its parse and its destruction recurse once per level, and a
// function's 6 MB of "[" would take the host's stack with them.
constexpr int kMaxResponseDepth = 64;

struct DepthCheck : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthCheck> {
  int depth = 0;
  bool StartObject() { return ++depth <= kMaxResponseDepth; }
  bool EndObject(rapidjson::SizeType) { return --depth >= 0; }
  bool StartArray() { return ++depth <= kMaxResponseDepth; }
  bool EndArray(rapidjson::SizeType) { return --depth >= 0; }
};

bool too_deep(std::string_view json) {
  rapidjson::MemoryStream bytes(json.data(), json.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
  rapidjson::Reader reader;
  DepthCheck check;
  reader.Parse<rapidjson::kParseIterativeFlag>(in, check);  // no recursion either
  return reader.GetParseErrorCode() == rapidjson::kParseErrorTermination;
}

}  // namespace

BatchVerdict parse_batch_response(std::string_view payload, const std::vector<Record>& records,
                                  size_t begin, size_t end) {
  BatchVerdict v;
  // No response, null, or anything without batchItemFailures: the batch succeeded.
  if (too_deep(payload)) return v;
  rapidjson::Document doc;
  doc.Parse(payload.data(), payload.size());
  if (doc.HasParseError() || !doc.IsObject()) return v;
  auto failures = doc.FindMember("batchItemFailures");
  if (failures == doc.MemberEnd() || failures->value.IsNull()) return v;
  auto fail = [&](std::string reason) {
    v.kind = BatchVerdict::Kind::Failure;
    v.reason = std::move(reason);
    return v;
  };
  if (!failures->value.IsArray()) return fail("batchItemFailures is not a list");
  if (failures->value.Empty()) return v;
  std::optional<size_t> lowest;
  for (const auto& f : failures->value.GetArray()) {
    if (!f.IsObject()) return fail("a batchItemFailures entry is not an object");
    auto id = f.FindMember("itemIdentifier");
    if (id == f.MemberEnd()) return fail("a batchItemFailures entry has no itemIdentifier");
    if (!id->value.IsString()) return fail("an itemIdentifier is null or not a string");
    std::string_view seq(id->value.GetString(), id->value.GetStringLength());
    if (seq.empty()) return fail("an itemIdentifier is empty");
    std::optional<size_t> at;
    for (size_t i = begin; i < end; ++i) {
      if (records[i].sequence == seq) at = i - begin;
    }
    if (!at) return fail("itemIdentifier " + std::string(seq) + " is not a record of the batch");
    if (!lowest || *at < *lowest) lowest = at;
  }
  v.kind = BatchVerdict::Kind::Partial;
  v.first_failed = *lowest;
  return v;
}

}  // namespace triggers
