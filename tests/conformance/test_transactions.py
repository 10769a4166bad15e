"""TransactWriteItems and TransactGetItems: Put, Update, Delete and
ConditionCheck alone and mixed over two tables, all-or-nothing cancellation
with CancellationReasons in request order (ConditionalCheckFailed, the
ValidationError of an update that fails at run time, the old item with
ReturnValuesOnConditionCheckFailure=ALL_OLD), one item named twice, the
100-action limit, ClientRequestToken idempotency, a missing table,
TransactGetItems order / projections / missing items, and secondary indexes
kept up to date by transactions.

Messages are DynamoDB's. Where a message is confirmed from DynamoDB's own
answers it is compared exactly; where only its beginning is certain the case
says so and compares a prefix.
"""

import json
import uuid

import pytest

import support
from values import S, N
from support import canon
from support import expect_error as _expect_error

TARGET = "DynamoDB_20120810."
CANCELLED = "TransactionCanceledException"
CANCELLED_PREFIX = "Transaction cancelled, please refer cancellation reasons for specific reasons "
CCF = "ConditionalCheckFailed"
CCF_MESSAGE = "The conditional request failed"
SAME_ITEM = "Transaction request cannot include multiple operations on one item"
NOT_FOUND = "Requested resource not found"
BAD_OPERAND = "An operand in the update expression has an incorrect data type"
# Only the beginning is certain (DynamoDB does not document the text).
TOKEN_MISMATCH_PREFIX = "The request uses the same client token as a previous"
NONE_REASON = {"Code": "None"}
CCF_REASON = {"Code": CCF, "Message": CCF_MESSAGE}


# -- helpers -------------------------------------------------------------------

def uid(prefix="k"):
    return support.unique_name(prefix)


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


