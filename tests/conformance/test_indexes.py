"""Global and local secondary indexes: declaration and its validation in
CreateTable, DescribeTable's index descriptions, index maintenance on every
kind of write (including moving, removing and mistyping an index key),
projections (ALL, KEYS_ONLY, INCLUDE), sparse indexes, and UpdateTable
adding a GSI to a table with data (backfill) and deleting one.

Messages are DynamoDB's. Where a message is confirmed from DynamoDB's own
answers it is compared exactly; where only its beginning is certain the case
says "prefix".
"""

import threading
import time

import pytest

import support
from values import S, N
from support import canon, expect_error

INVALID = "One or more parameter values were invalid: "
EXACT, PREFIX, ANY = "exact", "prefix", "any"
WAIT = 30.0  # bound on waiting for an index to become ACTIVE or go away


def arn(name):
    return f"arn:aws:dynamodb:{support.REGION}:{support.ACCOUNT}:table/{name}"


def key_schema(hash_name, range_name=None):
    ks = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name:
        ks.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return ks


def index_spec(name, hash_name, range_name=None, projection="ALL", non_key=None, throughput=None):
    proj = {"ProjectionType": projection}
    if non_key is not None:
        proj["NonKeyAttributes"] = list(non_key)
    spec = {"IndexName": name, "KeySchema": key_schema(hash_name, range_name), "Projection": proj}
    if throughput:
        spec["ProvisionedThroughput"] = {"ReadCapacityUnits": throughput[0],
                                         "WriteCapacityUnits": throughput[1]}
    return spec


def defs(**types):
    return [{"AttributeName": a, "AttributeType": t} for a, t in types.items()]


