"""UpdateItem with UpdateExpression: SET, REMOVE, ADD, DELETE, ReturnValues,
exact decimal arithmetic and the errors DynamoDB gives for bad updates.

Every successful update is followed by a consistent GetItem that checks the
whole stored item; every failed one checks that nothing changed.
"""

import pytest

import support
from values import S, N, B, BOOL, NULL, SS, NS, BS, L, M
from support import canon, create_table, expect_error

INVALID = "One or more parameter values were invalid: "
BAD_PATH = "The document path provided in the update expression is invalid for update"
BAD_OPERAND = "An operand in the update expression has an incorrect data type"
NO_SUCH_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
OVERLAP = ("Invalid UpdateExpression: Two document paths overlap with each other; "
           "must remove or rewrite one of these paths; ")
CONFLICT = ("Invalid UpdateExpression: Two document paths conflict with each other; "
            "must remove or rewrite one of these paths; ")
OPERAND_TYPE = "Invalid UpdateExpression: Incorrect operand type for operator or function; "


# -- fixtures and helpers -----------------------------------------------------

@pytest.fixture(scope="module")
def table(ddb):
    name = support.unique_name("upd")
    create_table(ddb, name, hash_key=("id", "S"))
    return name


@pytest.fixture(scope="module")
def range_table(ddb):
    name = support.unique_name("upd-r")
    create_table(ddb, name, hash_key=("pk", "S"), range_key=("sk", "N"))
    return name


def new_key():
    return {"id": S(support.unique_name("k"))}


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def seed(ddb, table, **attrs):
    key = new_key()
    item = dict(key, **attrs)
    ddb.put_item(TableName=table, Item=item)
    return key, item


def update(ddb, table, key, expression, values=None, names=None, **kwargs):
    args = dict(TableName=table, Key=key, UpdateExpression=expression, **kwargs)
    if values:
        args["ExpressionAttributeValues"] = values
    if names:
        args["ExpressionAttributeNames"] = names
    return ddb.update_item(**args)


def assert_item(ddb, table, key, expected):
    assert canon(get(ddb, table, key)) == canon(expected)


def expect_update_error(ddb, table, key, expression, message, values=None, names=None, prefix=False):
    args = dict(TableName=table, Key=key, UpdateExpression=expression)
    if values:
        args["ExpressionAttributeValues"] = values
    if names:
        args["ExpressionAttributeNames"] = names
    resp = expect_error(ddb.update_item, "ValidationException", None if prefix else message, **args)
    if prefix:
        assert resp["Error"]["Message"].startswith(message), resp["Error"]["Message"]
    return resp


# --------------------------------------------------------------------------
# SET
# --------------------------------------------------------------------------

def test_set_new_and_existing_attributes(ddb, table):
    key, item = seed(ddb, table, a=N(1), keep=S("k"))
    update(ddb, table, key, "SET a = :a, b = :b, c = :c",
           {":a": S("now a string"), ":b": L(N(1), M({"x": NULL})), ":c": SS("p", "q")})
    assert_item(ddb, table, key, dict(item, a=S("now a string"), b=L(N(1), M({"x": NULL})), c=SS("p", "q")))


def test_set_every_type(ddb, table):
    key, item = seed(ddb, table)
    values = {":s": S("s"), ":n": N("-1.5"), ":b": B(b"\x00\xff"), ":t": BOOL(False), ":z": NULL,
              ":ss": SS("a"), ":ns": NS(1, 2), ":bs": BS(b"\x01"), ":l": L(), ":m": M({})}
    update(ddb, table, key, "SET " + ", ".join(f"v_{k[1:]} = {k}" for k in values), values)
    assert_item(ddb, table, key, dict(item, **{f"v_{k[1:]}": v for k, v in values.items()}))


def test_set_copies_attribute(ddb, table):
    key, item = seed(ddb, table, a=M({"x": L(S("deep"))}))
    update(ddb, table, key, "SET b = a, #c = a.x[0]", names={"#c": "copy"})
    assert_item(ddb, table, key, dict(item, b=item["a"], copy=S("deep")))


def test_set_reads_values_before_the_update(ddb, table):
    key, item = seed(ddb, table, a=N(1), b=N(2))
    # Both right-hand sides see the old item: a swap.
    update(ddb, table, key, "SET a = b, b = a")
    assert_item(ddb, table, key, dict(item, a=N(2), b=N(1)))