def expect_error(fn, code, message=None, **kwargs):
    """support.expect_error, comparing the message here so that a mismatch
    shows both texts."""
    resp = _expect_error(fn, code, None, **kwargs)
    if message is not None:
        assert resp["Error"]["Message"] == message
    return resp


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def body(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def put(table, item, **extra):
    return {"Put": dict(TableName=table, Item=item, **extra)}


def update(table, key, expr, **extra):
    return {"Update": dict(TableName=table, Key=key, UpdateExpression=expr, **extra)}


def delete(table, key, **extra):
    return {"Delete": dict(TableName=table, Key=key, **extra)}


def check(table, key, cond, **extra):
    return {"ConditionCheck": dict(TableName=table, Key=key, ConditionExpression=cond, **extra)}


def cancel_message(codes):
    return CANCELLED_PREFIX + "[" + ", ".join(codes) + "]"


def expect_cancelled(ddb, items, codes, **kwargs):
    """TransactWriteItems(items) must be cancelled with these reason codes in
    request order; returns the error response (with CancellationReasons)."""
    resp = expect_error(ddb.transact_write_items, CANCELLED, cancel_message(codes),
                        TransactItems=items, **kwargs)
    reasons = resp.get("CancellationReasons")
    assert reasons is not None, resp
    assert [r.get("Code") for r in reasons] == list(codes)
    return resp


def raw_call(emulator, op, payload):
    """One signed request outside botocore; returns (status, decoded body)."""
    status, _, data = support.raw_request(emulator.endpoint, TARGET + op,
                                          json.dumps(payload).encode())
    return status, json.loads(data or b"{}")


# -- tables ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def hash_table(ddb):
    return make_table(ddb, "th", ("id", "S"))


@pytest.fixture(scope="module")
def range_table(ddb):
    return make_table(ddb, "tr", ("pk", "S"), ("sk", "N"))


@pytest.fixture(scope="module")
def gsi_table(ddb):
    return make_table(ddb, "tg", ("id", "S"), extra_attrs=[("g", "S")], gsis=[{
        "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}])


# --------------------------------------------------------------------------
# TransactWriteItems: each action alone
# --------------------------------------------------------------------------

def test_put_alone(ddb, hash_table):
    item = {"id": S(uid()), "v": S("a"), "n": N(1), "m": {"M": {"x": {"L": [N(1), S("y")]}}}}
    resp = ddb.transact_write_items(TransactItems=[put(hash_table, item)])
    assert body(resp) == {}
    assert get(ddb, hash_table, {"id": item["id"]}) == item


def test_put_replaces_the_whole_item(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, old=S("gone"), n=N(1)))
    new = dict(key, v=S("new"))
    ddb.transact_write_items(TransactItems=[put(hash_table, new)])
    assert get(ddb, hash_table, key) == new


def test_put_several_items(ddb, range_table):
    pk = S(uid())
    items = [{"pk": pk, "sk": N(i), "v": S(f"v{i}")} for i in range(5)]
    ddb.transact_write_items(TransactItems=[put(range_table, it) for it in items])
    got = ddb.query(TableName=range_table, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": pk}, ConsistentRead=True)["Items"]
    assert got == items


def test_update_alone(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, n=N(5), gone=S("x"), keep=S("k")))
    resp = ddb.transact_write_items(TransactItems=[update(
        hash_table, key, "SET #v = :v ADD n :two REMOVE gone",
        ExpressionAttributeNames={"#v": "v"},
        ExpressionAttributeValues={":v": S("new"), ":two": N(2)})])
    assert body(resp) == {}
    assert get(ddb, hash_table, key) == dict(key, n=N(7), v=S("new"), keep=S("k"))


def test_update_creates_a_missing_item(ddb, range_table):
    key = {"pk": S(uid()), "sk": N(3)}
    ddb.transact_write_items(TransactItems=[update(
        range_table, key, "SET v = :v ADD c :one",
        ExpressionAttributeValues={":v": S("x"), ":one": N(1)})])
    assert get(ddb, range_table, key) == dict(key, v=S("x"), c=N(1))


def test_delete_alone(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, v=S("x")))
    resp = ddb.transact_write_items(TransactItems=[delete(hash_table, key)])
    assert body(resp) == {}
    assert get(ddb, hash_table, key) is None


def test_delete_of_a_missing_item_succeeds(ddb, hash_table):
    key = {"id": S(uid("absent"))}
    ddb.transact_write_items(TransactItems=[delete(hash_table, key)])
    assert get(ddb, hash_table, key) is None


def test_condition_check_alone_passes_and_changes_nothing(ddb, hash_table):
    key = {"id": S(uid())}
    item = dict(key, email=S("a@example.com"))
    ddb.put_item(TableName=hash_table, Item=item)
    resp = ddb.transact_write_items(TransactItems=[check(
        hash_table, key, "attribute_exists(#e)", ExpressionAttributeNames={"#e": "email"})])
    assert body(resp) == {}
    assert get(ddb, hash_table, key) == item


def test_condition_check_alone_fails(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=key)
    resp = expect_cancelled(ddb, [check(hash_table, key, "attribute_exists(email)")], [CCF])
    assert resp["CancellationReasons"] == [CCF_REASON]
    assert get(ddb, hash_table, key) == key


def test_condition_check_on_a_missing_item(ddb, hash_table):
    key = {"id": S(uid("absent"))}
    ddb.transact_write_items(TransactItems=[check(hash_table, key, "attribute_not_exists(id)")])
    expect_cancelled(ddb, [check(hash_table, key, "attribute_exists(id)")], [CCF])
    assert get(ddb, hash_table, key) is None


# --------------------------------------------------------------------------
# Conditions on Put / Update / Delete
# --------------------------------------------------------------------------

def test_put_condition_passes(ddb, hash_table):
    item = {"id": S(uid()), "v": S("x")}
    ddb.transact_write_items(TransactItems=[put(hash_table, item,
                                                ConditionExpression="attribute_not_exists(id)")])
    assert get(ddb, hash_table, {"id": item["id"]}) == item


def test_put_condition_fails(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, v=S("old")))
    resp = expect_cancelled(ddb, [put(hash_table, dict(key, v=S("new")),
                                      ConditionExpression="attribute_not_exists(id)")], [CCF])
    assert resp["CancellationReasons"] == [CCF_REASON]
    assert get(ddb, hash_table, key) == dict(key, v=S("old"))


def test_update_condition_passes_and_fails(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, ver=N(1)))
    ddb.transact_write_items(TransactItems=[update(
        hash_table, key, "SET ver = ver + :one", ConditionExpression="ver = :cur",
        ExpressionAttributeValues={":one": N(1), ":cur": N(1)})])
    assert get(ddb, hash_table, key) == dict(key, ver=N(2))
    expect_cancelled(ddb, [update(
        hash_table, key, "SET ver = ver + :one", ConditionExpression="ver = :cur",
        ExpressionAttributeValues={":one": N(1), ":cur": N(1)})], [CCF])
    assert get(ddb, hash_table, key) == dict(key, ver=N(2))


def test_update_condition_on_a_missing_item_does_not_create_it(ddb, hash_table):
    key = {"id": S(uid("absent"))}
    expect_cancelled(ddb, [update(hash_table, key, "SET v = :v",
                                  ConditionExpression="attribute_exists(id)",
                                  ExpressionAttributeValues={":v": S("x")})], [CCF])
    assert get(ddb, hash_table, key) is None


