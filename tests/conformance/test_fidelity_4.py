"""DynamoDB's answers to the corners of issue 18 left after the third pass.

- DescribeStream / GetShardIterator and shard ids: a ShardId outside 28-65 characters is a
  constraint error (ValidationException); a well-formed one that names no shard of the stream,
  whatever its characters, is ResourceNotFoundException in GetShardIterator, and as
  DescribeStream's ExclusiveStartShardId it lists no shards (an empty Shards, not the whole
  list). ScyllaDB's test/alternator/test_streams.py checks these against DynamoDB
  (test_get_shard_iterator, test_get_shard_iterator_for_nonexistent_shard,
  test_describe_stream_with_nonexistent_last_shard).
- A body that is not JSON: SerializationException with no message at all, the body
  {"__type":"com.amazon.coral.service#SerializationException"} (dynalite's test/connection.js
  records it from the service with that body's x-amz-crc32).
- ReturnConsumedCapacity for items that do not exist: GetItem and each BatchGetItem key cost
  the minimum (1 unit strongly consistent, 0.5 eventually), ScyllaDB's
  test_returnconsumedcapacity.py test_missing_get_item; TransactGetItems costs 2 units an item,
  a missing one included, and names ReadCapacityUnits beside CapacityUnits (also in "Table"
  for INDEXES), as DynamoDB's answers quoted in ExtendDB/extenddb issues 76 and 77 show;
  TransactWriteItems names WriteCapacityUnits (aws/aws-sdk-go issue 2699).
- An empty Expected alone is no condition: the write happens; with ConditionalOperator it is
  refused (ScyllaDB's test_expected.py test_update_expected_empty, checked against DynamoDB).
"""

import json

import pytest

import support
from values import S
from stream_support import create_stream_table, describe, streams_client
from support import expect_error, raw_request

SERIALIZATION = "com.amazon.coral.service#SerializationException"


@pytest.fixture(scope="module")
def table(emulator):
    """A pk (S) hash-only table."""
    name = support.unique_name("fid4")
    support.create_table(emulator.client(), name, hash_key=("pk", "S"))
    return name


# -- shard ids ------------------------------------------------------------------

@pytest.fixture(scope="module")
def stream(emulator):
    """(streams client, stream ARN, the first shard's id) of a table with one item written."""
    ddb = emulator.client()
    name = support.unique_name("fid4st")
    arn = create_stream_table(ddb, name, view="KEYS_ONLY")["LatestStreamArn"]
    ddb.put_item(TableName=name, Item={"id": S("k")})
    streams = streams_client(emulator.endpoint)
    return streams, arn, describe(streams, arn)["Shards"][0]["ShardId"]


@pytest.mark.parametrize("shard_id", [
    "semprinidfaasdasfsdvacsdcfsdsvsdvsdvsdvsdvsdv",    # 45 characters, not a shard id
    "adfasdasdasdasdasdasdasdasdasasdasd",              # 35
    "shardId-00000000000000000000-00000000",            # a shard id's shape, no such shard
])
def test_well_formed_unknown_shard_id_is_not_found(stream, shard_id):
    streams, arn, _ = stream
    expect_error(streams.get_shard_iterator, "ResourceNotFoundException",
                 "Requested resource not found: Shard does not exist",
                 StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")


@pytest.mark.parametrize("shard_id,constraint", [
    ("shard", "Member must have length greater than or equal to 28"),
    ("s" * 66, "Member must have length less than or equal to 65"),
])
def test_shard_id_of_the_wrong_length_is_a_constraint_error(emulator, stream, shard_id,
                                                            constraint):
    raw = streams_client(emulator.endpoint, validate=False)
    _, arn, _ = stream
    expect_error(raw.get_shard_iterator, "ValidationException",
                 f"1 validation error detected: Value '{shard_id}' at 'shardId' failed to "
                 f"satisfy constraint: {constraint}",
                 StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")
    expect_error(raw.describe_stream, "ValidationException",
                 f"1 validation error detected: Value '{shard_id}' at 'exclusiveStartShardId' "
                 f"failed to satisfy constraint: {constraint}",
                 StreamArn=arn, ExclusiveStartShardId=shard_id)


def test_describe_stream_after_an_unknown_shard_lists_nothing(stream):
    streams, arn, shard_id = stream
    for start in ("zzzzzzzzzzzzzzzzzzzzzzzzsfasdgagadfadfgagkjsdfsfsdjfjks",
                  "shardId-00000000000000000000-00000000"):
        desc = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=start)
        assert desc["StreamDescription"]["Shards"] == []
        assert "LastEvaluatedShardId" not in desc["StreamDescription"]
    # After the last shard: nothing either; without a start: the shard.
    last = describe(streams, arn)["Shards"][-1]["ShardId"]
    assert streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=last)[
        "StreamDescription"]["Shards"] == []
    assert [s["ShardId"] for s in streams.describe_stream(StreamArn=arn)[
        "StreamDescription"]["Shards"]][0] == shard_id


