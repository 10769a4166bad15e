"""SerializationException for members of the wrong JSON kind, in DynamoDB's words.

Every request is read against its operation's input shape before anything else
is looked at: a member of the wrong kind anywhere in the body (nested in
structures, lists, maps and AttributeValues alike) is a 400
SerializationException, whatever else is wrong with the request, even for a
table that does not exist. The message depends on the kind expected and on
where the member sits, as DynamoDB words it today ("NUMBER_VALUE cannot be
converted to String", "Unexpected field type", "Unexpected value type in
payload", ...). The first such member in body order wins. Unknown members and
nulls are left alone. The bodies are sent raw (botocore would refuse them).
"""

import json

import pytest

import support
from support import create_table

MISSING = "no-such-table-ser"  # never created: the shape is read before the table is looked up


def send(emulator, op, body, streams=False):
    prefix = "DynamoDBStreams_20120810." if streams else "DynamoDB_20120810."
    text = body if isinstance(body, str) else json.dumps(body)
    status, headers, data = support.raw_request(emulator.endpoint, prefix + op, text)
    return status, (json.loads(data) if data else {})


def serialization(emulator, op, body, message, streams=False):
    status, doc = send(emulator, op, body, streams)
    assert status == 400, doc
    assert doc["__type"] == "com.amazon.coral.service#SerializationException", doc
    assert doc["Message"] == message, doc
    assert "message" not in doc, doc


@pytest.fixture(scope="module")
def table(emulator):
    client = emulator.client()
    name = support.unique_name("ser")
    create_table(client, name)
    client.put_item(TableName=name, Item={"id": {"S": "a"}, "n": {"N": "1"}})
    return name


# --------------------------------------------------------------------------
# scalars
# --------------------------------------------------------------------------

@pytest.mark.parametrize("value,message", [
    (5, "NUMBER_VALUE cannot be converted to String"),
    (-2147483649, "NUMBER_VALUE cannot be converted to String"),
    (5.5, "DECIMAL_VALUE cannot be converted to String"),
    (True, "TRUE_VALUE cannot be converted to String"),
    (False, "FALSE_VALUE cannot be converted to String"),
    ({}, "Start of structure or map found where not expected"),
    ([], "UnknownError"),
])
def test_a_string_member(emulator, value, message):
    serialization(emulator, "Scan", {"TableName": MISSING, "IndexName": value}, message)
    serialization(emulator, "DescribeTable", {"TableName": value}, message)


def test_a_decimal_written_with_an_exponent(emulator):
    serialization(emulator, "Scan", '{"TableName":"%s","IndexName":1e3}' % MISSING,
                  "DECIMAL_VALUE cannot be converted to String")


@pytest.mark.parametrize("value,message", [
    ("5", "STRING_VALUE cannot be converted to Integer"),
    (True, "TRUE_VALUE cannot be converted to Integer"),
    (False, "FALSE_VALUE cannot be converted to Integer"),
    ([], "UnknownError"),
    ({}, "Start of structure or map found where not expected"),
])
def test_an_integer_member(emulator, value, message):
    serialization(emulator, "Scan", {"TableName": MISSING, "Limit": value}, message)


def test_an_integer_member_takes_any_number(emulator, table):
    for limit in (5.5, 99999999999):
        status, doc = send(emulator, "Scan", {"TableName": table, "Limit": limit})
        assert status == 200, doc