def test_delete_condition_passes_and_fails(ddb, hash_table):
    key = {"id": S(uid())}
    item = dict(key, email=S("a@example.com"))
    ddb.put_item(TableName=hash_table, Item=item)
    expect_cancelled(ddb, [delete(hash_table, key, ConditionExpression="attribute_not_exists(email)")],
                     [CCF])
    assert get(ddb, hash_table, key) == item
    ddb.transact_write_items(TransactItems=[delete(
        hash_table, key, ConditionExpression="email = :e",
        ExpressionAttributeValues={":e": S("a@example.com")})])
    assert get(ddb, hash_table, key) is None


# --------------------------------------------------------------------------
# Mixed actions over two tables
# --------------------------------------------------------------------------

def test_all_four_actions_over_two_tables(ddb, hash_table, range_table):
    pk = S(uid())
    new_h = {"id": S(uid()), "v": S("new")}
    upd_r = {"pk": pk, "sk": N(1)}
    del_h = {"id": S(uid())}
    chk_r = {"pk": pk, "sk": N(2)}
    ddb.put_item(TableName=range_table, Item=dict(upd_r, n=N(10)))
    ddb.put_item(TableName=hash_table, Item=dict(del_h, v=S("bye")))
    ddb.put_item(TableName=range_table, Item=dict(chk_r, state=S("open")))
    resp = ddb.transact_write_items(TransactItems=[
        put(hash_table, new_h, ConditionExpression="attribute_not_exists(id)"),
        update(range_table, upd_r, "SET n = n - :d", ConditionExpression="n >= :d",
               ExpressionAttributeValues={":d": N(4)}),
        delete(hash_table, del_h, ConditionExpression="attribute_exists(id)"),
        check(range_table, chk_r, "#s = :open", ExpressionAttributeNames={"#s": "state"},
              ExpressionAttributeValues={":open": S("open")}),
    ])
    assert body(resp) == {}
    assert get(ddb, hash_table, {"id": new_h["id"]}) == new_h
    assert get(ddb, range_table, upd_r) == dict(upd_r, n=N(6))
    assert get(ddb, hash_table, del_h) is None
    assert get(ddb, range_table, chk_r) == dict(chk_r, state=S("open"))


def test_same_key_in_two_tables_is_two_items(ddb):
    t1 = make_table(ddb, "ta", ("id", "S"))
    t2 = make_table(ddb, "tb", ("id", "S"))
    key = {"id": S(uid())}
    ddb.transact_write_items(TransactItems=[put(t1, dict(key, t=S("1"))),
                                            put(t2, dict(key, t=S("2")))])
    assert get(ddb, t1, key) == dict(key, t=S("1"))
    assert get(ddb, t2, key) == dict(key, t=S("2"))


# --------------------------------------------------------------------------
# All or nothing; CancellationReasons
# --------------------------------------------------------------------------

def test_failing_last_action_leaves_every_item_unchanged(ddb, hash_table, range_table):
    pk = S(uid())
    upd_h = {"id": S(uid())}
    del_r = {"pk": pk, "sk": N(1)}
    new_r = {"pk": pk, "sk": N(2)}
    chk_h = {"id": S(uid())}
    before_upd = dict(upd_h, n=N(1), s={"SS": ["a"]})
    before_del = dict(del_r, v=S("stay"))
    before_chk = dict(chk_h, state=S("closed"))
    ddb.put_item(TableName=hash_table, Item=before_upd)
    ddb.put_item(TableName=range_table, Item=before_del)
    ddb.put_item(TableName=hash_table, Item=before_chk)
    items = [
        update(hash_table, upd_h, "SET v = :v ADD n :one, s :b",
               ExpressionAttributeValues={":v": S("x"), ":one": N(1), ":b": {"SS": ["b"]}}),
        delete(range_table, del_r),
        put(range_table, dict(new_r, v=S("new"))),
        check(hash_table, chk_h, "#s = :open", ExpressionAttributeNames={"#s": "state"},
              ExpressionAttributeValues={":open": S("open")}),
    ]
    resp = expect_cancelled(ddb, items, ["None", "None", "None", CCF])
    assert resp["CancellationReasons"] == [NONE_REASON, NONE_REASON, NONE_REASON, CCF_REASON]
    assert canon(get(ddb, hash_table, upd_h)) == canon(before_upd)
    assert get(ddb, range_table, del_r) == before_del
    assert get(ddb, range_table, new_r) is None
    assert get(ddb, hash_table, chk_h) == before_chk


