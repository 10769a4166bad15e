// Request options shared by the item operations.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "api/request.h"
#include "model/json.h"
#include "model/table.h"

namespace ddb::actions {

// PutItem and UpdateItem report some of their validation errors inside the "1 validation error
// detected: " envelope, as us-east-1 and most regions answer since 2026 (paritysuite/dynamodb-
// conformance, tests/tier3/error-messages/putItem.test.ts and captures/2026-10-07-*): both a
// {"NULL": false} value; PutItem also ExpressionAttributeValues or ExpressionAttributeNames
// without an expression (without the older ": ConditionExpression is null"), an empty
// ConditionExpression and a malformed Expected condition. Other operations report them bare.
enum class Enveloping { PutItem, UpdateItem };
void envelope_validation(Enveloping op, ApiError& e);

template <class F>
void with_validation_envelope(Enveloping op, F&& f) {
  try {
    f();
  } catch (ApiError& e) {
    envelope_validation(op, e);
    throw;
  }
}

struct WriteOptions {
  bool return_old = false;          // ReturnValues ALL_OLD
  bool consumed_capacity = false;   // ReturnConsumedCapacity TOTAL or INDEXES
  bool collection_metrics = false;  // ReturnItemCollectionMetrics SIZE
  bool capacity_indexes = false;    // ReturnConsumedCapacity INDEXES
};

// Checks ReturnValues, ReturnConsumedCapacity and ReturnItemCollectionMetrics, adding their
// constraint errors to `c`; `allowed_returns` are the ReturnValues the operation accepts.
WriteOptions write_options(const model::Json& body, api::Constraints& c);
// After the constraints passed: ReturnValues other than NONE / ALL_OLD.
void check_put_delete_returns(const model::Json& body);

// What ReturnConsumedCapacity asks for: nothing, the total, or the total with the table's and
// each index's share (INDEXES).
enum class CapacityDetail { None, Total, Indexes };
CapacityDetail capacity_detail(std::optional<std::string_view> return_consumed_capacity);

// One table's consumption: the table's own units and those of each index read or written.
struct Consumed {
  double table_units = 0;
  std::map<std::string, double> global_indexes, local_indexes;
  double total() const;
};

// "ConsumedCapacity": {"TableName": t, "CapacityUnits": n}, with INDEXES also
// "Table": {"CapacityUnits": ...} and "GlobalSecondaryIndexes" / "LocalSecondaryIndexes":
// {index: {"CapacityUnits": ...}} for the index read, as DynamoDB breaks it down.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html
void write_consumed(model::JsonWriter& w, std::string_view table, const Consumed& consumed,
                    bool indexes);
void write_consumed(model::JsonWriter& w, std::string_view table, double units,
                    bool indexes = false);
// A single-item write's consumption: `table_units` for the table, and for each index the
// writes DynamoDB counts (one to put an entry, one to delete one, two when its key changes,
// one when only projected attributes change; none when the entry is untouched), each by the
// entry's size per started 1 KB.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
Consumed write_consumption(const model::TableDef& t, const model::Item* old_item,
                           const model::Item* new_item, double table_units);
// "ConsumedCapacity": [{...}, ...] for the operations that span tables.
void write_consumed_list(model::JsonWriter& w, const std::map<std::string, double>& units,
                         bool indexes = false);
// Which kind of units the transactions also name beside CapacityUnits: their consumption
// carries "ReadCapacityUnits" or "WriteCapacityUnits" too (a read's also in "Table"; the
// single-item, batch, Query and Scan answers carry CapacityUnits alone).
enum class UnitKind { Read, Write };
// What a transaction consumes, by table, as TransactGetItems, TransactWriteItems and
// ExecuteTransaction answer it: each read costs twice a strongly consistent read and each
// write twice a plain write, an item that does not exist as one of no size, with the kind of
// units named beside CapacityUnits.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling
class TransactionUnits {
 public:
  explicit TransactionUnits(UnitKind kind) : kind_(kind) {}
  // One read or write of an item of `bytes` (0 when it does not exist) in `table`.
  void add(const std::string& table, size_t bytes);
  // "ConsumedCapacity": [...] as `detail` asks for it; nothing for CapacityDetail::None.
  void write(model::JsonWriter& w, CapacityDetail detail) const;

 private:
  UnitKind kind_;
  std::map<std::string, double> units_;
};
void write_consumed_list(model::JsonWriter& w, const std::map<std::string, Consumed>& consumed,
                         bool indexes);
// "ItemCollectionMetrics": {"ItemCollectionKey": {partition key}, "SizeEstimateRangeGB":
// [low, high]} for a write to a table with local secondary indexes (nothing otherwise): the
// collection is every item of the item's partition with their local index entries, its size
// estimated as DynamoDB reports it for small collections, the whole gigabytes below and above.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html
bool has_item_collections(const model::TableDef& t);
void write_item_collection_metrics(model::JsonWriter& w, const api::Call& call,
                                   const model::TableDef& t, const model::Item& item_or_key);
// The writes of an operation that spans tables, by table name: each write's table and item
// (or key, for a delete).
using CollectionWrites =
    std::map<std::string, std::vector<std::pair<const model::TableDef*, const model::Item*>>>;
// "ItemCollectionMetrics": {table: [one metrics object per write]} as BatchWriteItem and
// TransactWriteItems answer it; nothing when `writes` is empty.
void write_item_collection_lists(model::JsonWriter& w, const api::Call& call,
                                 const CollectionWrites& writes);

// DynamoDB's capacity units: writes per started 1 KB, reads per started 4 KB (halved when
// eventually consistent), at least one unit.
double write_units(size_t bytes);
double read_units(size_t bytes, bool consistent);

}  // namespace ddb::actions
