// Every operation's handler. actions/registry.cc is the one list that maps names to them.
#pragma once

#include "api/call.h"

namespace ddb::actions {

void create_table(const api::CallPtr& call);
void describe_table(const api::CallPtr& call);
void list_tables(const api::CallPtr& call);
void delete_table(const api::CallPtr& call);
void put_item(const api::CallPtr& call);
void get_item(const api::CallPtr& call);
void delete_item(const api::CallPtr& call);
void update_item(const api::CallPtr& call);
void query(const api::CallPtr& call);
void batch_get_item(const api::CallPtr& call);
void batch_write_item(const api::CallPtr& call);
void update_table(const api::CallPtr& call);
void transact_write_items(const api::CallPtr& call);
void transact_get_items(const api::CallPtr& call);
// PartiQL: one statement.
void execute_statement(const api::CallPtr& call);
// PartiQL's statement lists.
void batch_execute_statement(const api::CallPtr& call);
void execute_transaction(const api::CallPtr& call);
void update_time_to_live(const api::CallPtr& call);
void describe_time_to_live(const api::CallPtr& call);
void tag_resource(const api::CallPtr& call);
void untag_resource(const api::CallPtr& call);
void list_tags_of_resource(const api::CallPtr& call);
void describe_continuous_backups(const api::CallPtr& call);
void update_continuous_backups(const api::CallPtr& call);
void describe_endpoints(const api::CallPtr& call);
void describe_limits(const api::CallPtr& call);
// Features the emulator does not have, answered as for a table where none is configured.
void describe_kinesis_streaming_destination(const api::CallPtr& call);
void describe_contributor_insights(const api::CallPtr& call);
void describe_table_replica_auto_scaling(const api::CallPtr& call);
void list_backups(const api::CallPtr& call);
void get_resource_policy(const api::CallPtr& call);

// DynamoDB Streams.
void list_streams(const api::CallPtr& call);
void describe_stream(const api::CallPtr& call);
void get_shard_iterator(const api::CallPtr& call);
void get_records(const api::CallPtr& call);

void scan(const api::CallPtr& call);

}  // namespace ddb::actions