def test_failing_first_action(ddb, hash_table):
    # The order of the codes in the message is the order of the request
    # (DynamoDB: "... specific reasons [ConditionalCheckFailed, None]").
    key = {"id": S(uid())}
    other = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=key)
    resp = expect_cancelled(ddb, [put(hash_table, key, ConditionExpression="attribute_not_exists(id)"),
                                  put(hash_table, dict(other, v=S("x")))],
                            [CCF, "None"])
    assert resp["CancellationReasons"] == [CCF_REASON, NONE_REASON]
    assert get(ddb, hash_table, other) is None


def test_several_failing_conditions_each_reported_in_order(ddb, hash_table, range_table):
    pk = S(uid())
    a = {"id": S(uid())}
    b = {"pk": pk, "sk": N(1)}
    c = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(a, n=N(1)))
    ddb.put_item(TableName=range_table, Item=dict(b, n=N(1)))
    items = [
        update(hash_table, a, "SET n = :two", ConditionExpression="n = :zero",
               ExpressionAttributeValues={":two": N(2), ":zero": N(0)}),
        update(range_table, b, "SET n = :two", ConditionExpression="n = :one",
               ExpressionAttributeValues={":two": N(2), ":one": N(1)}),
        check(hash_table, c, "attribute_exists(id)"),
    ]
    resp = expect_cancelled(ddb, items, [CCF, "None", CCF])
    assert resp["CancellationReasons"] == [CCF_REASON, NONE_REASON, CCF_REASON]
    assert get(ddb, hash_table, a) == dict(a, n=N(1))
    assert get(ddb, range_table, b) == dict(b, n=N(1))


def test_cancellation_wire_format(emulator, hash_table):
    """The raw answer: HTTP 400, __type ...#TransactionCanceledException, the
    message, and CancellationReasons."""
    key = {"id": S(uid())}
    status, doc = raw_call(emulator, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": hash_table, "Item": dict(key, v=S("x"))}},
        {"ConditionCheck": {"TableName": hash_table, "Key": {"id": S(uid("absent"))},
                            "ConditionExpression": "attribute_exists(id)"}}]})
    assert status == 400
    assert doc["__type"].split("#")[-1] == CANCELLED
    message = doc.get("message", doc.get("Message"))
    assert message == cancel_message(["None", CCF])
    assert doc["CancellationReasons"] == [NONE_REASON, CCF_REASON]


@pytest.mark.parametrize("op", ["ConditionCheck", "Put", "Update", "Delete"])
def test_all_old_returns_the_item_with_the_failed_condition(ddb, hash_table, op):
    key = {"id": S(uid())}
    stored = dict(key, v=S("old"), n=N(3), l={"L": [S("a"), N(1)]})
    ddb.put_item(TableName=hash_table, Item=stored)
    ok_key = {"id": S(uid())}
    action = {"TableName": hash_table, "ConditionExpression": "v = :want",
              "ExpressionAttributeValues": {":want": S("other")},
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if op == "Put":
        action["Item"] = dict(key, v=S("new"))
    else:
        action["Key"] = key
    if op == "Update":
        action["UpdateExpression"] = "SET v = :want"
    resp = expect_cancelled(ddb, [put(hash_table, dict(ok_key, v=S("x"))), {op: action}],
                            ["None", CCF])
    reasons = resp["CancellationReasons"]
    assert reasons[0] == NONE_REASON
    assert reasons[1] == dict(CCF_REASON, Item=stored)
    assert get(ddb, hash_table, key) == stored
    assert get(ddb, hash_table, ok_key) is None


def test_all_old_on_a_missing_item_returns_no_item(ddb, hash_table):
    key = {"id": S(uid("absent"))}
    resp = expect_cancelled(ddb, [check(hash_table, key, "attribute_exists(id)",
                                        ReturnValuesOnConditionCheckFailure="ALL_OLD")], [CCF])
    assert resp["CancellationReasons"] == [CCF_REASON]


def test_without_all_old_no_item_is_returned(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, v=S("old")))
    for extra in ({}, {"ReturnValuesOnConditionCheckFailure": "NONE"}):
        resp = expect_cancelled(ddb, [check(hash_table, key, "attribute_not_exists(id)", **extra)],
                                [CCF])
        assert resp["CancellationReasons"] == [CCF_REASON]


