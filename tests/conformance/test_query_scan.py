"""Query and Scan: key conditions on S, N and B sort keys (expression and
legacy forms), direction, Limit, ExclusiveStartKey / LastEvaluatedKey, the
1 MB page limit, filters applied after the page is read (Count against
ScannedCount), projections, Select, ConsistentRead, parallel scan, and their
validation errors.

The paging tests walk 10,000 items with small Limit values and pages cut by
the 1 MB limit, in both directions, with and without filters, on the table
and on a global secondary index, and check every item is seen exactly once
and in order.

Messages are DynamoDB's. Where a message is confirmed from DynamoDB's own
answers it is compared exactly; where only its beginning is certain the case
says "prefix".
"""

import concurrent.futures
import decimal
import random
import re

import pytest

import support
from values import S, N, B
from support import expect_error

INVALID = "One or more parameter values were invalid: "
ONE_MB = 1024 * 1024
EXACT, PREFIX, REGEX, ANY = "exact", "prefix", "regex", "any"
# Select combinations: the wording is known, whether DynamoDB puts the usual
# "One or more parameter values were invalid: " before it is not.
OPT_INVALID = r"(One or more parameter values were invalid: )?"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def index_spec(name, hash_name, range_name=None, projection="ALL", non_key=None):
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    proj = {"ProjectionType": projection}
    if non_key:
        proj["NonKeyAttributes"] = list(non_key)
    return {"IndexName": name, "KeySchema": schema, "Projection": proj}


def make_table(ddb, prefix, hash_key, range_key=None, extra_attrs=(), gsis=(), lsis=()):
    name = support.unique_name(prefix)
    attrs = {hash_key[0]: hash_key[1]}
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs[range_key[0]] = range_key[1]
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    for a, t in extra_attrs:
        attrs[a] = t
    kwargs = dict(TableName=name, KeySchema=schema, BillingMode="PAY_PER_REQUEST",
                  AttributeDefinitions=[{"AttributeName": a, "AttributeType": t}
                                        for a, t in attrs.items()])
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = list(gsis)
    if lsis:
        kwargs["LocalSecondaryIndexes"] = list(lsis)
    ddb.create_table(**kwargs)
    return name


def batch_put(ddb, table, items, threads=4):
    """BatchWriteItem in chunks of 25 from a few threads, resubmitting
    UnprocessedItems (which the emulator should never return)."""
    chunks = [items[i:i + 25] for i in range(0, len(items), 25)]

    def send(chunk):
        req = {table: [{"PutRequest": {"Item": it}} for it in chunk]}
        for _ in range(20):
            resp = ddb.batch_write_item(RequestItems=req)
            req = resp.get("UnprocessedItems") or {}
            if not req:
                return
        raise AssertionError("UnprocessedItems never drained")

    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as ex:
        for f in [ex.submit(send, c) for c in chunks]:
            f.result()


def walk(fn, max_pages=20000, **kwargs):
    """Follow LastEvaluatedKey to the end; returns the list of responses."""
    pages = []
    start = None
    for _ in range(max_pages):
        args = dict(kwargs)
        if start is not None:
            args["ExclusiveStartKey"] = start
        resp = fn(**args)
        pages.append(resp)
        start = resp.get("LastEvaluatedKey")
        if start is None:
            return pages
    raise AssertionError(f"more than {max_pages} pages")


def items_of(pages):
    out = []
    for p in pages:
        out.extend(p["Items"])
    return out


def num(v):
    return decimal.Decimal(v["N"])


def sort_value(v):
    """DynamoDB's order for a key value: numbers numerically, strings by
    their UTF-8 bytes, binary by unsigned bytes."""
    if "N" in v:
        return decimal.Decimal(v["N"])
    if "S" in v:
        return v["S"].encode("utf-8")
    return bytes(v["B"])


def attr_size(name, v):
    size = len(name.encode())
    if "S" in v:
        return size + len(v["S"].encode())
    if "N" in v:
        digits = v["N"].lstrip("-").replace(".", "").strip("0") or "0"
        return size + (len(digits) + 1) // 2 + 1
    if "B" in v:
        return size + len(v["B"])
    raise AssertionError(v)


def item_size(item):
    return sum(attr_size(k, v) for k, v in item.items())


def check_message(resp, message, mode):
    got = resp["Error"]["Message"]
    if mode == PREFIX:
        assert got.startswith(message), got
    elif mode == REGEX:
        assert re.fullmatch(message, got), got
    elif mode == EXACT:
        assert got == message


def expect(fn, code, message, mode=EXACT, **kwargs):
    resp = expect_error(fn, code, None, **kwargs)
    check_message(resp, message, mode)
    return resp


# --------------------------------------------------------------------------
# key conditions on S, N and B sort keys
# --------------------------------------------------------------------------

N_VALUES = ["-1000", "-10.5", "-2", "-1", "0", "0.001", "1", "2", "9", "10", "10.5", "11",
            "100", "1000", "12345678901234567890"]
S_VALUES = ["A", "B", "Z", "a", "aa", "ab", "abc", "abd", "b", "ba", "z", "~",
            "\u00e9", "\u4e2d", "\U0001f600"]
B_VALUES = [b"\x00", b"\x00\x00", b"\x01", b"\x7f", b"\x80", b"\x80\x00", b"\xff",
            b"a", b"ab", b"abc", b"b"]


@pytest.fixture(scope="module")
def sorted_tables(ddb):
    """One table per sort key type; partition "P" holds every value (put in
    shuffled order), partitions "O" and "Q" hold a few decoys."""
    out = {}
    rng = random.Random(7)
    for typ, values in (("N", N_VALUES), ("S", S_VALUES), ("B", B_VALUES)):
        name = make_table(ddb, f"qsort-{typ.lower()}", ("p", "S"), ("k", typ))
        vals = list(values)
        rng.shuffle(vals)
        for i, v in enumerate(vals):
            ddb.put_item(TableName=name, Item={"p": S("P"), "k": {typ: v}, "v": N(i),
                                               "odd": {"BOOL": i % 2 == 1}})
        for part in ("O", "Q"):
            for v in values[:3]:
                ddb.put_item(TableName=name, Item={"p": S(part), "k": {typ: v}})
        out[typ] = (name, values)
    return out


def expected_keys(typ, values, op, args):
    key = lambda v: sort_value({typ: v})  # noqa: E731
    vs = sorted(values, key=key)
    a = [key(x) for x in args]
    if op == "=":
        return [v for v in vs if key(v) == a[0]]
    if op == "<":
        return [v for v in vs if key(v) < a[0]]
    if op == "<=":
        return [v for v in vs if key(v) <= a[0]]
    if op == ">":
        return [v for v in vs if key(v) > a[0]]
    if op == ">=":
        return [v for v in vs if key(v) >= a[0]]
    if op == "between":
        return [v for v in vs if a[0] <= key(v) <= a[1]]
    if op == "begins_with":
        return [v for v in vs if key(v).startswith(a[0])]
    raise AssertionError(op)


OP_ARGS = {
    "N": {"=": ["10"], "<": ["10"], "<=": ["10"], ">": ["10"], ">=": ["-1"],
          "between": ["-2", "10.5"]},
    "S": {"=": ["ab"], "<": ["ab"], "<=": ["ab"], ">": ["ab"], ">=": ["Z"],
          "between": ["a", "b"], "begins_with": ["ab"]},
    "B": {"=": [b"\x7f"], "<": [b"\x7f"], "<=": [b"\x80"], ">": [b"\x7f"], ">=": [b"\x80"],
          "between": [b"\x00\x00", b"\x80\x00"], "begins_with": [b"\x00"]},
}
LEGACY_OP = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE", "between": "BETWEEN",
             "begins_with": "BEGINS_WITH"}
