"""Update expressions as libraries send them, and UpdateItem's corner cases.

- SET's value may be in parentheses, whole or on either side of + and -
  (ElectroDB sends "SET #c = (if_not_exists(#c, :zero) - :n)"); an unclosed
  parenthesis is a syntax error.
- An update of a key attribute is refused, by expression and by
  AttributeUpdates alike, and changes nothing.
- An UpdateItem with no update at all creates the item with its key alone
  (ALL_NEW returns it); on an item that exists it changes nothing.
"""

import pytest

import support
from support import create_table, expect_error

INVALID = "One or more parameter values were invalid: "


@pytest.fixture(scope="module")
def table(emulator):
    client = emulator.client()
    name = support.unique_name("expr2")
    create_table(client, name, hash_key=("pk", "S"), range_key=("sk", "N"))
    return name


def key(pk, sk=1):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


def item(ddb, table, k):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


# --------------------------------------------------------------------------
# parenthesised SET values
# --------------------------------------------------------------------------

def test_electrodb_subtract(ddb, table):
    k = key("paren")
    kwargs = dict(TableName=table, Key=k, ReturnValues="UPDATED_NEW",
                  UpdateExpression="SET #c = (if_not_exists(#c, :zero) - :n)",
                  ExpressionAttributeNames={"#c": "count"},
                  ExpressionAttributeValues={":zero": {"N": "0"}, ":n": {"N": "3"}})
    assert ddb.update_item(**kwargs)["Attributes"] == {"count": {"N": "-3"}}
    assert ddb.update_item(**kwargs)["Attributes"] == {"count": {"N": "-6"}}


@pytest.mark.parametrize("expression,expected", [
    ("SET v = (:a)", "5"),
    ("SET v = (:a) + (:b)", "7"),
    ("SET v = ((:a) + :b)", "7"),
    ("SET v = (if_not_exists(v, :a) + :b), w = (:b)", "7"),
])
def test_parentheses_around_operands(ddb, table, expression, expected):
    k = key("paren-" + str(abs(hash(expression)) % 100000))
    values = {":a": {"N": "5"}}
    if ":b" in expression:
        values[":b"] = {"N": "2"}
    resp = ddb.update_item(TableName=table, Key=k, UpdateExpression=expression,
                           ExpressionAttributeValues=values, ReturnValues="ALL_NEW")
    assert resp["Attributes"]["v"] == {"N": expected}


@pytest.mark.parametrize("expression", [
    "SET v = (:a",
    "SET v = :a)",
    "SET v = ()",
    "SET (v) = :a",
    "SET v = (:a + :b",
    # A sum is no operand (test_fidelity_6.py has DynamoDB's sources for these).
    "SET v = (:a - :b) + :a",
    "SET v = :a - (:b - :a)",
])
def test_unbalanced_parentheses_are_syntax_errors(ddb, table, expression):
    resp = expect_error(ddb.update_item, "ValidationException", TableName=table, Key=key("bad"),
                        UpdateExpression=expression,
                        ExpressionAttributeValues={":a": {"N": "5"}, ":b": {"N": "2"}})
    assert resp["Error"]["Message"].startswith("Invalid UpdateExpression: Syntax error; token:")
    assert item(ddb, table, key("bad")) is None


def test_parentheses_in_a_transaction(ddb, table):
    k = key("paren-tx")
    ddb.transact_write_items(TransactItems=[{"Update": {
        "TableName": table, "Key": k, "UpdateExpression": "SET n = (if_not_exists(n, :z) + :one)",
        "ExpressionAttributeValues": {":z": {"N": "10"}, ":one": {"N": "1"}}}}])
    assert item(ddb, table, k)["n"] == {"N": "11"}


# --------------------------------------------------------------------------
# key attributes
# --------------------------------------------------------------------------

@pytest.mark.parametrize("expression,attr", [
    ("SET pk = :s", "pk"),
    ("SET sk = :n", "sk"),
    ("REMOVE sk", "sk"),
    ("ADD sk :n", "sk"),
    ("SET extra = :s, pk = :s", "pk"),
])
def test_an_update_of_a_key_attribute_is_refused(ddb, table, expression, attr):
    k = key("keys")
    ddb.put_item(TableName=table, Item={**k, "other": {"S": "x"}})
    values = {}
    if ":s" in expression:
        values[":s"] = {"S": "new"}
    if ":n" in expression:
        values[":n"] = {"N": "2"}
    kwargs = {"ExpressionAttributeValues": values} if values else {}
    expect_error(ddb.update_item, "ValidationException",
                 INVALID + f"Cannot update attribute {attr}. This attribute is part of the key",
                 TableName=table, Key=k, UpdateExpression=expression, **kwargs)
    assert item(ddb, table, k) == {**k, "other": {"S": "x"}}


def test_attribute_updates_of_a_key_attribute_are_refused(ddb, table):
    k = key("keys-legacy")
    expect_error(ddb.update_item, "ValidationException",
                 INVALID + "Cannot update attribute pk. This attribute is part of the key",
                 TableName=table, Key=k,
                 AttributeUpdates={"pk": {"Action": "PUT", "Value": {"S": "other"}}})
    assert item(ddb, table, k) is None