def test_all_old_item_in_the_raw_answer(emulator, hash_table, ddb):
    key = {"id": S(uid())}
    stored = dict(key, v=S("old"), b={"B": support.b64(b"\x00\x01")})
    ddb.put_item(TableName=hash_table, Item=dict(key, v=S("old"), b={"B": b"\x00\x01"}))
    status, doc = raw_call(emulator, "TransactWriteItems", {"TransactItems": [
        {"Update": {"TableName": hash_table, "Key": key, "UpdateExpression": "SET v = :n",
                    "ConditionExpression": "v = :n", "ExpressionAttributeValues": {":n": S("new")},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]})
    assert status == 400
    assert doc["__type"].split("#")[-1] == CANCELLED
    assert doc["CancellationReasons"] == [dict(CCF_REASON, Item=stored)]


def test_update_error_at_run_time_is_a_validation_error_reason(ddb, hash_table, range_table):
    """ADD of a number to a string attribute: the transaction is cancelled
    with a ValidationError reason for that action; nothing is written."""
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, s=S("text")))
    other = {"pk": S(uid()), "sk": N(1)}
    resp = expect_cancelled(ddb, [put(range_table, dict(other, v=S("x"))),
                                  update(hash_table, key, "ADD s :one",
                                         ExpressionAttributeValues={":one": N(1)})],
                            ["None", "ValidationError"])
    reasons = resp["CancellationReasons"]
    assert reasons[0] == NONE_REASON
    assert reasons[1]["Code"] == "ValidationError"
    # prefix: the text of the UpdateItem error for the same update
    assert reasons[1].get("Message", "").startswith(BAD_OPERAND), reasons[1]
    assert "Item" not in reasons[1]
    assert get(ddb, hash_table, key) == dict(key, s=S("text"))
    assert get(ddb, range_table, other) is None


def test_update_arithmetic_on_a_string_is_a_validation_error_reason(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, s=S("text")))
    resp = expect_cancelled(ddb, [update(hash_table, key, "SET s = s + :one",
                                         ExpressionAttributeValues={":one": N(1)})],
                            ["ValidationError"])
    assert resp["CancellationReasons"][0]["Message"].startswith(BAD_OPERAND)
    assert get(ddb, hash_table, key) == dict(key, s=S("text"))


# --------------------------------------------------------------------------
# Request validation: one item twice, the 100-action limit
# --------------------------------------------------------------------------

def _same_item_pairs(table, key):
    return {
        "put+delete": [put(table, dict(key, v=S("x"))), delete(table, key)],
        "update+update": [update(table, key, "SET a = :v", ExpressionAttributeValues={":v": S("1")}),
                          update(table, key, "SET b = :v", ExpressionAttributeValues={":v": S("2")})],
        "check+update": [check(table, key, "attribute_not_exists(id)"),
                         update(table, key, "SET a = :v", ExpressionAttributeValues={":v": S("1")})],
        "put+put": [put(table, dict(key, v=S("x"))), put(table, dict(key, v=S("y")))],
        "delete+check": [delete(table, key), check(table, key, "attribute_exists(id)")],
    }


@pytest.mark.parametrize("pair", ["put+delete", "update+update", "check+update", "put+put",
                                  "delete+check"])
def test_same_item_twice_is_refused(ddb, hash_table, pair):
    key = {"id": S(uid())}
    other = {"id": S(uid())}
    items = [put(hash_table, dict(other, v=S("o")))] + _same_item_pairs(hash_table, key)[pair]
    expect_error(ddb.transact_write_items, "ValidationException", SAME_ITEM, TransactItems=items)
    assert get(ddb, hash_table, key) is None
    assert get(ddb, hash_table, other) is None


def test_same_item_twice_with_key_attributes_in_another_order(ddb, range_table):
    pk = S(uid())
    items = [put(range_table, {"pk": pk, "sk": N(1), "v": S("x")}),
             delete(range_table, {"sk": N(1), "pk": pk})]
    expect_error(ddb.transact_write_items, "ValidationException", SAME_ITEM, TransactItems=items)
    assert get(ddb, range_table, {"pk": pk, "sk": N(1)}) is None


def test_same_item_twice_with_numbers_spelled_differently(ddb, range_table):
    pk = S(uid())
    items = [put(range_table, {"pk": pk, "sk": N("1.50"), "v": S("x")}),
             update(range_table, {"pk": pk, "sk": N("1.5")}, "SET v = :v",
                    ExpressionAttributeValues={":v": S("y")})]
    expect_error(ddb.transact_write_items, "ValidationException", SAME_ITEM, TransactItems=items)
    assert get(ddb, range_table, {"pk": pk, "sk": N("1.5")}) is None


