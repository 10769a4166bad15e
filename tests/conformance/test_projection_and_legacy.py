"""ProjectionExpression and AttributesToGet on GetItem, and the legacy
conditional parameters: Expected with ConditionalOperator (PutItem,
UpdateItem, DeleteItem) and AttributeUpdates (UpdateItem)."""

import pytest

import support
from values import S, N, B, BOOL, NULL, SS, NS, BS, L, M
from support import canon, create_table, expect_error

COND_FAILED = "The conditional request failed"
INVALID = "One or more parameter values were invalid: "


@pytest.fixture(scope="module")
def table(ddb):
    name = support.unique_name("projleg")
    create_table(ddb, name, hash_key=("id", "S"))
    return name


def new_key():
    return {"id": S(support.unique_name("k"))}


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def expect_failed(fn, **kwargs):
    return expect_error(fn, "ConditionalCheckFailedException", COND_FAILED, **kwargs)


# --------------------------------------------------------------------------
# ProjectionExpression on GetItem
# --------------------------------------------------------------------------

DOC = {
    "a": S("alpha"),
    "b": N(2),
    "m": M({"x": N(1), "y": M({"z": S("deep")}), "l": L(N(10), N(20), N(30), M({"w": S("w"), "v": S("v")}))}),
    "l": L(S("l0"), S("l1"), S("l2")),
    "a.b": S("dotted"),
    "status": S("on"),
    "tags": SS("t1", "t2"),
}


@pytest.fixture(scope="module")
def doc_key(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, **DOC))
    return key


def project(ddb, table, key, expression, names=None, consistent=True):
    kwargs = dict(TableName=table, Key=key, ProjectionExpression=expression, ConsistentRead=consistent)
    if names:
        kwargs["ExpressionAttributeNames"] = names
    return ddb.get_item(**kwargs)


def pcase(cid, expression, expected, names=None):
    return pytest.param(expression, names, expected, id=cid)


PROJECTIONS = [
    pcase("top_level", "a", {"a": S("alpha")}),
    pcase("several_top_level", "a, b, tags", {"a": S("alpha"), "b": N(2), "tags": SS("t1", "t2")}),
    pcase("no_spaces", "a,b", {"a": S("alpha"), "b": N(2)}),
    pcase("extra_spaces", "  a ,   b  ", {"a": S("alpha"), "b": N(2)}),
    pcase("key_only_when_asked", "id, a", {"id": None, "a": S("alpha")}),
    pcase("whole_map", "m.y", {"m": M({"y": M({"z": S("deep")})})}),
    pcase("nested_map_path", "m.y.z", {"m": M({"y": M({"z": S("deep")})})}),
    pcase("list_element", "l[1]", {"l": L(S("l1"))}),
    pcase("list_elements", "l[0], l[2]", {"l": L(S("l0"), S("l2"))}),
    pcase("map_list_map", "m.l[3].w", {"m": M({"l": L(M({"w": S("w")}))})}),
    pcase("merged_paths", "m.x, m.y.z, m.l[1], a",
          {"m": M({"x": N(1), "y": M({"z": S("deep")}), "l": L(N(20))}), "a": S("alpha")}),
    pcase("names", "#m.#y.#z, #s", {"m": M({"y": M({"z": S("deep")})}), "status": S("on")},
          {"#m": "m", "#y": "y", "#z": "z", "#s": "status"}),
    pcase("name_with_dot_is_literal", "#ab", {"a.b": S("dotted")}, {"#ab": "a.b"}),
    pcase("dotted_path_is_nested", "a.b", {}),
    pcase("missing_top_level", "nope", {}),
    pcase("missing_paths_ignored", "m.nope, l[9], nope.x, a", {"a": S("alpha")}),
    pcase("index_past_end", "m.l[4]", {}),
    pcase("scalar_read_as_map", "a.x", {}),
    pcase("map_read_as_list", "m[0]", {}),
    pcase("list_read_as_map", "l.x", {}),
    pcase("set_read_as_list", "tags[0]", {}),
]