def test_set_from_missing_attribute_fails(ddb, table):
    key, item = seed(ddb, table, a=N(1))
    expect_update_error(ddb, table, key, "SET b = nope", NO_SUCH_ATTRIBUTE)
    expect_update_error(ddb, table, key, "SET b = a + nope", NO_SUCH_ATTRIBUTE)
    expect_update_error(ddb, table, key, "SET b = list_append(nope, :l)", NO_SUCH_ATTRIBUTE,
                        values={":l": L(N(1))})
    # An attribute set earlier in the same expression does not exist yet.
    expect_update_error(ddb, table, key, "SET x = :v, y = x", NO_SUCH_ATTRIBUTE, values={":v": N(1)})
    assert_item(ddb, table, key, item)


def test_set_nested_map_path(ddb, table):
    key, item = seed(ddb, table, m=M({"x": N(1), "deeper": M({"y": S("old")})}))
    update(ddb, table, key, "SET m.x = :x, m.added = :a, m.deeper.y = :y, m.deeper.z = :z",
           {":x": N(2), ":a": BOOL(True), ":y": S("new"), ":z": L()})
    assert_item(ddb, table, key, dict(item, m=M({"x": N(2), "added": BOOL(True),
                                                 "deeper": M({"y": S("new"), "z": L()})})))


def test_set_deep_path_with_names(ddb, table):
    key, item = seed(ddb, table, doc=M({"b": L(S("zero"), S("one"), M({"c": N(1), "d": N(2)}))}))
    update(ddb, table, key, "SET #d.#b[2].#c = :v", {":v": S("set")}, {"#d": "doc", "#b": "b", "#c": "c"})
    assert_item(ddb, table, key, dict(item, doc=M({"b": L(S("zero"), S("one"),
                                                          M({"c": S("set"), "d": N(2)}))})))


def test_set_name_with_dot_is_top_level(ddb, table):
    key, item = seed(ddb, table, a=M({"b": N(1)}))
    update(ddb, table, key, "SET #ab = :v", {":v": N(2)}, {"#ab": "a.b"})
    assert_item(ddb, table, key, dict(item, **{"a.b": N(2)}))


def test_set_list_element(ddb, table):
    key, item = seed(ddb, table, l=L(S("a"), S("b"), S("c")))
    update(ddb, table, key, "SET l[1] = :v, l[0] = :w", {":v": N(1), ":w": M({"k": S("v")})})
    assert_item(ddb, table, key, dict(item, l=L(M({"k": S("v")}), N(1), S("c"))))


def test_set_list_element_past_end_appends(ddb, table):
    key, item = seed(ddb, table, l=L(S("a"), S("b"), S("c")))
    update(ddb, table, key, "SET l[10] = :v", {":v": S("d")})
    assert_item(ddb, table, key, dict(item, l=L(S("a"), S("b"), S("c"), S("d"))))
    # Several new elements go at the end in index order.
    update(ddb, table, key, "SET l[84] = :w, l[37] = :x, l[50] = :y",
           {":w": S("84"), ":x": S("37"), ":y": S("50")})
    assert_item(ddb, table, key, dict(item, l=L(S("a"), S("b"), S("c"), S("d"), S("37"), S("50"), S("84"))))


def test_set_plus_and_minus(ddb, table):
    key, item = seed(ddb, table, a=N(5), b=N(3))
    update(ddb, table, key, "SET a = a + :v", {":v": N(10)})
    assert_item(ddb, table, key, dict(item, a=N(15)))
    update(ddb, table, key, "SET a = :v - b", {":v": N(10)})
    assert_item(ddb, table, key, dict(item, a=N(7)))
    update(ddb, table, key, "SET c = b - a, d = :x + :y, e = a + b", {":x": N(1), ":y": N(2)})
    assert_item(ddb, table, key, dict(item, a=N(7), c=N(-4), d=N(3), e=N(10)))


TINY = "0." + "0" * 129 + "1"          # 1E-130, the smallest magnitude
MAX = "9" * 38 + "0" * 88                   # 9.99...9E+125, the largest