OP_CASES = [(t, op) for t in ("N", "S", "B") for op in OP_ARGS[t]]


def kce_for(op):
    if op == "between":
        return "p = :p AND k BETWEEN :a AND :b"
    if op == "begins_with":
        return "p = :p AND begins_with(k, :a)"
    return f"p = :p AND k {op} :a"


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "back"])
@pytest.mark.parametrize("typ,op", OP_CASES)
def test_key_condition_expression_operators(ddb, sorted_tables, typ, op, forward):
    name, values = sorted_tables[typ]
    args = OP_ARGS[typ][op]
    eav = {":p": S("P"), ":a": {typ: args[0]}}
    if len(args) > 1:
        eav[":b"] = {typ: args[1]}
    resp = ddb.query(TableName=name, KeyConditionExpression=kce_for(op),
                     ExpressionAttributeValues=eav, ScanIndexForward=forward)
    want = expected_keys(typ, values, op, args)
    if not forward:
        want = want[::-1]
    got = [it["k"][typ] for it in resp["Items"]]
    assert got == want
    assert resp["Count"] == len(want) == resp["ScannedCount"]
    assert "LastEvaluatedKey" not in resp
    assert all(it["p"] == S("P") for it in resp["Items"])


@pytest.mark.parametrize("typ,op", OP_CASES)
def test_legacy_key_conditions_operators(ddb, sorted_tables, typ, op):
    name, values = sorted_tables[typ]
    args = OP_ARGS[typ][op]
    resp = ddb.query(TableName=name, KeyConditions={
        "p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("P")]},
        "k": {"ComparisonOperator": LEGACY_OP[op], "AttributeValueList": [{typ: a} for a in args]},
    })
    got = [it["k"][typ] for it in resp["Items"]]
    assert got == expected_keys(typ, values, op, args)


@pytest.mark.parametrize("typ", ["N", "S", "B"])
def test_whole_partition_in_order(ddb, sorted_tables, typ):
    name, values = sorted_tables[typ]
    want = sorted(values, key=lambda v: sort_value({typ: v}))
    for forward in (True, False):
        resp = ddb.query(TableName=name, KeyConditionExpression="p = :p",
                         ExpressionAttributeValues={":p": S("P")}, ScanIndexForward=forward)
        got = [it["k"][typ] for it in resp["Items"]]
        assert got == (want if forward else want[::-1])
    legacy = ddb.query(TableName=name, KeyConditions={
        "p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("P")]}})
    assert [it["k"][typ] for it in legacy["Items"]] == want


def test_numbers_sort_numerically_not_as_text(ddb, sorted_tables):
    name, _ = sorted_tables["N"]
    resp = ddb.query(TableName=name, KeyConditionExpression="p = :p AND k BETWEEN :a AND :b",
                     ExpressionAttributeValues={":p": S("P"), ":a": N(2), ":b": N(11)})
    assert [it["k"]["N"] for it in resp["Items"]] == ["2", "9", "10", "10.5", "11"]


def test_binary_sorts_unsigned(ddb, sorted_tables):
    name, _ = sorted_tables["B"]
    resp = ddb.query(TableName=name, KeyConditionExpression="p = :p AND k > :a",
                     ExpressionAttributeValues={":p": S("P"), ":a": B(b"\x7f")})
    got = [it["k"]["B"] for it in resp["Items"]]
    assert got == [b"\x80", b"\x80\x00", b"\xff"]


def test_reversed_operands_and_order(ddb, sorted_tables):
    name, values = sorted_tables["N"]
    eav = {":p": S("P"), ":a": N(10)}
    a = ddb.query(TableName=name, KeyConditionExpression=":a > k AND :p = p",
                  ExpressionAttributeValues=eav)["Items"]
    b = ddb.query(TableName=name, KeyConditionExpression="p = :p AND k < :a",
                  ExpressionAttributeValues=eav)["Items"]
    assert a == b
    assert [it["k"]["N"] for it in a] == expected_keys("N", values, "<", ["10"])
    c = ddb.query(TableName=name, KeyConditionExpression="(#k >= :a) AND (#p = :p)",
                  ExpressionAttributeNames={"#k": "k", "#p": "p"},
                  ExpressionAttributeValues=eav)["Items"]
    assert [it["k"]["N"] for it in c] == expected_keys("N", values, ">=", ["10"])


def test_case_insensitive_keywords(ddb, sorted_tables):
    name, values = sorted_tables["N"]
    resp = ddb.query(TableName=name, KeyConditionExpression="p = :p aNd k bEtWeEn :a AnD :b",
                     ExpressionAttributeValues={":p": S("P"), ":a": N(0), ":b": N(2)})
    assert [it["k"]["N"] for it in resp["Items"]] == ["0", "0.001", "1", "2"]


def test_query_missing_partition_is_empty(ddb, sorted_tables):
    name, _ = sorted_tables["S"]
    resp = ddb.query(TableName=name, KeyConditionExpression="p = :p",
                     ExpressionAttributeValues={":p": S("nobody")})
    assert resp["Items"] == []
    assert resp["Count"] == 0 and resp["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in resp


def test_query_hash_only_table(ddb):
    name = make_table(ddb, "qhash", ("id", "N"))
    for i in range(5):
        ddb.put_item(TableName=name, Item={"id": N(i), "v": S(f"v{i}")})
    resp = ddb.query(TableName=name, KeyConditionExpression="id = :i",
                     ExpressionAttributeValues={":i": N(3)})
    assert resp["Items"] == [{"id": N(3), "v": S("v3")}]
    assert resp["Count"] == 1
    legacy = ddb.query(TableName=name, KeyConditions={
        "id": {"ComparisonOperator": "EQ", "AttributeValueList": [N(4)]}})
    assert legacy["Items"] == [{"id": N(4), "v": S("v4")}]


# --------------------------------------------------------------------------
# Limit, ExclusiveStartKey, filters, projections, Select on a small partition
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(ddb):
    """p="P", k = 0..29, with a filterable attribute and a nested one; a GSI
    on (g, gs) with KEYS_ONLY and one with ALL."""
    name = make_table(ddb, "qsmall", ("p", "S"), ("k", "N"),
                      extra_attrs=[("g", "S"), ("gs", "N")],
                      gsis=[index_spec("gall", "g", "gs"),
                            index_spec("gkeys", "g", "gs", projection="KEYS_ONLY")])
    items = []
    for i in range(30):
        it = {"p": S("P"), "k": N(i), "f": N(i % 3), "name": S(f"n{i:02d}"),
              "m": {"M": {"x": N(i), "y": S("why")}}, "l": {"L": [N(i), S("two")]}}
        if i % 5 != 4:  # every fifth item is not in the indexes
            it["g"] = S("G")
            it["gs"] = N(i // 2)  # duplicates in the index sort key
        items.append(it)
        ddb.put_item(TableName=name, Item=it)
    return name, items


def q(ddb, name, **kw):
    kw.setdefault("KeyConditionExpression", "p = :p")
    eav = dict(kw.pop("ExpressionAttributeValues", {}))
    eav[":p"] = S("P")
    return ddb.query(TableName=name, ExpressionAttributeValues=eav, **kw)


def test_limit_and_last_evaluated_key(ddb, small):
    name, items = small
    resp = q(ddb, name, Limit=4)
    assert [it["k"] for it in resp["Items"]] == [N(0), N(1), N(2), N(3)]
    assert resp["Count"] == 4 and resp["ScannedCount"] == 4
    assert resp["LastEvaluatedKey"] == {"p": S("P"), "k": N(3)}
    nxt = q(ddb, name, Limit=4, ExclusiveStartKey=resp["LastEvaluatedKey"])
    assert [it["k"] for it in nxt["Items"]] == [N(4), N(5), N(6), N(7)]
    back = q(ddb, name, Limit=3, ScanIndexForward=False)
    assert [it["k"] for it in back["Items"]] == [N(29), N(28), N(27)]
    assert back["LastEvaluatedKey"] == {"p": S("P"), "k": N(27)}
    back2 = q(ddb, name, Limit=3, ScanIndexForward=False,
              ExclusiveStartKey=back["LastEvaluatedKey"])
    assert [it["k"] for it in back2["Items"]] == [N(26), N(25), N(24)]


def test_limit_larger_than_result_has_no_last_key(ddb, small):
    name, _ = small
    resp = q(ddb, name, Limit=31)
    assert resp["Count"] == 30
    assert "LastEvaluatedKey" not in resp


def test_exclusive_start_key_need_not_exist(ddb, small):
    name, _ = small
    resp = q(ddb, name, ExclusiveStartKey={"p": S("P"), "k": N("10.5")}, Limit=2)
    assert [it["k"] for it in resp["Items"]] == [N(11), N(12)]
    back = q(ddb, name, ExclusiveStartKey={"p": S("P"), "k": N("10.5")}, Limit=2,
             ScanIndexForward=False)
    assert [it["k"] for it in back["Items"]] == [N(10), N(9)]


def test_exclusive_start_key_with_range_condition(ddb, small):
    name, _ = small
    pages = walk(ddb.query, TableName=name, KeyConditionExpression="p = :p AND k BETWEEN :a AND :b",
                 ExpressionAttributeValues={":p": S("P"), ":a": N(5), ":b": N(17)}, Limit=4)
    assert [int(it["k"]["N"]) for it in items_of(pages)] == list(range(5, 18))


def test_filter_expression_count_and_scanned_count(ddb, small):
    name, items = small
    resp = q(ddb, name, FilterExpression="f = :z", ExpressionAttributeValues={":z": N(0)})
    assert [it["k"] for it in resp["Items"]] == [N(i) for i in range(0, 30, 3)]
    assert resp["Count"] == 10
    assert resp["ScannedCount"] == 30


def test_filter_applies_after_limit(ddb, small):
    name, _ = small
    resp = q(ddb, name, Limit=7, FilterExpression="f = :z", ExpressionAttributeValues={":z": N(0)})
    assert [it["k"] for it in resp["Items"]] == [N(0), N(3), N(6)]
    assert resp["Count"] == 3
    assert resp["ScannedCount"] == 7
    assert resp["LastEvaluatedKey"] == {"p": S("P"), "k": N(6)}
    # A page whose read items all fail the filter is empty but still has a key.
    resp = q(ddb, name, Limit=2, ExclusiveStartKey={"p": S("P"), "k": N(0)},
             FilterExpression="f = :z", ExpressionAttributeValues={":z": N(0)})
    assert resp["Items"] == [] and resp["Count"] == 0 and resp["ScannedCount"] == 2
    assert resp["LastEvaluatedKey"] == {"p": S("P"), "k": N(2)}


def test_filter_on_nested_and_functions(ddb, small):
    name, _ = small
    resp = q(ddb, name, FilterExpression="m.x > :a AND begins_with(#n, :pre) AND size(l) = :two",
             ExpressionAttributeNames={"#n": "name"},
             ExpressionAttributeValues={":a": N(20), ":pre": S("n2"), ":two": N(2)})
    assert [it["k"] for it in resp["Items"]] == [N(21), N(22), N(23), N(24), N(25), N(26),
                                                 N(27), N(28), N(29)]


def test_legacy_query_filter(ddb, small):
    name, _ = small
    resp = ddb.query(TableName=name, KeyConditions={
        "p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("P")]},
        "k": {"ComparisonOperator": "GE", "AttributeValueList": [N(20)]}},
        QueryFilter={"f": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]},
                     "name": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("n2")]}})
    assert [it["k"] for it in resp["Items"]] == [N(22), N(25), N(28)]
    assert resp["ScannedCount"] == 10
    resp = ddb.query(TableName=name, KeyConditions={
        "p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("P")]}},
        QueryFilter={"f": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]},
                     "name": {"ComparisonOperator": "IN",
                              "AttributeValueList": [S("n01"), S("n02"), S("n04")]}},
        ConditionalOperator="OR")
    assert [it["k"] for it in resp["Items"]] == [N(i) for i in range(30) if i % 3 == 1 or i == 2]