@pytest.mark.parametrize("expression,names,expected", PROJECTIONS)
def test_projection(ddb, table, doc_key, expression, names, expected):
    if "id" in expected:
        expected = dict(expected, id=doc_key["id"])
    resp = project(ddb, table, doc_key, expression, names)
    # An existing item is returned even when none of the paths is in it.
    assert "Item" in resp
    assert canon(resp["Item"]) == canon(expected)


def test_projection_of_missing_item(ddb, table):
    resp = project(ddb, table, new_key(), "a, m.x")
    assert "Item" not in resp


def test_projection_eventually_consistent(ddb, table, doc_key):
    assert project(ddb, table, doc_key, "b", consistent=False)["Item"] == {"b": N(2)}


def test_projection_every_type(ddb, table):
    key = new_key()
    item = dict(key, s=S("s"), n=N(1), b=B(b"\x01"), t=BOOL(True), z=NULL, ss=SS("x"), ns=NS(1),
                bs=BS(b"\x02"), l=L(N(1)), m=M({"k": S("v")}), other=S("not wanted"))
    ddb.put_item(TableName=table, Item=item)
    got = project(ddb, table, key, "s, n, b, t, z, ss, ns, bs, l, m")["Item"]
    wanted = {k: v for k, v in item.items() if k not in ("id", "other")}
    assert canon(got) == canon(wanted)


# --------------------------------------------------------------------------
# AttributesToGet on GetItem
# --------------------------------------------------------------------------

def test_attributes_to_get(ddb, table, doc_key):
    resp = ddb.get_item(TableName=table, Key=doc_key, AttributesToGet=["a", "b", "nope"], ConsistentRead=True)
    assert resp["Item"] == {"a": S("alpha"), "b": N(2)}


def test_attributes_to_get_returns_whole_documents_and_key(ddb, table, doc_key):
    resp = ddb.get_item(TableName=table, Key=doc_key, AttributesToGet=["id", "m"], ConsistentRead=True)
    assert resp["Item"] == dict(doc_key, m=DOC["m"])


def test_attributes_to_get_names_are_literal(ddb, table, doc_key):
    # No paths, no reserved words: "a.b" is the attribute named a.b and
    # "status" is just a name.
    resp = ddb.get_item(TableName=table, Key=doc_key, AttributesToGet=["a.b", "status", "m.x"],
                        ConsistentRead=True)
    assert resp["Item"] == {"a.b": S("dotted"), "status": S("on")}


def test_attributes_to_get_none_present(ddb, table, doc_key):
    assert ddb.get_item(TableName=table, Key=doc_key, AttributesToGet=["nope"])["Item"] == {}
    assert "Item" not in ddb.get_item(TableName=table, Key=new_key(), AttributesToGet=["a"])


@pytest.mark.parametrize("op", ["get_item", "query", "scan"])
def test_attributes_to_get_empty(ddb_raw, table, doc_key, op):
    kwargs = dict(TableName=table, AttributesToGet=[])
    if op == "get_item":
        kwargs["Key"] = doc_key
    if op == "query":
        kwargs["KeyConditions"] = {"id": {"ComparisonOperator": "EQ", "AttributeValueList": [doc_key["id"]]}}
    expect_error(getattr(ddb_raw, op), "ValidationException",
                 "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 1", **kwargs)


def test_attributes_to_get_duplicate(ddb_raw, table, doc_key):
    expect_error(ddb_raw.get_item, "ValidationException", INVALID + "Duplicate value in attribute name: a",
                 TableName=table, Key=doc_key, AttributesToGet=["a", "b", "a"])


# --------------------------------------------------------------------------
# Expected
# --------------------------------------------------------------------------

LEGACY_ITEM = {
    "n": N(5),
    "s": S("mango"),
    "b": B(b"\x10\x20"),
    "ss": SS("apple", "pear"),
    "ns": NS(1, 2, 3),
    "l": L(S("x"), N(2)),
    "t": BOOL(True),
}