DECIMALS = [
    ("0.1", "+", "0.2", "0.3"),
    ("1", "-", "0.9", "0.1"),
    ("1.5", "+", "-2.25", "-0.75"),
    ("3", "-", "10", "-7"),
    ("-5", "+", "5", "0"),
    ("1E+2", "+", "1", "101"),
    ("0.000001", "+", "1000000", "1000000.000001"),
    ("12345678901234567890123456789012345678", "+", "1", "12345678901234567890123456789012345679"),
    ("99999999999999999999999999999999999999", "+", "1", "100000000000000000000000000000000000000"),
    ("-0." + "0" * 37 + "1", "+", "1", "0." + "9" * 38),
    ("1E+125", "-", "1E+125", "0"),
    ("1E-130", "+", "1E-130", TINY[:-1] + "2"),
    ("3E-130", "-", "2E-130", TINY),
    (MAX, "-", "1E+88", "9" * 37 + "8" + "0" * 88),
]


@pytest.mark.parametrize("x,op,y,expected", DECIMALS,
                         ids=[f"{x[:12]}{op}{y[:12]}" for x, op, y, _ in DECIMALS])
def test_set_exact_decimal_arithmetic(ddb, table, x, op, y, expected):
    key, _ = seed(ddb, table, x=N(x))
    # Attribute with value, and value with value, give the same exact result.
    resp = update(ddb, table, key, f"SET r = x {op} :y, q = :x {op} :y", {":x": N(x), ":y": N(y)},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"r": N(expected), "q": N(expected)}
    stored = get(ddb, table, key)
    assert (stored["r"], stored["q"]) == (N(expected), N(expected))


def test_set_arithmetic_overflow_is_an_error(ddb, table):
    # The result of an update is checked like any stored number. DynamoDB's
    # message here is believed to be the usual overflow one; only its start is
    # asserted.
    key, _ = seed(ddb, table, x=N("9.9E+125"))
    item = get(ddb, table, key)
    expect_update_error(ddb, table, key, "SET x = x + :y", "Number overflow", values={":y": N("9.9E+125")},
                        prefix=True)
    expect_update_error(ddb, table, key, "ADD x :y", "Number overflow", values={":y": N("9.9E+125")},
                        prefix=True)
    assert_item(ddb, table, key, item)


def test_if_not_exists(ddb, table):
    key, item = seed(ddb, table, a=N(1))
    update(ddb, table, key, "SET a = if_not_exists(a, :v), b = if_not_exists(b, :v)", {":v": N(9)})
    assert_item(ddb, table, key, dict(item, a=N(1), b=N(9)))
    # The first operand is only checked; the value comes from it when present.
    update(ddb, table, key, "SET c = if_not_exists(a, :v), d = if_not_exists(nope, :v)", {":v": N(7)})
    assert_item(ddb, table, key, dict(item, a=N(1), b=N(9), c=N(1), d=N(7)))


def test_if_not_exists_counter_idiom(ddb, table):
    key = new_key()
    for _ in range(3):
        update(ddb, table, key, "SET hits = if_not_exists(hits, :zero) + :one", {":zero": N(0), ":one": N(1)})
    assert_item(ddb, table, key, dict(key, hits=N(3)))


def test_if_not_exists_nested_path(ddb, table):
    key, item = seed(ddb, table, m=M({"x": N(1)}))
    update(ddb, table, key, "SET m.x = if_not_exists(m.x, :v), m.y = if_not_exists(m.y, :v)", {":v": N(5)})
    assert_item(ddb, table, key, dict(item, m=M({"x": N(1), "y": N(5)})))


def test_list_append_both_orders(ddb, table):
    key, item = seed(ddb, table, l=L(N(2), N(3)))
    update(ddb, table, key, "SET l = list_append(l, :tail)", {":tail": L(N(4), S("five"))})
    assert_item(ddb, table, key, dict(item, l=L(N(2), N(3), N(4), S("five"))))
    update(ddb, table, key, "SET l = list_append(:head, l)", {":head": L(N(1))})
    assert_item(ddb, table, key, dict(item, l=L(N(1), N(2), N(3), N(4), S("five"))))


def test_list_append_values_and_attributes(ddb, table):
    key, item = seed(ddb, table, a=L(S("a")), b=L(S("b")))
    update(ddb, table, key, "SET c = list_append(a, b), d = list_append(:x, :y), e = list_append(a, :empty)",
           {":x": L(N(1)), ":y": L(L(N(2))), ":empty": L()})
    assert_item(ddb, table, key, dict(item, c=L(S("a"), S("b")), d=L(N(1), L(N(2))), e=L(S("a"))))


def test_list_append_to_missing_list_with_if_not_exists(ddb, table):
    key = new_key()
    for i in range(2):
        update(ddb, table, key, "SET l = list_append(if_not_exists(l, :empty), :v)",
               {":empty": L(), ":v": L(N(i))})
    assert_item(ddb, table, key, dict(key, l=L(N(0), N(1))))


