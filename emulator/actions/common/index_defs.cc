#include "actions/common/index_defs.h"

#include "model/error.h"

namespace ddb::actions {
namespace {
constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

std::string names(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
  return s;
}
}  // namespace

std::string key_schema_text(const model::Json& schema) {
  std::string out = "[";
  for (rapidjson::SizeType i = 0; i < schema.Size(); ++i) {
    const model::Json& k = schema[i];
    auto member = [&](const char* name) {
      auto v = k.IsObject() ? model::get_string(k, name) : std::nullopt;
      return v ? std::string(*v) : std::string("null");
    };
    out += (i ? ", " : "") + std::string("KeySchemaElement(attributeName=") +
           member("AttributeName") + ", keyType=" + member("KeyType") + ")";
  }
  return out + "]";
}

IndexRequest read_index(const model::Json& j, bool global, const std::string& path,
                        api::Constraints& c) {
  if (!j.IsObject())
    model::wrong_json_type(j, global ? "GlobalSecondaryIndex" : "LocalSecondaryIndex");
  IndexRequest r;
  model::IndexDef& ix = r.def;
  ix.global = global;
  auto name = model::get_string(j, "IndexName");
  c.not_null(path + ".indexName", name.has_value());
  c.pattern_name(path + ".indexName", name);
  c.length(path + ".indexName", name, 3, 255);
  if (name) ix.name = *name;
  const model::Json* schema = model::get_array(j, "KeySchema");
  c.not_null(path + ".keySchema", schema != nullptr);
  if (schema) {
    c.count(path + ".keySchema", schema, 1, 2, key_schema_text(*schema));
    for (rapidjson::SizeType i = 0; i < schema->Size() && i < 2; ++i) {
      const model::Json& k = (*schema)[i];
      if (!k.IsObject()) model::wrong_json_type(k, "KeySchemaElement");
      std::string p = path + ".keySchema." + std::to_string(i + 1) + ".member.";
      auto attr = model::get_string(k, "AttributeName");
      auto type = model::get_string(k, "KeyType");
      c.not_null(p + "attributeName", attr.has_value());
      c.length(p + "attributeName", attr, 1, 255);
      c.not_null(p + "keyType", type.has_value());
      c.one_of(p + "keyType", type, {"HASH", "RANGE"});
      model::KeyAttribute ka{std::string(attr.value_or(""))};
      if (i == 0) {
        ix.hash = ka;
        r.first_key_type = type.value_or("");
      } else {
        ix.range = ka;
        r.second_key_type = type.value_or("");
      }
    }
  }
  const model::Json* projection = model::get_object(j, "Projection");
  c.not_null(path + ".projection", projection != nullptr);
  if (projection) {
    auto type = model::get_string(*projection, "ProjectionType");
    c.one_of(path + ".projection.projectionType", type, {"ALL", "INCLUDE", "KEYS_ONLY"});
    r.projection_type_given = type.has_value();
    r.projection_type = type.value_or("");
    ix.projection = type == "KEYS_ONLY" ? model::IndexDef::Projection::KeysOnly
                    : type == "INCLUDE" ? model::IndexDef::Projection::Include
                                        : model::IndexDef::Projection::All;
    if (const model::Json* nka = model::get_array(*projection, "NonKeyAttributes")) {
      r.non_key_given = true;
      c.count(path + ".projection.nonKeyAttributes", nka, 1, 20, "[...]");
      for (const auto& n : nka->GetArray()) {
        if (!n.IsString()) model::wrong_json_type(n, "String");
        ix.non_key_attributes.emplace_back(model::view(n));
      }
    }
  }
  if (const model::Json* t = model::get_object(j, "ProvisionedThroughput")) {
    r.throughput_given = true;
    auto tp = api::read_throughput(*t, path + ".provisionedThroughput", c);
    ix.read_capacity = tp.read.value_or(0);
    ix.write_capacity = tp.write.value_or(0);
  }
  return r;
}

model::IndexDef check_index(const IndexRequest& r, const model::TableDef& table,
                            const std::vector<model::KeyAttribute>& defined, bool on_demand) {
  model::IndexDef ix = r.def;
  std::vector<std::string> keys = {ix.hash.name};
  if (ix.range) keys.push_back(ix.range->name);
  std::vector<std::string> defs;
  for (const auto& d : defined) defs.push_back(d.name);
  auto type_of = [&](const std::string& n) -> const model::KeyAttribute* {
    for (const auto& d : defined)
      if (d.name == n) return &d;
    return nullptr;
  };
  for (const auto& k : keys)
    if (!type_of(k))
      invalid(std::string(kInvalid) +
              "Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
              names(keys) + "], AttributeDefinitions: [" + names(defs) + "]");
  if (ix.range && ix.hash.name == ix.range->name)
    invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  if (r.first_key_type != "HASH")
    invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (ix.range && r.second_key_type != "RANGE")
    invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  if (!ix.global) {
    if (!ix.range)
      invalid(std::string(kInvalid) +
              "Index KeySchema does not have a range key for index: " + ix.name);
    if (ix.hash.name != table.hash.name)
      invalid(std::string(kInvalid) +
              "Index KeySchema does not have the same leading hash key as table KeySchema "
              "for index: " +
              ix.name + ". index hash key: " + ix.hash.name +
              ", table hash key: " + table.hash.name);
  }
  if (!r.projection_type_given) invalid(std::string(kInvalid) + "Unknown ProjectionType: null");
  if (r.non_key_given && r.projection_type != "INCLUDE")
    invalid(std::string(kInvalid) + "ProjectionType is " + r.projection_type +
            ", but NonKeyAttributes is specified");
  if (!r.non_key_given && r.projection_type == "INCLUDE")
    invalid(std::string(kInvalid) +
            "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
  if (ix.global) {
    if (on_demand && r.throughput_given)
      invalid(std::string(kInvalid) + "ProvisionedThroughput should not be specified for index: " +
              ix.name + " when BillingMode is PAY_PER_REQUEST");
    if (!on_demand && !r.throughput_given)
      invalid(std::string(kInvalid) +
              "ProvisionedThroughput must be specified for index: " + ix.name);
    if (r.throughput_given) api::check_capacity_bounds({ix.read_capacity, ix.write_capacity});
  }
  ix.hash.type = type_of(ix.hash.name)->type;
  if (ix.range) ix.range->type = type_of(ix.range->name)->type;
  return ix;
}

}  // namespace ddb::actions