def test_projection_expression(ddb, small):
    name, _ = small
    resp = q(ddb, name, ProjectionExpression="k, m.y, l[1], #n", ExpressionAttributeNames={"#n": "name"},
             KeyConditionExpression="p = :p AND k < :a", ExpressionAttributeValues={":a": N(2)})
    assert resp["Items"] == [
        {"k": N(0), "m": {"M": {"y": S("why")}}, "l": {"L": [S("two")]}, "name": S("n00")},
        {"k": N(1), "m": {"M": {"y": S("why")}}, "l": {"L": [S("two")]}, "name": S("n01")},
    ]


def test_attributes_to_get(ddb, small):
    name, _ = small
    resp = ddb.query(TableName=name, AttributesToGet=["name", "missing", "p"], KeyConditions={
        "p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("P")]},
        "k": {"ComparisonOperator": "LE", "AttributeValueList": [N(1)]}})
    assert resp["Items"] == [{"name": S("n00"), "p": S("P")}, {"name": S("n01"), "p": S("P")}]


def test_select_count(ddb, small):
    name, _ = small
    resp = q(ddb, name, Select="COUNT")
    assert "Items" not in resp
    assert resp["Count"] == 30 and resp["ScannedCount"] == 30
    resp = q(ddb, name, Select="COUNT", FilterExpression="f = :z", ExpressionAttributeValues={":z": N(2)})
    assert "Items" not in resp
    assert resp["Count"] == 10 and resp["ScannedCount"] == 30
    resp = q(ddb, name, Select="COUNT", Limit=5)
    assert resp["Count"] == 5
    assert resp["LastEvaluatedKey"] == {"p": S("P"), "k": N(4)}


def test_select_specific_and_all_attributes(ddb, small):
    name, items = small
    resp = q(ddb, name, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="f",
             KeyConditionExpression="p = :p AND k = :k", ExpressionAttributeValues={":k": N(5)})
    assert resp["Items"] == [{"f": N(2)}]
    resp = q(ddb, name, Select="ALL_ATTRIBUTES", KeyConditionExpression="p = :p AND k = :k",
             ExpressionAttributeValues={":k": N(5)})
    assert support.canon(resp["Items"]) == support.canon([items[5]])


def test_consistent_read_on_table(ddb, small):
    name, _ = small
    resp = q(ddb, name, ConsistentRead=True, Limit=2)
    assert resp["Count"] == 2


# --------------------------------------------------------------------------
# indexes: order, LastEvaluatedKey, projections, Select
# --------------------------------------------------------------------------

def index_order(items):
    """Index entries order: index sort key, then the table key."""
    return sorted(items, key=lambda it: (num(it["gs"]), sort_value(it["p"]), num(it["k"])))