# --------------------------------------------------------------------------
# REMOVE
# --------------------------------------------------------------------------

def test_remove_attributes(ddb, table):
    key, item = seed(ddb, table, a=N(1), b=S("x"), c=SS("y"))
    update(ddb, table, key, "REMOVE a, c")
    assert_item(ddb, table, key, dict(key, b=S("x")))
    # Removing what is not there is not an error.
    update(ddb, table, key, "REMOVE a, nope")
    assert_item(ddb, table, key, dict(key, b=S("x")))


def test_remove_nested(ddb, table):
    key, item = seed(ddb, table, m=M({"x": N(1), "y": M({"z": N(2), "w": N(3)})}), one=M({"only": N(1)}))
    update(ddb, table, key, "REMOVE m.y.z, m.nope, #o.#k", names={"#o": "one", "#k": "only"})
    # Removing the last member of a map leaves an empty map.
    assert_item(ddb, table, key, dict(item, m=M({"x": N(1), "y": M({"w": N(3)})}), one=M({})))


def test_remove_list_elements_shifts_the_rest(ddb, table):
    key, item = seed(ddb, table, l=L(N(0), N(1), N(2), N(3), N(4)))
    update(ddb, table, key, "REMOVE l[1], l[3]")
    assert_item(ddb, table, key, dict(item, l=L(N(0), N(2), N(4))))
    update(ddb, table, key, "REMOVE l[0]")
    assert_item(ddb, table, key, dict(item, l=L(N(2), N(4))))
    # Past the end: nothing happens.
    update(ddb, table, key, "REMOVE l[7]")
    assert_item(ddb, table, key, dict(item, l=L(N(2), N(4))))
    update(ddb, table, key, "REMOVE l[1], l[0]")
    assert_item(ddb, table, key, dict(item, l=L()))


def test_remove_and_set_use_original_indexes(ddb, table):
    key, item = seed(ddb, table, l=L(N(2), N(3), N(4), N(5), N(6), N(7)))
    update(ddb, table, key, "REMOVE l[1] SET l[3] = :v", {":v": N(17)})
    assert_item(ddb, table, key, dict(item, l=L(N(2), N(4), N(17), N(6), N(7))))


def test_remove_nested_list_element(ddb, table):
    key, item = seed(ddb, table, m=M({"l": L(S("a"), M({"q": L(N(1), N(2), N(3))}))}))
    update(ddb, table, key, "REMOVE m.l[1].q[0], m.l[0]")
    assert_item(ddb, table, key, dict(item, m=M({"l": L(M({"q": L(N(2), N(3))}))})))


# --------------------------------------------------------------------------
# ADD
# --------------------------------------------------------------------------

def test_add_number(ddb, table):
    key, item = seed(ddb, table, n=N(5))
    update(ddb, table, key, "ADD n :v", {":v": N(3)})
    assert_item(ddb, table, key, dict(item, n=N(8)))
    update(ddb, table, key, "ADD n :v", {":v": N("-8.5")})
    assert_item(ddb, table, key, dict(item, n=N("-0.5")))


def test_add_creates_missing_number(ddb, table):
    key, item = seed(ddb, table, s=S("x"))
    update(ddb, table, key, "ADD n :v", {":v": N(7)})
    assert_item(ddb, table, key, dict(item, n=N(7)))


def test_add_on_missing_item_creates_it(ddb, table):
    key = new_key()
    update(ddb, table, key, "ADD n :v, tags :t", {":v": N(-2), ":t": SS("a")})
    assert_item(ddb, table, key, dict(key, n=N(-2), tags=SS("a")))


def test_add_nested_number(ddb, table):
    key, item = seed(ddb, table, m=M({"n": N(1)}), l=L(N(10)))
    update(ddb, table, key, "ADD m.n :v, m.fresh :v, l[0] :v", {":v": N(2)})
    assert_item(ddb, table, key, dict(item, m=M({"n": N(3), "fresh": N(2)}), l=L(N(12))))


