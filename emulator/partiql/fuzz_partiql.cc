// libFuzzer target for PartiQL statements: parse any text, bind what parses to parameters
// chosen by the input's first byte, plan it against a hash-range table with an index, and
// evaluate its condition and update on a sample item. Anything but ApiError (or a crash,
// hang, sanitizer report) is a bug. Built by scripts/fuzz; the saved corpus runs in CI.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "expr/eval.h"
#include "model/error.h"
#include "partiql/bind.h"
#include "partiql/parser.h"
#include "partiql/plan.h"

using namespace ddb;  // a fuzz target is a program of its own

namespace {

const model::Item& sample_item() {
  static const model::Item item = [] {
    rapidjson::Document d;
    d.Parse(
        R"({"pk":{"S":"k"},"sk":{"N":"1"},"a":{"N":"1"},"b":{"S":"x"},
            "l":{"L":[{"N":"1"},{"M":{"c":{"SS":["y"]}}}]},"s":{"SS":["p","q"]},
            "m":{"M":{"n":{"NS":["1","2"]},"o":{"BOOL":true}}}})");
    return model::item_from_json(d);
  }();
  return item;
}

const model::TableDef& table() {
  static const model::TableDef t = [] {
    model::TableDef t;
    t.name = "t";
    t.hash = {"pk", model::Type::S};
    t.range = model::KeyAttribute{"sk", model::Type::N};
    model::IndexDef ix;
    ix.name = "ix";
    ix.hash = {"b", model::Type::S};
    t.indexes.push_back(ix);
    return t;
  }();
  return t;
}

model::Value parameter(uint8_t choice) {
  switch (choice % 6) {
    case 0: return model::Value::string("k");
    case 1: return model::Value::number("1");
    case 2: return model::Value::binary(std::string("\x00\x01", 2));
    case 3: {
      model::Value v;
      v.type = model::Type::SS;
      v.set = {"z"};
      return v;
    }
    case 4: {
      model::Value v;
      v.type = model::Type::L;
      v.list = {model::Value::number("3")};
      return v;
    }
    default: {
      model::Value v;
      v.type = model::Type::M;
      v.map["x"] = model::Value::string("y");
      return v;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    auto st = partiql::parse(text);
    // The first byte: how many parameters (its low bits, so that a wrong count is tried
    // too) and of which kinds.
    std::vector<model::Value> params;
    size_t count = data[0] & 3;
    if (count == 3) count = st->parameter_count;
    for (size_t i = 0; i < count; ++i)
      params.push_back(parameter(static_cast<uint8_t>(data[0] >> 2) + i));
    partiql::Bound b = partiql::bind(*st, params);
    if (b.where) {
      expr::holds(*b.where, &sample_item());
      expr::holds(*b.where, nullptr);
    }
    switch (st->kind) {
      case partiql::Statement::Kind::Select: {
        auto plan = partiql::plan_read(b, table());
        if (plan.filter) expr::holds(*plan.filter, &sample_item());
        if (!st->projection.empty()) partiql::select_list(sample_item(), st->projection);
        break;
      }
      case partiql::Statement::Kind::Update: {
        partiql::plan_write(b, table());
        model::Item item = sample_item();
        expr::apply(b.update, table(), item);
        expr::project(item, expr::updated_paths(b.update));
        break;
      }
      case partiql::Statement::Kind::Delete:
      case partiql::Statement::Kind::Exists: {
        auto plan = partiql::plan_write(b, table());
        if (plan.condition) expr::holds(*plan.condition, &sample_item());
        break;
      }
      case partiql::Statement::Kind::Insert: model::item_size(b.item); break;
    }
  } catch (const ApiError&) {
  }
  return 0;
}