def test_index_query_order_and_duplicate_sort_keys(ddb, small):
    name, items = small
    indexed = index_order([it for it in items if "g" in it])
    resp = ddb.query(TableName=name, IndexName="gall", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": S("G")})
    assert [it["k"] for it in resp["Items"]] == [it["k"] for it in indexed]
    assert resp["Count"] == len(indexed) == 24
    back = ddb.query(TableName=name, IndexName="gall", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": S("G")}, ScanIndexForward=False)
    assert [it["k"] for it in back["Items"]] == [it["k"] for it in indexed][::-1]


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "back"])
def test_index_paging_through_duplicate_sort_keys(ddb, small, limit, forward):
    name, items = small
    want = [it["k"] for it in index_order([it for it in items if "g" in it])]
    if not forward:
        want = want[::-1]
    pages = walk(ddb.query, TableName=name, IndexName="gall", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": S("G")}, Limit=limit, ScanIndexForward=forward)
    got = items_of(pages)
    assert [it["k"] for it in got] == want
    for page in pages:
        if "LastEvaluatedKey" in page and page["Items"]:
            last = page["Items"][-1]
            assert page["LastEvaluatedKey"] == {a: last[a] for a in ("p", "k", "g", "gs")}


def test_index_range_condition(ddb, small):
    name, items = small
    resp = ddb.query(TableName=name, IndexName="gall",
                     KeyConditionExpression="g = :g AND gs BETWEEN :a AND :b",
                     ExpressionAttributeValues={":g": S("G"), ":a": N(3), ":b": N(5)})
    want = index_order([it for it in items if "g" in it and 3 <= num(it["gs"]) <= 5])
    assert [it["k"] for it in resp["Items"]] == [it["k"] for it in want]


def test_index_keys_only_projection(ddb, small):
    name, items = small
    resp = ddb.query(TableName=name, IndexName="gkeys", KeyConditionExpression="g = :g AND gs = :s",
                     ExpressionAttributeValues={":g": S("G"), ":s": N(1)})
    assert resp["Items"] == [
        {"p": S("P"), "k": N(2), "g": S("G"), "gs": N(1)},
        {"p": S("P"), "k": N(3), "g": S("G"), "gs": N(1)},
    ]
    resp = ddb.query(TableName=name, IndexName="gkeys", KeyConditionExpression="g = :g AND gs = :s",
                     ExpressionAttributeValues={":g": S("G"), ":s": N(1)},
                     Select="ALL_PROJECTED_ATTRIBUTES")
    assert len(resp["Items"]) == 2 and set(resp["Items"][0]) == {"p", "k", "g", "gs"}
    resp = ddb.query(TableName=name, IndexName="gkeys", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": S("G")}, Select="COUNT")
    assert "Items" not in resp and resp["Count"] == 24
    resp = ddb.query(TableName=name, IndexName="gall", Select="SPECIFIC_ATTRIBUTES",
                     KeyConditions={"g": {"ComparisonOperator": "EQ", "AttributeValueList": [S("G")]},
                                    "gs": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}},
                     AttributesToGet=["k", "name"])
    assert resp["Items"] == [{"k": N(2), "name": S("n02")}, {"k": N(3), "name": S("n03")}]


def test_index_select_all_attributes_refused_on_partial_gsi(ddb, small):
    name, _ = small
    expect(ddb.query, "ValidationException",
           INVALID + "Select type ALL_ATTRIBUTES is not supported for global secondary index "
           "gkeys because its projection type is not ALL",
           TableName=name, IndexName="gkeys", Select="ALL_ATTRIBUTES",
           KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("G")})
    expect(ddb.scan, "ValidationException",
           INVALID + "Select type ALL_ATTRIBUTES is not supported for global secondary index "
           "gkeys because its projection type is not ALL",
           TableName=name, IndexName="gkeys", Select="ALL_ATTRIBUTES")
    # ALL projection: fine.
    resp = ddb.query(TableName=name, IndexName="gall", Select="ALL_ATTRIBUTES",
                     KeyConditionExpression="g = :g AND gs = :s",
                     ExpressionAttributeValues={":g": S("G"), ":s": N(0)})
    assert [it["k"] for it in resp["Items"]] == [N(0), N(1)]
    assert "m" in resp["Items"][0]


def test_index_consistent_read_refused_on_gsi(ddb, small):
    name, _ = small
    expect(ddb.query, "ValidationException",
           "Consistent reads are not supported on global secondary indexes",
           TableName=name, IndexName="gall", ConsistentRead=True,
           KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("G")})
    expect(ddb.scan, "ValidationException",
           "Consistent reads are not supported on global secondary indexes",
           TableName=name, IndexName="gall", ConsistentRead=True)


def test_index_missing(ddb, small):
    name, _ = small
    expect(ddb.query, "ValidationException", "The table does not have the specified index: nope",
           TableName=name, IndexName="nope",
           KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("G")})
    expect(ddb.scan, "ValidationException", "The table does not have the specified index: nope",
           TableName=name, IndexName="nope")


def test_index_query_must_use_index_key(ddb, small):
    name, _ = small
    expect(ddb.query, "ValidationException", "Query condition missed key schema element: g",
           TableName=name, IndexName="gall",
           KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": S("P")})


def test_index_filter_count(ddb, small):
    name, items = small
    resp = ddb.query(TableName=name, IndexName="gall", KeyConditionExpression="g = :g",
                     FilterExpression="f = :z", ExpressionAttributeValues={":g": S("G"), ":z": N(0)})
    want = index_order([it for it in items if "g" in it and it["f"] == N(0)])
    assert [it["k"] for it in resp["Items"]] == [it["k"] for it in want]
    assert resp["ScannedCount"] == 24


def test_scan_index_is_sparse(ddb, small):
    name, items = small
    pages = walk(ddb.scan, TableName=name, IndexName="gall", Limit=5)
    got = items_of(pages)
    assert sorted(int(it["k"]["N"]) for it in got) == [i for i in range(30) if i % 5 != 4]
    for page in pages:
        if "LastEvaluatedKey" in page:
            assert set(page["LastEvaluatedKey"]) == {"p", "k", "g", "gs"}
    keys = walk(ddb.scan, TableName=name, IndexName="gkeys")
    assert all(set(it) == {"p", "k", "g", "gs"} for it in items_of(keys))


@pytest.fixture(scope="module")
def multi(ddb):
    """Five table partitions whose items share index keys: g = "G" for all,
    gs = k % 3, so every index sort key value is held by items of every
    partition."""
    name = make_table(ddb, "qmulti", ("p", "S"), ("k", "N"), extra_attrs=[("g", "S"), ("gs", "N")],
                      gsis=[index_spec("byg", "g", "gs")])
    items = [{"p": S(p), "k": N(k), "g": S("G"), "gs": N(k % 3)}
             for p in ("b", "a", "e", "c", "d") for k in range(9, -1, -1)]
    batch_put(ddb, name, items)
    return name, items


def pk(it):
    return (it["p"]["S"], it["k"]["N"])


def test_index_ties_ordered_by_table_key(ddb, multi):
    name, items = multi
    resp = ddb.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": S("G")})
    want = sorted(items, key=lambda it: (num(it["gs"]), sort_value(it["p"]), num(it["k"])))
    assert [pk(it) for it in resp["Items"]] == [pk(it) for it in want]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "back"])
