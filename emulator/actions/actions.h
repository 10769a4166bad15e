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
void update_time_to_live(const api::CallPtr& call);
void describe_time_to_live(const api::CallPtr& call);

// DynamoDB Streams.
void list_streams(const api::CallPtr& call);
void describe_stream(const api::CallPtr& call);
void get_shard_iterator(const api::CallPtr& call);
void get_records(const api::CallPtr& call);

void scan(const api::CallPtr& call);

}  // namespace ddb::actions