def uid(prefix="k"):
    return support.unique_name(prefix)


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def walk(fn, **kwargs):
    out, start = [], None
    for _ in range(10000):
        args = dict(kwargs)
        if start:
            args["ExclusiveStartKey"] = start
        resp = fn(**args)
        out.extend(resp["Items"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            return out
    raise AssertionError("too many pages")


def describe_indexes(ddb, table):
    desc = ddb.describe_table(TableName=table)["Table"]
    gsis = {g["IndexName"]: g for g in desc.get("GlobalSecondaryIndexes", [])}
    lsis = {ix["IndexName"]: ix for ix in desc.get("LocalSecondaryIndexes", [])}
    return desc, gsis, lsis


def wait_for_index(ddb, table, name, timeout=WAIT):
    """Poll DescribeTable until the GSI is ACTIVE; returns the statuses seen
    (IndexStatus, Backfilling) on the way and the final description."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, gsis, _ = describe_indexes(ddb, table)
        assert name in gsis, f"index {name} vanished while being created"
        g = gsis[name]
        seen.append((g["IndexStatus"], g.get("Backfilling")))
        if g["IndexStatus"] == "ACTIVE":
            return seen, g
        assert g["IndexStatus"] == "CREATING", g
        time.sleep(0.05)
    pytest.fail(f"index {name} not ACTIVE within {timeout} s; statuses seen: {seen[-5:]}")


def wait_for_index_gone(ddb, table, name, timeout=WAIT):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, gsis, _ = describe_indexes(ddb, table)
        if name not in gsis:
            return seen
        seen.append(gsis[name]["IndexStatus"])
        assert gsis[name]["IndexStatus"] == "DELETING", gsis[name]
        time.sleep(0.05)
    pytest.fail(f"index {name} still listed after {timeout} s; statuses seen: {seen[-5:]}")


def check(resp, message, mode):
    got = resp["Error"]["Message"]
    if mode == EXACT:
        assert got == message
    elif mode == PREFIX:
        assert got.startswith(message), got


# --------------------------------------------------------------------------
# CreateTable validation
# --------------------------------------------------------------------------

def base_request(**over):
    req = dict(AttributeDefinitions=defs(p="S", k="N", x="S", y="N"), KeySchema=key_schema("p", "k"),
               BillingMode="PAY_PER_REQUEST")
    req.update(over)
    return req


def case(cid, req, message, mode=EXACT, codes=("ValidationException",)):
    return pytest.param(req, message, mode, codes, id=cid)


CREATE_ERRORS = [
    case("gsi_key_not_defined",
         base_request(AttributeDefinitions=defs(p="S", k="N"),
                      GlobalSecondaryIndexes=[index_spec("gxi", "x")]),
         INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [x], "
         "AttributeDefinitions: [", PREFIX),
    case("lsi_key_not_defined",
         base_request(AttributeDefinitions=defs(p="S", k="N"),
                      LocalSecondaryIndexes=[index_spec("lxi", "p", "x")]),
         INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [p, x], "
         "AttributeDefinitions: [", PREFIX),
    case("unused_definition",
         base_request(GlobalSecondaryIndexes=[index_spec("gxi", "x")]),
         INVALID + "Some AttributeDefinitions are not used", PREFIX),
    case("lsi_on_hash_only_table",
         base_request(AttributeDefinitions=defs(p="S", x="S"), KeySchema=key_schema("p"),
                      LocalSecondaryIndexes=[index_spec("lxi", "p", "x")]),
         INVALID + "Table KeySchema does not have a range key, which is required when specifying a "
         "LocalSecondaryIndex"),
    case("lsi_other_hash_key",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      LocalSecondaryIndexes=[index_spec("lxi", "x", "k")]),
         INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema for "
         "index: lxi. index hash key: x, table hash key: p"),
    case("lsi_without_range_key",
         base_request(AttributeDefinitions=defs(p="S", k="N"),
                      LocalSecondaryIndexes=[index_spec("lxi", "p")]),
         INVALID + "Index KeySchema does not have a range key for index: lxi"),
    case("duplicate_gsi_name",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S", y="N"),
                      GlobalSecondaryIndexes=[index_spec("dup", "x"), index_spec("dup", "y")]),
         INVALID + "Duplicate index name: dup"),
    case("gsi_and_lsi_same_name",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S", y="N"),
                      GlobalSecondaryIndexes=[index_spec("dup", "y")],
                      LocalSecondaryIndexes=[index_spec("dup", "p", "x")]),
         INVALID + "Duplicate index name: dup"),
    case("non_key_attributes_with_all",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      GlobalSecondaryIndexes=[index_spec("gxi", "x", projection="ALL", non_key=["a"])]),
         INVALID + "ProjectionType is ALL, but NonKeyAttributes is specified"),
    case("non_key_attributes_with_keys_only",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      LocalSecondaryIndexes=[index_spec("lxi", "p", "x", projection="KEYS_ONLY",
                                                        non_key=["a"])]),
         INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),
    case("projection_type_missing",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      GlobalSecondaryIndexes=[{"IndexName": "gxi", "KeySchema": key_schema("x"),
                                               "Projection": {}}]),
         INVALID + "Unknown ProjectionType: null"),
    case("empty_gsi_list",
         base_request(AttributeDefinitions=defs(p="S", k="N"), GlobalSecondaryIndexes=[]),
         INVALID + "List of GlobalSecondaryIndexes is empty"),
    case("empty_lsi_list",
         base_request(AttributeDefinitions=defs(p="S", k="N"), LocalSecondaryIndexes=[]),
         INVALID + "List of LocalSecondaryIndexes is empty"),
    case("gsi_first_key_not_hash",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      GlobalSecondaryIndexes=[{"IndexName": "gxi", "Projection": {"ProjectionType": "ALL"},
                                               "KeySchema": [{"AttributeName": "x", "KeyType": "RANGE"}]}]),
         "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    case("gsi_second_key_not_range",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S", y="N"),
                      GlobalSecondaryIndexes=[{"IndexName": "gxi", "Projection": {"ProjectionType": "ALL"},
                                               "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"},
                                                             {"AttributeName": "y", "KeyType": "HASH"}]}]),
         "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"),
    case("gsi_hash_and_range_same",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      GlobalSecondaryIndexes=[index_spec("gxi", "x", "x")]),
         "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
    case("provisioned_gsi_without_throughput",
         dict(base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                           GlobalSecondaryIndexes=[index_spec("gxi", "x")]),
              BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                                "WriteCapacityUnits": 1}),
         INVALID + "ProvisionedThroughput must be specified for index: gxi", PREFIX),
    case("on_demand_gsi_with_throughput",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      GlobalSecondaryIndexes=[index_spec("gxi", "x", throughput=(1, 1))]),
         INVALID + "ProvisionedThroughput should not be specified for index: gxi", PREFIX),
    case("too_many_lsis",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      LocalSecondaryIndexes=[index_spec(f"l{i}x", "p", "x") for i in range(6)]),
         "", ANY),
    case("too_many_gsis",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      GlobalSecondaryIndexes=[index_spec(f"g{i:02d}", "x") for i in range(21)]),
         "", ANY, codes=("ValidationException", "LimitExceededException")),
    case("index_name_too_short",
         base_request(AttributeDefinitions=defs(p="S", k="N", x="S"),
                      GlobalSecondaryIndexes=[index_spec("gx", "x")]),
         "1 validation error detected: Value 'gx' at 'globalSecondaryIndexes.1.member.indexName' "
         "failed to satisfy constraint: Member must have length greater than or equal to 3", PREFIX),
]


@pytest.mark.parametrize("req,message,mode,codes", CREATE_ERRORS)
def test_create_table_index_validation(ddb_raw, req, message, mode, codes):
    name = uid("ixbad")
    with pytest.raises(support.ClientError) as ei:
        ddb_raw.create_table(TableName=name, **req)
    resp = ei.value.response
    assert resp["Error"]["Code"] in codes, resp["Error"]
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    check(resp, message, mode)
    expect_error(ddb_raw.describe_table, "ResourceNotFoundException", TableName=name)


def test_create_table_five_lsis_and_twenty_gsis(ddb):
    name = uid("ixmany")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=key_schema("p", "k"),
        AttributeDefinitions=defs(p="S", k="N", x="S"),
        LocalSecondaryIndexes=[index_spec(f"lsi{i}", "p", "x") for i in range(5)],
        GlobalSecondaryIndexes=[index_spec(f"gsi{i:02d}", "x") for i in range(20)])
    _, gsis, lsis = describe_indexes(ddb, name)
    assert len(gsis) == 20 and len(lsis) == 5


# --------------------------------------------------------------------------
# DescribeTable
# --------------------------------------------------------------------------

def full_table(ddb, name, billing="PAY_PER_REQUEST"):
    throughput = (3, 4) if billing == "PROVISIONED" else None
    kwargs = dict(
        TableName=name, KeySchema=key_schema("p", "k"),
        AttributeDefinitions=defs(p="S", k="N", g="S", gs="N", h="N", ls="S"),
        GlobalSecondaryIndexes=[
            index_spec("gall", "g", "gs", throughput=throughput),
            index_spec("gkeys", "g", projection="KEYS_ONLY", throughput=throughput),
            index_spec("ginc", "h", projection="INCLUDE", non_key=["a", "b"], throughput=throughput),
        ],
        LocalSecondaryIndexes=[
            index_spec("lall", "p", "ls"),
            index_spec("lkeys", "p", "ls", projection="KEYS_ONLY"),
        ])
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6}
    else:
        kwargs["BillingMode"] = "PAY_PER_REQUEST"
    return ddb.create_table(**kwargs)["TableDescription"]


EXPECTED_GSI = {
    "gall": (key_schema("g", "gs"), {"ProjectionType": "ALL"}),
    "gkeys": (key_schema("g"), {"ProjectionType": "KEYS_ONLY"}),
    "ginc": (key_schema("h"), {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]}),
}
EXPECTED_LSI = {
    "lall": (key_schema("p", "ls"), {"ProjectionType": "ALL"}),
    "lkeys": (key_schema("p", "ls"), {"ProjectionType": "KEYS_ONLY"}),
}


@pytest.mark.parametrize("billing", ["PAY_PER_REQUEST", "PROVISIONED"])
def test_describe_lists_indexes(ddb, billing):
    name = uid("ixdesc")
    created = full_table(ddb, name, billing)
    assert sorted(g["IndexName"] for g in created["GlobalSecondaryIndexes"]) == sorted(EXPECTED_GSI)
    assert sorted(ix["IndexName"] for ix in created["LocalSecondaryIndexes"]) == sorted(EXPECTED_LSI)
    for g in created["GlobalSecondaryIndexes"]:
        assert g["IndexStatus"] in ("CREATING", "ACTIVE")
    desc, gsis, lsis = describe_indexes(ddb, name)
    assert sorted(gsis) == sorted(EXPECTED_GSI) and sorted(lsis) == sorted(EXPECTED_LSI)
    for n, (ks, proj) in EXPECTED_GSI.items():
        g = gsis[n]
        assert g["KeySchema"] == ks
        assert g["Projection"] == proj
        assert g["IndexStatus"] == "ACTIVE"
        assert g["ItemCount"] == 0 and g["IndexSizeBytes"] == 0
        assert g["IndexArn"] == arn(name) + "/index/" + n
        assert not g.get("Backfilling", False)
        if billing == "PROVISIONED":
            assert g["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
            assert g["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    for n, (ks, proj) in EXPECTED_LSI.items():
        ix = lsis[n]
        assert ix["KeySchema"] == ks
        assert ix["Projection"] == proj
        assert ix["ItemCount"] == 0 and ix["IndexSizeBytes"] == 0
        assert ix["IndexArn"] == arn(name) + "/index/" + n
    assert sorted((a["AttributeName"], a["AttributeType"]) for a in desc["AttributeDefinitions"]) == \
        sorted([("p", "S"), ("k", "N"), ("g", "S"), ("gs", "N"), ("h", "N"), ("ls", "S")])


def test_index_item_counts_follow_writes(ddb):
    name = uid("ixcount")
    full_table(ddb, name)
    p = S("P")
    for i in range(10):
        item = {"p": p, "k": N(i), "a": S("x" * 100)}
        if i < 6:
            item.update(g=S("G"), gs=N(i))      # in gall and gkeys
        elif i < 8:
            item["g"] = S("G")                  # in gkeys only
        if i % 2 == 0:
            item["ls"] = S(f"l{i}")             # in both LSIs
        if i == 9:
            item["h"] = N(1)                    # in ginc
        ddb.put_item(TableName=name, Item=item)
    desc, gsis, lsis = describe_indexes(ddb, name)
    assert desc["ItemCount"] == 10
    assert gsis["gall"]["ItemCount"] == 6
    assert gsis["gkeys"]["ItemCount"] == 8
    assert gsis["ginc"]["ItemCount"] == 1
    assert lsis["lall"]["ItemCount"] == 5 and lsis["lkeys"]["ItemCount"] == 5
    assert gsis["gall"]["IndexSizeBytes"] > gsis["gkeys"]["IndexSizeBytes"] / 8 * 6 > 0
    assert lsis["lall"]["IndexSizeBytes"] > lsis["lkeys"]["IndexSizeBytes"] > 0
    # Remove entries three ways: delete, REMOVE of a key attribute, overwrite.
    ddb.delete_item(TableName=name, Key={"p": p, "k": N(0)})
    ddb.update_item(TableName=name, Key={"p": p, "k": N(1)}, UpdateExpression="REMOVE gs")
    ddb.put_item(TableName=name, Item={"p": p, "k": N(2)})
    _, gsis, lsis = describe_indexes(ddb, name)
    assert gsis["gall"]["ItemCount"] == 3
    assert gsis["gkeys"]["ItemCount"] == 6
    assert lsis["lall"]["ItemCount"] == 3
    for i in range(10):
        ddb.delete_item(TableName=name, Key={"p": p, "k": N(i)})
    _, gsis, lsis = describe_indexes(ddb, name)
    for g in gsis.values():
        assert g["ItemCount"] == 0 and g["IndexSizeBytes"] == 0
    for ix in lsis.values():
        assert ix["ItemCount"] == 0 and ix["IndexSizeBytes"] == 0


# --------------------------------------------------------------------------
# maintenance and projections
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def itable(ddb):
    name = uid("ixmaint")
    full_table(ddb, name)
    return name


class Ix:
    """Queries against the maintenance table's indexes."""

    def __init__(self, ddb, table):
        self.ddb, self.table = ddb, table

    def gall(self, g, **kw):
        return self.ddb.query(TableName=self.table, IndexName="gall", KeyConditionExpression="g = :g",
                              ExpressionAttributeValues={":g": S(g)}, **kw)["Items"]

    def gkeys(self, g, **kw):
        return self.ddb.query(TableName=self.table, IndexName="gkeys", KeyConditionExpression="g = :g",
                              ExpressionAttributeValues={":g": S(g)}, **kw)["Items"]

    def ginc(self, h, **kw):
        return self.ddb.query(TableName=self.table, IndexName="ginc", KeyConditionExpression="h = :h",
                              ExpressionAttributeValues={":h": N(h)}, **kw)["Items"]

    def lsi(self, index, p, **kw):
        return self.ddb.query(TableName=self.table, IndexName=index, KeyConditionExpression="p = :p",
                              ExpressionAttributeValues={":p": S(p)}, **kw)["Items"]


@pytest.fixture
def ix(ddb, itable):
    return Ix(ddb, itable)


_counter = [1000]


def fresh_h():
    _counter[0] += 1
    return int(time.time() * 1000) % 10**9 * 1000 + _counter[0]


def project(item, attrs):
    return {a: item[a] for a in attrs if a in item}


def test_projections_on_put(ddb, itable, ix):
    p, g, h = uid("p"), uid("g"), fresh_h()
    item = {"p": S(p), "k": N(1), "g": S(g), "gs": N(5), "h": N(h), "ls": S("L"),
            "a": S("A"), "b": S("B"), "c": {"M": {"deep": {"L": [N(1)]}}}}
    ddb.put_item(TableName=itable, Item=item)
    assert canon(ix.gall(g)) == canon([item])
    assert ix.gkeys(g) == [project(item, ["p", "k", "g"])]
    assert ix.ginc(h) == [project(item, ["p", "k", "h", "a", "b"])]
    assert canon(ix.lsi("lall", p)) == canon([item])
    assert ix.lsi("lkeys", p) == [project(item, ["p", "k", "ls"])]
    # An LSI may fetch what it does not project; a partial GSI may not.
    assert canon(ix.lsi("lkeys", p, Select="ALL_ATTRIBUTES")) == canon([item])
    assert ix.lsi("lkeys", p, ProjectionExpression="a, c.deep[0]") == \
        [{"a": S("A"), "c": {"M": {"deep": {"L": [N(1)]}}}}]
    assert ix.gall(g, ProjectionExpression="b, gs") == [{"b": S("B"), "gs": N(5)}]
    assert ix.lsi("lall", p, ConsistentRead=True) == ix.lsi("lall", p)


def test_sparse_indexes(ddb, itable, ix):
    p, g = uid("p"), uid("g")
    items = [
        {"p": S(p), "k": N(1), "g": S(g), "gs": N(1)},          # gall, gkeys
        {"p": S(p), "k": N(2), "g": S(g)},                      # gkeys only
        {"p": S(p), "k": N(3), "gs": N(3)},                     # none
        {"p": S(p), "k": N(4), "ls": S("x")},                   # LSIs only
        {"p": S(p), "k": N(5)},                                 # none
    ]
    for it in items:
        ddb.put_item(TableName=itable, Item=it)
    assert [it["k"] for it in ix.gall(g)] == [N(1)]
    assert sorted(int(it["k"]["N"]) for it in ix.gkeys(g)) == [1, 2]
    assert [it["k"] for it in ix.lsi("lall", p)] == [N(4)]
    scanned = walk(ddb.scan, TableName=itable, IndexName="lkeys")
    assert [it["k"] for it in scanned if it["p"] == S(p)] == [N(4)]
    assert not [it for it in walk(ddb.scan, TableName=itable, IndexName="gall") if it["p"] == S(p)
                and it["k"] != N(1)]


def test_update_moves_index_key(ddb, itable, ix):
    p, g1, g2 = uid("p"), uid("g"), uid("g")
    key = {"p": S(p), "k": N(1)}
    ddb.put_item(TableName=itable, Item=dict(key, g=S(g1), gs=N(1), v=S("one")))
    ddb.update_item(TableName=itable, Key=key, UpdateExpression="SET g = :g, v = :v",
                    ExpressionAttributeValues={":g": S(g2), ":v": S("two")})
    assert ix.gall(g1) == [] and ix.gkeys(g1) == []
    assert ix.gall(g2) == [dict(key, g=S(g2), gs=N(1), v=S("two"))]
    assert ix.gkeys(g2) == [dict(key, g=S(g2))]
    # Legacy AttributeUpdates moves it too.
    ddb.update_item(TableName=itable, Key=key, AttributeUpdates={"g": {"Action": "PUT", "Value": S(g1)}})
    assert ix.gall(g2) == [] and [it["k"] for it in ix.gall(g1)] == [N(1)]


def test_update_index_sort_key_reorders(ddb, itable, ix):
    p, g = uid("p"), uid("g")
    for i in range(4):
        ddb.put_item(TableName=itable, Item={"p": S(p), "k": N(i), "g": S(g), "gs": N(10 * i)})
    ddb.update_item(TableName=itable, Key={"p": S(p), "k": N(0)}, UpdateExpression="SET gs = gs + :d",
                    ExpressionAttributeValues={":d": N(25)})
    assert [it["k"]["N"] for it in ix.gall(g)] == ["1", "2", "0", "3"]
    assert [it["k"]["N"] for it in ix.gall(g, ScanIndexForward=False)] == ["3", "0", "2", "1"]


def test_update_removes_index_key(ddb, itable, ix):
    p, g, h = uid("p"), uid("g"), fresh_h()
    key = {"p": S(p), "k": N(1)}
    ddb.put_item(TableName=itable, Item=dict(key, g=S(g), gs=N(1), h=N(h), ls=S("l"), a=S("a")))
    ddb.update_item(TableName=itable, Key=key, UpdateExpression="REMOVE gs, h")
    assert ix.gall(g) == []
    assert ix.gkeys(g) == [dict(key, g=S(g))]
    assert ix.ginc(h) == []
    ddb.update_item(TableName=itable, Key=key, AttributeUpdates={"ls": {"Action": "DELETE"}})
    assert ix.lsi("lall", p) == []
    ddb.update_item(TableName=itable, Key=key, UpdateExpression="SET gs = :one",
                    ExpressionAttributeValues={":one": N(1)})
    assert [it["k"] for it in ix.gall(g)] == [N(1)]


def test_update_non_key_attributes(ddb, itable, ix):
    p, g, h = uid("p"), uid("g"), fresh_h()
    key = {"p": S(p), "k": N(1)}
    ddb.put_item(TableName=itable, Item=dict(key, g=S(g), gs=N(1), h=N(h), a=S("a0"), c=S("c0")))
    ddb.update_item(TableName=itable, Key=key, UpdateExpression="SET a = :a, c = :c, d = :d",
                    ExpressionAttributeValues={":a": S("a1"), ":c": S("c1"), ":d": N(4)})
    assert ix.gall(g) == [dict(key, g=S(g), gs=N(1), h=N(h), a=S("a1"), c=S("c1"), d=N(4))]
    assert ix.gkeys(g) == [dict(key, g=S(g))]
    assert ix.ginc(h) == [dict(key, h=N(h), a=S("a1"))]
    ddb.update_item(TableName=itable, Key=key, UpdateExpression="REMOVE a")
    assert ix.ginc(h) == [dict(key, h=N(h))]


def test_update_that_creates_item_indexes_it(ddb, itable, ix):
    p, g = uid("p"), uid("g")
    key = {"p": S(p), "k": N(1)}
    ddb.update_item(TableName=itable, Key=key, UpdateExpression="SET g = :g, gs = :s",
                    ExpressionAttributeValues={":g": S(g), ":s": N(2)})
    assert ix.gall(g) == [dict(key, g=S(g), gs=N(2))]


def test_failed_condition_leaves_index(ddb, itable, ix):
    p, g = uid("p"), uid("g")
    key = {"p": S(p), "k": N(1)}
    ddb.put_item(TableName=itable, Item=dict(key, g=S(g), gs=N(1)))
    expect_error(ddb.update_item, "ConditionalCheckFailedException", TableName=itable, Key=key,
                 UpdateExpression="SET g = :x", ConditionExpression="attribute_not_exists(p)",
                 ExpressionAttributeValues={":x": S(g + "x")})
    expect_error(ddb.put_item, "ConditionalCheckFailedException", TableName=itable, Item=key,
                 ConditionExpression="attribute_not_exists(p)")
    expect_error(ddb.delete_item, "ConditionalCheckFailedException", TableName=itable, Key=key,
                 ConditionExpression="gs = :two", ExpressionAttributeValues={":two": N(2)})
    assert ix.gall(g) == [dict(key, g=S(g), gs=N(1))]
    assert ix.gall(g + "x") == []


def test_delete_and_overwrite_remove_entries(ddb, itable, ix):
    p, g1, g2, h = uid("p"), uid("g"), uid("g"), fresh_h()
    k1, k2 = {"p": S(p), "k": N(1)}, {"p": S(p), "k": N(2)}
    ddb.put_item(TableName=itable, Item=dict(k1, g=S(g1), gs=N(1), h=N(h), ls=S("a")))
    ddb.put_item(TableName=itable, Item=dict(k2, g=S(g1), gs=N(2), ls=S("b")))
    ddb.delete_item(TableName=itable, Key=k1)
    assert [it["k"] for it in ix.gall(g1)] == [N(2)]
    assert ix.ginc(h) == []
    assert [it["k"] for it in ix.lsi("lall", p)] == [N(2)]
    ddb.put_item(TableName=itable, Item=dict(k2, g=S(g2)))
    assert ix.gall(g1) == [] and ix.gkeys(g1) == []
    assert ix.gkeys(g2) == [dict(k2, g=S(g2))]
    assert ix.lsi("lall", p) == []


def test_lsi_order_and_paging(ddb, itable, ix):
    p = uid("p")
    for i in range(12):
        ddb.put_item(TableName=itable, Item={"p": S(p), "k": N(i), "ls": S("ab"[i % 2] + str(i // 4))})
    want = sorted(range(12), key=lambda i: ("ab"[i % 2] + str(i // 4), i))
    assert [int(it["k"]["N"]) for it in ix.lsi("lall", p)] == want
    got = [int(it["k"]["N"]) for it in walk(ddb.query, TableName=itable, IndexName="lkeys",
                                             KeyConditionExpression="p = :p",
                                             ExpressionAttributeValues={":p": S(p)},
                                             Limit=2, ScanIndexForward=False)]
    assert got == want[::-1]
    resp = ddb.query(TableName=itable, IndexName="lall", KeyConditionExpression="p = :p AND ls = :l",
                     ExpressionAttributeValues={":p": S(p), ":l": S("a1")}, Limit=1)
    assert resp["LastEvaluatedKey"] == {"p": S(p), "k": N(4), "ls": S("a1")}


TYPE_MISMATCH = INVALID + "Type mismatch for Index Key "


@pytest.mark.parametrize("attr,value,message,mode", [
    ("h", S("seven"), TYPE_MISMATCH + "h Expected: N Actual: S IndexName: ginc", EXACT),
    ("gs", S("one"), TYPE_MISMATCH + "gs Expected: N Actual: S IndexName: gall", EXACT),
    ("g", N(1), TYPE_MISMATCH + "g Expected: S Actual: N IndexName: ", PREFIX),
    ("g", {"L": [S("x")]}, TYPE_MISMATCH + "g Expected: S Actual: L IndexName: ", PREFIX),
    ("g", {"SS": ["x"]}, TYPE_MISMATCH + "g Expected: S Actual: SS IndexName: ", PREFIX),
    ("h", {"BOOL": True}, TYPE_MISMATCH + "h Expected: N Actual: BOOL IndexName: ginc", EXACT),
    ("ls", {"NULL": True}, TYPE_MISMATCH + "ls Expected: S Actual: NULL IndexName: ", PREFIX),
    ("ls", {"B": b"x"}, TYPE_MISMATCH + "ls Expected: S Actual: B IndexName: ", PREFIX),
], ids=["gsi_hash_S_for_N", "gsi_range_S_for_N", "gsi_N_for_S", "list", "set", "bool", "lsi_null",
        "lsi_binary"])
def test_index_key_type_mismatch(ddb, itable, ix, attr, value, message, mode):
    p = uid("p")
    key = {"p": S(p), "k": N(1)}
    resp = expect_error(ddb.put_item, "ValidationException", message if mode == EXACT else None,
                        TableName=itable, Item=dict(key, **{attr: value}))
    check(resp, message, mode)
    assert get(ddb, itable, key) is None
    # UpdateItem: rejected the same way, the item is left as it was.
    ddb.put_item(TableName=itable, Item=dict(key, z=S("kept")))
    resp = expect_error(ddb.update_item, "ValidationException", TableName=itable, Key=key,
                        UpdateExpression="SET #a = :v", ExpressionAttributeNames={"#a": attr},
                        ExpressionAttributeValues={":v": value})
    assert resp["Error"]["Message"].startswith(TYPE_MISMATCH + attr), resp["Error"]["Message"]
    resp = expect_error(ddb.update_item, "ValidationException", TableName=itable, Key=key,
                        AttributeUpdates={attr: {"Action": "PUT", "Value": value}})
    assert resp["Error"]["Message"].startswith(TYPE_MISMATCH + attr), resp["Error"]["Message"]
    assert get(ddb, itable, key) == dict(key, z=S("kept"))
    assert ix.lsi("lall", p) == []


def test_index_key_empty_string(ddb, itable):
    key = {"p": S(uid("p")), "k": N(1)}
    resp = expect_error(ddb.put_item, "ValidationException", TableName=itable, Item=dict(key, g=S("")))
    msg = resp["Error"]["Message"]
    assert msg.startswith("One or more parameter values are not valid. A value specified for a "
                          "secondary index key is not supported. The AttributeValue for a key "
                          "attribute cannot contain an empty string value."), msg
    assert get(ddb, itable, key) is None
    # Empty strings are fine in attributes that are no index's key.
    ddb.put_item(TableName=itable, Item=dict(key, a=S("")))
    expect_error(ddb.update_item, "ValidationException", TableName=itable, Key=key,
                 UpdateExpression="SET ls = :e", ExpressionAttributeValues={":e": S("")})
    assert get(ddb, itable, key) == dict(key, a=S(""))


def test_nested_update_of_index_key_refused(ddb, itable):
    key = {"p": S(uid("p")), "k": N(1)}
    ddb.put_item(TableName=itable, Item=dict(key, g=S("x")))
    expect_error(ddb.update_item, "ValidationException", TableName=itable, Key=key,
                 UpdateExpression="SET g.y = :v", ExpressionAttributeValues={":v": N(1)})
    assert get(ddb, itable, key) == dict(key, g=S("x"))


# --------------------------------------------------------------------------
# UpdateTable: add and delete a GSI
# --------------------------------------------------------------------------

def create_gsi_update(name, hash_name, hash_type, range_name=None, range_type=None, projection="ALL",
                      non_key=None):
    ad = [{"AttributeName": hash_name, "AttributeType": hash_type}]
    if range_name:
        ad.append({"AttributeName": range_name, "AttributeType": range_type})
    return dict(AttributeDefinitions=ad, GlobalSecondaryIndexUpdates=[
        {"Create": index_spec(name, hash_name, range_name, projection, non_key)}])


@pytest.fixture
def filled(ddb):
    """A hash-only table with 300 items: 200 with x as a string, 50 without
    x, 50 with x as a number."""
    name = uid("ixfill")
    ddb.create_table(TableName=name, KeySchema=key_schema("id"), AttributeDefinitions=defs(id="S"),
                     BillingMode="PAY_PER_REQUEST")
    items = []
    for i in range(300):
        it = {"id": S(f"id{i:03d}"), "n": N(i)}
        if i < 200:
            it["x"] = S(f"x{i % 40:02d}")
        elif i >= 250:
            it["x"] = N(i)
        items.append(it)
    for c in range(0, 300, 25):
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": it}} for it in items[c:c + 25]]})
    return name, items


def test_add_gsi_backfills_a_table_of_several_batches(ddb):
    """The backfill goes 1,000 items per group commit: a table of 2,600 takes three batches,
    and every item with the key attribute is in the index exactly once."""
    name = uid("ixbig")
    ddb.create_table(TableName=name, KeySchema=key_schema("id"), AttributeDefinitions=defs(id="S"),
                     BillingMode="PAY_PER_REQUEST")
    n = 2600
    for c in range(0, n, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"id": S(f"id{i:05d}"), **({"g": S(f"g{i % 7}")} if i % 4 else {})}}}
            for i in range(c, c + 25)]})
    ddb.update_table(TableName=name, **create_gsi_update("byg", "g", "S"))
    _, final = wait_for_index(ddb, name, "byg")
    expected = sorted(f"id{i:05d}" for i in range(n) if i % 4)
    indexed = walk(ddb.scan, TableName=name, IndexName="byg")
    assert sorted(it["id"]["S"] for it in indexed) == expected
    assert final["ItemCount"] == len(expected)


@pytest.mark.slow
def test_add_gsi_backfills_existing_items(ddb, filled):
    name, items = filled
    resp = ddb.update_table(TableName=name, **create_gsi_update("byx", "x", "S"))
    gsis = {g["IndexName"]: g for g in resp["TableDescription"]["GlobalSecondaryIndexes"]}
    assert gsis["byx"]["IndexStatus"] == "CREATING"
    assert gsis["byx"]["KeySchema"] == key_schema("x")
    assert gsis["byx"]["IndexArn"] == arn(name) + "/index/byx"
    seen, final = wait_for_index(ddb, name, "byx")
    for status, backfilling in seen:
        assert backfilling in (None, True, False)
        if status == "ACTIVE":
            assert not backfilling
    indexed = walk(ddb.scan, TableName=name, IndexName="byx")
    assert final["ItemCount"] == 200, (seen, len(indexed))
    assert final["IndexSizeBytes"] > 0
    assert sorted(it["id"]["S"] for it in indexed) == [f"id{i:03d}" for i in range(200)]
    got = ddb.query(TableName=name, IndexName="byx", KeyConditionExpression="x = :x",
                    ExpressionAttributeValues={":x": S("x07")})["Items"]
    assert sorted(it["id"]["S"] for it in got) == [f"id{i:03d}" for i in range(7, 200, 40)]
    assert all(set(it) == {"id", "n", "x"} for it in got)
    # From now on the type of x is enforced; a missing x is still fine.
    expect_error(ddb.put_item, "ValidationException",
                 INVALID + "Type mismatch for Index Key x Expected: S Actual: N IndexName: byx",
                 TableName=name, Item={"id": S("new"), "x": N(1)})
    ddb.put_item(TableName=name, Item={"id": S("new2")})
    ddb.put_item(TableName=name, Item={"id": S("new3"), "x": S("x07")})
    got = ddb.query(TableName=name, IndexName="byx", KeyConditionExpression="x = :x",
                    ExpressionAttributeValues={":x": S("x07")})["Items"]
    assert "new3" in {it["id"]["S"] for it in got}
    assert describe_indexes(ddb, name)[1]["byx"]["ItemCount"] == 201


@pytest.mark.slow
def test_add_gsi_with_range_key_and_keys_only(ddb, filled):
    name, items = filled
    ddb.update_table(TableName=name, **create_gsi_update("byxn", "x", "S", "n", "N",
                                                          projection="KEYS_ONLY"))
    seen, _ = wait_for_index(ddb, name, "byxn")
    got = ddb.query(TableName=name, IndexName="byxn", KeyConditionExpression="x = :x AND n > :n",
                    ExpressionAttributeValues={":x": S("x03"), ":n": N(50)}, ScanIndexForward=False)
    assert got["Items"], (seen, "index ACTIVE but the query found nothing")
    assert got["Items"] == [{"id": S(f"id{i:03d}"), "x": S("x03"), "n": N(i)} for i in (163, 123, 83)]
    _, gsis, _ = describe_indexes(ddb, name)
    assert gsis["byxn"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert gsis["byxn"]["ItemCount"] == 200


@pytest.mark.slow
def test_writes_during_backfill_are_indexed(ddb, filled):
    name, items = filled
    ddb.update_table(TableName=name, **create_gsi_update("byx", "x", "S"))
    stop = threading.Event()
    errors = []

    def writer():
        try:
            for i in range(60):
                if i % 3 == 0:
                    ddb.delete_item(TableName=name, Key={"id": S(f"id{i:03d}")})
                elif i % 3 == 1:
                    ddb.put_item(TableName=name, Item={"id": S(f"w{i:03d}"), "x": S("written")})
                else:
                    ddb.update_item(TableName=name, Key={"id": S(f"id{i:03d}")},
                                    UpdateExpression="SET x = :x",
                                    ExpressionAttributeValues={":x": S("moved")})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            stop.set()

    t = threading.Thread(target=writer)
    t.start()
    wait_for_index(ddb, name, "byx")
    t.join(timeout=60)
    assert not errors, errors
    table_items = walk(ddb.scan, TableName=name, ConsistentRead=True)
    want = sorted(it["id"]["S"] for it in table_items if "S" in it.get("x", {}))
    got = sorted(it["id"]["S"] for it in walk(ddb.scan, TableName=name, IndexName="byx"))
    assert got == want
    assert describe_indexes(ddb, name)[1]["byx"]["ItemCount"] == len(want)
    written = ddb.query(TableName=name, IndexName="byx", KeyConditionExpression="x = :x",
                        ExpressionAttributeValues={":x": S("written")})["Items"]
    assert len(written) == 20


@pytest.mark.slow
def test_delete_gsi(ddb):
    name = uid("ixdel")
    ddb.create_table(TableName=name, KeySchema=key_schema("id"), AttributeDefinitions=defs(id="S", x="S"),
                     BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[index_spec("byx", "x")])
    for i in range(20):
        ddb.put_item(TableName=name, Item={"id": S(f"i{i}"), "x": S("same")})
    resp = ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byx"}}])
    gsis = {g["IndexName"]: g for g in resp["TableDescription"].get("GlobalSecondaryIndexes", [])}
    if "byx" in gsis:
        assert gsis["byx"]["IndexStatus"] == "DELETING"
    wait_for_index_gone(ddb, name, "byx")
    expect_error(ddb.query, "ValidationException", "The table does not have the specified index: byx",
                 TableName=name, IndexName="byx", KeyConditionExpression="x = :x",
                 ExpressionAttributeValues={":x": S("same")})
    # x is no longer an index key: any type goes.
    ddb.put_item(TableName=name, Item={"id": S("n"), "x": N(7)})
    assert get(ddb, name, {"id": S("n")}) == {"id": S("n"), "x": N(7)}
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 21
    # Deleting it again: no such index.
    expect_error(ddb.update_table, "ResourceNotFoundException", TableName=name,
                 GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byx"}}])
    # And it can be created again, backfilled from the items with a string x.
    ddb.update_table(TableName=name, **create_gsi_update("byx", "x", "S"))
    seen, final = wait_for_index(ddb, name, "byx")
    indexed = walk(ddb.scan, TableName=name, IndexName="byx")
    assert len(indexed) == 20
    assert final["ItemCount"] == 20, (seen, len(indexed))


def test_update_table_index_errors(ddb, ddb_raw):
    name = uid("ixupd")
    ddb.create_table(TableName=name, KeySchema=key_schema("id"), AttributeDefinitions=defs(id="S", x="S"),
                     BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[index_spec("byx", "x")])
    wait_for_index(ddb, name, "byx")
    # An index by that name exists.
    resp = expect_error(ddb.update_table, "ValidationException", TableName=name,
                        **create_gsi_update("byx", "x", "S"))
    assert "already exists" in resp["Error"]["Message"]
    # The new key attribute needs an AttributeDefinition.
    resp = expect_error(ddb.update_table, "ValidationException", TableName=name,
                        GlobalSecondaryIndexUpdates=[{"Create": index_spec("byy", "y")}])
    assert "AttributeDefinitions" in resp["Error"]["Message"]
    # An attribute cannot change type.
    resp = expect_error(ddb.update_table, "ValidationException", TableName=name,
                        **create_gsi_update("byx2", "x", "N"))
    assert resp["Error"]["Message"].startswith(INVALID + "Attributes cannot be redefined"), \
        resp["Error"]["Message"]
    # Only one index can be created or deleted per call.
    two = create_gsi_update("byy", "y", "S")
    two["GlobalSecondaryIndexUpdates"].append({"Create": index_spec("byz", "y")})
    expect_error(ddb.update_table, "LimitExceededException", TableName=name, **two)
    expect_error(ddb.update_table, "LimitExceededException", TableName=name,
                 AttributeDefinitions=defs(y="S"),
                 GlobalSecondaryIndexUpdates=[{"Create": index_spec("byy", "y")},
                                              {"Delete": {"IndexName": "byx"}}])
    # No such index to delete.
    expect_error(ddb.update_table, "ResourceNotFoundException", TableName=name,
                 GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])
    # Nothing to do at all.
    expect_error(ddb_raw.update_table, "ValidationException", TableName=name)
    # No such table.
    expect_error(ddb.update_table, "ResourceNotFoundException", TableName=uid("nosuch"),
                 GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byx"}}])
    # None of that changed the table.
    _, gsis, _ = describe_indexes(ddb, name)
    assert sorted(gsis) == ["byx"] and gsis["byx"]["IndexStatus"] == "ACTIVE"


def test_create_gsi_on_lsi_name_refused(ddb):
    name = uid("ixlsi")
    ddb.create_table(TableName=name, KeySchema=key_schema("p", "k"),
                     AttributeDefinitions=defs(p="S", k="N", x="S"), BillingMode="PAY_PER_REQUEST",
                     LocalSecondaryIndexes=[index_spec("lsi", "p", "x")])
    resp = expect_error(ddb.update_table, "ValidationException", TableName=name,
                        **create_gsi_update("lsi", "x", "S"))
    assert "already exists" in resp["Error"]["Message"]