def test_index_paging_across_partitions_with_ties(ddb, multi, limit, forward):
    name, items = multi
    kw = dict(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
              ExpressionAttributeValues={":g": S("G")}, ScanIndexForward=forward)
    whole = [pk(it) for it in ddb.query(**kw)["Items"]]
    paged = items_of(walk(ddb.query, Limit=limit, **kw))
    got = [pk(it) for it in paged]
    assert len(got) == len(set(got)) == len(items), "paging skipped or repeated an index entry"
    assert got == whole
    gs = [num(it["gs"]) for it in paged]
    assert gs == sorted(gs, reverse=not forward)


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_scan_across_partitions(ddb, multi, limit):
    name, items = multi
    got = [pk(it) for it in items_of(walk(ddb.scan, TableName=name, Limit=limit))]
    assert sorted(got) == sorted(pk(it) for it in items) and len(got) == len(set(got))
    # A partition's items come together and in sort key order.
    order = [p for p, _ in got]
    assert order == sorted(order, key=order.index)
    for part in "abcde":
        ks = [int(k) for p, k in got if p == part]
        assert ks == sorted(ks)
    idx = [pk(it) for it in items_of(walk(ddb.scan, TableName=name, IndexName="byg", Limit=limit))]
    assert sorted(idx) == sorted(pk(it) for it in items) and len(idx) == len(set(idx))


# --------------------------------------------------------------------------
# Scan
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scan_table(ddb):
    name = make_table(ddb, "scan", ("id", "S"))
    items = [{"id": S(f"item-{i:04d}"), "n": N(i), "even": {"BOOL": i % 2 == 0}} for i in range(600)]
    batch_put(ddb, name, items)
    return name, items


def test_scan_everything_once(ddb, scan_table):
    name, items = scan_table
    pages = walk(ddb.scan, TableName=name, Limit=37)
    got = items_of(pages)
    assert sorted(it["id"]["S"] for it in got) == sorted(it["id"]["S"] for it in items)
    for page in pages[:-1]:
        assert page["Count"] == 37 and page["ScannedCount"] == 37
        assert page["LastEvaluatedKey"] == {"id": page["Items"][-1]["id"]}
    whole = ddb.scan(TableName=name)
    assert whole["Count"] == 600 and "LastEvaluatedKey" not in whole


def test_scan_filter_and_select(ddb, scan_table):
    name, items = scan_table
    pages = walk(ddb.scan, TableName=name, Limit=50, FilterExpression="even = :t AND n < :m",
                 ExpressionAttributeValues={":t": {"BOOL": True}, ":m": N(100)})
    got = items_of(pages)
    assert sorted(int(it["n"]["N"]) for it in got) == list(range(0, 100, 2))
    assert sum(p["ScannedCount"] for p in pages) == 600
    assert sum(p["Count"] for p in pages) == 50
    count = ddb.scan(TableName=name, Select="COUNT", FilterExpression="n >= :m",
                     ExpressionAttributeValues={":m": N(590)})
    assert "Items" not in count and count["Count"] == 10 and count["ScannedCount"] == 600
    legacy = ddb.scan(TableName=name, ScanFilter={"n": {"ComparisonOperator": "BETWEEN",
                                                        "AttributeValueList": [N(10), N(12)]}},
                      AttributesToGet=["n"])
    assert sorted(int(it["n"]["N"]) for it in legacy["Items"]) == [10, 11, 12]
    assert all(set(it) == {"n"} for it in legacy["Items"])
    # Unlike Query's, a Scan's filter may name key attributes.
    keyed = ddb.scan(TableName=name, FilterExpression="id BETWEEN :a AND :b",
                     ExpressionAttributeValues={":a": S("item-0100"), ":b": S("item-0104")})
    assert sorted(it["id"]["S"] for it in keyed["Items"]) == [f"item-{i:04d}" for i in range(100, 105)]
    proj = ddb.scan(TableName=name, ProjectionExpression="id", Limit=3)
    assert all(set(it) == {"id"} for it in proj["Items"]) and proj["Count"] == 3


@pytest.mark.parametrize("total", [1, 2, 3, 7, 16])
def test_parallel_scan_partitions_the_table(ddb, scan_table, total):
    name, items = scan_table
    seen = []
    for seg in range(total):
        pages = walk(ddb.scan, TableName=name, Segment=seg, TotalSegments=total, Limit=45)
        seen.extend(it["id"]["S"] for it in items_of(pages))
    assert len(seen) == len(set(seen)), "an item appeared in two segments"
    assert sorted(seen) == sorted(it["id"]["S"] for it in items)


def test_parallel_scan_segments_concurrently(ddb, scan_table):
    name, items = scan_table
    total = 4

    def run(seg):
        return [it["id"]["S"] for it in items_of(
            walk(ddb.scan, TableName=name, Segment=seg, TotalSegments=total, Limit=100))]

    with concurrent.futures.ThreadPoolExecutor(max_workers=total) as ex:
        parts = list(ex.map(run, range(total)))
    seen = [x for p in parts for x in p]
    assert len(seen) == len(set(seen)) == len(items)


def test_parallel_scan_start_key_from_another_segment(ddb_raw, scan_table):
    name, _ = scan_table
    total = 4
    firsts = {}
    for seg in range(total):
        resp = ddb_raw.scan(TableName=name, Segment=seg, TotalSegments=total, Limit=5)
        firsts[seg] = resp["LastEvaluatedKey"]
    # Each segment continues from its own key...
    for seg in range(total):
        ddb_raw.scan(TableName=name, Segment=seg, TotalSegments=total, Limit=5,
                     ExclusiveStartKey=firsts[seg])
    # ...and refuses another segment's.
    expect(ddb_raw.scan, "ValidationException",
           "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey "
           "with correct Segment. TotalSegments: 4 Segment: 0",
           TableName=name, Segment=0, TotalSegments=total, ExclusiveStartKey=firsts[1])


def test_parallel_scan_more_segments_than_items(ddb):
    name = make_table(ddb, "scanfew", ("id", "N"))
    for i in range(3):
        ddb.put_item(TableName=name, Item={"id": N(i)})
    seen = []
    for seg in range(50):
        seen.extend(it["id"]["N"] for it in ddb.scan(TableName=name, Segment=seg, TotalSegments=50)["Items"])
    assert sorted(seen) == ["0", "1", "2"]


# --------------------------------------------------------------------------
# validation errors
# --------------------------------------------------------------------------

def case(cid, params, message, mode=EXACT, code="ValidationException"):
    return pytest.param(params, code, message, mode, id=cid)


def kc(**conds):
    out = {}
    for k, v in conds.items():
        out[k] = {"ComparisonOperator": v[0]}
        if len(v) > 1:
            out[k]["AttributeValueList"] = list(v[1:])
    return {"KeyConditions": out}


P = S("P")