def ecase(cid, expected, holds=True, operator=None):
    return pytest.param(expected, holds, operator, id=cid)


def cmp(attr, op, *values):
    return {attr: {"ComparisonOperator": op, "AttributeValueList": list(values)}}


EXPECTED = [
    ecase("value_implicit_exists", {"s": {"Value": S("mango")}}),
    ecase("value_mismatch", {"s": {"Value": S("kiwi")}}, holds=False),
    ecase("value_other_type", {"n": {"Value": S("5")}}, holds=False),
    ecase("value_on_missing", {"nope": {"Value": S("x")}}, holds=False),
    ecase("exists_true_with_value", {"n": {"Value": N(5), "Exists": True}}),
    ecase("exists_false_missing", {"nope": {"Exists": False}}),
    ecase("exists_false_present", {"n": {"Exists": False}}, holds=False),
    ecase("value_with_operator", {"n": {"Value": N(5), "ComparisonOperator": "EQ"}}),
    ecase("eq", cmp("n", "EQ", N("5.0"))),
    ecase("eq_false", cmp("n", "EQ", N(6)), holds=False),
    ecase("eq_set_any_order", cmp("ss", "EQ", SS("pear", "apple"))),
    ecase("eq_other_type", cmp("n", "EQ", S("5")), holds=False),
    ecase("ne", cmp("n", "NE", N(6))),
    ecase("ne_false", cmp("n", "NE", N(5)), holds=False),
    ecase("ne_missing", cmp("nope", "NE", N(5))),
    ecase("ne_other_type", cmp("n", "NE", S("5"))),
    ecase("lt", cmp("n", "LT", N(6))),
    ecase("lt_false", cmp("n", "LT", N(5)), holds=False),
    ecase("lt_other_type", cmp("n", "LT", S("6")), holds=False),
    ecase("le", cmp("s", "LE", S("mango"))),
    ecase("le_false", cmp("s", "LE", S("apple")), holds=False),
    ecase("gt", cmp("b", "GT", B(b"\x10"))),
    ecase("gt_false", cmp("n", "GT", N(5)), holds=False),
    ecase("ge", cmp("n", "GE", N(5))),
    ecase("ge_false", cmp("s", "GE", S("melon")), holds=False),
    ecase("null_missing", {"nope": {"ComparisonOperator": "NULL"}}),
    ecase("null_present", {"n": {"ComparisonOperator": "NULL"}}, holds=False),
    ecase("not_null_present", {"t": {"ComparisonOperator": "NOT_NULL"}}),
    ecase("not_null_missing", {"nope": {"ComparisonOperator": "NOT_NULL"}}, holds=False),
    ecase("contains_substring", cmp("s", "CONTAINS", S("ang"))),
    ecase("contains_set_member", cmp("ns", "CONTAINS", N(2))),
    ecase("contains_list_element", cmp("l", "CONTAINS", S("x"))),
    ecase("contains_false", cmp("ss", "CONTAINS", S("plum")), holds=False),
    ecase("contains_missing", cmp("nope", "CONTAINS", S("x")), holds=False),
    ecase("not_contains", cmp("s", "NOT_CONTAINS", S("xyz"))),
    ecase("not_contains_false", cmp("ss", "NOT_CONTAINS", S("pear")), holds=False),
    # Unlike NE, NOT_CONTAINS on a missing attribute is false.
    ecase("not_contains_missing", cmp("nope", "NOT_CONTAINS", S("x")), holds=False),
    ecase("begins_with", cmp("s", "BEGINS_WITH", S("man"))),
    ecase("begins_with_binary", cmp("b", "BEGINS_WITH", B(b"\x10"))),
    ecase("begins_with_false", cmp("s", "BEGINS_WITH", S("ango")), holds=False),
    ecase("begins_with_on_number", cmp("n", "BEGINS_WITH", S("5")), holds=False),
    ecase("in", cmp("n", "IN", N(1), N(5), N(9))),
    ecase("in_false", cmp("s", "IN", S("kiwi"), S("pear")), holds=False),
    # IN compares the attribute with each value; it does not look inside sets.
    ecase("in_does_not_search_sets", cmp("ns", "IN", N(2)), holds=False),
    ecase("between", cmp("n", "BETWEEN", N(1), N(9))),
    ecase("between_inclusive", cmp("s", "BETWEEN", S("mango"), S("mango"))),
    ecase("between_false", cmp("n", "BETWEEN", N(6), N(9)), holds=False),
    ecase("between_missing", cmp("nope", "BETWEEN", N(1), N(9)), holds=False),
    ecase("and_default", {**cmp("n", "EQ", N(5)), "nope": {"Exists": False}, **cmp("s", "GE", S("m"))}),
    ecase("and_default_one_false", {**cmp("n", "EQ", N(5)), **cmp("s", "EQ", S("kiwi"))}, holds=False),
    ecase("and_explicit", {**cmp("n", "EQ", N(5)), **cmp("s", "EQ", S("mango"))}, operator="AND"),
    ecase("or_one_true", {**cmp("n", "EQ", N(6)), **cmp("s", "EQ", S("mango"))}, operator="OR"),
    ecase("or_all_false", {**cmp("n", "EQ", N(6)), "s": {"Value": S("kiwi")}}, holds=False, operator="OR"),
]


