"""DynamoDB's answers to the corners of issue 18 left after the second pass.

- Attribute names in an Item, a Key, a map value, an AttributeUpdates entry or a value bound
  in ExpressionAttributeValues: an empty name and one past 65535 bytes are refused with a
  ValidationException (DynamoDB Local's wording; 65535 bytes is the longest name kept).
- A list index in a document path is at most 4294967294; a larger one is refused in any
  expression, before any item is read, and a bracket holding anything but digits is a syntax
  error naming its token.
- Query: a partition key value past 2048 bytes or a sort key value past 1024 bytes in the key
  condition (KeyConditionExpression or KeyConditions) is refused with the messages GetItem
  gives for such a key; numbers are not measured.
- ListStreams: an ExclusiveStartStreamArn that is not a stream ARN is refused as a malformed
  StreamArn is in DescribeStream and GetShardIterator ("Invalid StreamArn"): in
  test_streams_2, beside those.
"""

import pytest

import support
from values import S
from stream_support import create_stream_table, streams_client
from support import expect_error

EMPTY_NAME = "Empty attribute name"
NAME_TOO_LONG = "Attribute name is too large, must be less than 65536 bytes"


@pytest.fixture(scope="module")
def table(emulator):
    """A pk (S) hash-only table."""
    name = support.unique_name("fid3")
    support.create_table(emulator.client(), name, hash_key=("pk", "S"))
    return name


@pytest.mark.parametrize("bad,message", [("", EMPTY_NAME), ("n" * 65536, NAME_TOO_LONG)],
                         ids=["empty", "65536-bytes"])
def test_attribute_names_refused_everywhere_in_items(ddb, table, bad, message):
    key = {"pk": S("k")}
    expect_error(ddb.put_item, "ValidationException", message,
                 TableName=table, Item={"pk": S("k"), bad: S("v")})
    expect_error(ddb.put_item, "ValidationException", message,
                 TableName=table, Item={"pk": S("k"), "m": {"M": {"a": {"M": {bad: S("v")}}}}})
    expect_error(ddb.put_item, "ValidationException", message,
                 TableName=table, Item={"pk": S("k"), "l": {"L": [{"M": {bad: S("v")}}]}})
    expect_error(ddb.get_item, "ValidationException", message,
                 TableName=table, Key={bad: S("k")})
    expect_error(ddb.delete_item, "ValidationException", message,
                 TableName=table, Key={"pk": S("k"), bad: S("x")})
    expect_error(ddb.update_item, "ValidationException", message,
                 TableName=table, Key=key,
                 AttributeUpdates={bad: {"Action": "PUT", "Value": S("v")}})
    expect_error(ddb.update_item, "ValidationException", message,
                 TableName=table, Key=key,
                 AttributeUpdates={"a": {"Action": "PUT", "Value": {"M": {bad: S("v")}}}})
    expect_error(ddb.update_item, "ValidationException",
                 "ExpressionAttributeValues contains invalid value: " + message + " for key :v",
                 TableName=table, Key=key, UpdateExpression="SET a = :v",
                 ExpressionAttributeValues={":v": {"M": {bad: S("v")}}})
    expect_error(ddb.batch_write_item, "ValidationException", message,
                 RequestItems={table: [{"PutRequest": {"Item": {"pk": S("k"), bad: S("v")}}}]})
    expect_error(ddb.transact_write_items, "ValidationException", message,
                 TransactItems=[{"Put": {"TableName": table,
                                         "Item": {"pk": S("k"), bad: S("v")}}}])
    assert "Item" not in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)


def test_longest_attribute_name_is_kept(ddb, table):
    name = "n" * 65535
    key = {"pk": S("long")}
    ddb.put_item(TableName=table, Item={**key, name: S("v"), "m": {"M": {name: S("w")}}})
    ddb.update_item(TableName=table, Key=key,
                    AttributeUpdates={name: {"Action": "PUT", "Value": S("v2")}})
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert item == {**key, name: S("v2"), "m": {"M": {name: S("w")}}}


OUT_OF_RANGE = "List index is not within the allowable range; index: "