# --------------------------------------------------------------------------
# no update at all
# --------------------------------------------------------------------------

def test_no_update_creates_the_item_with_its_key(ddb, table):
    k = key("bare", 7)
    resp = ddb.update_item(TableName=table, Key=k, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == k
    assert item(ddb, table, k) == k


def test_no_update_leaves_an_existing_item_alone(ddb, table):
    k = key("bare-existing")
    ddb.put_item(TableName=table, Item={**k, "a": {"S": "kept"}})
    resp = ddb.update_item(TableName=table, Key=k, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {**k, "a": {"S": "kept"}}
    resp = ddb.update_item(TableName=table, Key=k, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {**k, "a": {"S": "kept"}}


def test_no_update_with_a_condition(ddb, table):
    k = key("bare-cond")
    ddb.update_item(TableName=table, Key=k, ConditionExpression="attribute_not_exists(pk)")
    assert item(ddb, table, k) == k
    expect_error(ddb.update_item, "ConditionalCheckFailedException", TableName=table, Key=k,
                 ConditionExpression="attribute_not_exists(pk)")


# --------------------------------------------------------------------------
# the legacy parameters
# --------------------------------------------------------------------------

WITHOUT = "ConditionalOperator cannot be used without Filter or Expected"
TWO_OR_MORE = ("ConditionalOperator can only be used when Filter or Expected has two or more "
               "elements")
MIXED = "Can not use both expression and non-expression parameters in the same request: "


def eq(value):
    return {"ComparisonOperator": "EQ", "AttributeValueList": [value]}


@pytest.fixture(scope="module")
def legacy(emulator):
    client = emulator.client()
    name = support.unique_name("legacy")
    create_table(client, name, hash_key=("pk", "S"))
    client.put_item(TableName=name, Item={"pk": {"S": "k1"}, "a": {"S": "x"}, "b": {"S": "y"}})
    return name


@pytest.mark.parametrize("op,params,message", [
    ("scan", {"ConditionalOperator": "AND"}, WITHOUT),
    ("scan", {"ConditionalOperator": "OR", "ScanFilter": {}}, WITHOUT),
    ("scan", {"ConditionalOperator": "AND", "AttributesToGet": ["a"]}, WITHOUT),
    ("scan", {"ConditionalOperator": "AND", "ScanFilter": {"a": eq({"S": "x"})}}, TWO_OR_MORE),
    ("query", {"ConditionalOperator": "AND"}, WITHOUT),
    ("query", {"ConditionalOperator": "AND", "KeyConditions": {"pk": eq({"S": "k1"})}}, WITHOUT),
    ("query", {"ConditionalOperator": "AND", "KeyConditions": {"pk": eq({"S": "k1"})},
               "QueryFilter": {"a": eq({"S": "x"})}}, TWO_OR_MORE),
    ("put_item", {"Item": {"pk": {"S": "k2"}}, "ConditionalOperator": "AND"}, WITHOUT),
    ("put_item", {"Item": {"pk": {"S": "k2"}}, "ConditionalOperator": "AND",
                  "Expected": {"a": eq({"S": "x"})}}, TWO_OR_MORE),
    ("delete_item", {"Key": {"pk": {"S": "k1"}}, "ConditionalOperator": "OR"}, WITHOUT),
    ("update_item", {"Key": {"pk": {"S": "k1"}}, "ConditionalOperator": "AND"}, WITHOUT),
    ("update_item", {"Key": {"pk": {"S": "k1"}}, "ConditionalOperator": "AND",
                     "AttributeUpdates": {"a": {"Value": {"S": "v"}, "Action": "PUT"}}}, WITHOUT),
    ("scan", {"ConditionalOperator": "AND", "FilterExpression": "a = :v",
              "ExpressionAttributeValues": {":v": {"S": "x"}, ":unused": {"S": "y"}}},
     MIXED + "Non-expression parameters: {ConditionalOperator} Expression parameters: "
             "{FilterExpression}"),
    ("scan", {"AttributesToGet": ["a"], "ScanFilter": {"a": eq({"S": "x"})},
              "ConditionalOperator": "AND", "FilterExpression": "a = :v",
              "ProjectionExpression": "b", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     MIXED + "Non-expression parameters: {AttributesToGet, ScanFilter, ConditionalOperator} "
             "Expression parameters: {ProjectionExpression, FilterExpression}"),
    ("query", {"KeyConditions": {"pk": eq({"S": "k1"})}, "QueryFilter": {"a": eq({"S": "x"})},
               "ConditionalOperator": "AND", "KeyConditionExpression": "pk = :p",
               "FilterExpression": "a = :v", "ProjectionExpression": "b",
               "ExpressionAttributeValues": {":p": {"S": "k1"}, ":v": {"S": "x"}}},
     MIXED + "Non-expression parameters: {QueryFilter, ConditionalOperator, KeyConditions} "
             "Expression parameters: {ProjectionExpression, FilterExpression, "
             "KeyConditionExpression}"),
    ("query", {"QueryFilter": {"a": eq({"S": "x"})}, "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": {"S": "k1"}}},
     MIXED + "Non-expression parameters: {QueryFilter} Expression parameters: "
             "{KeyConditionExpression}"),
    ("update_item", {"Key": {"pk": {"S": "k1"}}, "ConditionalOperator": "AND",
                     "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     MIXED + "Non-expression parameters: {ConditionalOperator} Expression parameters: "
             "{UpdateExpression}"),
])
def test_conditional_operator_and_mixing(ddb, legacy, op, params, message):
    expect_error(getattr(ddb, op), "ValidationException", message, TableName=legacy, **params)


def test_conditional_operator_is_an_enum(ddb_raw, legacy):
    expect_error(ddb_raw.scan, "ValidationException",
                 "1 validation error detected: Value 'AN' at 'conditionalOperator' failed to "
                 "satisfy constraint: Member must satisfy enum value set: [OR, AND]",
                 TableName=legacy, ConditionalOperator="AN",
                 ScanFilter={"a": eq({"S": "x"}), "b": eq({"S": "y"})})


def test_accepted_combinations(ddb, legacy):
    resp = ddb.scan(TableName=legacy, ConditionalOperator="AND",
                    ScanFilter={"a": eq({"S": "x"}), "b": eq({"S": "y"})})
    assert resp["Count"] == 1
    resp = ddb.query(TableName=legacy, KeyConditions={"pk": eq({"S": "k1"})},
                     ConditionalOperator="OR",
                     QueryFilter={"a": eq({"S": "x"}), "b": eq({"S": "nope"})})
    assert resp["Count"] == 1
    # KeyConditions beside FilterExpression and ProjectionExpression.
    resp = ddb.query(TableName=legacy, KeyConditions={"pk": eq({"S": "k1"})},
                     FilterExpression="a = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    assert resp["Count"] == 1
    resp = ddb.query(TableName=legacy, KeyConditions={"pk": eq({"S": "k1"})},
                     ProjectionExpression="a")
    assert resp["Items"] == [{"a": {"S": "x"}}]
    resp = ddb.query(TableName=legacy, KeyConditions={"pk": eq({"S": "k1"})},
                     FilterExpression="a = :v", ExpressionAttributeValues={":v": {"S": "other"}})
    assert resp["Count"] == 0 and resp["ScannedCount"] == 1
    ddb.put_item(TableName=legacy, Item={"pk": {"S": "k3"}, "a": {"S": "x"}, "b": {"S": "y"}})
    ddb.delete_item(TableName=legacy, Key={"pk": {"S": "k3"}}, ConditionalOperator="OR",
                    Expected={"a": eq({"S": "x"}), "b": eq({"S": "zzz"})})
    assert "Item" not in ddb.get_item(TableName=legacy, Key={"pk": {"S": "k3"}})


@pytest.mark.parametrize("member,op,value", [
    ("ScanFilter", "LT", {"SS": ["a"]}),
    ("ScanFilter", "GE", {"BOOL": True}),
    ("ScanFilter", "BETWEEN", {"L": []}),
    ("ScanFilter", "BEGINS_WITH", {"N": "1"}),
    ("ScanFilter", "CONTAINS", {"M": {}}),
    ("ScanFilter", "NOT_CONTAINS", {"NS": ["1"]}),
    ("QueryFilter", "LE", {"BS": ["YWJj"]}),
    ("KeyConditions", "LE", {"SS": ["a"]}),
    ("Expected", "GT", {"NULL": True}),
])
def test_uncomparable_types(ddb, legacy, member, op, value):
    count = 2 if op == "BETWEEN" else 1
    condition = {"ComparisonOperator": op, "AttributeValueList": [value] * count}
    type_name = next(iter(value))
    message = INVALID + f"ComparisonOperator {op} is not valid for {type_name} AttributeValue type"
    if member == "ScanFilter":
        expect_error(ddb.scan, "ValidationException", message, TableName=legacy,
                     ScanFilter={"a": condition})
    elif member == "QueryFilter":
        expect_error(ddb.query, "ValidationException", message, TableName=legacy,
                     KeyConditions={"pk": eq({"S": "k1"})}, QueryFilter={"a": condition})
    elif member == "KeyConditions":
        expect_error(ddb.query, "ValidationException", message, TableName=legacy,
                     KeyConditions={"pk": condition})
    else:
        expect_error(ddb.put_item, "ValidationException", message, TableName=legacy,
                     Item={"pk": {"S": "k9"}}, Expected={"a": condition})
        assert "Item" not in ddb.get_item(TableName=legacy, Key={"pk": {"S": "k9"}})


def test_comparable_types_still_work(ddb, legacy):
    resp = ddb.scan(TableName=legacy, ScanFilter={
        "a": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "x"}]},
        "b": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "y"}]}})
    assert resp["Count"] == 1
    resp = ddb.scan(TableName=legacy, ScanFilter={
        "a": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"BOOL": True}]}})
    assert resp["Count"] == 1
