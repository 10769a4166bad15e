"""DynamoDB's answers to the corners of issue 18 left after the second pass.

- Attribute names in an Item, a Key, a map value, an AttributeUpdates entry or a value bound
  in ExpressionAttributeValues: an empty name and one past 65535 bytes are refused with a
  ValidationException (DynamoDB Local's wording; 65535 bytes is the longest name kept).
"""

import pytest

import support
from support import expect_error

EMPTY_NAME = "Empty attribute name"
NAME_TOO_LONG = "Attribute name is too large, must be less than 65536 bytes"


def S(s):
    return {"S": s}


@pytest.fixture(scope="module")
def table(emulator):
    """A pk (S) hash-only table."""
    client = emulator.client()
    name = support.unique_name("fid3")
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
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