@pytest.mark.parametrize("start,added,result,fresh", [
    (SS("a", "b"), SS("b", "c"), SS("a", "b", "c"), SS("b", "c")),
    (NS(1, 2), NS("2.0", 3), NS(1, 2, 3), NS(2, 3)),
    (BS(b"\x01", b"\x02"), BS(b"\x02", b"\x03"), BS(b"\x01", b"\x02", b"\x03"), BS(b"\x02", b"\x03")),
], ids=["SS", "NS", "BS"])
def test_add_to_set(ddb, table, start, added, result, fresh):
    # Union without duplicates (2.0 is the number 2); ADD also creates a set.
    key, item = seed(ddb, table, s=start)
    update(ddb, table, key, "ADD s :v, fresh :v", {":v": added})
    assert_item(ddb, table, key, dict(item, s=result, fresh=fresh))


# --------------------------------------------------------------------------
# DELETE
# --------------------------------------------------------------------------

@pytest.mark.parametrize("start,removed,result", [
    (SS("a", "b", "c"), SS("b", "x"), SS("a", "c")),
    (NS(1, 2, 3), NS("3.00", 9), NS(1, 2)),
    (BS(b"\x01", b"\x02"), BS(b"\x01"), BS(b"\x02")),
], ids=["SS", "NS", "BS"])
def test_delete_from_set(ddb, table, start, removed, result):
    key, item = seed(ddb, table, s=start)
    update(ddb, table, key, "DELETE s :v", {":v": removed})
    assert_item(ddb, table, key, dict(item, s=result))


def test_delete_last_elements_removes_attribute(ddb, table):
    key, item = seed(ddb, table, s=SS("a", "b"), keep=N(1))
    update(ddb, table, key, "DELETE s :v", {":v": SS("a", "b", "c")})
    assert_item(ddb, table, key, dict(key, keep=N(1)))
    # Deleting from an attribute that is not there does nothing.
    update(ddb, table, key, "DELETE s :v", {":v": SS("a")})
    assert_item(ddb, table, key, dict(key, keep=N(1)))


def test_delete_nested_set(ddb, table):
    key, item = seed(ddb, table, m=M({"tags": SS("x", "y")}))
    update(ddb, table, key, "DELETE m.tags :v", {":v": SS("x")})
    assert_item(ddb, table, key, dict(item, m=M({"tags": SS("y")})))


# --------------------------------------------------------------------------
# several clauses; upsert
# --------------------------------------------------------------------------

@pytest.mark.parametrize("expression", [
    "SET a = :a, b = b + :one REMOVE c, d ADD n :one, s :s DELETE t :t",
    "DELETE t :t ADD s :s, n :one REMOVE d, c SET b = b + :one, a = :a",
    "remove c, d set a = :a, b = b + :one delete t :t add n :one, s :s",
], ids=["set_remove_add_delete", "reverse_order", "lowercase"])
def test_several_clauses(ddb, table, expression):
    key, item = seed(ddb, table, b=N(1), c=S("c"), d=S("d"), n=N(1), s=SS("x"), t=SS("y", "z"))
    update(ddb, table, key, expression, {":a": S("a"), ":one": N(1), ":s": SS("w"), ":t": SS("z")})
    assert_item(ddb, table, key, dict(key, a=S("a"), b=N(2), n=N(2), s=SS("x", "w"), t=SS("y")))


def test_upsert_creates_item_with_key(ddb, table):
    key = new_key()
    resp = update(ddb, table, key, "SET a = :a", {":a": S("x")}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, a=S("x"))
    assert_item(ddb, table, key, dict(key, a=S("x")))


def test_upsert_range_key_table(ddb, range_table):
    key = {"pk": S(support.unique_name("p")), "sk": N(7)}
    update(ddb, range_table, key, "SET a = :a ADD n :one", {":a": S("x"), ":one": N(1)})
    assert get(ddb, range_table, key) == dict(key, a=S("x"), n=N(1))
    update(ddb, range_table, key, "ADD n :one", {":one": N(1)})
    assert get(ddb, range_table, key) == dict(key, a=S("x"), n=N(2))


def test_update_that_changes_nothing_on_missing_item_creates_nothing(ddb, table):
    # Only removing something absent: the item is not created (an UpdateItem
    # with no update at all does create it; see the legacy tests).
    key = new_key()
    resp = update(ddb, table, key, "REMOVE a", ReturnValues="ALL_NEW")
    assert "Attributes" not in resp
    assert get(ddb, table, key) is None


# --------------------------------------------------------------------------
# ReturnValues
# --------------------------------------------------------------------------

def rv_update(ddb, table, key, rv):
    return update(ddb, table, key, "SET a = :a, fresh = :f REMOVE b ADD n :one",
                  {":a": S("new"), ":f": N(1), ":one": N(1)}, ReturnValues=rv)


