"""Which error wins when a request has several faults.

DynamoDB reports them in a fixed order: a member of the wrong JSON kind
(SerializationException), then the constraint list ("N validation errors
detected: ..." with every constraint violated, Segment's and TotalSegments'
among TableName's), then the operation's own checks (expressions, Select,
segments, the ExclusiveStartKey's values, the item's size), and only then the
table lookup (ResourceNotFoundException); the checks that need the table's
schema (key attributes, the start key's schema, the index) come after it.
"""

import json

import pytest

import support
from support import create_table

MISSING = "no-such-table-order"
NOT_FOUND = "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
VALIDATION = "com.amazon.coral.validate#ValidationException"
INVALID = "One or more parameter values were invalid: "


def send(emulator, op, body):
    status, _, data = support.raw_request(emulator.endpoint, "DynamoDB_20120810." + op,
                                          json.dumps(body))
    return status, json.loads(data)


def validation(emulator, op, body):
    status, doc = send(emulator, op, body)
    assert status == 400, doc
    assert doc["__type"] == VALIDATION, doc
    return doc["message"]


def constraint_list(message):
    head, _, rest = message.partition(" detected: ")
    count = int(head.split()[0])
    errors = rest.split("; ")
    assert len(errors) == count, message
    return errors


@pytest.fixture(scope="module")
def table(emulator):
    client = emulator.client()
    name = support.unique_name("order")
    create_table(client, name)
    client.put_item(TableName=name, Item={"id": {"S": "a"}})
    return name


def test_serialization_before_constraints(emulator):
    status, doc = send(emulator, "Scan", {"TableName": "a;", "Segment": -1, "Limit": "x"})
    assert status == 400
    assert doc["__type"] == "com.amazon.coral.service#SerializationException", doc


def test_segments_are_in_the_one_constraint_list(emulator):
    errors = constraint_list(validation(emulator, "Scan", {
        "TableName": "a;", "Segment": -1, "TotalSegments": 0, "Select": "hi", "Limit": 0}))
    assert ("Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+") in errors
    assert ("Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3") in errors
    assert ("Value '-1' at 'segment' failed to satisfy constraint: Member must have value "
            "greater than or equal to 0") in errors
    assert ("Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1") in errors
    assert ("Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
            "than or equal to 1") in errors
    assert any(e.startswith("Value 'hi' at 'select'") for e in errors), errors
    assert len(errors) == 6


def test_constraints_before_the_operations_own_checks(emulator):
    # Both expression styles at once, and a segment without its total: the constraint list
    # still comes first.
    message = validation(emulator, "Scan", {
        "TableName": "ab", "Segment": 1, "FilterExpression": "a = :v", "ScanFilter": {}})
    assert message == ("1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                       "constraint: Member must have length greater than or equal to 3")
    message = validation(emulator, "Query", {"TableName": "ab", "KeyConditionExpression": "(("})
    assert message.startswith("1 validation error detected: Value 'ab' at 'tableName'"), message


@pytest.mark.parametrize("op,body,message", [
    ("Scan", {"Segment": 1},
     "The TotalSegments parameter is required but was not present in the request when Segment "
     "parameter is present"),
    ("Scan", {"TotalSegments": 2},
     "The Segment parameter is required but was not present in the request when parameter "
     "TotalSegments is present"),
    ("Scan", {"Segment": 3, "TotalSegments": 2},
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
     "Segment: 3 is not less than TotalSegments: 2"),
    ("Scan", {"FilterExpression": "a = :v", "ScanFilter": {"a": {"ComparisonOperator": "NULL"}}},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"),
    ("Scan", {"ExclusiveStartKey": {"id": {}}},
     "The provided starting key is invalid: Supplied AttributeValue is empty, must contain "
     "exactly one of the supported datatypes"),
    ("Query", {},
     "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
     "request."),
    ("Query", {"KeyConditionExpression": "id = :v", "ExpressionAttributeValues": {":v": {"S": "a"}},
               "Select": "ALL_PROJECTED_ATTRIBUTES"},
     INVALID + "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    ("Query", {"KeyConditionExpression": "id = :v"},
     "Invalid KeyConditionExpression: An expression attribute value used in expression is not "
     "defined; attribute value: :v"),
    ("GetItem", {"Key": {"id": {"S": "a"}}, "ProjectionExpression": "a,,b"},
     "Invalid ProjectionExpression: Syntax error; token: \",\", near: \",,b\""),
    ("PutItem", {"Item": {"id": {"S": "a"}, "big": {"S": "x" * (400 * 1024)}}},
     "Item size has exceeded the maximum allowed size"),
    ("UpdateItem", {"Key": {"id": {"S": "a"}}, "UpdateExpression": "SET a = :v"},
     "Invalid UpdateExpression: An expression attribute value used in expression is not "
     "defined; attribute value: :v"),
])
def test_the_operations_checks_before_the_table_lookup(emulator, op, body, message):
    assert validation(emulator, op, {"TableName": MISSING, **body}) == message


def test_then_the_table_lookup(emulator):
    status, doc = send(emulator, "Query", {
        "TableName": MISSING, "KeyConditionExpression": "id = :v",
        "ExpressionAttributeValues": {":v": {"S": "a"}}})
    assert status == 400
    assert doc["__type"] == NOT_FOUND, doc
    status, doc = send(emulator, "Scan", {"TableName": MISSING, "Segment": 0, "TotalSegments": 2,
                                          "ExclusiveStartKey": {"id": {"S": "a"}}})
    assert doc["__type"] == NOT_FOUND, doc


def test_the_schema_checks_come_after_the_lookup(emulator, table):
    # The same requests against a table that exists reach the checks that need its schema.
    assert validation(emulator, "Scan", {"TableName": table,
                                         "ExclusiveStartKey": {"other": {"S": "a"}}}) == (
        "The provided starting key is invalid: The provided key element does not match the "
        "schema")
    assert validation(emulator, "Scan", {"TableName": table, "IndexName": "nope"}) == (
        "The table does not have the specified index: nope")
    status, doc = send(emulator, "Scan", {"TableName": MISSING, "IndexName": "nope"})
    assert doc["__type"] == NOT_FOUND, doc
    assert validation(emulator, "GetItem", {"TableName": table, "Key": {"x": {"S": "a"}}}) == (
        "The provided key element does not match the schema")
    status, doc = send(emulator, "GetItem", {"TableName": MISSING, "Key": {"x": {"S": "a"}}})
    assert doc["__type"] == NOT_FOUND, doc