def test_a_long_member(emulator):
    serialization(emulator, "UpdateTable",
                  {"TableName": MISSING,
                   "ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 5}},
                  "STRING_VALUE cannot be converted to Long")


@pytest.mark.parametrize("value,message", [
    ("abc", "Unexpected token received from parser"),
    ("", "Unexpected token received from parser"),
    (0, "NUMBER_VALUE cannot be converted to Boolean"),
    (1.5, "DECIMAL_VALUE cannot be converted to Boolean"),
    ([], "UnknownError"),
    ({}, "Start of structure or map found where not expected"),
])
def test_a_boolean_member(emulator, value, message):
    serialization(emulator, "Scan", {"TableName": MISSING, "ConsistentRead": value}, message)


def test_a_boolean_member_takes_its_words_as_strings(emulator, table):
    for word in ("false", "TRUE", "True"):
        status, doc = send(emulator, "Scan", {"TableName": table, "ConsistentRead": word})
        assert status == 200, doc
    # BOOL inside an AttributeValue is read the same way.
    status, doc = send(emulator, "PutItem",
                       {"TableName": table, "Item": {"id": {"S": "bool"}, "b": {"BOOL": "true"}}})
    assert status == 200, doc
    item = emulator.client().get_item(TableName=table, Key={"id": {"S": "bool"}})["Item"]
    assert item["b"] == {"BOOL": True}


@pytest.mark.parametrize("value,message", [
    (5, "only base-64-encoded strings are convertible to bytes"),
    (True, "only base-64-encoded strings are convertible to bytes"),
    ([], "UnknownError"),
    ({}, "Start of structure or map found where not expected"),
    ("23456", "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
    ("=+/=", "Invalid last non-pad Base64 character dectected"),
])
def test_a_blob(emulator, value, message):
    serialization(emulator, "PutItem", {"TableName": MISSING, "Item": {"a": {"B": value}}},
                  message)
    serialization(emulator, "PutItem", {"TableName": MISSING, "Item": {"a": {"BS": [value]}}},
                  message)


# --------------------------------------------------------------------------
# containers: the message depends on where the value sits
# --------------------------------------------------------------------------

@pytest.mark.parametrize("op,body,message", [
    ("UpdateTable", {"ProvisionedThroughput": "a"}, "Unexpected field type"),
    ("UpdateTable", {"ProvisionedThroughput": 5}, "Unexpected field type"),
    ("UpdateTable", {"ProvisionedThroughput": []}, "UnknownError"),
    ("Scan", {"AttributesToGet": "a"}, "Unexpected field type"),
    ("Scan", {"AttributesToGet": True}, "Unexpected field type"),
    ("Scan", {"AttributesToGet": {}}, "Start of structure or map found where not expected"),
    ("Scan", {"ExpressionAttributeNames": 5}, "Unexpected field type"),
    ("Scan", {"ExpressionAttributeNames": []}, "UnknownError"),
    ("Scan", {"ExclusiveStartKey": "k"}, "Unexpected field type"),
    ("PutItem", {"Item": {"a": 5}}, "Unexpected value type in payload"),
    ("PutItem", {"Item": {"a": "x"}}, "Unexpected value type in payload"),
    ("PutItem", {"Item": {"a": []}}, "UnknownError"),
    ("PutItem", {"Item": {"a": {"L": ["x"]}}}, "Unexpected value type in payload"),
    ("PutItem", {"Item": {"a": {"M": {"b": 1}}}}, "Unexpected value type in payload"),
    ("PutItem", {"Item": {"a": {"L": {}}}}, "Start of structure or map found where not expected"),
    ("PutItem", {"Item": {"a": {"SS": "x"}}}, "Unexpected field type"),
    ("PutItem", {"Item": {"a": {"M": 5}}}, "Unexpected field type"),
    ("UpdateTable", {"GlobalSecondaryIndexUpdates": ["a"]}, "Unexpected value type in payload"),
    ("Scan", {"ScanFilter": {"a": 5}}, "Unexpected value type in payload"),
])
def test_containers(emulator, op, body, message):
    serialization(emulator, op, {"TableName": MISSING, **body}, message)


def test_a_list_or_map_inside_a_collection(emulator):
    serialization(emulator, "BatchWriteItem", {"RequestItems": {MISSING: 5}}, "UnknownError")
    serialization(emulator, "BatchGetItem", {"RequestItems": {MISSING: {"Keys": [5]}}},
                  "UnknownError")
    serialization(emulator, "BatchWriteItem", {"RequestItems": {MISSING: [5]}},
                  "Unexpected value type in payload")


# --------------------------------------------------------------------------
# nested members of every operation
# --------------------------------------------------------------------------

@pytest.mark.parametrize("op,body,message", [
    ("UpdateTable",
     {"TableName": MISSING, "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": 5}}]},
     "NUMBER_VALUE cannot be converted to String"),
    ("CreateTable", {"TableName": MISSING, "BillingMode": 5},
     "NUMBER_VALUE cannot be converted to String"),
    ("CreateTable", {"TableName": MISSING, "KeySchema": [{"AttributeName": "id", "KeyType": 1}]},
     "NUMBER_VALUE cannot be converted to String"),
    ("CreateTable", {"TableName": MISSING, "StreamSpecification": {"StreamEnabled": "yes"}},
     "Unexpected token received from parser"),
    ("CreateTable",
     {"TableName": MISSING,
      "GlobalSecondaryIndexes": [{"IndexName": "g", "Projection": {"NonKeyAttributes": [1]}}]},
     "NUMBER_VALUE cannot be converted to String"),
    ("Scan", {"TableName": MISSING, "ExclusiveStartKey": {"pk": {"S": 123}}},
     "NUMBER_VALUE cannot be converted to String"),
    ("Query", {"TableName": MISSING,
               "KeyConditions": {"id": {"ComparisonOperator": "EQ",
                                        "AttributeValueList": [{"N": 1}]}}},
     "NUMBER_VALUE cannot be converted to String"),
    ("GetItem", {"TableName": MISSING, "Key": {"id": {"S": "a"}}, "AttributesToGet": [1]},
     "NUMBER_VALUE cannot be converted to String"),
    ("DeleteItem", {"TableName": MISSING, "Key": {"id": {"S": "a"}},
                    "Expected": {"a": {"Exists": "maybe"}}},
     "Unexpected token received from parser"),
    ("UpdateItem", {"TableName": MISSING, "Key": {"id": {"S": "a"}},
                    "AttributeUpdates": {"a": {"Action": "PUT", "Value": {"NS": [1]}}}},
     "NUMBER_VALUE cannot be converted to String"),
    ("TransactWriteItems",
     {"TransactItems": [{"Update": {
         "TableName": MISSING, "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET x = :v",
         "ExpressionAttributeValues": {":v": {"L": [{"M": {"x": {"N": True}}}]}}}}]},
     "TRUE_VALUE cannot be converted to String"),
    ("TransactGetItems",
     {"TransactItems": [{"Get": {"TableName": MISSING, "Key": {"id": {"S": "a"}},
                                 "ExpressionAttributeNames": {"#a": 1}}}]},
     "NUMBER_VALUE cannot be converted to String"),
    ("BatchWriteItem",
     {"RequestItems": {MISSING: [{"DeleteRequest": {"Key": {"id": {"B": 1}}}}]}},
     "only base-64-encoded strings are convertible to bytes"),
    ("TagResource", {"ResourceArn": "arn", "Tags": [{"Key": 5, "Value": "v"}]},
     "NUMBER_VALUE cannot be converted to String"),
    ("UntagResource", {"ResourceArn": "arn", "TagKeys": "k"}, "Unexpected field type"),
    ("UpdateTimeToLive", {"TableName": MISSING,
                          "TimeToLiveSpecification": {"Enabled": 1, "AttributeName": "t"}},
     "NUMBER_VALUE cannot be converted to Boolean"),
    ("UpdateContinuousBackups",
     {"TableName": MISSING, "PointInTimeRecoverySpecification": {"RecoveryPeriodInDays": "7"}},
     "STRING_VALUE cannot be converted to Integer"),
    ("ListTables", {"Limit": "1"}, "STRING_VALUE cannot be converted to Integer"),
    ("ListBackups", {"TimeRangeLowerBound": "2020-01-01T00:00:00Z"},
     "STRING_VALUE cannot be converted to Date"),
])
def test_nested_members(emulator, op, body, message):
    serialization(emulator, op, body, message)


