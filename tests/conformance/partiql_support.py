"""What the PartiQL suites share: DynamoDB's answers they compare with, statements run and
paged, expected errors, raw calls and tables."""

import json

import support

CCF = "ConditionalCheckFailed"
CCF_MESSAGE = "The conditional request failed"
DUPLICATE_ITEM_MESSAGE = "Duplicate primary key exists in table"
NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "


def uid(prefix="k"):
    return support.unique_name(prefix)


def expect_error(fn, code, message=None, **kwargs):
    resp = support.expect_error(fn, code, None, **kwargs)
    if message is not None:
        assert resp["Error"]["Message"] == message
    return resp


def run(ddb, statement, *params, **kwargs):
    if params:
        kwargs["Parameters"] = list(params)
    return ddb.execute_statement(Statement=statement, **kwargs)


def all_pages(ddb, statement, *params, **kwargs):
    items, token, pages = [], None, 0
    while True:
        extra = dict(kwargs)
        if token:
            extra["NextToken"] = token
        resp = run(ddb, statement, *params, **extra)
        items += resp["Items"]
        pages += 1
        token = resp.get("NextToken")
        if not token:
            return items, pages
        assert pages < 100


def expect(ddb, code, message, statement, *params, **kwargs):
    if params:
        kwargs["Parameters"] = list(params)
    return support.expect_error(ddb.execute_statement, code, message, Statement=statement, **kwargs)


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def st(statement, *params, **extra):
    """One statement of a list: {"Statement", "Parameters"?, extra members}."""
    s = {"Statement": statement}
    if params:
        s["Parameters"] = list(params)
    s.update(extra)
    return s


def raw_call(emulator, op, payload):
    """One signed request outside botocore (whose model may lack newer members, such as a
    statement's ReturnValuesOnConditionCheckFailure); returns (status, decoded body)."""
    status, _, data = support.raw_request(emulator.endpoint, "DynamoDB_20120810." + op,
                                          json.dumps(payload).encode())
    return status, json.loads(data or b"{}")


def make_table(ddb, prefix, hash_key, range_key=None):
    name = support.unique_name(prefix)
    support.create_table(ddb, name, hash_key=hash_key, range_key=range_key)
    return name


def table_with_index(ddb, prefix):
    """A table keyed by pk with a global index byg on g (all attributes projected)."""
    name = support.unique_name(prefix)
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    return name


def index_members(ddb, name, g):
    """The sorted pk of the items whose g is g, read through the index byg."""
    return sorted(i["pk"]["S"] for i in ddb.query(
        TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": g}})["Items"])