def test_return_values_none(ddb, table):
    key, item = seed(ddb, table, a=S("old"), b=S("b"), n=N(1), untouched=N(0))
    assert "Attributes" not in rv_update(ddb, table, key, "NONE")
    assert "Attributes" not in update(ddb, table, key, "SET a = :a", {":a": S("x")})


def test_return_values_all_old(ddb, table):
    key, item = seed(ddb, table, a=S("old"), b=S("b"), n=N(1), untouched=N(0))
    assert rv_update(ddb, table, key, "ALL_OLD")["Attributes"] == item
    assert_item(ddb, table, key, dict(key, a=S("new"), fresh=N(1), n=N(2), untouched=N(0)))
    # Nothing old: no Attributes at all.
    assert "Attributes" not in rv_update(ddb, table, new_key(), "ALL_OLD")


def test_return_values_updated_old(ddb, table):
    key, item = seed(ddb, table, a=S("old"), b=S("b"), n=N(1), untouched=N(0))
    # Only attributes that existed and were changed (a, b removed, n); not
    # "fresh" (did not exist) nor "untouched".
    assert rv_update(ddb, table, key, "UPDATED_OLD")["Attributes"] == {"a": S("old"), "b": S("b"), "n": N(1)}
    assert "Attributes" not in rv_update(ddb, table, new_key(), "UPDATED_OLD")


def test_return_values_all_new(ddb, table):
    key, item = seed(ddb, table, a=S("old"), b=S("b"), n=N(1), untouched=N(0))
    expected = dict(key, a=S("new"), fresh=N(1), n=N(2), untouched=N(0))
    assert rv_update(ddb, table, key, "ALL_NEW")["Attributes"] == expected
    assert_item(ddb, table, key, expected)
    key2 = new_key()
    assert rv_update(ddb, table, key2, "ALL_NEW")["Attributes"] == dict(key2, a=S("new"), fresh=N(1), n=N(1))


def test_return_values_updated_new(ddb, table):
    key, item = seed(ddb, table, a=S("old"), b=S("b"), n=N(1), untouched=N(0))
    # The removed attribute is not returned; the key is not returned.
    assert rv_update(ddb, table, key, "UPDATED_NEW")["Attributes"] == {"a": S("new"), "fresh": N(1), "n": N(2)}
    assert rv_update(ddb, table, new_key(), "UPDATED_NEW")["Attributes"] == {"a": S("new"), "fresh": N(1),
                                                                             "n": N(1)}


def test_return_values_updated_nested(ddb, table):
    key, item = seed(ddb, table, m=M({"b": S("dog"), "c": L(N(1), N(2), N(3))}), d=S("cat"))
    resp = update(ddb, table, key, "SET m.b = :v", {":v": S("hi")}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"m": M({"b": S("dog")})}
    resp = update(ddb, table, key, "SET m.c[1] = :v", {":v": N(7)}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"m": M({"c": L(N(2))})}
    resp = update(ddb, table, key, "SET m.c[1] = :v, m.b = :w", {":v": N(8), ":w": S("yo")},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"m": M({"b": S("yo"), "c": L(N(8))})}
    resp = update(ddb, table, key, "SET m.x = :v", {":v": N(1)}, ReturnValues="UPDATED_OLD")
    assert "Attributes" not in resp
    resp = update(ddb, table, key, "SET m.y = :v", {":v": N(2)}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"m": M({"y": N(2)})}
    assert_item(ddb, table, key, dict(item, m=M({"b": S("yo"), "c": L(N(1), N(8), N(3)), "x": N(1), "y": N(2)})))


def test_return_values_sets(ddb, table):
    key, item = seed(ddb, table, s=SS("a"))
    resp = update(ddb, table, key, "ADD s :v", {":v": SS("b")}, ReturnValues="UPDATED_NEW")
    assert canon(resp["Attributes"]) == canon({"s": SS("a", "b")})
    resp = update(ddb, table, key, "DELETE s :v", {":v": SS("a", "b")}, ReturnValues="UPDATED_OLD")
    assert canon(resp["Attributes"]) == canon({"s": SS("a", "b")})
    assert_item(ddb, table, key, key)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

