"""Tables, second pass: UpdateTable's refusals, DeleteTable's description,
DescribeTable's and DeleteTable's own TableName messages.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
"""

import json

import pytest

import support
from support import create_table, expect_error

VALIDATION = "com.amazon.coral.validate#ValidationException"
UNCHANGED = ("The provisioned throughput for the table will not change. The requested value "
             "equals the current value. Current ReadCapacityUnits provisioned for the table: "
             "{r}. Requested ReadCapacityUnits: {r}. Current WriteCapacityUnits provisioned for "
             "the table: {w}. Requested WriteCapacityUnits: {w}. Refer to the Amazon DynamoDB "
             "Developer Guide for current limits and how to request higher limits.")


def provisioned_with_index(ddb, name):
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}}])


def test_update_table_refuses_an_unchanged_throughput(ddb, table_name):
    name = table_name()
    provisioned_with_index(ddb, name)
    expect_error(ddb.update_table, "ValidationException", UNCHANGED.format(r=5, w=6),
                 TableName=name,
                 ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6})
    r = ddb.update_table(TableName=name,
                         ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    assert r["TableDescription"]["TableStatus"] == "UPDATING"
    assert r["TableDescription"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    # An index's throughput: the same rule, and the new one applied.
    expect_error(ddb.update_table, "ValidationException", UNCHANGED.format(r=2, w=3),
                 TableName=name, GlobalSecondaryIndexUpdates=[{"Update": {
                     "IndexName": "byg",
                     "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}}}])
    r = ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Update": {
        "IndexName": "byg",
        "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 3}}}])
    assert r["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "UPDATING"
    gsi = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
    assert gsi["IndexStatus"] == "ACTIVE"


def test_update_table_refuses_an_update_of_a_missing_index(ddb, table_name):
    name = table_name()
    provisioned_with_index(ddb, name)
    expect_error(ddb.update_table, "ResourceNotFoundException",
                 "Requested resource not found: Index: nope not found",
                 TableName=name, GlobalSecondaryIndexUpdates=[{"Update": {
                     "IndexName": "nope",
                     "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])


def test_update_table_index_update_members_are_required(emulator, table_name):
    name = table_name()
    status, _, data = support.raw_request(
        emulator.endpoint, "DynamoDB_20120810.UpdateTable",
        json.dumps({"TableName": name, "GlobalSecondaryIndexUpdates": [{"Update": {}}]}))
    doc = json.loads(data)
    assert status == 400 and doc["__type"] == VALIDATION
    assert doc["message"] == (
        "2 validation errors detected: Value null at "
        "'globalSecondaryIndexUpdates.1.member.update.indexName' failed to satisfy constraint: "
        "Member must not be null; Value null at "
        "'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput' failed to satisfy "
        "constraint: Member must not be null")


def test_delete_table_describes_the_table_briefly(ddb, table_name):
    name = table_name()
    create_table(ddb, name, range_key=("r", "N"), billing="PROVISIONED", rcu=3, wcu=4)
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "r": {"N": "1"}})
    d = ddb.delete_table(TableName=name)["TableDescription"]
    assert d["TableStatus"] == "DELETING"
    assert d["TableName"] == name and d["ItemCount"] == 1 and d["TableSizeBytes"] > 0
    assert d["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 3,
                                          "WriteCapacityUnits": 4}
    assert d["TableArn"].endswith(":table/" + name)
    for absent in ("KeySchema", "AttributeDefinitions", "CreationDateTime"):
        assert absent not in d


def send(emulator, op, body):
    status, _, data = support.raw_request(emulator.endpoint, "DynamoDB_20120810." + op,
                                          json.dumps(body))
    return status, json.loads(data)


@pytest.mark.parametrize("op", ["DescribeTable", "DeleteTable"])
@pytest.mark.parametrize("body,message", [
    ({}, "The paramater 'tableName' is required but was not present in the request"),
    ({"TableName": ""}, "TableName must be at least 3 characters long and at most 255 "
                        "characters long"),
    ({"TableName": "a;"}, "TableName must be at least 3 characters long and at most 255 "
                          "characters long"),
    ({"TableName": "a" * 256}, "TableName must be at least 3 characters long and at most 255 "
                               "characters long"),
    ({"TableName": "abc;"}, "1 validation error detected: Value 'abc;' at 'tableName' failed to "
                            "satisfy constraint: Member must satisfy regular expression "
                            "pattern: [a-zA-Z0-9_.-]+"),
])
def test_table_name_messages_of_describe_and_delete(emulator, op, body, message):
    status, doc = send(emulator, op, body)
    assert status == 400 and doc["__type"] == VALIDATION
    assert doc["message"] == message


def lsi_table(ddb, name):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"}
                              for k in ("pk", "sk", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{
            "IndexName": "byl", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])


def test_item_collection_metrics_on_writes_to_tables_with_local_indexes(ddb, table_name):
    """ReturnItemCollectionMetrics SIZE: the partition key and the collection's size estimate
    in whole gigabytes, on tables with local secondary indexes only.
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html"""
    name = table_name()
    lsi_table(ddb, name)
    expected = {"ItemCollectionKey": {"pk": {"S": "p"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    item = {"pk": {"S": "p"}, "sk": {"S": "1"}, "l": {"S": "x"}}
    r = ddb.put_item(TableName=name, Item=item, ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == expected
    r = ddb.update_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "1"}},
                        UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "1"}},
                        ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == expected
    r = ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"pk": {"S": "q"}, "sk": {"S": "1"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "p"}, "sk": {"S": "9"}}}}]},
        ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == {name: [
        {"ItemCollectionKey": {"pk": {"S": "q"}}, "SizeEstimateRangeGB": [0.0, 1.0]}, expected]}
    r = ddb.delete_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "1"}},
                        ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"] == expected
    # Not asked for: not there.
    r = ddb.put_item(TableName=name, Item=item)
    assert "ItemCollectionMetrics" not in r


def test_no_item_collection_metrics_without_local_indexes(ddb, table_name):
    name = table_name()
    create_table(ddb, name)
    r = ddb.put_item(TableName=name, Item={"id": {"S": "a"}}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in r
    r = ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"id": {"S": "b"}}}}]},
                             ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in r