# -- a body that is not JSON ----------------------------------------------------

@pytest.mark.parametrize("body", [b"hi", b"{", b'{"TableName": }', b'{"a": 1,}', b"{}}",
                                  b'{"TableName": "t"'])
def test_body_that_is_not_json_has_no_message(emulator, body):
    status, headers, data = raw_request(emulator.endpoint, "DynamoDB_20120810.ListTables", body)
    assert status == 400
    assert data == b'{"__type":"' + SERIALIZATION.encode() + b'"}'
    assert headers["x-amz-crc32"] == "3948637019"
    # Before the target is looked up and before the caller is authenticated.
    status, _, data = raw_request(emulator.endpoint, "DynamoDB_20120810.MakeCoffee", body,
                                  sign=False)
    assert status == 400 and json.loads(data) == {"__type": SERIALIZATION}


def test_body_that_is_json_but_no_object_keeps_its_message(emulator):
    status, _, data = raw_request(emulator.endpoint, "DynamoDB_20120810.ListTables", b"[]")
    assert status == 400
    assert json.loads(data) == {"__type": SERIALIZATION,
                                "Message": "Start of list found where not expected"}


# -- consumed capacity of reads that find nothing ---------------------------------

def test_get_item_of_a_missing_item_costs_the_minimum(ddb, table):
    key = {"pk": S(support.unique_name("none"))}
    for consistent, units in ((True, 1.0), (False, 0.5)):
        r = ddb.get_item(TableName=table, Key=key, ConsistentRead=consistent,
                         ReturnConsumedCapacity="TOTAL")
        assert "Item" not in r
        assert r["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": units}


def test_batch_get_item_charges_each_missing_key(ddb, table):
    present = support.unique_name("here")
    ddb.put_item(TableName=table, Item={"pk": S(present)})
    keys = [{"pk": S(present)}, {"pk": S(support.unique_name("none"))},
            {"pk": S(support.unique_name("none"))}]
    for consistent, units in ((True, 3.0), (False, 1.5)):
        r = ddb.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": consistent}},
                               ReturnConsumedCapacity="TOTAL")
        assert len(r["Responses"][table]) == 1
        assert r["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": units}]


def test_transact_get_items_costs_two_units_an_item_missing_or_not(ddb, table):
    present = support.unique_name("here")
    ddb.put_item(TableName=table, Item={"pk": S(present)})
    items = [{"Get": {"TableName": table, "Key": {"pk": S(present)}}},
             {"Get": {"TableName": table, "Key": {"pk": S(support.unique_name("none"))}}}]
    r = ddb.transact_get_items(TransactItems=items, ReturnConsumedCapacity="TOTAL")
    assert r["Responses"][1] == {}
    assert r["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]
    r = ddb.transact_get_items(TransactItems=items, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0,
         "Table": {"CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}}]
    # An item past 4 KB costs twice its strongly consistent units; nothing asked, nothing said.
    big = support.unique_name("big")
    ddb.put_item(TableName=table, Item={"pk": S(big), "v": S("x" * 5000)})
    r = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": {"pk": S(big)}}}], ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"][0]["CapacityUnits"] == 4.0
    r = ddb.transact_get_items(TransactItems=items, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in r
    assert "ConsumedCapacity" not in ddb.transact_get_items(TransactItems=items)


def test_transact_write_items_names_its_write_units(ddb, table):
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": S(support.unique_name("w"))}}},
        {"Put": {"TableName": table, "Item": {"pk": S(support.unique_name("w"))}}},
    ], ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]


# -- an empty Expected --------------------------------------------------------------

def test_empty_expected_alone_is_no_condition(ddb, table):
    key = {"pk": S(support.unique_name("exp"))}
    ddb.put_item(TableName=table, Item={**key, "a": {"N": "1"}}, Expected={})
    ddb.update_item(TableName=table, Key=key,
                    AttributeUpdates={"z": {"Value": {"N": "3"}, "Action": "PUT"}}, Expected={})
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == {
        **key, "a": {"N": "1"}, "z": {"N": "3"}}
    ddb.delete_item(TableName=table, Key=key, Expected={})
    assert "Item" not in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)


@pytest.mark.parametrize("operator", ["AND", "OR"])
def test_empty_expected_with_conditional_operator_is_refused(ddb, table, operator):
    key = {"pk": S(support.unique_name("exp"))}
    resp = expect_error(ddb.update_item, "ValidationException", TableName=table, Key=key,
                        AttributeUpdates={"z": {"Value": {"N": "4"}, "Action": "PUT"}},
                        Expected={}, ConditionalOperator=operator)
    assert "ConditionalOperator" in resp["Error"]["Message"]
    assert "Item" not in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)
