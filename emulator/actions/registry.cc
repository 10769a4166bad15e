// The one list of DynamoDB operations this emulator serves.
#include "actions/registry.h"

#include <array>
#include <utility>

#include "actions/actions.h"
#include "api/shapes.h"

namespace ddb::actions {
namespace {
struct Entry {
  std::string_view name;
  api::Handler handler;
};
// Every request is read against its operation's input shape before its handler sees it, so
// that a member of the wrong JSON kind anywhere in it is a SerializationException before any
// validation (api/shapes.h).
constexpr Entry kActions[] = {
    {"BatchExecuteStatement", &actions::batch_execute_statement},
    {"BatchGetItem", &actions::batch_get_item},
    {"BatchWriteItem", &actions::batch_write_item},
    {"CreateTable", &actions::create_table},
    {"DeleteItem", &actions::delete_item},
    {"DeleteTable", &actions::delete_table},
    {"DescribeContinuousBackups", &actions::describe_continuous_backups},
    {"DescribeContributorInsights", &actions::describe_contributor_insights},
    {"DescribeEndpoints", &actions::describe_endpoints},
    {"DescribeKinesisStreamingDestination", &actions::describe_kinesis_streaming_destination},
    {"DescribeLimits", &actions::describe_limits},
    {"DescribeTable", &actions::describe_table},
    {"DescribeTableReplicaAutoScaling", &actions::describe_table_replica_auto_scaling},
    {"DescribeTimeToLive", &actions::describe_time_to_live},
    {"ExecuteTransaction", &actions::execute_transaction},
    {"ExecuteStatement", &actions::execute_statement},
    {"GetItem", &actions::get_item},
    {"GetResourcePolicy", &actions::get_resource_policy},
    {"ListBackups", &actions::list_backups},
    {"ListTables", &actions::list_tables},
    {"ListTagsOfResource", &actions::list_tags_of_resource},
    {"PutItem", &actions::put_item},
    {"Query", &actions::query},
    {"Scan", &actions::scan},
    {"TagResource", &actions::tag_resource},
    {"TransactGetItems", &actions::transact_get_items},
    {"TransactWriteItems", &actions::transact_write_items},
    {"UntagResource", &actions::untag_resource},
    {"UpdateContinuousBackups", &actions::update_continuous_backups},
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

template <api::Handler H>
void read_as_shaped(const api::CallPtr& call) {
  std::string_view name;
  for (const auto& e : kActions)
    if (e.handler == H) name = e.name;
  for (const auto& e : kStreamActions)
    if (e.handler == H) name = e.name;
  api::check_shape(name, call->body());
  H(call);
}

// The shape-checking entry point of each handler, in the order of the two lists.
template <const auto& List, size_t... I>
constexpr auto shaped(std::index_sequence<I...>) {
  return std::array<api::Handler, sizeof...(I)>{&read_as_shaped<List[I].handler>...};
}
constexpr auto kShaped = shaped<kActions>(std::make_index_sequence<std::size(kActions)>());
constexpr auto kShapedStreams =
    shaped<kStreamActions>(std::make_index_sequence<std::size(kStreamActions)>());

}  // namespace

api::Handler find_action(std::string_view operation) {
  for (size_t i = 0; i < std::size(kActions); ++i)
    if (kActions[i].name == operation) return kShaped[i];
  return nullptr;
}

api::Handler find_stream_action(std::string_view operation) {
  for (size_t i = 0; i < std::size(kStreamActions); ++i)
    if (kStreamActions[i].name == operation) return kShapedStreams[i];
  return nullptr;
}

}  // namespace ddb::actions
