// The one list of DynamoDB operations this emulator serves.
#include "actions/registry.h"

#include "actions/actions.h"

namespace ddb::actions {
namespace {
struct Entry {
  std::string_view name;
  api::Handler handler;
};
constexpr Entry kActions[] = {
    {"BatchGetItem", &actions::batch_get_item},
    {"BatchWriteItem", &actions::batch_write_item},
    {"CreateTable", &actions::create_table},
    {"DeleteItem", &actions::delete_item},
    {"DeleteTable", &actions::delete_table},
    {"DescribeTable", &actions::describe_table},
    {"DescribeTimeToLive", &actions::describe_time_to_live},
    {"GetItem", &actions::get_item},
    {"ListTables", &actions::list_tables},
    {"PutItem", &actions::put_item},
    {"Query", &actions::query},
    {"Scan", &actions::scan},
    {"TransactGetItems", &actions::transact_get_items},
    {"TransactWriteItems", &actions::transact_write_items},
    {"UpdateItem", &actions::update_item},
    {"UpdateTable", &actions::update_table},
    {"UpdateTimeToLive", &actions::update_time_to_live},
};
constexpr Entry kStreamActions[] = {
    {"DescribeStream", &actions::describe_stream},
    {"GetRecords", &actions::get_records},
    {"GetShardIterator", &actions::get_shard_iterator},
    {"ListStreams", &actions::list_streams},
};
}  // namespace

api::Handler find_action(std::string_view operation) {
  for (const auto& e : kActions)
    if (e.name == operation) return e.handler;
  return nullptr;
}

api::Handler find_stream_action(std::string_view operation) {
  for (const auto& e : kStreamActions)
    if (e.name == operation) return e.handler;
  return nullptr;
}

}  // namespace ddb::actions