@pytest.mark.parametrize("op,body,message", [
    ("GetRecords", {"ShardIterator": 5}, "NUMBER_VALUE cannot be converted to String"),
    ("DescribeStream", {"StreamArn": "arn", "ShardFilter": {"Type": True}},
     "TRUE_VALUE cannot be converted to String"),
    ("ListStreams", {"Limit": "x"}, "STRING_VALUE cannot be converted to Integer"),
    ("GetShardIterator", {"StreamArn": "arn", "ShardId": [], "ShardIteratorType": "LATEST"},
     "UnknownError"),
])
def test_stream_operations(emulator, op, body, message):
    serialization(emulator, op, body, message, streams=True)


# --------------------------------------------------------------------------
# which member, and before what
# --------------------------------------------------------------------------

def test_the_first_bad_member_in_body_order_wins(emulator):
    serialization(emulator, "Scan", '{"TableName":"t;","Limit":"5","IndexName":5}',
                  "STRING_VALUE cannot be converted to Integer")
    serialization(emulator, "Scan", '{"TableName":"t;","IndexName":5,"Limit":"5"}',
                  "NUMBER_VALUE cannot be converted to String")
    # Depth first: a bad member inside an earlier structure beats a later top-level one.
    serialization(emulator, "PutItem",
                  '{"Item":{"a":{"M":{"b":{"BOOL":3}}}},"TableName":7}',
                  "NUMBER_VALUE cannot be converted to Boolean")


def test_serialization_comes_before_every_other_fault(emulator):
    # A missing TableName, an invalid Select, a broken expression and a table that does not
    # exist: the member of the wrong kind is what DynamoDB reports.
    serialization(emulator, "Query", {"Select": "NOPE", "KeyConditionExpression": "((",
                                      "ScanIndexForward": "sideways"},
                  "Unexpected token received from parser")
    serialization(emulator, "PutItem", {"TableName": "x", "Item": {"id": {"S": ""}},
                                        "ReturnValues": 1},
                  "NUMBER_VALUE cannot be converted to String")


def test_nulls_and_unknown_members_are_left_alone(emulator, table):
    status, doc = send(emulator, "Scan", {"TableName": table, "IndexName": None, "Limit": None,
                                          "Unknown": 5, "Select": None})
    assert status == 200, doc
    assert doc["Count"] >= 1
    status, doc = send(emulator, "PutItem",
                       {"TableName": table,
                        "Item": {"id": {"S": "n"}, "x": {"S": "v", "Unknown": 5, "N": None}}})
    assert status == 200, doc
    # An unknown operation is not read against any shape.
    status, doc = send(emulator, "NoSuchOperation", {"TableName": 5})
    assert status == 400
    assert doc["__type"].endswith("#UnknownOperationException"), doc


def test_boto3_sees_the_exception(emulator):
    client = emulator.client(validate=False)
    with pytest.raises(client.exceptions.ClientError) as ei:
        client.scan(TableName=MISSING, Limit="five")
    err = ei.value.response["Error"]
    assert err["Code"] == "SerializationException"
    assert err["Message"] == "STRING_VALUE cannot be converted to Integer"