def test_more_than_100_actions_refused(ddb_raw, range_table):
    pk = S(uid())
    items = [put(range_table, {"pk": pk, "sk": N(i)}) for i in range(101)]
    resp = expect_error(ddb_raw.transact_write_items, "ValidationException", TransactItems=items)
    msg = resp["Error"]["Message"]
    # prefix plus the constraint; the value DynamoDB echoes is not compared
    assert msg.startswith("1 validation error detected: "), msg
    assert "at 'transactItems' failed to satisfy constraint: " \
           "Member must have length less than or equal to 100" in msg
    assert get(ddb_raw, range_table, {"pk": pk, "sk": N(0)}) is None


def test_empty_transact_items_refused(ddb_raw):
    resp = expect_error(ddb_raw.transact_write_items, "ValidationException", TransactItems=[])
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "Member must have length greater than or equal to 1" in msg


def test_100_actions_succeed(ddb, range_table, hash_table):
    pk = S(uid())
    base = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(base, n=N(0)))
    items = [put(range_table, {"pk": pk, "sk": N(i), "v": N(i * i)}) for i in range(99)]
    items.append(update(hash_table, base, "ADD n :k", ExpressionAttributeValues={":k": N(99)}))
    ddb.transact_write_items(TransactItems=items)
    got = ddb.query(TableName=range_table, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": pk}, ConsistentRead=True)["Items"]
    assert got == [{"pk": pk, "sk": N(i), "v": N(i * i)} for i in range(99)]
    assert get(ddb, hash_table, base) == dict(base, n=N(99))


# --------------------------------------------------------------------------
# ClientRequestToken
# --------------------------------------------------------------------------

def _counter_tx(table, key, amount=1):
    return [update(table, key, "ADD c :k", ExpressionAttributeValues={":k": N(amount)})]


def test_same_token_same_request_applies_once(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, c=N(0)))
    token = str(uuid.uuid4())
    for _ in range(3):
        resp = ddb.transact_write_items(TransactItems=_counter_tx(hash_table, key),
                                        ClientRequestToken=token)
        assert body(resp) == {}
    assert get(ddb, hash_table, key) == dict(key, c=N(1))


