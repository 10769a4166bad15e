"""Fidelity, eighth part: AWS's answers where later records of them differ from ours.

- An ExclusiveStartKey that does not match the schema, worded by operation and by fault as
  DynamoDB words it (dynalite's test/scan.js records Scan's; a Query's start key of the wrong
  type is the bare message): Query "The provided starting key is invalid"; a Scan of an index
  the bare message for a wrong set of attributes or a missing index key and "The provided key
  element does not match the schema" for an index key of the wrong type, then the table's
  keys as in a Scan of the table, "The provided starting key is invalid: The provided key
  element does not match the schema".
- Query's Limit 0 in the newer form, without its value and with the member's own name; Scan's
  still with both (nubo-db/dynamodb-conformance, tests/tier3/error-messages).
- An empty RequestItems: BatchGetItem in the newer form; BatchWriteItem's own message, as
  us-east-1 and most regions answer (paritysuite/dynamodb-conformance's captures of 2026-10).
"""

import pytest

import support
from values import S, N

BARE = "The provided starting key is invalid"
SCHEMA = "The provided key element does not match the schema"
PREFIXED = BARE + ": " + SCHEMA


@pytest.fixture(scope="module")
def indexed(ddb):
    """p/s S, a global index gix on g (S) and a local index lix on (p, c)."""
    name = support.unique_name("f8")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("p", "s", "g", "c")],
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                   {"AttributeName": "s", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "gix",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "lix",
                                "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                              {"AttributeName": "c", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName=name, Item={"p": S("a"), "s": S("1"), "g": S("x"), "c": S("k")})
    return name


@pytest.mark.parametrize("index, start, message", [
    # a wrong set of attributes: too few, too many, another name
    ("gix", {"p": S("a")}, BARE),
    ("gix", {"p": S("a"), "s": S("1"), "g": S("x"), "c": S("k")}, BARE),
    ("gix", {"p": S("a"), "s": S("1"), "z": S("x")}, BARE),
    ("lix", {"p": S("a"), "s": S("1")}, BARE),
    # the index key of the wrong type
    ("gix", {"p": S("a"), "s": S("1"), "g": N(1)}, SCHEMA),
    ("lix", {"p": S("a"), "s": S("1"), "c": N(1)}, SCHEMA),
    ("lix", {"p": N(1), "s": S("1"), "c": S("k")}, SCHEMA),
    # the index key right, a table key wrong or missing
    ("gix", {"p": S("a"), "s": N(1), "g": S("x")}, PREFIXED),
    ("gix", {"p": S("a"), "z": S("1"), "g": S("x")}, PREFIXED),
    # the table
    (None, {"p": S("a")}, PREFIXED),
    (None, {"p": S("a"), "s": N(1)}, PREFIXED),
    (None, {"p": S("a"), "s": S("1"), "z": S("x")}, PREFIXED),
])
def test_scan_start_key_faults(ddb_raw, indexed, index, start, message):
    args = {"TableName": indexed, "ExclusiveStartKey": start}
    if index:
        args["IndexName"] = index
    support.expect_error(ddb_raw.scan, "ValidationException", message, **args)


def test_scan_start_keys_that_match_are_taken(ddb, indexed):
    got = ddb.scan(TableName=indexed, IndexName="gix",
                   ExclusiveStartKey={"p": S("a"), "s": S("1"), "g": S("x")})
    assert got["Items"] == []
    got = ddb.scan(TableName=indexed, ExclusiveStartKey={"p": S("0"), "s": S("0")})
    assert [i["p"] for i in got["Items"]] == [S("a")]


@pytest.mark.parametrize("index, start", [
    (None, {"p": N(1), "s": S("1")}),
    (None, {"p": S("a")}),
    (None, {"p": S("a"), "s": S("1"), "z": S("x")}),
    ("gix", {"p": S("a"), "s": S("1")}),
    ("gix", {"p": S("a"), "s": S("1"), "g": N(1)}),
    ("lix", {"p": S("a"), "s": N(1), "c": S("k")}),
])
def test_query_start_key_faults_are_the_bare_message(ddb_raw, indexed, index, start):
    key = {"gix": "g"}.get(index, "p")
    args = {"TableName": indexed, "KeyConditionExpression": f"{key} = :v",
            "ExpressionAttributeValues": {":v": S("a")}, "ExclusiveStartKey": start}
    if index:
        args["IndexName"] = index
    support.expect_error(ddb_raw.query, "ValidationException", BARE, **args)


def test_limit_zero(ddb_raw, indexed):
    support.expect_error(
        ddb_raw.query, "ValidationException",
        "1 validation error detected: Value at 'Limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        TableName=indexed, KeyConditionExpression="p = :v",
        ExpressionAttributeValues={":v": S("a")}, Limit=0)
    support.expect_error(
        ddb_raw.scan, "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        TableName=indexed, Limit=0)


def test_empty_request_items(ddb_raw):
    support.expect_error(
        ddb_raw.batch_get_item, "ValidationException",
        "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1", RequestItems={})
    support.expect_error(
        ddb_raw.batch_write_item, "ValidationException",
        "The requestItems parameter is required for BatchWriteItem", RequestItems={})


def test_empty_request_items_comes_after_the_constraints(ddb_raw):
    support.expect_error(
        ddb_raw.batch_write_item, "ValidationException",
        "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy "
        "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
        RequestItems={}, ReturnConsumedCapacity="ALL")


ENVELOPE = "1 validation error detected: "


@pytest.mark.parametrize("args, message", [
    ({"ExpressionAttributeValues": {":v": S("x")}},
     "ExpressionAttributeValues can only be specified when using expressions"),
    ({"ExpressionAttributeNames": {"#a": "a"}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    ({"ConditionExpression": ""}, "Invalid ConditionExpression: The expression can not be empty;"),
    ({"Expected": {"a": {"Exists": True}}},
     "One or more parameter values were invalid: Value must be provided when Exists is true "
     "for Attribute: a"),
    ({"Expected": {"a": {"ComparisonOperator": "EQ"}}},
     "One or more parameter values were invalid: Value or AttributeValueList must be used with "
     "ComparisonOperator: EQ for Attribute: a"),
])
def test_put_item_reports_these_inside_the_envelope(ddb_raw, indexed, args, message):
    # us-east-1 and eu-west-2, 2026-10 (paritysuite/dynamodb-conformance, putItem.test.ts).
    support.expect_error(ddb_raw.put_item, "ValidationException", ENVELOPE + message,
                         TableName=indexed, Item={"p": S("e"), "s": S("1")}, **args)


def test_other_operations_report_them_bare(ddb_raw, indexed):
    support.expect_error(
        ddb_raw.delete_item, "ValidationException",
        "ExpressionAttributeNames can only be specified when using expressions",
        TableName=indexed, Key={"p": S("e"), "s": S("1")}, ExpressionAttributeNames={"#a": "a"})
    support.expect_error(
        ddb_raw.update_item, "ValidationException",
        "Invalid ConditionExpression: The expression can not be empty;",
        TableName=indexed, Key={"p": S("e"), "s": S("1")}, ConditionExpression="")


# -- a table's ARN in TableName ------------------------------------------------------------
# "You can also provide the Amazon Resource Name (ARN) of the table in this parameter"
# (the API reference's TableName, 1-1024 characters, of every data-plane operation).


def arn_of(ddb, name):
    return ddb.describe_table(TableName=name)["Table"]["TableArn"]


def test_data_plane_operations_take_the_table_arn(ddb, indexed):
    arn = arn_of(ddb, indexed)
    key = {"p": S("arn"), "s": S("1")}
    ddb.put_item(TableName=arn, Item=dict(key, v=N(1)))
    ddb.update_item(TableName=arn, Key=key, UpdateExpression="SET v = v + :one",
                    ExpressionAttributeValues={":one": N(1)})
    assert ddb.get_item(TableName=arn, Key=key, ConsistentRead=True)["Item"]["v"] == N(2)
    got = ddb.query(TableName=arn, KeyConditionExpression="p = :p",
                    ExpressionAttributeValues={":p": S("arn")})
    assert got["Count"] == 1
    assert ddb.scan(TableName=arn, IndexName="gix")["Count"] >= 1
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == indexed
    ddb.transact_write_items(TransactItems=[{"Update": {
        "TableName": arn, "Key": key, "UpdateExpression": "SET w = :w",
        "ExpressionAttributeValues": {":w": S("t")}}}])
    got = ddb.batch_get_item(RequestItems={arn: {"Keys": [key], "ConsistentRead": True}})
    [(_, items)] = got["Responses"].items()
    assert items == [dict(key, v=N(2), w=S("t"))]
    ddb.delete_item(TableName=arn, Key=key)
    assert "Item" not in ddb.get_item(TableName=indexed, Key=key, ConsistentRead=True)


def test_another_accounts_table_is_access_denied(ddb_raw, indexed):
    arn = arn_of(ddb_raw, indexed).replace(":000000000000:", ":111111111111:")
    resp = support.expect_error(
        ddb_raw.get_item, "AccessDeniedException",
        "User: arn:aws:iam::000000000000:root is not authorized to perform: dynamodb:GetItem on "
        f"resource: {arn} because no resource-based policy allows the dynamodb:GetItem action",
        TableName=arn, Key={"p": S("a"), "s": S("1")})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_table_arn_of_another_region_or_a_stream_is_refused(ddb_raw, indexed):
    arn = arn_of(ddb_raw, indexed)
    for bad in (arn.replace(":us-east-1:", ":eu-west-1:"), arn + "/stream/2026-01-01T00:00:00.000"):
        support.expect_error(
            ddb_raw.get_item, "ValidationException",
            "Invalid TableArn: Invalid ResourceArn provided as input " + bad,
            TableName=bad, Key={"p": S("a"), "s": S("1")})


def test_an_unknown_table_arn_is_not_found(ddb_raw):
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/no-such-f8"
    support.expect_error(ddb_raw.get_item, "ResourceNotFoundException",
                         "Requested resource not found", TableName=arn, Key={"p": S("a")})
    support.expect_error(ddb_raw.describe_table, "ResourceNotFoundException",
                         f"Requested resource not found: Table: {arn} not found", TableName=arn)


def test_a_name_still_follows_the_name_rules(ddb_raw):
    support.expect_error(
        ddb_raw.get_item, "ValidationException",
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3", TableName="ab", Key={"p": S("a")})