@pytest.mark.parametrize("expected,holds,operator", EXPECTED)
def test_expected_put_item(ddb, table, expected, holds, operator):
    key = new_key()
    item = dict(key, **LEGACY_ITEM)
    ddb.put_item(TableName=table, Item=item)
    kwargs = dict(TableName=table, Item=dict(key, replaced=BOOL(True)), Expected=expected)
    if operator:
        kwargs["ConditionalOperator"] = operator
    if holds:
        ddb.put_item(**kwargs)
        assert get(ddb, table, key) == dict(key, replaced=BOOL(True))
    else:
        expect_failed(ddb.put_item, **kwargs)
        assert canon(get(ddb, table, key)) == canon(item)


def test_expected_on_missing_item(ddb, table):
    key = new_key()
    expect_failed(ddb.put_item, TableName=table, Item=dict(key, v=N(1)), Expected={"id": {"Exists": True,
                                                                                           "Value": key["id"]}})
    assert get(ddb, table, key) is None
    # The legacy put-if-absent.
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)), Expected={"id": {"Exists": False}})
    expect_failed(ddb.put_item, TableName=table, Item=dict(key, v=N(2)), Expected={"id": {"Exists": False}})
    assert get(ddb, table, key) == dict(key, v=N(1))


def test_expected_delete_item(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    expect_failed(ddb.delete_item, TableName=table, Key=key, Expected={"v": {"Value": N(2)}})
    assert get(ddb, table, key) == dict(key, v=N(1))
    resp = ddb.delete_item(TableName=table, Key=key, Expected=cmp("v", "LE", N(1)), ReturnValues="ALL_OLD")
    assert resp["Attributes"] == dict(key, v=N(1))
    assert get(ddb, table, key) is None


def test_expected_update_item(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    expect_failed(ddb.update_item, TableName=table, Key=key, Expected={"v": {"Value": N(2)}},
                  AttributeUpdates={"v": {"Action": "ADD", "Value": N(1)}})
    assert get(ddb, table, key) == dict(key, v=N(1))
    ddb.update_item(TableName=table, Key=key, Expected={"v": {"Value": N(1)}, "w": {"Exists": False}},
                    AttributeUpdates={"v": {"Action": "ADD", "Value": N(1)}})
    assert get(ddb, table, key) == dict(key, v=N(2))
    # A failed condition on a missing item creates nothing.
    key2 = new_key()
    expect_failed(ddb.update_item, TableName=table, Key=key2, Expected={"v": {"Value": N(1)}},
                  AttributeUpdates={"v": {"Action": "PUT", "Value": N(1)}})
    assert get(ddb, table, key2) is None


LEGACY_ERRORS = [
    # PutItem reports these two inside the envelope (us-east-1, 2026-10; test_fidelity_8.py).
    ("exists_true_without_value", {"a": {"Exists": True}},
     "1 validation error detected: " + INVALID + "Value must be provided when Exists is true for Attribute: a"),
    ("exists_false_with_value", {"a": {"Exists": False, "Value": S("x")}},
     INVALID + "Value cannot be used when Exists is false for Attribute: a"),
    ("nothing_given", {"a": {}},
     INVALID + "Value must be provided when Exists is null for Attribute: a"),
    ("operator_without_values", {"a": {"ComparisonOperator": "LT"}},
     "1 validation error detected: " + INVALID + "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"),
    ("exists_and_operator", {"a": {"Exists": True, "ComparisonOperator": "LT"}},
     INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ("value_and_list", {"a": {"Value": S("x"), "AttributeValueList": [S("x")], "ComparisonOperator": "EQ"}},
     INVALID + "Value and AttributeValueList cannot be used together for Attribute: a"),
    ("list_without_operator", {"a": {"AttributeValueList": [S("x")]}},
     INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ("eq_two_values", {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x"), S("y")]}},
     INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    ("null_with_value", {"a": {"ComparisonOperator": "NULL", "AttributeValueList": [S("x")]}},
     INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator"),
    ("between_one_value", {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1)]}},
     INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ("in_no_values", {"a": {"ComparisonOperator": "IN", "AttributeValueList": []}},
     INVALID + "Invalid number of argument(s) for the IN ComparisonOperator"),
    ("in_mixed_types", {"a": {"ComparisonOperator": "IN", "AttributeValueList": [S("b"), N(1)]}},
     INVALID + "AttributeValues inside AttributeValueList must be of same type"),
    ("between_reversed", {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("b"), S("a")]}},
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
]


@pytest.mark.parametrize("expected,message", [e[1:] for e in LEGACY_ERRORS], ids=[e[0] for e in LEGACY_ERRORS])
def test_expected_validation(ddb_raw, table, expected, message):
    key = new_key()
    expect_error(ddb_raw.put_item, "ValidationException", message, TableName=table,
                 Item=dict(key, a=N(1)), Expected=expected)
    assert get(ddb_raw, table, key) is None


# --------------------------------------------------------------------------
# AttributeUpdates
# --------------------------------------------------------------------------

def attribute_updates(ddb, table, key, updates, **kwargs):
    return ddb.update_item(TableName=table, Key=key, AttributeUpdates=updates, **kwargs)


def test_attribute_updates_put(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, a=S("old"), keep=N(1)))
    # PUT is the default action.
    attribute_updates(ddb, table, key, {"a": {"Value": L(N(1))}, "b": {"Action": "PUT", "Value": S("new")}})
    assert get(ddb, table, key) == dict(key, a=L(N(1)), b=S("new"), keep=N(1))


def test_attribute_updates_upsert(ddb, table):
    key = new_key()
    attribute_updates(ddb, table, key, {"a": {"Action": "PUT", "Value": S("x")}})
    assert get(ddb, table, key) == dict(key, a=S("x"))


def test_update_item_with_key_only_creates_item(ddb, table):
    key = new_key()
    resp = ddb.update_item(TableName=table, Key=key, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == key
    assert get(ddb, table, key) == key


def test_attribute_updates_add_number(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, n=N("1.5")))
    attribute_updates(ddb, table, key, {"n": {"Action": "ADD", "Value": N("-0.5")},
                                        "fresh": {"Action": "ADD", "Value": N(3)}})
    assert get(ddb, table, key) == dict(key, n=N(1), fresh=N(3))
    key2 = new_key()
    attribute_updates(ddb, table, key2, {"n": {"Action": "ADD", "Value": N(7)}})
    assert get(ddb, table, key2) == dict(key2, n=N(7))


def test_attribute_updates_add_set_and_list(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, ss=SS("a"), l=L(S("a"), N(1))))
    attribute_updates(ddb, table, key, {"ss": {"Action": "ADD", "Value": SS("a", "b")},
                                        "l": {"Action": "ADD", "Value": L(S("b"), N(2))},
                                        "bs": {"Action": "ADD", "Value": BS(b"\x01")}})
    assert canon(get(ddb, table, key)) == canon(dict(key, ss=SS("a", "b"), l=L(S("a"), N(1), S("b"), N(2)),
                                                     bs=BS(b"\x01")))


def test_attribute_updates_delete(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, a=S("x"), ns=NS(1, 2, 3), ss=SS("only")))
    attribute_updates(ddb, table, key, {"a": {"Action": "DELETE"}, "ns": {"Action": "DELETE", "Value": NS(1, 4)},
                                        "nope": {"Action": "DELETE"}})
    assert canon(get(ddb, table, key)) == canon(dict(key, ns=NS(2, 3), ss=SS("only")))
    # Deleting the last elements removes the attribute.
    attribute_updates(ddb, table, key, {"ss": {"Action": "DELETE", "Value": SS("only")}})
    assert canon(get(ddb, table, key)) == canon(dict(key, ns=NS(2, 3)))


def test_attribute_updates_return_values(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, a=S("a"), c=N(1)))
    updates = {"a": {"Action": "PUT", "Value": S("b")}, "c": {"Action": "ADD", "Value": N(1)},
               "d": {"Action": "PUT", "Value": S("d")}}
    resp = attribute_updates(ddb, table, key, updates, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"a": S("a"), "c": N(1)}
    resp = attribute_updates(ddb, table, key, updates, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"a": S("b"), "c": N(3), "d": S("d")}
    resp = attribute_updates(ddb, table, key, {"d": {"Action": "DELETE"}}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, a=S("b"), c=N(3))