@pytest.mark.parametrize("index", ["4294967295", "99999999999999999999999"])
def test_list_index_out_of_range_refused(ddb, table, index):
    key = {"pk": S("missing")}
    expect_error(ddb.get_item, "ValidationException",
                 "Invalid ProjectionExpression: " + OUT_OF_RANGE + "[" + index + "]",
                 TableName=table, Key=key, ProjectionExpression="a[" + index + "]")
    expect_error(ddb.scan, "ValidationException",
                 "Invalid ProjectionExpression: " + OUT_OF_RANGE + "[" + index + "]",
                 TableName=table, ProjectionExpression="pk, a.b[1][" + index + "]")
    expect_error(ddb.delete_item, "ValidationException",
                 "Invalid ConditionExpression: " + OUT_OF_RANGE + "[" + index + "]",
                 TableName=table, Key=key, ConditionExpression="attribute_exists(a[" + index + "])")
    expect_error(ddb.update_item, "ValidationException",
                 "Invalid UpdateExpression: " + OUT_OF_RANGE + "[" + index + "]",
                 TableName=table, Key=key, UpdateExpression="REMOVE a[" + index + "]")


def test_largest_list_index_accepted(ddb, table):
    key = {"pk": S("listed")}
    ddb.put_item(TableName=table, Item={**key, "a": {"L": [S("x"), S("y")]}})
    got = ddb.get_item(TableName=table, Key=key, ConsistentRead=True,
                       ProjectionExpression="a[4294967294], a[1]")["Item"]
    assert got == {"a": {"L": [S("y")]}}


@pytest.mark.parametrize("path,token,near", [
    ("a[-1]", "-", "[-1"), ("a[x]", "x", "[x]"), ("a[]", "]", "[]"), ("a[1.5]", ".", "1.5")])
def test_malformed_list_index_is_a_syntax_error(ddb, table, path, token, near):
    expect_error(ddb.get_item, "ValidationException",
                 f'Invalid ProjectionExpression: Syntax error; token: "{token}", near: "{near}"',
                 TableName=table, Key={"pk": S("k")}, ProjectionExpression=path)


HASH_TOO_LONG = ("One or more parameter values were invalid: Size of hashkey has exceeded the "
                 "maximum size limit of2048 bytes")
RANGE_TOO_LONG = ("One or more parameter values were invalid: Aggregated size of all range keys "
                  "has exceeded the size limit of 1024 bytes")


@pytest.fixture(scope="module")
def ranged(emulator):
    client = emulator.client()
    name = support.unique_name("fid3r")
    support.create_table(client, name, hash_key=("pk", "S"), range_key=("sk", "B"))
    client.put_item(TableName=name, Item={"pk": S("p" * 2048), "sk": {"B": b"s" * 1024}})
    return name


def query(ddb, table, condition, values):
    return ddb.query(TableName=table, KeyConditionExpression=condition,
                     ExpressionAttributeValues=values)


def test_query_key_values_at_the_limits_are_found(ddb, ranged):
    got = query(ddb, ranged, "pk = :p AND sk = :s",
                {":p": S("p" * 2048), ":s": {"B": b"s" * 1024}})
    assert got["Count"] == 1


@pytest.mark.parametrize("condition,values,message", [
    ("pk = :p", {":p": S("p" * 2049)}, HASH_TOO_LONG),
    ("pk = :p AND sk = :s", {":p": S("p"), ":s": {"B": b"s" * 1025}}, RANGE_TOO_LONG),
    ("pk = :p AND sk > :s", {":p": S("p"), ":s": {"B": b"s" * 1025}}, RANGE_TOO_LONG),
    ("pk = :p AND begins_with(sk, :s)", {":p": S("p"), ":s": {"B": b"s" * 1025}},
     RANGE_TOO_LONG),
    ("pk = :p AND sk BETWEEN :a AND :s", {":p": S("p"), ":a": {"B": b"a"},
                                          ":s": {"B": b"s" * 1025}}, RANGE_TOO_LONG),
])
def test_query_key_values_past_the_limits_refused(ddb, ranged, condition, values, message):
    expect_error(ddb.query, "ValidationException", message, TableName=ranged,
                 KeyConditionExpression=condition, ExpressionAttributeValues=values)


def test_query_key_conditions_past_the_limits_refused(ddb, ranged):
    expect_error(ddb.query, "ValidationException", HASH_TOO_LONG, TableName=ranged,
                 KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                       "AttributeValueList": [S("p" * 2049)]}})
    expect_error(ddb.query, "ValidationException", RANGE_TOO_LONG, TableName=ranged,
                 KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
                                "sk": {"ComparisonOperator": "LE",
                                       "AttributeValueList": [{"B": b"s" * 1025}]}})


def test_list_streams_pages_after_a_stream_arn(ddb, emulator):
    name = support.unique_name("fid3s")
    arn = create_stream_table(ddb, name, view="KEYS_ONLY")["LatestStreamArn"]
    streams = streams_client(emulator.endpoint)
    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    assert streams.list_streams(TableName=name, ExclusiveStartStreamArn=arn)["Streams"] == []
