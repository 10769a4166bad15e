// ExecuteStatement: one PartiQL statement. A SELECT runs as the GetItem, Query or Scan its
// WHERE clause allows (paged by Limit and NextToken, 1 MB at most); INSERT, UPDATE and DELETE
// run through the one write path.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
#include <algorithm>
#include <string>
#include <vector>

#include "actions/actions.h"
#include "actions/common/conditions.h"
#include "actions/common/options.h"
#include "actions/common/reader.h"
#include "actions/common/statement.h"
#include "indexes/indexes.h"
#include "model/base64.h"
#include "model/codec.h"
#include "storage/keys.h"

namespace ddb::actions {
namespace {

[[noreturn]] void bad_token() { invalid("Invalid NextToken"); }

// A NextToken serves the statement that gave it only: DynamoDB refuses it with another
// statement (even the same one written otherwise), or other parameters, as "NextToken does
// not match request".
// The token carries a digest of the statement's text (FNV-1a, 16 hex digits) before the key.
std::string statement_digest(std::string_view statement) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : statement) h = (h ^ c) * 1099511628211ull;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[i] = kHex[h & 15];
  return out;
}

// NextToken: the statement's digest and the page's LastEvaluatedKey, as JSON, in base64.
std::string encode_token(std::string_view statement, const model::Json& last_key) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  last_key.Accept(w);
  return model::base64_encode(statement_digest(statement) + ":" +
                              std::string(buf.GetString(), buf.GetSize()));
}

// The key a NextToken names, checked against the statement it came with and the key
// attributes of what is read.
model::Item decode_token(std::string_view token, std::string_view statement,
                         const model::TableDef& t, const model::IndexDef* ix) {
  auto text = model::base64_decode(token);
  if (!text || text->size() < 17 || (*text)[16] != ':') bad_token();
  if (text->compare(0, 16, statement_digest(statement)) != 0)
    invalid("NextToken does not match request");
  std::string_view json = std::string_view(*text).substr(17);
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) bad_token();
  model::Item key;
  try {
    key = model::item_from_json(d);
  } catch (const ApiError&) {
    bad_token();
  }
  std::vector<const model::KeyAttribute*> attrs{&t.hash};
  if (t.range) attrs.push_back(&*t.range);
  if (ix) {
    attrs.push_back(&ix->hash);
    if (ix->range) attrs.push_back(&*ix->range);
  }
  for (const auto* a : attrs) {
    auto it = key.find(a->name);
    if (it == key.end() || it->second.type != a->type) bad_token();
  }
  return key;
}

bool index_projects(const model::TableDef& t, const model::IndexDef& ix, const std::string& n) {
  return ix.projection == model::IndexDef::Projection::All || t.is_key(n) || n == ix.hash.name ||
         (ix.range && n == ix.range->name) ||
         std::find(ix.non_key_attributes.begin(), ix.non_key_attributes.end(), n) !=
             ix.non_key_attributes.end();
}

// The top-level attributes a condition names, in the order it names them, once each.
void condition_attributes(const expr::Node& n, std::vector<std::string>& out) {
  if (n.kind == expr::Node::Kind::Path && !n.path.empty() && !n.path[0].is_index() &&
      std::find(out.begin(), out.end(), n.path[0].name) == out.end())
    out.push_back(n.path[0].name);
  for (const expr::Node& k : n.kids) condition_attributes(k, out);
}