ATTRIBUTE_UPDATE_ERRORS = [
    ("key_attribute", {"id": {"Action": "PUT", "Value": S("other")}},
     INVALID + "Cannot update attribute id. This attribute is part of the key"),
    ("put_without_value", {"a": {"Action": "PUT"}},
     INVALID + "Only DELETE action is allowed when no attribute value is specified"),
    ("add_string", {"a": {"Action": "ADD", "Value": S("1")}},
     INVALID + "ADD action is not supported for the type S"),
    ("add_map", {"a": {"Action": "ADD", "Value": M({})}},
     INVALID + "ADD action is not supported for the type M"),
    ("delete_with_string", {"a": {"Action": "DELETE", "Value": S("x")}},
     INVALID + "DELETE action with value is not supported for the type S"),
    ("delete_with_list", {"a": {"Action": "DELETE", "Value": L()}},
     INVALID + "DELETE action with value is not supported for the type L"),
    ("add_number_to_set", {"ss": {"Action": "ADD", "Value": N(1)}},
     "Type mismatch for attribute to update"),
    ("add_other_set_type", {"ss": {"Action": "ADD", "Value": NS(1)}},
     "Type mismatch for attribute to update"),
    ("delete_other_set_type", {"ss": {"Action": "DELETE", "Value": NS(1)}},
     "Type mismatch for attribute to update"),
]


@pytest.mark.parametrize("updates,message", [e[1:] for e in ATTRIBUTE_UPDATE_ERRORS],
                         ids=[e[0] for e in ATTRIBUTE_UPDATE_ERRORS])
def test_attribute_updates_validation(ddb_raw, table, updates, message):
    key = new_key()
    item = dict(key, ss=SS("a"), n=N(1))
    ddb_raw.put_item(TableName=table, Item=item)
    expect_error(ddb_raw.update_item, "ValidationException", message, TableName=table, Key=key,
                 AttributeUpdates=updates)
    assert canon(get(ddb_raw, table, key)) == canon(item)
