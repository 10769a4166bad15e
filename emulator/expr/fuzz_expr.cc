// libFuzzer target for the expression language: parse any text as each expression kind,
// then bind and evaluate what parses. Anything but ApiError (or a crash, hang, sanitizer
// report) is a bug. Built by scripts/fuzz; the saved corpus runs in CI.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "expr/eval.h"
#include "model/error.h"

using namespace ddb;  // a fuzz target is a program of its own

namespace {

const model::Item& sample_item() {
  static const model::Item item = [] {
    rapidjson::Document d;
    d.Parse(
        R"({"pk":{"S":"k"},"a":{"N":"1"},"b":{"S":"x"},"l":{"L":[{"N":"1"},{"M":{"c":{"SS":["y"]}}}]},
               "m":{"M":{"n":{"NS":["1","2"]},"o":{"BOOL":true}}}})");
    return model::item_from_json(d);
  }();
  return item;
}

expr::Bindings bindings() {
  static rapidjson::Document names, values;
  static bool ready = [] {
    names.Parse(R"({"#a":"a","#b":"b","#l":"l","#m":"m"})");
    values.Parse(R"({":n":{"N":"2"},":s":{"S":"x"},":l":{"L":[{"N":"3"}]},":ss":{"SS":["z"]},
                    ":t":{"S":"N"},":b":{"B":"AQ=="}})");
    return true;
  }();
  (void)ready;
  return expr::Bindings(&names, &values);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  model::TableDef table;
  table.hash = {"pk", model::Type::S};
  try {
    auto b = bindings();
    switch (data[0] % 3) {
      case 0: {
        auto c = b.bind(*expr::parse_condition(text), expr::Kind::Condition);
        expr::holds(c, &sample_item());
        expr::holds(c, nullptr);
        break;
      }
      case 1: {
        auto u = b.bind(*expr::parse_update(text));
        model::Item item = sample_item();
        expr::apply(u, table, item);
        expr::project(item, expr::updated_paths(u));
        break;
      }
      default: {
        auto p = b.bind(*expr::parse_projection(text), expr::Kind::Projection);
        expr::project(sample_item(), p);
      }
    }
  } catch (const ApiError&) {
  }
  return 0;
}