def test_same_token_replay_reports_read_units(ddb, hash_table):
    # "Subsequent TransactWriteItems calls with the same client token return the number of
    # read capacity units consumed in reading the item." (API_TransactWriteItems.html)
    key = {"id": S(uid())}
    token = str(uuid.uuid4())
    units = [ddb.transact_write_items(TransactItems=_counter_tx(hash_table, key),
                                      ClientRequestToken=token,
                                      ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
             for _ in range(2)]
    assert units[0] == [{"TableName": hash_table, "CapacityUnits": 2.0,
                         "WriteCapacityUnits": 2.0}]
    assert units[1] == [{"TableName": hash_table, "CapacityUnits": 2.0,
                         "ReadCapacityUnits": 2.0}]


def test_same_token_over_two_tables_applies_once(ddb, hash_table, range_table):
    a = {"id": S(uid())}
    b = {"pk": S(uid()), "sk": N(0)}
    token = str(uuid.uuid4())
    items = _counter_tx(hash_table, a, 5) + _counter_tx(range_table, b, 7)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert get(ddb, hash_table, a) == dict(a, c=N(5))
    assert get(ddb, range_table, b) == dict(b, c=N(7))


def test_same_token_different_request_refused(ddb, hash_table):
    key = {"id": S(uid())}
    ddb.put_item(TableName=hash_table, Item=dict(key, c=N(0)))
    token = str(uuid.uuid4())
    ddb.transact_write_items(TransactItems=_counter_tx(hash_table, key, 1), ClientRequestToken=token)
    resp = expect_error(ddb.transact_write_items, "IdempotentParameterMismatchException",
                        TransactItems=_counter_tx(hash_table, key, 2), ClientRequestToken=token)
    # prefix only: DynamoDB's text is not documented
    assert resp["Error"]["Message"].startswith(TOKEN_MISMATCH_PREFIX), resp["Error"]
    assert get(ddb, hash_table, key) == dict(key, c=N(1))
    # the first request can still be repeated with its token
    ddb.transact_write_items(TransactItems=_counter_tx(hash_table, key, 1), ClientRequestToken=token)
    assert get(ddb, hash_table, key) == dict(key, c=N(1))


def test_same_token_other_item_refused(ddb, hash_table):
    a = {"id": S(uid())}
    b = {"id": S(uid())}
    token = str(uuid.uuid4())
    ddb.transact_write_items(TransactItems=_counter_tx(hash_table, a), ClientRequestToken=token)
    expect_error(ddb.transact_write_items, "IdempotentParameterMismatchException",
                 TransactItems=_counter_tx(hash_table, b), ClientRequestToken=token)
    assert get(ddb, hash_table, a) == dict(a, c=N(1))
    assert get(ddb, hash_table, b) is None


def test_different_tokens_apply_each_time(ddb, hash_table):
    key = {"id": S(uid())}
    for _ in range(2):
        ddb.transact_write_items(TransactItems=_counter_tx(hash_table, key),
                                 ClientRequestToken=str(uuid.uuid4()))
    ddb.transact_write_items(TransactItems=_counter_tx(hash_table, key))
    assert get(ddb, hash_table, key) == dict(key, c=N(3))


# --------------------------------------------------------------------------
# Missing table
# --------------------------------------------------------------------------

def test_write_to_a_missing_table(ddb, hash_table):
    key = {"id": S(uid())}
    expect_error(ddb.transact_write_items, "ResourceNotFoundException", NOT_FOUND, TransactItems=[
        put(hash_table, dict(key, v=S("x"))),
        put(uid("missing"), {"id": S("a")})])
    assert get(ddb, hash_table, key) is None


@pytest.mark.parametrize("op", ["Update", "Delete", "ConditionCheck"])
def test_other_actions_on_a_missing_table(ddb, op):
    action = {"TableName": uid("missing"), "Key": {"id": S("a")}}
    if op == "Update":
        action["UpdateExpression"] = "SET v = :v"
        action["ExpressionAttributeValues"] = {":v": S("x")}
    if op == "ConditionCheck":
        action["ConditionExpression"] = "attribute_exists(id)"
    expect_error(ddb.transact_write_items, "ResourceNotFoundException", NOT_FOUND,
                 TransactItems=[{op: action}])


def test_get_from_a_missing_table(ddb, hash_table):
    resp = expect_error(ddb.transact_get_items, "ResourceNotFoundException", TransactItems=[
        {"Get": {"TableName": hash_table, "Key": {"id": S("a")}}},
        {"Get": {"TableName": uid("missing"), "Key": {"id": S("a")}}}])
    assert resp["Error"]["Message"].startswith(NOT_FOUND), resp["Error"]


# --------------------------------------------------------------------------
# TransactGetItems
# --------------------------------------------------------------------------

def test_get_order_preserved_and_missing_items_empty(ddb, hash_table, range_table):
    a = {"id": S(uid()), "v": S("a")}
    b = {"pk": S(uid()), "sk": N(2), "v": S("b")}
    c = {"id": S(uid()), "v": S("c")}
    ddb.put_item(TableName=hash_table, Item=a)
    ddb.put_item(TableName=range_table, Item=b)
    ddb.put_item(TableName=hash_table, Item=c)
    resp = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": hash_table, "Key": {"id": c["id"]}}},
        {"Get": {"TableName": hash_table, "Key": {"id": S(uid("absent"))}}},
        {"Get": {"TableName": range_table, "Key": {"pk": b["pk"], "sk": N(2)}}},
        {"Get": {"TableName": range_table, "Key": {"pk": b["pk"], "sk": N(3)}}},
        {"Get": {"TableName": hash_table, "Key": {"id": a["id"]}}},
    ])
    assert body(resp) == {"Responses": [{"Item": c}, {}, {"Item": b}, {}, {"Item": a}]}


def test_get_projection_expression(ddb, hash_table):
    def stored():
        item = {"id": S(uid()), "a": S("x"), "b": N(2), "name": S("n"),
                "m": {"M": {"p": S("keep"), "q": S("drop")}},
                "l": {"L": [S("l0"), S("l1"), S("l2")]}}
        ddb.put_item(TableName=hash_table, Item=item)
        return item
    first, second, third = stored(), stored(), stored()
    resp = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": hash_table, "Key": {"id": first["id"]},
                 "ProjectionExpression": "a, #n, m.p, l[1]",
                 "ExpressionAttributeNames": {"#n": "name"}}},
        {"Get": {"TableName": hash_table, "Key": {"id": second["id"]}, "ProjectionExpression": "b"}},
        {"Get": {"TableName": hash_table, "Key": {"id": third["id"]}}},
        {"Get": {"TableName": hash_table, "Key": {"id": S(uid("absent"))}, "ProjectionExpression": "a"}},
    ])
    assert resp["Responses"] == [
        {"Item": {"a": S("x"), "name": S("n"), "m": {"M": {"p": S("keep")}}, "l": {"L": [S("l1")]}}},
        {"Item": {"b": N(2)}},
        {"Item": third},
        {},
    ]


def test_get_100_items(ddb, range_table):
    pk = S(uid())
    for i in range(0, 100, 2):
        ddb.put_item(TableName=range_table, Item={"pk": pk, "sk": N(i), "v": N(i)})
    resp = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": range_table, "Key": {"pk": pk, "sk": N(i)}}} for i in range(100)])
    assert resp["Responses"] == [{"Item": {"pk": pk, "sk": N(i), "v": N(i)}} if i % 2 == 0 else {}
                                 for i in range(100)]