@pytest.mark.parametrize("expression,values", [
    ("SET id = :v", {":v": S("other")}),
    ("REMOVE id", None),
    ("SET extra = :v, id = :v", {":v": S("x")}),
    ("ADD id :v", {":v": N(1)}),
    ("DELETE id :v", {":v": SS("x")}),
], ids=["set", "remove", "set_second", "add", "delete"])
def test_updating_hash_key_is_refused(ddb, table, expression, values):
    key, item = seed(ddb, table, a=N(1))
    expect_update_error(ddb, table, key, expression,
                        INVALID + "Cannot update attribute id. This attribute is part of the key", values)
    assert_item(ddb, table, key, item)


def test_updating_range_key_is_refused(ddb, range_table):
    key = {"pk": S(support.unique_name("p")), "sk": N(1)}
    expect_update_error(ddb, range_table, key, "ADD sk :one",
                        INVALID + "Cannot update attribute sk. This attribute is part of the key",
                        values={":one": N(1)})
    expect_update_error(ddb, range_table, key, "SET a = :one, pk = :p",
                        INVALID + "Cannot update attribute pk. This attribute is part of the key",
                        values={":one": N(1), ":p": S("p")})
    assert get(ddb, range_table, key) is None


@pytest.mark.parametrize("expression,values,paths", [
    ("SET a = :v, a = :w", {":v": N(1), ":w": N(2)}, "path one: [a], path two: [a]"),
    ("SET a = :v REMOVE a", {":v": N(1)}, "path one: [a], path two: [a]"),
    ("SET #x = :v, #y = :w", {":v": N(1), ":w": N(2)}, "path one: [a], path two: [a]"),
    ("SET m.x = :v REMOVE m", {":v": N(1)}, "path one: [m, x], path two: [m]"),
    ("SET l[1] = :v, l[1] = :w", {":v": N(1), ":w": N(2)}, "path one: [l, [1]], path two: [l, [1]]"),
    ("ADD s :v DELETE s :w", {":v": SS("x"), ":w": SS("y")}, "path one: [s], path two: [s]"),
], ids=["set_set", "set_remove", "through_names", "nested_then_parent", "list_element", "add_delete"])
def test_overlapping_paths(ddb, table, expression, values, paths):
    key, item = seed(ddb, table, a=N(1))
    names = {"#x": "a", "#y": "a"} if "#x" in expression else None
    expect_update_error(ddb, table, key, expression, OVERLAP + paths, values, names)
    assert_item(ddb, table, key, item)


@pytest.mark.parametrize("expression", [
    "SET m = :v, m.x = :w",
    "SET m.x.y = :v, m.x = :w",
    "REMOVE l, l[0]",
])
def test_overlapping_paths_other_orders(ddb, table, expression):
    # Which path DynamoDB names first when the shorter one comes first is not
    # pinned down here; only the start of the message is.
    key, item = seed(ddb, table, a=N(1))
    values = {k: N(1) for k in (":v", ":w") if k in expression}
    expect_update_error(ddb, table, key, expression, OVERLAP, values, prefix=True)
    assert_item(ddb, table, key, item)


def test_conflicting_paths(ddb, table):
    key, item = seed(ddb, table, a=N(1))
    expect_update_error(ddb, table, key, "REMOVE m.c SET m[1] = :v",
                        CONFLICT + "path one: [m, c], path two: [m, [1]]", {":v": N(1)})
    assert_item(ddb, table, key, item)


@pytest.mark.parametrize("expression,section", [
    ("SET a = :v SET b = :v", "SET"),
    ("REMOVE a SET b = :v REMOVE c", "REMOVE"),
    ("ADD a :v ADD b :v", "ADD"),
    ("DELETE a :s SET b = :v DELETE c :s", "DELETE"),
])
def test_same_clause_twice(ddb, table, expression, section):
    key, item = seed(ddb, table, a=N(1))
    values = {":v": N(1)}
    if ":s" in expression:
        values[":s"] = SS("x")
    expect_update_error(ddb, table, key, expression,
                        f'Invalid UpdateExpression: The "{section}" section can only be used once in an update '
                        f'expression;', values)
    assert_item(ddb, table, key, item)


