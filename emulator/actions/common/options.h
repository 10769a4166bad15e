// Request options shared by the item operations.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "api/request.h"
#include "model/json.h"

namespace ddb::actions {

struct WriteOptions {
  bool return_old = false;         // ReturnValues ALL_OLD
  bool consumed_capacity = false;  // ReturnConsumedCapacity TOTAL or INDEXES
};

// Checks ReturnValues, ReturnConsumedCapacity and ReturnItemCollectionMetrics, adding their
// constraint errors to `c`; `allowed_returns` are the ReturnValues the operation accepts.
WriteOptions write_options(const model::Json& body, api::Constraints& c);
// After the constraints passed: ReturnValues other than NONE / ALL_OLD.
void check_put_delete_returns(const model::Json& body);

// {"TableName": t, "CapacityUnits": n} for ReturnConsumedCapacity.
void write_consumed(model::JsonWriter& w, std::string_view table, double units);
// "ConsumedCapacity": [{...}, ...] for the operations that span tables.
void write_consumed_list(model::JsonWriter& w, const std::map<std::string, double>& units);
// DynamoDB's capacity units: writes per started 1 KB, reads per started 4 KB (halved when
// eventually consistent), at least one unit.
double write_units(size_t bytes);
double read_units(size_t bytes, bool consistent);

}  // namespace ddb::actions