std::string bracketed(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

// A SELECT of an index that conditions its partition key may filter on the attributes the
// index projects only (global or local; unkeyed, the Scan of the index finds the others
// missing); it may project others from a local index (read from the table, as Query does) but
// not from a global one. As AWS answers them (nubo-db/dynamodb-conformance,
// tests/tier2/partiql/indexQualifier.test.ts).
void check_index_read(const PreparedStatement& s, ReadSpec& spec) {
  const model::IndexDef& ix = *spec.index;
  const model::TableDef& t = *s.table;
  std::vector<std::string> named, missing;
  if (s.bound.where && s.read->keyed) condition_attributes(*s.bound.where, named);
  for (const auto& n : named)
    if (!index_projects(t, ix, n)) missing.push_back(n);
  if (!missing.empty())
    invalid("One or more parameter values were invalid: Secondary index " + ix.name +
            " does not project one or more filter attributes: " + bracketed(missing));
  for (const expr::Path& p : s.parsed->projection)
    if (!p.empty() && !p[0].is_index() && !index_projects(t, ix, p[0].name) &&
        std::find(missing.begin(), missing.end(), p[0].name) == missing.end())
      missing.push_back(p[0].name);
  if (missing.empty()) return;
  if (ix.global)
    invalid("One or more parameter values were invalid: Global secondary index " + ix.name +
            " does not project " + bracketed(missing));
  spec.fetch_from_table = true;
}

std::string select_page(const api::Call& call, const PreparedStatement& s,
                        std::string_view statement, int64_t limit, bool consistent,
                        std::optional<std::string_view> token, CapacityDetail capacity) {
  const partiql::ReadPlan& plan = *s.read;
  const model::TableDef& t = *s.table;
  ReadSpec spec;
  spec.table = &t;
  spec.index = plan.index;
  spec.limit = limit;
  spec.consistent = consistent;
  spec.forward = plan.forward;
  spec.filter = plan.filter;
  if (!s.parsed->projection.empty()) {
    spec.projection = s.parsed->projection;
    spec.select_list = true;
  }
  if (spec.index && spec.index->global && consistent)
    invalid("Strongly consistent read is not supported on Global Secondary Indexes");
  if (spec.index) check_index_read(s, spec);
  std::optional<model::Item> start;
  if (token) {
    start = decode_token(*token, statement, t, spec.index);
    std::string key = storage::storage_key(t, *start);
    if (spec.index) {
      auto entry = indexes::entry_key(*spec.index, *start, key);
      if (!entry) bad_token();
      key = *entry;
    }
    spec.exclusive_start = key;
  }
  if (plan.access == partiql::ReadPlan::Access::Query) {
    query_key_range(spec, *plan.key_condition, start);
  } else {
    spec.lower = storage::table_prefix(spec.index ? spec.index->id : t.id);
    spec.upper = prefix_end(spec.lower);
  }
  // The shared reader renders Query's and Scan's answer; ExecuteStatement's carries the items,
  // the NextToken (and LastEvaluatedKey) and the consumed capacity.
  std::string page = read_page(call, spec, capacity);
  rapidjson::Document d;
  d.Parse(page.data(), page.size());
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Items");
  d["Items"].Accept(w);
  if (auto it = d.FindMember("LastEvaluatedKey"); it != d.MemberEnd()) {
    w.Key("NextToken");
    model::write_string(w, encode_token(statement, it->value));
    w.Key("LastEvaluatedKey");
    it->value.Accept(w);
  }
  if (auto it = d.FindMember("ConsumedCapacity"); it != d.MemberEnd()) {
    w.Key("ConsumedCapacity");
    it->value.Accept(w);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

void execute_statement(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto statement = model::get_string(body, "Statement");
  const model::Json* parameters = model::get_array(body, "Parameters");
  auto consistent = model::get_bool(body, "ConsistentRead").value_or(false);
  auto token = model::get_string(body, "NextToken");
  auto limit = model::get_integer(body, "Limit");
  auto rcc = model::get_string(body, "ReturnConsumedCapacity");
  api::Constraints c;
  c.not_null("statement", statement.has_value());
  c.length("statement", statement, 1, 8192);
  c.count("parameters", parameters, 1, SIZE_MAX, "[]");
  c.length("nextToken", token, 1, 32768);
  c.at_least("limit", limit, 1);
  c.one_of("returnConsumedCapacity", rcc, {"INDEXES", "TOTAL", "NONE"});
  bool return_on_failure = return_item_on_failure(body, c);
  c.check();

  auto s = std::make_shared<PreparedStatement>(prepare_statement(*call, *statement, parameters));
  CapacityDetail capacity = capacity_detail(rcc);
  using K = partiql::Statement::Kind;
  if (s->kind() == K::Exists)
    invalid("EXISTS can only be used in ExecuteTransaction write requests.");
  if (s->kind() == K::Select) {
    if (s->single_item_read()) {
      auto& db = call->svc.db;
      storage::Txn txn = db.read();
      size_t size = 0;
      auto item = read_one(txn, db, *s, &size);
      txn.abort();
      rapidjson::StringBuffer buf;
      model::JsonWriter w(buf);
      w.StartObject();
      w.Key("Items");
      w.StartArray();
      if (item) model::write_item(w, *item);
      w.EndArray();
      if (capacity != CapacityDetail::None)
        write_consumed(w, s->table->name, read_units(size, consistent),
                       capacity == CapacityDetail::Indexes);
      w.EndObject();
      call->reply({buf.GetString(), buf.GetSize()});
      return;
    }
    if (s->read->access == partiql::ReadPlan::Access::Keys) {
      // `pk IN [...]`: one GetItem a key, in the order the list names them, each consuming
      // the capacity of its own read.
      auto& db = call->svc.db;
      storage::Txn txn = db.read();
      rapidjson::StringBuffer buf;
      model::JsonWriter w(buf);
      w.StartObject();
      w.Key("Items");
      w.StartArray();
      double units = 0;
      for (const model::Item& key : s->read->keys) {
        size_t size = 0;
        auto item = read_key(txn, db, *s, storage::storage_key(*s->table, key), &size);
        if (item) model::write_item(w, *item);
        units += read_units(size, consistent);
      }
      txn.abort();
      w.EndArray();
      if (capacity != CapacityDetail::None)
        write_consumed(w, s->table->name, units, capacity == CapacityDetail::Indexes);
      w.EndObject();
      call->reply({buf.GetString(), buf.GetSize()});
      return;
    }
    // The token is bound to the statement and its parameters (not to Limit).
    std::string request(*statement);
    if (parameters) {
      rapidjson::StringBuffer buf;
      model::JsonWriter w(buf);
      parameters->Accept(w);
      request.append("\n").append(buf.GetString(), buf.GetSize());
    }
    call->reply(select_page(*call, *s, request, limit.value_or(0), consistent, token, capacity));
    return;
  }
  auto outcome = std::make_shared<WriteOutcome>();
  call->commit(
      [call, s, outcome, return_on_failure](storage::Txn& txn) {
        *outcome = execute_write(txn, call->svc.db, *s, return_on_failure);
      },
      [s, outcome, capacity] {
        rapidjson::StringBuffer buf;
        model::JsonWriter w(buf);
        w.StartObject();
        w.Key("Items");
        w.StartArray();
        if (outcome->returned && !outcome->returned->empty())
          model::write_item(w, *outcome->returned);
        w.EndArray();
        if (capacity != CapacityDetail::None)
          write_consumed(w, s->table->name,
                         write_units(std::max(outcome->old_size, outcome->new_size)),
                         capacity == CapacityDetail::Indexes);
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
      });
}

}  // namespace ddb::actions