TYPE_ERRORS = [
    # Wrong type of value in the request: found before reading the item. For
    # ADD and DELETE the message names DynamoDB's internal type (STRING,
    # NUMBER, LIST, MAP) and the set of allowed types.
    ("add_string_value", "ADD n :v", {":v": S("1")},
     OPERAND_TYPE + "operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("add_list_value", "ADD n :v", {":v": L(N(1))},
     OPERAND_TYPE + "operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("add_map_value", "ADD n :v", {":v": M({})},
     OPERAND_TYPE + "operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("delete_string_value", "DELETE ss :v", {":v": S("a")},
     OPERAND_TYPE + "operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    ("delete_number_value", "DELETE ss :v", {":v": N(1)},
     OPERAND_TYPE + "operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    ("plus_string_value", "SET n = n + :v", {":v": S("1")},
     OPERAND_TYPE + "operator or function: +, operand type: S"),
    ("minus_list_value", "SET n = :v - n", {":v": L()},
     OPERAND_TYPE + "operator or function: -, operand type: L"),
    ("list_append_string_value", "SET l = list_append(l, :v)", {":v": S("x")},
     OPERAND_TYPE + "operator or function: list_append, operand type: S"),
    ("list_append_map_value", "SET l = list_append(:v, l)", {":v": M({})},
     OPERAND_TYPE + "operator or function: list_append, operand type: M"),
    # Wrong type of stored attribute: found while applying the update.
    ("add_to_string", "ADD s :v", {":v": N(1)}, BAD_OPERAND),
    ("add_number_to_set", "ADD ss :v", {":v": N(1)}, BAD_OPERAND),
    ("add_number_set_to_string_set", "ADD ss :v", {":v": NS(1)}, BAD_OPERAND),
    ("add_set_to_number", "ADD n :v", {":v": SS("a")}, BAD_OPERAND),
    ("delete_from_number", "DELETE n :v", {":v": NS(1)}, BAD_OPERAND),
    ("delete_number_set_from_string_set", "DELETE ss :v", {":v": NS(1)}, BAD_OPERAND),
    ("plus_on_string", "SET r = s + :v", {":v": N(1)}, BAD_OPERAND),
    ("minus_on_list", "SET r = :v - l", {":v": N(1)}, BAD_OPERAND),
    ("list_append_on_string", "SET r = list_append(s, :v)", {":v": L()}, BAD_OPERAND),
    ("list_append_on_set", "SET r = list_append(:v, ss)", {":v": L()}, BAD_OPERAND),
]


@pytest.mark.parametrize("expression,values,message", [e[1:] for e in TYPE_ERRORS],
                         ids=[e[0] for e in TYPE_ERRORS])
def test_type_mismatch(ddb, table, expression, values, message):
    key, item = seed(ddb, table, n=N(1), s=S("str"), ss=SS("a"), l=L(N(1)))
    expect_update_error(ddb, table, key, expression, message, values)
    assert_item(ddb, table, key, item)


BAD_PATHS = [
    ("missing_parent", "SET nope.x = :v"),
    ("missing_grandparent", "SET m.nope.x = :v"),
    ("parent_is_scalar", "SET s.x = :v"),
    ("map_indexed_as_list", "SET m[0] = :v"),
    ("list_indexed_as_map", "SET l.x = :v"),
    ("missing_list", "SET nope[0] = :v"),
    ("remove_under_scalar", "REMOVE s.x"),
    ("remove_under_missing", "REMOVE nope.x"),
    ("add_under_missing", "ADD nope.x :v"),
]


@pytest.mark.parametrize("expression", [e[1] for e in BAD_PATHS], ids=[e[0] for e in BAD_PATHS])
def test_invalid_document_path(ddb, table, expression):
    # On an existing item even REMOVE of a path under a missing or scalar
    # attribute is an error (removing a missing top-level attribute is not).
    key, item = seed(ddb, table, s=S("str"), m=M({"a": N(1)}), l=L(N(1)))
    values = {":v": N(1)} if ":v" in expression else None
    expect_update_error(ddb, table, key, expression, BAD_PATH, values)
    assert_item(ddb, table, key, item)


def test_invalid_document_path_on_missing_item(ddb, table):
    key = new_key()
    expect_update_error(ddb, table, key, "SET m.x = :v", BAD_PATH, {":v": N(1)})
    expect_update_error(ddb, table, key, "SET l[0] = :v", BAD_PATH, {":v": N(1)})
    assert get(ddb, table, key) is None


def test_failed_update_changes_nothing_at_all(ddb, table):
    # The valid SET in the same expression is not applied either.
    key, item = seed(ddb, table, a=N(1), s=S("str"))
    expect_update_error(ddb, table, key, "SET a = :two, b = :two ADD s :two", BAD_OPERAND, {":two": N(2)})
    assert_item(ddb, table, key, item)