def gsi_table(ddb, name):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in ("id", "g")],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "all", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def test_write_capacity_counts_the_index_writes(ddb, table_name):
    """A write's units include each index entry it puts or deletes (two when the entry's key
    changes, one when only projected attributes change, none when the entry is untouched);
    INDEXES breaks them down.
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes"""
    name = table_name()
    gsi_table(ddb, name)

    def put(item):
        return ddb.put_item(TableName=name, Item=item,
                            ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]

    big = "x" * 1500  # the item and the ALL entry take 2 units, the KEYS_ONLY entry 1
    c = put({"id": {"S": "a"}, "g": {"S": "1"}, "v": {"S": big}})
    assert c == {"TableName": name, "CapacityUnits": 5.0, "Table": {"CapacityUnits": 2.0},
                 "GlobalSecondaryIndexes": {"all": {"CapacityUnits": 2.0},
                                            "keys": {"CapacityUnits": 1.0}}}
    # Only a projected attribute changes: one write to the ALL index, none to KEYS_ONLY.
    c = put({"id": {"S": "a"}, "g": {"S": "1"}, "v": {"S": "y"}})
    assert c["GlobalSecondaryIndexes"] == {"all": {"CapacityUnits": 1.0}}
    assert c["CapacityUnits"] == 3.0  # the table's 2 (the larger of old and new) + 1
    # The index key changes: a delete and a put in each index.
    c = ddb.update_item(TableName=name, Key={"id": {"S": "a"}}, UpdateExpression="SET g = :g",
                        ExpressionAttributeValues={":g": {"S": "2"}},
                        ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert c["GlobalSecondaryIndexes"] == {"all": {"CapacityUnits": 2.0},
                                           "keys": {"CapacityUnits": 2.0}}
    # TOTAL counts the indexes too, without the breakdown.
    c = ddb.delete_item(TableName=name, Key={"id": {"S": "a"}},
                        ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert c == {"TableName": name, "CapacityUnits": 3.0}
    # An item outside the (sparse) indexes costs them nothing.
    c = put({"id": {"S": "b"}})
    assert c == {"TableName": name, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}


def test_batch_write_capacity_counts_the_index_writes(ddb, table_name):
    name = table_name()
    gsi_table(ddb, name)
    ddb.put_item(TableName=name, Item={"id": {"S": "old"}, "g": {"S": "1"}})
    r = ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"id": {"S": "a"}, "g": {"S": "1"}}}},
        {"PutRequest": {"Item": {"id": {"S": "b"}}}},
        {"DeleteRequest": {"Key": {"id": {"S": "old"}}}}]}, ReturnConsumedCapacity="INDEXES")
    # Three table writes; "a" enters both indexes, "old" leaves both.
    assert r["ConsumedCapacity"] == [{
        "TableName": name, "CapacityUnits": 7.0, "Table": {"CapacityUnits": 3.0},
        "GlobalSecondaryIndexes": {"all": {"CapacityUnits": 2.0}, "keys": {"CapacityUnits": 2.0}}}]
    r = ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"id": {"S": "c"}, "g": {"S": "1"}}}}]},
        ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == [{"TableName": name, "CapacityUnits": 3.0}]


def test_transact_write_items_collection_metrics_and_table_share(ddb, table_name):
    name = table_name()
    lsi_table(ddb, name)
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "p"}, "sk": {"S": "1"}}}},
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "r"}, "sk": {"S": "1"}}}},
        {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "s"}, "sk": {"S": "1"}},
                            "ConditionExpression": "attribute_not_exists(pk)"}}],
        ReturnItemCollectionMetrics="SIZE", ReturnConsumedCapacity="INDEXES")
    assert r["ItemCollectionMetrics"] == {name: [
        {"ItemCollectionKey": {"pk": {"S": "p"}}, "SizeEstimateRangeGB": [0.0, 1.0]},
        {"ItemCollectionKey": {"pk": {"S": "r"}}, "SizeEstimateRangeGB": [0.0, 1.0]}]}
    (consumed,) = r["ConsumedCapacity"]
    assert consumed["Table"] == {"CapacityUnits": consumed["CapacityUnits"]}
