// Every operation's handler. api/registry.cc is the one list that maps names to them.
#pragma once

#include "api/call.h"

namespace actions {

void create_table(const api::CallPtr& call);
void describe_table(const api::CallPtr& call);
void list_tables(const api::CallPtr& call);
void delete_table(const api::CallPtr& call);
void put_item(const api::CallPtr& call);
void get_item(const api::CallPtr& call);
void delete_item(const api::CallPtr& call);
void update_item(const api::CallPtr& call);
void query(const api::CallPtr& call);
void scan(const api::CallPtr& call);

}  // namespace actions
