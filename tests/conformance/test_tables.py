"""CreateTable, DescribeTable, ListTables and DeleteTable."""

import random
import re
import time

import pytest

import support
from support import create_table, expect_error

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def arn(name, region=support.REGION):
    return f"arn:aws:dynamodb:{region}:{support.ACCOUNT}:table/{name}"


def check_common(desc, name, schema, attrs, region=support.REGION):
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == schema
    assert sorted(desc["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == \
        sorted(attrs, key=lambda a: a["AttributeName"])
    assert desc["TableArn"] == arn(name, region)
    assert UUID_RE.match(desc["TableId"]), desc["TableId"]
    assert abs(desc["CreationDateTime"].timestamp() - time.time()) < 300
    assert desc["ItemCount"] == 0
    assert desc["TableSizeBytes"] == 0


# --------------------------------------------------------------------------
# create / describe
# --------------------------------------------------------------------------

@pytest.mark.parametrize("key_type", ["S", "N", "B"])
def test_create_hash_only_on_demand(ddb, table_name, key_type):
    name = table_name()
    resp = create_table(ddb, name, hash_key=("pk", key_type))
    td = resp["TableDescription"]
    assert td["TableName"] == name
    assert td["TableStatus"] == "CREATING"  # as DynamoDB answers; ACTIVE on the next describe
    assert td["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert td["TableArn"] == arn(name)

    desc = ddb.describe_table(TableName=name)["Table"]
    check_common(desc, name, [{"AttributeName": "pk", "KeyType": "HASH"}],
                 [{"AttributeName": "pk", "AttributeType": key_type}])
    assert desc["TableId"] == td["TableId"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    pt = desc["ProvisionedThroughput"]
    assert pt["ReadCapacityUnits"] == 0
    assert pt["WriteCapacityUnits"] == 0
    assert pt["NumberOfDecreasesToday"] == 0


@pytest.mark.parametrize("hash_type,range_type", [("S", "S"), ("S", "N"), ("N", "B"), ("B", "S")])
def test_create_hash_range_provisioned(ddb, table_name, hash_type, range_type):
    name = table_name()
    create_table(ddb, name, hash_key=("h", hash_type), range_key=("r", range_type),
                 billing="PROVISIONED", rcu=5, wcu=7)
    desc = ddb.describe_table(TableName=name)["Table"]
    check_common(desc, name,
                 [{"AttributeName": "h", "KeyType": "HASH"},
                  {"AttributeName": "r", "KeyType": "RANGE"}],
                 [{"AttributeName": "h", "AttributeType": hash_type},
                  {"AttributeName": "r", "AttributeType": range_type}])
    pt = desc["ProvisionedThroughput"]
    assert pt["ReadCapacityUnits"] == 5
    assert pt["WriteCapacityUnits"] == 7
    assert pt["NumberOfDecreasesToday"] == 0
    if "BillingModeSummary" in desc:
        assert desc["BillingModeSummary"]["BillingMode"] == "PROVISIONED"


def test_create_answers_creating_and_describe_then_says_active(ddb, table_name):
    name = table_name()
    resp = ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "byG",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    td = resp["TableDescription"]
    assert td["TableStatus"] == "CREATING"
    assert [i["IndexStatus"] for i in td["GlobalSecondaryIndexes"]] == ["CREATING"]
    assert "Backfilling" not in td["GlobalSecondaryIndexes"][0]
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert [i["IndexStatus"] for i in desc["GlobalSecondaryIndexes"]] == ["ACTIVE"]


def test_create_provisioned_without_billing_mode(ddb, table_name):
    # BillingMode omitted: PROVISIONED is the default.
    name = table_name()
    create_table(ddb, name, billing=None, rcu=3, wcu=4)
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    if "BillingModeSummary" in desc:
        assert desc["BillingModeSummary"]["BillingMode"] == "PROVISIONED"


def test_describe_is_stable_and_ids_differ(ddb, table_name):
    a, b = table_name(), table_name()
    create_table(ddb, a)
    create_table(ddb, b)
    da1 = ddb.describe_table(TableName=a)["Table"]
    da2 = ddb.describe_table(TableName=a)["Table"]
    db_ = ddb.describe_table(TableName=b)["Table"]
    assert da1["TableId"] == da2["TableId"]
    assert da1["CreationDateTime"] == da2["CreationDateTime"]
    assert da1["TableId"] != db_["TableId"]


@pytest.mark.parametrize("name", [
    "abc",
    "A.b-c_9",
    "0123456789",
    "x" * 255,
])
def test_valid_table_name_edges(emulator, name):
    client = emulator.client(access_key=support.unique_key())
    create_table(client, name)
    assert client.describe_table(TableName=name)["Table"]["TableName"] == name
    assert name in client.list_tables()["TableNames"]


def test_create_twice_is_resource_in_use(ddb, table_name):
    name = table_name()
    create_table(ddb, name)
    expect_error(create_table, "ResourceInUseException", f"Table already exists: {name}",
                 client=ddb, name=name)
    # A different key schema makes no difference: the name is taken.
    expect_error(create_table, "ResourceInUseException", f"Table already exists: {name}",
                 client=ddb, name=name, hash_key=("other", "N"))


def test_describe_missing_table(ddb, table_name):
    name = table_name()
    expect_error(ddb.describe_table, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found", TableName=name)


def test_delete_missing_table(ddb, table_name):
    name = table_name()
    expect_error(ddb.delete_table, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found", TableName=name)


# --------------------------------------------------------------------------
# delete
# --------------------------------------------------------------------------

def test_delete_then_describe_is_not_found(ddb, table_name):
    name = table_name()
    created = create_table(ddb, name)["TableDescription"]
    resp = ddb.delete_table(TableName=name)
    td = resp["TableDescription"]
    assert td["TableName"] == name
    assert td["TableArn"] == arn(name)
    assert td["TableId"] == created["TableId"]
    expect_error(ddb.describe_table, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found", TableName=name)
    assert name not in ddb.list_tables()["TableNames"]
    expect_error(ddb.delete_table, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found", TableName=name)


def test_recreate_after_delete_starts_empty(ddb, table_name):
    name = table_name()
    first = create_table(ddb, name)["TableDescription"]["TableId"]
    ddb.put_item(TableName=name, Item={"id": {"S": "k"}, "v": {"S": "old"}})
    ddb.delete_table(TableName=name)
    create_table(ddb, name, hash_key=("id", "S"))
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["TableId"] != first
    assert desc["ItemCount"] == 0
    assert desc["TableSizeBytes"] == 0
    assert "Item" not in ddb.get_item(TableName=name, Key={"id": {"S": "k"}})


def test_item_ops_on_deleted_table(ddb, table_name):
    name = table_name()
    create_table(ddb, name)
    ddb.delete_table(TableName=name)
    expect_error(ddb.put_item, "ResourceNotFoundException", "Requested resource not found",
                 TableName=name, Item={"id": {"S": "a"}})
    expect_error(ddb.get_item, "ResourceNotFoundException", "Requested resource not found",
                 TableName=name, Key={"id": {"S": "a"}})


# --------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------

PAGE_NAMES = ["t-apple", "t-banana", "t-cherry", "t-date", "t-elder"]


@pytest.fixture(scope="module")
def listing_client(emulator):
    client = emulator.client(access_key=support.unique_key("AKIDLIST"))
    order = PAGE_NAMES[:]
    random.Random(7).shuffle(order)
    for name in order:
        create_table(client, name)
    return client


def test_list_tables_sorted(listing_client):
    resp = listing_client.list_tables()
    assert resp["TableNames"] == PAGE_NAMES
    assert "LastEvaluatedTableName" not in resp


def test_list_tables_paging_with_limit(listing_client):
    r1 = listing_client.list_tables(Limit=2)
    assert r1["TableNames"] == ["t-apple", "t-banana"]
    assert r1["LastEvaluatedTableName"] == "t-banana"
    r2 = listing_client.list_tables(Limit=2, ExclusiveStartTableName=r1["LastEvaluatedTableName"])
    assert r2["TableNames"] == ["t-cherry", "t-date"]
    assert r2["LastEvaluatedTableName"] == "t-date"
    r3 = listing_client.list_tables(Limit=2, ExclusiveStartTableName=r2["LastEvaluatedTableName"])
    assert r3["TableNames"] == ["t-elder"]
    assert "LastEvaluatedTableName" not in r3


def test_list_tables_exclusive_start_without_limit(listing_client):
    resp = listing_client.list_tables(ExclusiveStartTableName="t-cherry")
    assert resp["TableNames"] == ["t-date", "t-elder"]
    assert "LastEvaluatedTableName" not in resp


def test_list_tables_exclusive_start_not_a_table(listing_client):
    # The start name need not exist: listing resumes after it in name order.
    resp = listing_client.list_tables(ExclusiveStartTableName="t-c", Limit=2)
    assert resp["TableNames"] == ["t-cherry", "t-date"]
    resp = listing_client.list_tables(ExclusiveStartTableName="t-elder")
    assert resp["TableNames"] == []
    assert "LastEvaluatedTableName" not in resp


def test_list_tables_limit_one_walk(listing_client):
    seen, start = [], None
    for _ in range(10):
        kwargs = {"Limit": 1}
        if start:
            kwargs["ExclusiveStartTableName"] = start
        resp = listing_client.list_tables(**kwargs)
        seen += resp["TableNames"]
        start = resp.get("LastEvaluatedTableName")
        if not start:
            break
    assert seen == PAGE_NAMES


def test_list_tables_paginator(listing_client):
    pages = listing_client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
    names = [n for page in pages for n in page["TableNames"]]
    assert names == PAGE_NAMES


def test_list_tables_empty_namespace(emulator):
    client = emulator.client(access_key=support.unique_key())
    resp = client.list_tables()
    assert resp["TableNames"] == []
    assert "LastEvaluatedTableName" not in resp


@pytest.mark.parametrize("limit,message", [
    (0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"),
    (101, "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
          "Member must have value less than or equal to 100"),
])
def test_list_tables_limit_bounds(ddb_raw, limit, message):
    expect_error(ddb_raw.list_tables, "ValidationException", message, Limit=limit)


def test_list_tables_limit_100_accepted(listing_client):
    assert listing_client.list_tables(Limit=100)["TableNames"] == PAGE_NAMES


# --------------------------------------------------------------------------
# CreateTable validation
# --------------------------------------------------------------------------

def _ct(client, name="valid-name", attrs=None, schema=None, billing="PAY_PER_REQUEST",
        throughput=None):
    kwargs = {
        "TableName": name,
        "AttributeDefinitions": attrs if attrs is not None else [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": schema if schema is not None else [{"AttributeName": "id", "KeyType": "HASH"}],
    }
    if billing:
        kwargs["BillingMode"] = billing
    if throughput is not None:
        kwargs["ProvisionedThroughput"] = throughput
    return client.create_table(**kwargs)


def _a(name, t="S"):
    return {"AttributeName": name, "AttributeType": t}


def _k(name, t="HASH"):
    return {"AttributeName": name, "KeyType": t}


LONG = "n" * 256

CREATE_ERRORS = [
    ("short_name", dict(name="ab"),
     "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
     "Member must have length greater than or equal to 3"),
    ("long_name", dict(name=LONG),
     f"1 validation error detected: Value '{LONG}' at 'tableName' failed to satisfy constraint: "
     "Member must have length less than or equal to 255"),
    ("bad_chars", dict(name="bad name!"),
     "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("short_and_bad_chars", dict(name="a;"),
     "2 validation errors detected: "
     "Value 'a;' at 'tableName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
     "Value 'a;' at 'tableName' failed to satisfy constraint: "
     "Member must have length greater than or equal to 3"),
    ("first_not_hash", dict(attrs=[_a("a"), _a("b")], schema=[_k("a", "RANGE"), _k("b", "HASH")]),
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ("key_not_defined", dict(attrs=[_a("b")], schema=[_k("a")]),
     "One or more parameter values were invalid: Some index key attributes are not defined in "
     "AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"),
    ("extra_attribute_definition", dict(attrs=[_a("id"), _a("extra")], schema=[_k("id")]),
     "One or more parameter values were invalid: Number of attributes in KeySchema does not "
     "exactly match number of attributes defined in AttributeDefinitions"),
    ("extra_attribute_definition_hash_range",
     dict(attrs=[_a("a"), _a("c"), _a("b")], schema=[_k("a"), _k("b", "RANGE")]),
     "One or more parameter values were invalid: Number of attributes in KeySchema does not "
     "exactly match number of attributes defined in AttributeDefinitions"),
    ("provisioned_without_throughput", dict(billing="PROVISIONED"),
     "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
     "both be specified when BillingMode is PROVISIONED"),
    ("default_billing_without_throughput", dict(billing=None),
     "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
     "both be specified when BillingMode is PROVISIONED"),
    ("on_demand_with_throughput",
     dict(throughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
     "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
     "can be specified when BillingMode is PAY_PER_REQUEST"),
    ("hash_and_range_same_name", dict(attrs=[_a("a"), _a("b")], schema=[_k("a"), _k("a", "RANGE")]),
     "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
]


@pytest.mark.parametrize("kwargs,message", [c[1:] for c in CREATE_ERRORS],
                         ids=[c[0] for c in CREATE_ERRORS])
def test_create_table_validation(ddb_raw, table_name, kwargs, message):
    kwargs = dict(kwargs)
    kwargs.setdefault("name", table_name("v"))
    expect_error(_ct, "ValidationException", message, client=ddb_raw, **kwargs)
    # Nothing was created.
    if 3 <= len(kwargs["name"]) <= 255 and re.fullmatch(r"[a-zA-Z0-9_.-]+", kwargs["name"]):
        expect_error(ddb_raw.describe_table, "ResourceNotFoundException", TableName=kwargs["name"])


# --------------------------------------------------------------------------
# namespacing
# --------------------------------------------------------------------------

def test_access_keys_do_not_see_each_others_tables(emulator):
    a = emulator.client(access_key=support.unique_key("AKIDA"))
    b = emulator.client(access_key=support.unique_key("AKIDB"))
    create_table(a, "ns-table")
    a.put_item(TableName="ns-table", Item={"id": {"S": "k"}, "owner": {"S": "a"}})

    assert a.list_tables()["TableNames"] == ["ns-table"]
    assert b.list_tables()["TableNames"] == []
    expect_error(b.describe_table, "ResourceNotFoundException",
                 "Requested resource not found: Table: ns-table not found", TableName="ns-table")
    expect_error(b.get_item, "ResourceNotFoundException", "Requested resource not found",
                 TableName="ns-table", Key={"id": {"S": "k"}})

    # b can make its own table of the same name; the two stay apart.
    create_table(b, "ns-table")
    assert "Item" not in b.get_item(TableName="ns-table", Key={"id": {"S": "k"}})
    b.put_item(TableName="ns-table", Item={"id": {"S": "k"}, "owner": {"S": "b"}})
    assert a.get_item(TableName="ns-table", Key={"id": {"S": "k"}})["Item"]["owner"] == {"S": "a"}
    assert b.get_item(TableName="ns-table", Key={"id": {"S": "k"}})["Item"]["owner"] == {"S": "b"}
    b.delete_table(TableName="ns-table")
    assert a.describe_table(TableName="ns-table")["Table"]["TableStatus"] == "ACTIVE"


def test_regions_are_separate_namespaces(emulator):
    key = support.unique_key("AKIDR")
    east = emulator.client(access_key=key, region="us-east-1")
    west = emulator.client(access_key=key, region="eu-west-1")
    create_table(west, "region-table")
    desc = west.describe_table(TableName="region-table")["Table"]
    assert desc["TableArn"] == arn("region-table", "eu-west-1")
    assert east.list_tables()["TableNames"] == []
    expect_error(east.describe_table, "ResourceNotFoundException", TableName="region-table")


def test_shared_db_shares_tables_across_keys_and_regions(emulator_factory):
    emu = emulator_factory(shared_db=True)
    a = emu.client(access_key="AKIDSHAREDA", region="us-east-1")
    b = emu.client(access_key="AKIDSHAREDB", region="eu-west-1")
    create_table(a, "shared-table")
    a.put_item(TableName="shared-table", Item={"id": {"S": "k"}, "v": {"N": "1"}})
    assert b.list_tables()["TableNames"] == ["shared-table"]
    assert b.get_item(TableName="shared-table", Key={"id": {"S": "k"}})["Item"]["v"] == {"N": "1"}
    expect_error(create_table, "ResourceInUseException", "Table already exists: shared-table",
                 client=b, name="shared-table")
    b.delete_table(TableName="shared-table")
    assert a.list_tables()["TableNames"] == []


def test_list_tables_default_page_is_100(emulator):
    client = emulator.client(access_key=support.unique_key("AKIDMANY"))
    names = [f"many-{i:03d}" for i in range(103)]
    for name in names:
        create_table(client, name)
    first = client.list_tables()
    assert first["TableNames"] == names[:100]
    assert first["LastEvaluatedTableName"] == names[99]
    rest = client.list_tables(ExclusiveStartTableName=first["LastEvaluatedTableName"])
    assert rest["TableNames"] == names[100:]
    assert "LastEvaluatedTableName" not in rest


def test_deleted_table_data_is_collected_in_the_background(emulator_factory):
    """A table deleted with its items and index entries (cleared by the background rounds)
    and created again under the same name starts empty, index included."""
    emu = emulator_factory()
    c = emu.client()
    spec = dict(
        TableName="big-table",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    c.create_table(**spec)
    for base in range(0, 5000, 25):
        c.batch_write_item(RequestItems={"big-table": [
            {"PutRequest": {"Item": {"id": {"S": f"i{i}"}, "g": {"S": f"g{i % 7}"}}}}
            for i in range(base, base + 25)]})
    c.delete_table(TableName="big-table")
    c.create_table(**spec)
    assert c.scan(TableName="big-table", Select="COUNT")["Count"] == 0
    assert c.query(TableName="big-table", IndexName="by-g", KeyConditionExpression="g = :g",
                   ExpressionAttributeValues={":g": {"S": "g1"}}, Select="COUNT")["Count"] == 0
    desc = c.describe_table(TableName="big-table")["Table"]
    assert desc["ItemCount"] == 0 and desc["GlobalSecondaryIndexes"][0]["ItemCount"] == 0


BEYOND = 1_000_000_000_001  # one more than the largest capacity DynamoDB accepts


@pytest.mark.parametrize("where", ["table", "index"])
def test_create_table_capacity_out_of_bounds(ddb, where):
    table_name = support.unique_name()
    throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    big = {"ReadCapacityUnits": BEYOND, "WriteCapacityUnits": 5}
    request = dict(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        ProvisionedThroughput=big if where == "table" else throughput,
        GlobalSecondaryIndexes=[{
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": big if where == "index" else throughput}])
    expect_error(ddb.create_table, "ValidationException",
                 f"Given value {BEYOND} for ReadCapacityUnits is out of bounds", **request)
    expect_error(ddb.describe_table, "ResourceNotFoundException", TableName=table_name)


def test_update_table_capacity_out_of_bounds(ddb):
    table_name = support.unique_name()
    create_table(ddb, table_name, billing="PROVISIONED")
    expect_error(ddb.update_table, "ValidationException",
                 f"Given value {BEYOND} for WriteCapacityUnits is out of bounds",
                 TableName=table_name,
                 ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": BEYOND})
    assert ddb.describe_table(TableName=table_name)["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