def test_get_more_than_100_refused(ddb_raw, range_table):
    pk = S(uid())
    resp = expect_error(ddb_raw.transact_get_items, "ValidationException", TransactItems=[
        {"Get": {"TableName": range_table, "Key": {"pk": pk, "sk": N(i)}}} for i in range(101)])
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "at 'transactItems' failed to satisfy constraint: " \
           "Member must have length less than or equal to 100" in msg


def test_get_sees_a_committed_write(ddb, hash_table, range_table):
    a = {"id": S(uid())}
    b = {"pk": S(uid()), "sk": N(1)}
    ddb.transact_write_items(TransactItems=[
        put(hash_table, dict(a, v=S("1"))),
        update(range_table, b, "SET v = :v", ExpressionAttributeValues={":v": S("2")})])
    resp = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": hash_table, "Key": a}},
        {"Get": {"TableName": range_table, "Key": b}}])
    assert resp["Responses"] == [{"Item": dict(a, v=S("1"))}, {"Item": dict(b, v=S("2"))}]


# --------------------------------------------------------------------------
# Secondary indexes
# --------------------------------------------------------------------------

def _by_g(ddb, table, g):
    return ddb.query(TableName=table, IndexName="byg", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": g})["Items"]


def test_gsi_follows_transactional_writes(ddb, gsi_table):
    g1, g2 = S(uid("g")), S(uid("g"))
    key = {"id": S(uid())}
    ddb.transact_write_items(TransactItems=[put(gsi_table, dict(key, g=g1, v=S("a")))])
    assert _by_g(ddb, gsi_table, g1) == [dict(key, g=g1, v=S("a"))]

    ddb.transact_write_items(TransactItems=[update(gsi_table, key, "SET g = :g, v = :v",
                                                   ExpressionAttributeValues={":g": g2, ":v": S("b")})])
    assert _by_g(ddb, gsi_table, g1) == []
    assert _by_g(ddb, gsi_table, g2) == [dict(key, g=g2, v=S("b"))]

    ddb.transact_write_items(TransactItems=[delete(gsi_table, key)])
    assert _by_g(ddb, gsi_table, g2) == []


def test_gsi_sees_several_items_of_one_transaction(ddb, gsi_table, hash_table):
    g = S(uid("g"))
    ids = sorted(uid() for _ in range(3))
    ddb.transact_write_items(TransactItems=[put(gsi_table, {"id": S(i), "g": g}) for i in ids]
                             + [put(hash_table, {"id": S(uid())})])
    got = sorted(it["id"]["S"] for it in _by_g(ddb, gsi_table, g))
    assert got == ids


def test_gsi_untouched_by_a_cancelled_transaction(ddb, gsi_table):
    g_old, g_new = S(uid("g")), S(uid("g"))
    key = {"id": S(uid())}
    new_key = {"id": S(uid())}
    ddb.put_item(TableName=gsi_table, Item=dict(key, g=g_old))
    expect_cancelled(ddb, [
        update(gsi_table, key, "SET g = :g", ExpressionAttributeValues={":g": g_new}),
        put(gsi_table, dict(new_key, g=g_new)),
        check(gsi_table, {"id": S(uid("absent"))}, "attribute_exists(id)"),
    ], ["None", "None", CCF])
    assert _by_g(ddb, gsi_table, g_old) == [dict(key, g=g_old)]
    assert _by_g(ddb, gsi_table, g_new) == []


@pytest.mark.parametrize("op,member", [("Update", "updateExpression"),
                                       ("ConditionCheck", "conditionExpression")])
def test_null_expression_is_a_missing_one(emulator, hash_table, op, member):
    """An expression given as JSON null is absent: refused, never applied as nothing (an
    Update with a null UpdateExpression once crashed the server; a ConditionCheck with a null
    condition passed)."""
    key = {"id": S(uid())}
    action = {"TableName": hash_table, "Key": key,
              "UpdateExpression" if op == "Update" else "ConditionExpression": None}
    for _ in range(20):
        status, doc = raw_call(emulator, "TransactWriteItems", {"TransactItems": [{op: action}]})
        assert status == 400, doc
        assert doc["__type"].endswith("#ValidationException")
        assert doc["message"] == (
            f"1 validation error detected: Value null at 'transactItems.1.member.{op[0].lower() + op[1:]}."
            f"{member}' failed to satisfy constraint: Member must not be null")
