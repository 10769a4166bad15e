"""BatchGetItem and BatchWriteItem: several tables in one call, projections,
missing items, UnprocessedKeys / UnprocessedItems always empty, the 100-key
and 25-request limits, duplicate keys, and a batch that fails validation
writing nothing.

Messages are DynamoDB's. Where a message is confirmed from DynamoDB's own
answers it is compared exactly; where only its beginning is certain the case
says so.
"""

import pytest

import support
from values import S, N, B
from support import canon
from support import expect_error as _expect_error

INVALID = "One or more parameter values were invalid: "
DUPLICATES = "Provided list of item keys contains duplicates"
KEY_SCHEMA = "The provided key element does not match the schema"
NOT_FOUND = "Requested resource not found"


def make_table(ddb, prefix, hash_key, range_key=None, extra_attrs=(), gsis=()):
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
    ddb.create_table(**kwargs)
    return name


@pytest.fixture(scope="module")
def hash_table(ddb):
    return make_table(ddb, "bh", ("id", "S"))


@pytest.fixture(scope="module")
def range_table(ddb):
    return make_table(ddb, "br", ("pk", "S"), ("sk", "N"))


@pytest.fixture(scope="module")
def bin_table(ddb):
    return make_table(ddb, "bb", ("b", "B"))


@pytest.fixture(scope="module")
def gsi_table(ddb):
    return make_table(ddb, "bg", ("id", "S"), extra_attrs=[("x", "S")], gsis=[{
        "IndexName": "byx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}])


def expect_error(fn, code, message=None, **kwargs):
    """support.expect_error, comparing the message here so that a mismatch
    shows both texts."""
    resp = _expect_error(fn, code, None, **kwargs)
    if message is not None:
        assert resp["Error"]["Message"] == message
    return resp


def uid(prefix="k"):
    return support.unique_name(prefix)


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def body(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def put_req(item):
    return {"PutRequest": {"Item": item}}


def del_req(key):
    return {"DeleteRequest": {"Key": key}}


# --------------------------------------------------------------------------
# BatchWriteItem
# --------------------------------------------------------------------------

def test_write_puts_over_several_tables(ddb, hash_table, range_table, bin_table):
    a = {"id": S(uid()), "v": S("a"), "ss": {"SS": ["x", "y"]}}
    b = {"pk": S(uid()), "sk": N(1), "v": N(2)}
    c = {"pk": b["pk"], "sk": N("1.5"), "v": {"L": [N(1), {"M": {"z": {"NULL": True}}}]}}
    d = {"b": B(b"\x00\xff" + uid().encode())}
    resp = ddb.batch_write_item(RequestItems={
        hash_table: [put_req(a)], range_table: [put_req(b), put_req(c)], bin_table: [put_req(d)]})
    assert body(resp) == {"UnprocessedItems": {}}
    assert canon(get(ddb, hash_table, {"id": a["id"]})) == canon(a)
    assert get(ddb, range_table, {"pk": b["pk"], "sk": N(1)}) == b
    assert get(ddb, range_table, {"pk": b["pk"], "sk": N("1.5")}) == c
    assert get(ddb, bin_table, {"b": d["b"]}) == d


def test_write_deletes_and_puts_together(ddb, hash_table, range_table):
    old = [{"id": S(uid()), "n": N(i)} for i in range(3)]
    for it in old:
        ddb.put_item(TableName=hash_table, Item=it)
    new = {"id": S(uid()), "n": N(9)}
    rk = {"pk": S(uid()), "sk": N(1)}
    ddb.put_item(TableName=range_table, Item=dict(rk, v=S("old")))
    resp = ddb.batch_write_item(RequestItems={
        hash_table: [del_req({"id": it["id"]}) for it in old] + [put_req(new),
                                                                   del_req({"id": S(uid("absent"))})],
        range_table: [del_req(rk)]})
    assert body(resp) == {"UnprocessedItems": {}}
    for it in old:
        assert get(ddb, hash_table, {"id": it["id"]}) is None
    assert get(ddb, hash_table, {"id": new["id"]}) == new
    assert get(ddb, range_table, rk) is None


def test_write_put_replaces_whole_item(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, a=S("1"), b=S("2")))
    ddb.batch_write_item(RequestItems={hash_table: [put_req(dict(key, c=S("3")))]})
    assert get(ddb, hash_table, key) == dict(key, c=S("3"))


def test_write_25_requests(ddb, range_table):
    pk = S(uid())
    reqs = [put_req({"pk": pk, "sk": N(i), "v": S("x" * 1000)}) for i in range(25)]
    assert body(ddb.batch_write_item(RequestItems={range_table: reqs})) == {"UnprocessedItems": {}}
    resp = ddb.query(TableName=range_table, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": pk})
    assert [it["sk"] for it in resp["Items"]] == [N(i) for i in range(25)]


def test_write_large_items(ddb, range_table):
    # 25 items near the 400 KB item limit: about 10 MB in one request.
    pk = S(uid())
    reqs = [put_req({"pk": pk, "sk": N(i), "v": S(chr(65 + i) * 400000)}) for i in range(25)]
    assert body(ddb.batch_write_item(RequestItems={range_table: reqs})) == {"UnprocessedItems": {}}
    resp = ddb.query(TableName=range_table, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": pk}, Select="COUNT")
    got = resp["Count"]
    start = resp.get("LastEvaluatedKey")
    while start:
        resp = ddb.query(TableName=range_table, KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": pk}, Select="COUNT", ExclusiveStartKey=start)
        got += resp["Count"]
        start = resp.get("LastEvaluatedKey")
    assert got == 25


def test_write_same_key_in_different_tables_is_fine(ddb, hash_table, gsi_table):
    k = S(uid())
    resp = ddb.batch_write_item(RequestItems={hash_table: [put_req({"id": k, "t": S("1")})],
                                              gsi_table: [put_req({"id": k, "t": S("2")})]})
    assert body(resp) == {"UnprocessedItems": {}}
    assert get(ddb, hash_table, {"id": k})["t"] == S("1")
    assert get(ddb, gsi_table, {"id": k})["t"] == S("2")


def test_write_keys_sharing_one_component_are_not_duplicates(ddb, range_table):
    p, q = S(uid()), S(uid())
    ddb.batch_write_item(RequestItems={range_table: [
        put_req({"pk": p, "sk": N(1)}), put_req({"pk": p, "sk": N(2)}), put_req({"pk": q, "sk": N(1)})]})
    assert get(ddb, range_table, {"pk": q, "sk": N(1)}) == {"pk": q, "sk": N(1)}


@pytest.mark.parametrize("reqs", [
    pytest.param(lambda k: [put_req(dict(k, v=S("a"))), put_req(dict(k, v=S("b")))], id="put_put"),
    pytest.param(lambda k: [put_req(k), del_req(k)], id="put_delete"),
    pytest.param(lambda k: [del_req(k), put_req(k)], id="delete_put"),
    pytest.param(lambda k: [del_req(k), del_req(k)], id="delete_delete"),
])
def test_write_duplicate_keys_refused(ddb, range_table, reqs):
    key = {"pk": S(uid()), "sk": N(7)}
    other = {"pk": S(uid()), "sk": N(7)}
    expect_error(ddb.batch_write_item, "ValidationException", DUPLICATES,
                 RequestItems={range_table: [put_req(other)] + reqs(key)})
    assert get(ddb, range_table, key) is None
    assert get(ddb, range_table, other) is None


def test_write_duplicate_numbers_in_other_spelling(ddb, range_table):
    pk = S(uid())
    expect_error(ddb.batch_write_item, "ValidationException", DUPLICATES,
                 RequestItems={range_table: [put_req({"pk": pk, "sk": N("1.50")}),
                                             put_req({"pk": pk, "sk": N("1.5")})]})
    assert get(ddb, range_table, {"pk": pk, "sk": N("1.5")}) is None


def test_write_more_than_25_requests_refused(ddb_raw, range_table):
    pk = S(uid())
    resp = expect_error(ddb_raw.batch_write_item, "ValidationException",
                        RequestItems={range_table: [put_req({"pk": pk, "sk": N(i)}) for i in range(26)]})
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "Member must have length less than or equal to 25" in msg
    assert get(ddb_raw, range_table, {"pk": pk, "sk": N(0)}) is None


def test_write_more_than_25_over_two_tables_refused(ddb_raw, range_table, hash_table):
    pk = S(uid())
    ids = [S(uid()) for _ in range(13)]
    expect_error(ddb_raw.batch_write_item, "ValidationException", RequestItems={
        range_table: [put_req({"pk": pk, "sk": N(i)}) for i in range(13)],
        hash_table: [put_req({"id": i}) for i in ids]})
    assert get(ddb_raw, range_table, {"pk": pk, "sk": N(0)}) is None
    assert get(ddb_raw, hash_table, {"id": ids[0]}) is None


def test_write_empty_request_items(ddb_raw):
    # us-east-1 and most regions (some answer as BatchGetItem does).
    expect_error(ddb_raw.batch_write_item, "ValidationException",
                 "The requestItems parameter is required for BatchWriteItem", RequestItems={})


def test_write_empty_list_for_a_table(ddb_raw, hash_table):
    resp = expect_error(ddb_raw.batch_write_item, "ValidationException", RequestItems={hash_table: []})
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "Member must have length greater than or equal to 1" in msg


def test_write_request_with_neither_put_nor_delete(ddb_raw, hash_table):
    expect_error(ddb_raw.batch_write_item, "ValidationException",
                 "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
                 "of the supported datatypes", RequestItems={hash_table: [{}]})


@pytest.mark.parametrize("bad", [
    pytest.param({"PutRequest": {"Item": {"other": S("x")}}}, id="put_missing_key"),
    pytest.param({"PutRequest": {"Item": {"pk": S("x"), "sk": S("1")}}}, id="put_wrong_type"),
    pytest.param({"PutRequest": {"Item": {"pk": S("x")}}}, id="put_missing_sort_key"),
    pytest.param({"DeleteRequest": {"Key": {"pk": S("x")}}}, id="delete_missing_sort_key"),
    pytest.param({"DeleteRequest": {"Key": {"pk": S("x"), "sk": N(1), "extra": S("y")}}},
                 id="delete_extra_attribute"),
    pytest.param({"DeleteRequest": {"Key": {"pk": N(1), "sk": N(1)}}}, id="delete_wrong_type"),
])
def test_write_bad_key_rejects_whole_batch(ddb_raw, range_table, hash_table, bad):
    good = {"pk": S(uid()), "sk": N(1)}
    other = {"id": S(uid())}
    expect_error(ddb_raw.batch_write_item, "ValidationException", KEY_SCHEMA,
                 RequestItems={hash_table: [put_req(other)], range_table: [put_req(good), bad]})
    assert get(ddb_raw, range_table, good) is None
    assert get(ddb_raw, hash_table, other) is None


def test_write_item_too_large_rejects_batch(ddb_raw, hash_table):
    ok = {"id": S(uid())}
    big = {"id": S(uid()), "v": S("x" * 409600)}
    expect_error(ddb_raw.batch_write_item, "ValidationException",
                 "Item size has exceeded the maximum allowed size",
                 RequestItems={hash_table: [put_req(ok), put_req(big)]})
    assert get(ddb_raw, hash_table, {"id": ok["id"]}) is None


def test_write_empty_string_key(ddb_raw, hash_table):
    resp = expect_error(ddb_raw.batch_write_item, "ValidationException",
                        RequestItems={hash_table: [put_req({"id": S("")})]})
    assert "empty string" in resp["Error"]["Message"]


def test_write_missing_table_writes_nothing(ddb, hash_table):
    ok = {"id": S(uid())}
    expect_error(ddb.batch_write_item, "ResourceNotFoundException", NOT_FOUND,
                 RequestItems={hash_table: [put_req(ok)],
                               support.unique_name("nosuch"): [put_req({"id": S("x")})]})
    assert get(ddb, hash_table, {"id": ok["id"]}) is None


def test_write_index_type_mismatch_rejects_batch(ddb, gsi_table):
    a, b = {"id": S(uid()), "x": S("fine")}, {"id": S(uid()), "x": N(3)}
    expect_error(ddb.batch_write_item, "ValidationException",
                 INVALID + "Type mismatch for Index Key x Expected: S Actual: N IndexName: byx",
                 RequestItems={gsi_table: [put_req(a), put_req(b)]})
    assert get(ddb, gsi_table, {"id": a["id"]}) is None
    assert get(ddb, gsi_table, {"id": b["id"]}) is None


def test_write_maintains_index(ddb, gsi_table):
    x = uid("x")
    ids = [S(uid()) for _ in range(5)]
    ddb.batch_write_item(RequestItems={gsi_table: [put_req({"id": i, "x": S(x)}) for i in ids]})
    got = ddb.query(TableName=gsi_table, IndexName="byx", KeyConditionExpression="x = :x",
                    ExpressionAttributeValues={":x": S(x)})["Items"]
    assert sorted(it["id"]["S"] for it in got) == sorted(i["S"] for i in ids)
    ddb.batch_write_item(RequestItems={gsi_table: [del_req({"id": i}) for i in ids[:3]] +
                                       [put_req({"id": ids[3], "x": S(x + "-moved")})]})
    got = ddb.query(TableName=gsi_table, IndexName="byx", KeyConditionExpression="x = :x",
                    ExpressionAttributeValues={":x": S(x)})["Items"]
    assert [it["id"] for it in got] == [ids[4]]


# --------------------------------------------------------------------------
# BatchGetItem
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stocked(ddb, hash_table, range_table):
    hitems = [{"id": S(uid("g")), "a": N(i), "b": S(f"b{i}"), "m": {"M": {"x": N(i), "y": S("y")}}}
              for i in range(60)]
    pk = S(uid("g"))
    ritems = [{"pk": pk, "sk": N(i), "c": S(f"c{i}")} for i in range(60)]
    for chunk in range(0, 60, 20):
        ddb.batch_write_item(RequestItems={hash_table: [put_req(it) for it in hitems[chunk:chunk + 20]]})
        ddb.batch_write_item(RequestItems={range_table: [put_req(it) for it in ritems[chunk:chunk + 5]]})
        ddb.batch_write_item(RequestItems={range_table: [put_req(it) for it in ritems[chunk + 5:chunk + 20]]})
    return hitems, ritems


def by_key(items, *attrs):
    return sorted(items, key=lambda it: tuple(str(it[a]) for a in attrs))


def test_get_over_several_tables(ddb, hash_table, range_table, stocked):
    hitems, ritems = stocked
    resp = ddb.batch_get_item(RequestItems={
        hash_table: {"Keys": [{"id": it["id"]} for it in hitems[:10]], "ConsistentRead": True},
        range_table: {"Keys": [{"pk": it["pk"], "sk": it["sk"]} for it in ritems[5:12]]},
    })
    assert set(resp["Responses"]) == {hash_table, range_table}
    assert by_key(resp["Responses"][hash_table], "id") == by_key(hitems[:10], "id")
    assert by_key(resp["Responses"][range_table], "sk") == by_key(ritems[5:12], "sk")
    assert resp["UnprocessedKeys"] == {}


def test_get_missing_items_are_omitted(ddb, hash_table, range_table, stocked):
    hitems, _ = stocked
    resp = ddb.batch_get_item(RequestItems={
        hash_table: {"Keys": [{"id": hitems[0]["id"]}, {"id": S(uid("absent"))}, {"id": hitems[1]["id"]}]},
        range_table: {"Keys": [{"pk": S(uid("absent")), "sk": N(1)}]},
    })
    assert by_key(resp["Responses"][hash_table], "id") == by_key(hitems[:2], "id")
    assert resp["Responses"][range_table] == []
    assert resp["UnprocessedKeys"] == {}


def test_get_100_keys(ddb, hash_table, range_table, stocked):
    hitems, ritems = stocked
    resp = ddb.batch_get_item(RequestItems={
        hash_table: {"Keys": [{"id": it["id"]} for it in hitems[:50]]},
        range_table: {"Keys": [{"pk": it["pk"], "sk": it["sk"]} for it in ritems[:50]]},
    })
    assert len(resp["Responses"][hash_table]) == 50
    assert len(resp["Responses"][range_table]) == 50
    assert resp["UnprocessedKeys"] == {}
    resp = ddb.batch_get_item(RequestItems={
        hash_table: {"Keys": [{"id": it["id"]} for it in hitems[:60]] +
                     [{"id": S(uid("absent"))} for _ in range(40)]}})
    assert len(resp["Responses"][hash_table]) == 60


def test_get_projection_expression(ddb, hash_table, stocked):
    hitems, _ = stocked
    resp = ddb.batch_get_item(RequestItems={hash_table: {
        "Keys": [{"id": it["id"]} for it in hitems[:3]],
        "ProjectionExpression": "#a, m.y, absentattr", "ExpressionAttributeNames": {"#a": "a"}}})
    got = sorted(resp["Responses"][hash_table], key=lambda it: int(it["a"]["N"]))
    assert got == [{"a": N(i), "m": {"M": {"y": S("y")}}} for i in range(3)]


def test_get_projection_without_key_attributes(ddb, hash_table, stocked):
    hitems, _ = stocked
    resp = ddb.batch_get_item(RequestItems={hash_table: {
        "Keys": [{"id": it["id"]} for it in hitems[:4]], "ProjectionExpression": "absentattr"}})
    # Items that exist but have none of the projected attributes come back empty.
    assert resp["Responses"][hash_table] == [{}, {}, {}, {}]


def test_get_attributes_to_get(ddb, range_table, stocked):
    _, ritems = stocked
    resp = ddb.batch_get_item(RequestItems={range_table: {
        "Keys": [{"pk": it["pk"], "sk": it["sk"]} for it in ritems[:3]],
        "AttributesToGet": ["sk", "c"], "ConsistentRead": True}})
    got = sorted(resp["Responses"][range_table], key=lambda it: int(it["sk"]["N"]))
    assert got == [{"sk": N(i), "c": S(f"c{i}")} for i in range(3)]


def test_get_too_many_keys_in_one_table(ddb_raw, hash_table):
    resp = expect_error(ddb_raw.batch_get_item, "ValidationException",
                        RequestItems={hash_table: {"Keys": [{"id": S(f"k{i}")} for i in range(101)]}})
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "Member must have length less than or equal to 100" in msg


def test_get_too_many_keys_over_tables(ddb_raw, hash_table, range_table):
    expect_error(ddb_raw.batch_get_item, "ValidationException",
                 "Too many items requested for the BatchGetItem call",
                 RequestItems={hash_table: {"Keys": [{"id": S(f"k{i}")} for i in range(60)]},
                               range_table: {"Keys": [{"pk": S("p"), "sk": N(i)} for i in range(41)]}})


@pytest.mark.parametrize("keys", [
    pytest.param([{"pk": S("a"), "sk": N(1)}, {"pk": S("a"), "sk": N(1)}], id="same"),
    pytest.param([{"pk": S("a"), "sk": N(1)}, {"pk": S("b"), "sk": N(1)}, {"pk": S("a"), "sk": N(1)}],
                 id="mixed"),
    pytest.param([{"pk": S("a"), "sk": N("10")}, {"pk": S("a"), "sk": N("1E1")}], id="number_spelling"),
])
def test_get_duplicate_keys(ddb, range_table, keys):
    expect_error(ddb.batch_get_item, "ValidationException", DUPLICATES,
                 RequestItems={range_table: {"Keys": keys}})


def test_get_same_key_in_two_tables_is_fine(ddb, hash_table, gsi_table):
    k = S(uid())
    resp = ddb.batch_get_item(RequestItems={hash_table: {"Keys": [{"id": k}]},
                                            gsi_table: {"Keys": [{"id": k}]}})
    assert resp["Responses"] == {hash_table: [], gsi_table: []}


@pytest.mark.parametrize("key", [
    pytest.param({"pk": S("a")}, id="missing_sort"),
    pytest.param({"pk": S("a"), "sk": S("1")}, id="wrong_type"),
    pytest.param({"pk": S("a"), "sk": N(1), "x": S("y")}, id="extra_attribute"),
    pytest.param({}, id="empty"),
])
def test_get_bad_key(ddb_raw, range_table, key):
    expect_error(ddb_raw.batch_get_item, "ValidationException", KEY_SCHEMA,
                 RequestItems={range_table: {"Keys": [{"pk": S("ok"), "sk": N(1)}, key]}})


def test_get_missing_table(ddb, hash_table):
    expect_error(ddb.batch_get_item, "ResourceNotFoundException", NOT_FOUND,
                 RequestItems={hash_table: {"Keys": [{"id": S("a")}]},
                               support.unique_name("nosuch"): {"Keys": [{"id": S("a")}]}})


def test_get_empty_request_items(ddb_raw):
    expect_error(ddb_raw.batch_get_item, "ValidationException",
                 "1 validation error detected: Value at 'RequestItems' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 1", RequestItems={})


def test_get_empty_keys(ddb_raw, hash_table):
    resp = expect_error(ddb_raw.batch_get_item, "ValidationException",
                        RequestItems={hash_table: {"Keys": []}})
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "Member must have length greater than or equal to 1" in msg


def test_get_projection_and_attributes_to_get_together(ddb_raw, hash_table):
    expect_error(ddb_raw.batch_get_item, "ValidationException",
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
                 RequestItems={hash_table: {"Keys": [{"id": S("a")}], "ProjectionExpression": "a",
                                            "AttributesToGet": ["a"]}})


def test_get_unused_expression_name(ddb_raw, hash_table):
    expect_error(ddb_raw.batch_get_item, "ValidationException",
                 "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}",
                 RequestItems={hash_table: {"Keys": [{"id": S("a")}], "ProjectionExpression": "#a",
                                            "ExpressionAttributeNames": {"#a": "a", "#u": "u"}}})


def test_get_duplicate_attributes_to_get(ddb_raw, hash_table):
    expect_error(ddb_raw.batch_get_item, "ValidationException",
                 INVALID + "Duplicate value in attribute name: a",
                 RequestItems={hash_table: {"Keys": [{"id": S("a")}], "AttributesToGet": ["a", "a"]}})


def test_get_sees_batch_write(ddb, bin_table):
    keys = [{"b": B(uid().encode() + bytes([i]))} for i in range(20)]
    ddb.batch_write_item(RequestItems={bin_table: [put_req(dict(k, n=N(i))) for i, k in enumerate(keys)]})
    resp = ddb.batch_get_item(RequestItems={bin_table: {"Keys": keys, "ConsistentRead": True}})
    assert sorted(int(it["n"]["N"]) for it in resp["Responses"][bin_table]) == list(range(20))
    ddb.batch_write_item(RequestItems={bin_table: [del_req(k) for k in keys]})
    resp = ddb.batch_get_item(RequestItems={bin_table: {"Keys": keys}})
    assert resp["Responses"][bin_table] == []