QUERY_ERRORS = [
    case("no_key_condition", {}, "Either the KeyConditions or KeyConditionExpression parameter must be "
         "specified in the request."),
    case("hash_not_eq", {"KeyConditionExpression": "p < :p", "ExpressionAttributeValues": {":p": P}},
         "Query key condition not supported"),
    case("hash_missing", {"KeyConditionExpression": "k = :k", "ExpressionAttributeValues": {":k": N(1)}},
         "Query condition missed key schema element: p"),
    case("non_key_attribute", {"KeyConditionExpression": "p = :p AND f = :f",
                               "ExpressionAttributeValues": {":p": P, ":f": N(1)}},
         "Query condition missed key schema element: k"),
    case("two_conditions_same_key", {"KeyConditionExpression": "p = :p AND p = :p",
                                     "ExpressionAttributeValues": {":p": P}},
         "KeyConditionExpressions must only contain one condition per key"),
    case("two_conditions_sort_key", {"KeyConditionExpression": "p = :p AND k > :a AND k < :b",
                                     "ExpressionAttributeValues": {":p": P, ":a": N(1), ":b": N(5)}},
         "", ANY),
    case("or", {"KeyConditionExpression": "p = :p OR k = :k",
                "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "Invalid operator used in KeyConditionExpression: OR"),
    case("not", {"KeyConditionExpression": "p = :p AND NOT k = :k",
                 "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "Invalid operator used in KeyConditionExpression: NOT"),
    case("ne", {"KeyConditionExpression": "p = :p AND k <> :k",
                "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "Invalid operator used in KeyConditionExpression: <>"),
    case("in", {"KeyConditionExpression": "p = :p AND k IN (:k)",
                "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "Invalid operator used in KeyConditionExpression: IN"),
    case("attribute_exists", {"KeyConditionExpression": "p = :p AND attribute_exists(k)",
                              "ExpressionAttributeValues": {":p": P}},
         "Invalid operator used in KeyConditionExpression: attribute_exists"),
    case("begins_with_on_number", {"KeyConditionExpression": "p = :p AND begins_with(k, :k)",
                                   "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
         "operator or function: begins_with, operand type: N", PREFIX),
    case("nested_key", {"KeyConditionExpression": "p = :p AND k.x = :k",
                        "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "KeyConditionExpressions cannot have conditions on nested attributes"),
    case("hash_type_mismatch", {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": N(1)}},
         INVALID + "Condition parameter type does not match schema type"),
    case("sort_type_mismatch", {"KeyConditionExpression": "p = :p AND k > :k",
                                "ExpressionAttributeValues": {":p": P, ":k": S("1")}},
         INVALID + "Condition parameter type does not match schema type"),
    case("between_reversed", {"KeyConditionExpression": "p = :p AND k BETWEEN :b AND :a",
                              "ExpressionAttributeValues": {":p": P, ":a": N(1), ":b": N(5)}},
         "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than "
         "or equal to lower bound", PREFIX),
    case("empty_expression", {"KeyConditionExpression": ""},
         "Invalid KeyConditionExpression: The expression can not be empty;"),
    case("syntax", {"KeyConditionExpression": "p = :p AND k != :k",
                    "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "Invalid KeyConditionExpression: Syntax error; ", PREFIX),
    case("undefined_value", {"KeyConditionExpression": "p = :p"},
         "Invalid KeyConditionExpression: An expression attribute value used in expression is not "
         "defined; attribute value: :p"),
    case("unused_value", {"KeyConditionExpression": "p = :p",
                          "ExpressionAttributeValues": {":p": P, ":zz": N(1)}},
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:zz}"),
    case("both_forms", {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": P},
                        **kc(k=("GT", N(1)))},
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"),
    case("filter_with_query_filter", {"KeyConditionExpression": "p = :p", "FilterExpression": "f = :p",
                                      "ExpressionAttributeValues": {":p": P},
                                      "QueryFilter": {"f": {"ComparisonOperator": "NULL"}}},
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {QueryFilter} Expression parameters: ", PREFIX),
    case("filter_on_sort_key", {"KeyConditionExpression": "p = :p", "FilterExpression": "k > :k",
                                "ExpressionAttributeValues": {":p": P, ":k": N(1)}},
         "Filter Expression can only contain non-primary key attributes: Primary key attribute: k"),
    case("filter_on_hash_key", {"KeyConditionExpression": "p = :p", "FilterExpression": "p = :p",
                                "ExpressionAttributeValues": {":p": P}},
         "Filter Expression can only contain non-primary key attributes: Primary key attribute: p"),
    case("query_filter_on_sort_key", {**kc(p=("EQ", P)),
                                      "QueryFilter": {"k": {"ComparisonOperator": "EQ",
                                                            "AttributeValueList": [N(1)]}}},
         "QueryFilter can only contain non-primary key attributes: Primary key attribute: k"),
    case("filter_on_index_key", {"IndexName": "gall", "KeyConditionExpression": "g = :p",
                                 "FilterExpression": "gs > :n",
                                 "ExpressionAttributeValues": {":p": S("G"), ":n": N(1)}},
         "Filter Expression can only contain non-primary key attributes: Primary key attribute: gs"),
    case("legacy_not_indexable", kc(p=("EQ", P), k=("CONTAINS", N(1))),
         "Attempted conditional constraint is not an indexable operation"),
    case("legacy_null", kc(p=("EQ", P), k=("NULL",)),
         "Attempted conditional constraint is not an indexable operation"),
    case("legacy_hash_not_eq", kc(p=("GE", P)), "Query key condition not supported"),
    case("legacy_missing_hash", kc(k=("EQ", N(1))), "Query condition missed key schema element: p"),
    case("legacy_three_conditions", kc(p=("EQ", P), k=("EQ", N(1)), f=("EQ", N(1))),
         "Conditions can be of length 1 or 2 only"),
    case("legacy_arg_count", kc(p=("EQ", P), k=("BETWEEN", N(1))),
         INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    case("legacy_type_mismatch", kc(p=("EQ", P), k=("EQ", S("x"))),
         INVALID + "Condition parameter type does not match schema type"),
    case("limit_zero", {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": P},
                        "Limit": 0},
         "1 validation error detected: Value at 'Limit' failed to satisfy constraint: "
         "Member must have value greater than or equal to 1"),
    case("bad_select", {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": P},
                        "Select": "EVERYTHING"},
         "1 validation error detected: Value 'EVERYTHING' at 'select' failed to satisfy constraint: "
         "Member must satisfy enum value set: [", PREFIX),
    case("specific_without_projection", {"KeyConditionExpression": "p = :p",
                                         "ExpressionAttributeValues": {":p": P},
                                         "Select": "SPECIFIC_ATTRIBUTES"},
         OPT_INVALID + "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
         r"SPECIFIC_ATTRIBUTES\.?", REGEX),
    case("all_attributes_with_projection", {"KeyConditionExpression": "p = :p",
                                            "ExpressionAttributeValues": {":p": P},
                                            "Select": "ALL_ATTRIBUTES", "ProjectionExpression": "f"},
         OPT_INVALID + "Cannot specify the ProjectionExpression when choosing to get .+", REGEX),
    case("count_with_projection", {"KeyConditionExpression": "p = :p",
                                   "ExpressionAttributeValues": {":p": P},
                                   "Select": "COUNT", "ProjectionExpression": "f"},
         OPT_INVALID + "Cannot specify the ProjectionExpression when choosing to get .+", REGEX),
    case("all_projected_without_index", {"KeyConditionExpression": "p = :p",
                                         "ExpressionAttributeValues": {":p": P},
                                         "Select": "ALL_PROJECTED_ATTRIBUTES"},
         "", ANY),
    case("start_key_missing_sort", {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": P},
                                    "ExclusiveStartKey": {"p": P}},
         "The provided starting key is invalid", PREFIX),
    case("start_key_wrong_type", {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": P},
                                  "ExclusiveStartKey": {"p": P, "k": S("1")}},
         "The provided starting key is invalid", PREFIX),
    case("start_key_extra_attribute", {"KeyConditionExpression": "p = :p",
                                       "ExpressionAttributeValues": {":p": P},
                                       "ExclusiveStartKey": {"p": P, "k": N(1), "f": N(1)}},
         "The provided starting key is invalid", PREFIX),
    case("index_start_key_without_index_key", {"IndexName": "gall", "KeyConditionExpression": "g = :p",
                                               "ExpressionAttributeValues": {":p": S("G")},
                                               "ExclusiveStartKey": {"p": P, "k": N(1)}},
         "The provided starting key is invalid", PREFIX),
    case("start_key_other_partition", {"KeyConditionExpression": "p = :p",
                                       "ExpressionAttributeValues": {":p": P},
                                       "ExclusiveStartKey": {"p": S("Q"), "k": N(1)}},
         "The provided starting key is outside query boundaries based on provided conditions"),
    case("start_key_outside_range", {"KeyConditionExpression": "p = :p AND k > :k",
                                     "ExpressionAttributeValues": {":p": P, ":k": N(10)},
                                     "ExclusiveStartKey": {"p": P, "k": N(5)}},
         "The provided starting key does not match the range key predicate"),
]


@pytest.mark.parametrize("params,code,message,mode", QUERY_ERRORS)
def test_query_validation(ddb_raw, small, params, code, message, mode):
    name, _ = small
    expect(ddb_raw.query, code, message, mode, TableName=name, **params)


def test_query_missing_table(ddb):
    expect(ddb.query, "ResourceNotFoundException", "Requested resource not found",
           TableName=support.unique_name("nosuch"), KeyConditionExpression="p = :p",
           ExpressionAttributeValues={":p": P})
    expect(ddb.scan, "ResourceNotFoundException", "Requested resource not found",
           TableName=support.unique_name("nosuch"))


def test_query_hash_only_table_rejects_sort_condition(ddb_raw):
    name = make_table(ddb_raw, "qhash2", ("id", "S"))
    expect(ddb_raw.query, "ValidationException", "Query key condition not supported",
           TableName=name, **kc(id=("EQ", S("a")), other=("EQ", S("b"))))


SCAN_ERRORS = [
    case("segment_not_less", {"Segment": 3, "TotalSegments": 3},
         "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
         "Segment: 3 is not less than TotalSegments: 3"),
    case("segment_without_total", {"Segment": 1},
         "The TotalSegments parameter is required but was not present in the request when "
         "Segment parameter is present"),
    case("total_without_segment", {"TotalSegments": 4},
         "The Segment parameter is required but was not present in the request when parameter "
         "TotalSegments is present"),
    case("total_zero", {"Segment": 0, "TotalSegments": 0},
         "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: "
         "Member must have value greater than or equal to 1"),
    case("total_too_big", {"Segment": 0, "TotalSegments": 1000001},
         "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy "
         "constraint: Member must have value less than or equal to 1000000"),
    case("segment_negative", {"Segment": -1, "TotalSegments": 2},
         "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: "
         "Member must have value greater than or equal to 0"),
    case("limit_zero", {"Limit": 0},
         "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
         "Member must have value greater than or equal to 1"),
    case("start_key_wrong_attribute", {"ExclusiveStartKey": {"other": S("x")}},
         "The provided starting key is invalid: The provided key element does not match the schema"),
    case("start_key_wrong_type", {"ExclusiveStartKey": {"id": N(1)}},
         "The provided starting key is invalid: The provided key element does not match the schema"),
    case("filter_with_scan_filter", {"FilterExpression": "n = :n", "ExpressionAttributeValues": {":n": N(1)},
                                     "ScanFilter": {"n": {"ComparisonOperator": "NULL"}}},
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"),
    case("specific_without_projection", {"Select": "SPECIFIC_ATTRIBUTES"},
         OPT_INVALID + "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
         r"SPECIFIC_ATTRIBUTES\.?", REGEX),
]


@pytest.mark.parametrize("params,code,message,mode", SCAN_ERRORS)
def test_scan_validation(ddb_raw, scan_table, params, code, message, mode):
    name, _ = scan_table
    expect(ddb_raw.scan, code, message, mode, TableName=name, **params)


def test_scan_start_key_on_index_must_have_index_key(ddb_raw, small):
    name, _ = small
    expect(ddb_raw.scan, "ValidationException", "The provided starting key is invalid", PREFIX,
           TableName=name, IndexName="gall", ExclusiveStartKey={"p": P, "k": N(1)})


# --------------------------------------------------------------------------
# 10,000 items: paging by Limit, both directions, filters, table and index
# --------------------------------------------------------------------------

BIG = 10000


@pytest.fixture(scope="module")
def big(ddb):
    """10,000 items in partition "P" (k = 0..9999); 90% of them carry the
    GSI key (g = "G", gs = k % 97, so many duplicate index sort keys)."""
    name = make_table(ddb, "qbig", ("p", "S"), ("k", "N"), extra_attrs=[("g", "S"), ("gs", "N")],
                      gsis=[index_spec("byg", "g", "gs")])
    items = []
    for i in range(BIG):
        it = {"p": S("P"), "k": N(i), "f": N(i % 3), "pad": S("x" * (i % 17))}
        if i % 10 != 9:
            it["g"] = S("G")
            it["gs"] = N(i % 97)
        items.append(it)
    shuffled = list(items)
    random.Random(11).shuffle(shuffled)
    batch_put(ddb, name, shuffled, threads=4)
    table_order = [it["k"]["N"] for it in items]
    index_items = sorted((it for it in items if "g" in it), key=lambda it: (num(it["gs"]), num(it["k"])))
    index_order_ = [it["k"]["N"] for it in index_items]
    return {"name": name, "items": items, "table": table_order, "index": index_order_,
            "by_k": {it["k"]["N"]: it for it in items}}


def check_walk(pages, want, key_attrs, limit=None, filtered=False):
    got = [it["k"]["N"] for it in items_of(pages)]
    assert len(got) == len(set(got)), "an item was returned twice"
    assert got == want
    for page in pages:
        if limit is not None:
            assert page["ScannedCount"] <= limit
            if not filtered and "LastEvaluatedKey" in page:
                assert page["Count"] == limit
        if "LastEvaluatedKey" in page and not filtered:
            last = page["Items"][-1]
            assert page["LastEvaluatedKey"] == {a: last[a] for a in key_attrs}
    assert "LastEvaluatedKey" not in pages[-1]


@pytest.mark.slow
def test_big_insert_and_count(ddb, big):
    resp = ddb.query(TableName=big["name"], KeyConditionExpression="p = :p",
                     ExpressionAttributeValues={":p": P}, Select="COUNT")
    # Small items: the whole partition fits in one 1 MB page.
    assert resp["Count"] == BIG
    desc = ddb.describe_table(TableName=big["name"])["Table"]
    assert desc["ItemCount"] == BIG
    gsi = desc["GlobalSecondaryIndexes"][0]
    assert gsi["ItemCount"] == len(big["index"])


@pytest.mark.slow
@pytest.mark.parametrize("limit,forward", [(7, True), (7, False), (100, True), (100, False)],
                         ids=["7-fwd", "7-back", "100-fwd", "100-back"])
def test_big_query_paging(ddb, big, limit, forward):
    pages = walk(ddb.query, TableName=big["name"], KeyConditionExpression="p = :p",
                 ExpressionAttributeValues={":p": P}, Limit=limit, ScanIndexForward=forward)
    want = big["table"] if forward else big["table"][::-1]
    check_walk(pages, want, ("p", "k"), limit)
    assert len(pages) in (-(-BIG // limit), -(-BIG // limit) + 1)


@pytest.mark.slow
@pytest.mark.parametrize("limit,forward", [(7, True), (100, True), (100, False)],
                         ids=["7-fwd", "100-fwd", "100-back"])
def test_big_query_paging_with_filter(ddb, big, limit, forward):
    pages = walk(ddb.query, TableName=big["name"], KeyConditionExpression="p = :p",
                 FilterExpression="f = :one", ExpressionAttributeValues={":p": P, ":one": N(1)},
                 Limit=limit, ScanIndexForward=forward)
    want = [k for k in big["table"] if int(k) % 3 == 1]
    if not forward:
        want = want[::-1]
    check_walk(pages, want, ("p", "k"), limit, filtered=True)
    assert sum(p["ScannedCount"] for p in pages) == BIG
    assert sum(p["Count"] for p in pages) == len(want)


@pytest.mark.slow
def test_big_query_range_paging(ddb, big):
    pages = walk(ddb.query, TableName=big["name"], KeyConditionExpression="p = :p AND k BETWEEN :a AND :b",
                 ExpressionAttributeValues={":p": P, ":a": N(1234), ":b": N(8765)}, Limit=100,
                 ScanIndexForward=False)
    check_walk(pages, [str(i) for i in range(8765, 1233, -1)], ("p", "k"), 100)


@pytest.mark.slow
@pytest.mark.parametrize("limit,forward", [(7, True), (100, False), (100, True)],
                         ids=["7-fwd", "100-back", "100-fwd"])
def test_big_index_query_paging(ddb, big, limit, forward):
    pages = walk(ddb.query, TableName=big["name"], IndexName="byg", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": S("G")}, Limit=limit, ScanIndexForward=forward)
    want = big["index"] if forward else big["index"][::-1]
    check_walk(pages, want, ("p", "k", "g", "gs"), limit)


@pytest.mark.slow
def test_big_index_query_paging_with_filter_and_range(ddb, big):
    pages = walk(ddb.query, TableName=big["name"], IndexName="byg",
                 KeyConditionExpression="g = :g AND gs >= :lo", FilterExpression="f <> :one",
                 ExpressionAttributeValues={":g": S("G"), ":lo": N(50), ":one": N(1)},
                 Limit=100, ScanIndexForward=False)
    want = [k for k in big["index"][::-1]
            if int(big["by_k"][k]["gs"]["N"]) >= 50 and int(k) % 3 != 1]
    check_walk(pages, want, ("p", "k", "g", "gs"), 100, filtered=True)


@pytest.mark.slow
@pytest.mark.parametrize("limit", [100, None])
def test_big_scan_paging(ddb, big, limit):
    kw = {"Limit": limit} if limit else {}
    pages = walk(ddb.scan, TableName=big["name"], **kw)
    # One partition: a scan returns it in sort key order.
    check_walk(pages, big["table"], ("p", "k"), limit)


@pytest.mark.slow
def test_big_scan_index_paging_with_filter(ddb, big):
    pages = walk(ddb.scan, TableName=big["name"], IndexName="byg", Limit=100,
                 FilterExpression="f = :z", ExpressionAttributeValues={":z": N(0)})
    want = [k for k in big["index"] if int(k) % 3 == 0]
    check_walk(pages, want, ("p", "k", "g", "gs"), 100, filtered=True)
    assert sum(p["ScannedCount"] for p in pages) == len(big["index"])


@pytest.mark.slow
def test_big_parallel_scan(ddb, big):
    seen = []
    for seg in range(5):
        pages = walk(ddb.scan, TableName=big["name"], Segment=seg, TotalSegments=5, Limit=500)
        seen.extend(it["k"]["N"] for it in items_of(pages))
    assert len(seen) == len(set(seen)) == BIG


# --------------------------------------------------------------------------
# the 1 MB page limit
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def large(ddb):
    """160 items of 10-40 KB in one partition (about 4 MB), all in a GSI
    (projection ALL) whose sort key has duplicates."""
    name = make_table(ddb, "qlarge", ("p", "S"), ("k", "N"), extra_attrs=[("g", "S"), ("gs", "N")],
                      gsis=[index_spec("byg", "g", "gs")])
    rng = random.Random(5)
    items = []
    for i in range(160):
        items.append({"p": S("P"), "k": N(i), "g": S("G"), "gs": N(i % 7), "f": N(i % 2),
                      "blob": S(chr(97 + i % 26) * rng.randint(10 * 1024, 40 * 1024))})
    batch_put(ddb, name, items, threads=4)
    sizes = {it["k"]["N"]: item_size(it) for it in items}
    return {"name": name, "items": items, "sizes": sizes,
            "table": [it["k"]["N"] for it in items],
            "index": [it["k"]["N"] for it in sorted(items, key=lambda it: (num(it["gs"]), num(it["k"])))]}


def check_mb_pages(pages, sizes, scanned_sizes=None):
    """Each page but the last stops at about 1 MB of read data."""
    assert len(pages) >= 3
    biggest = max(sizes.values())
    for page in pages[:-1]:
        read = scanned_sizes.pop(0) if scanned_sizes is not None else \
            sum(sizes[it["k"]["N"]] for it in page["Items"])
        assert ONE_MB - biggest - 4096 <= read <= ONE_MB + biggest + 4096, read
        assert "LastEvaluatedKey" in page


@pytest.mark.slow
@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "back"])
def test_one_mb_query_pages(ddb, large, forward):
    pages = walk(ddb.query, TableName=large["name"], KeyConditionExpression="p = :p",
                 ExpressionAttributeValues={":p": P}, ScanIndexForward=forward)
    want = large["table"] if forward else large["table"][::-1]
    check_walk(pages, want, ("p", "k"))
    check_mb_pages(pages, large["sizes"])
    total = sum(large["sizes"].values())
    assert len(pages) in (total // ONE_MB + 1, total // ONE_MB + 2)


@pytest.mark.slow
def test_one_mb_pages_with_filter_read_the_same_data(ddb, large):
    plain = walk(ddb.query, TableName=large["name"], KeyConditionExpression="p = :p",
                 ExpressionAttributeValues={":p": P})
    nothing = walk(ddb.query, TableName=large["name"], KeyConditionExpression="p = :p",
                   FilterExpression="f = :x", ExpressionAttributeValues={":p": P, ":x": N(5)})
    assert [p["ScannedCount"] for p in nothing] == [p["Count"] for p in plain]
    assert all(p["Count"] == 0 and p["Items"] == [] for p in nothing)
    assert [p.get("LastEvaluatedKey") for p in nothing] == [p.get("LastEvaluatedKey") for p in plain]
    some = walk(ddb.query, TableName=large["name"], KeyConditionExpression="p = :p",
                FilterExpression="f = :x", ExpressionAttributeValues={":p": P, ":x": N(1)},
                ScanIndexForward=False)
    check_walk(some, [k for k in large["table"][::-1] if int(k) % 2 == 1], ("p", "k"), filtered=True)
    assert sum(p["ScannedCount"] for p in some) == len(large["items"])


@pytest.mark.slow
def test_one_mb_with_limit_smaller_than_page(ddb, large):
    pages = walk(ddb.query, TableName=large["name"], KeyConditionExpression="p = :p",
                 ExpressionAttributeValues={":p": P}, Limit=10)
    check_walk(pages, large["table"], ("p", "k"), 10)


@pytest.mark.slow
@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "back"])
def test_one_mb_index_query_pages(ddb, large, forward):
    pages = walk(ddb.query, TableName=large["name"], IndexName="byg", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": S("G")}, ScanIndexForward=forward)
    want = large["index"] if forward else large["index"][::-1]
    check_walk(pages, want, ("p", "k", "g", "gs"))
    check_mb_pages(pages, large["sizes"])


@pytest.mark.slow
def test_one_mb_scan_pages(ddb, large):
    pages = walk(ddb.scan, TableName=large["name"])
    check_walk(pages, large["table"], ("p", "k"))
    check_mb_pages(pages, large["sizes"])
    index_pages = walk(ddb.scan, TableName=large["name"], IndexName="byg",
                       FilterExpression="f = :z", ExpressionAttributeValues={":z": N(0)})
    got = [it["k"]["N"] for it in items_of(index_pages)]
    assert got == [k for k in large["index"] if int(k) % 2 == 0]
    assert len(index_pages) >= 3
