"""ConditionExpression on PutItem, UpdateItem and DeleteItem.

Most cases run through UpdateItem ("SET #hit = :hit" guarded by the
condition) against one richly typed item; the operation-specific tests at the
end check that PutItem and DeleteItem evaluate conditions the same way, the
put-if-absent idiom, and ReturnValuesOnConditionCheckFailure.

A condition that is false is never an error: comparing values of different
types, reading a missing attribute or indexing a path into the wrong kind of
document all just make the condition false (ConditionalCheckFailedException).
"""

import json

import pytest

import support
from values import S, N, B, BOOL, NULL, SS, NS, BS, L, M
from support import canon, create_table, expect_error

COND_FAILED = "The conditional request failed"


# -- fixtures and helpers -----------------------------------------------------

@pytest.fixture(scope="module")
def table(ddb):
    name = support.unique_name("cond")
    create_table(ddb, name, hash_key=("id", "S"))
    return name


def new_key():
    return {"id": S(support.unique_name("k"))}


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def expect_failed(fn, **kwargs):
    return expect_error(fn, "ConditionalCheckFailedException", COND_FAILED, **kwargs)


# One item holding every type, documents and awkward names.
BASE = {
    "n": N(5),
    "m": N(7),
    "ten": N(10),
    "neg": N(-3),
    "frac": N("0.5"),
    "s": S("mango"),
    "blank": S(""),
    "b": B(b"\x10\x20\x30"),
    "lo": B(b"\x7f"),
    "hi": B(b"\x80"),
    "t": BOOL(True),
    "f": BOOL(False),
    "z": NULL,
    "ss": SS("apple", "pear"),
    "ns": NS(1, 2, 3),
    "bs": BS(b"\x01", b"\x02"),
    "l": L(S("x"), N(2), M({"k": S("v")}), L(N(1))),
    "mp": M({"k": S("v"), "n": N(1)}),
    "doc": M({"b": L(N(0), N(1), M({"c": N(7), "d": S("deep")}))}),
    "a.b": S("dotted"),
    "status": S("active"),
}


def check(ddb, table, condition, values=None, names=None, holds=True, attrs=None):
    """Write a fresh item, then UpdateItem it guarded by `condition`; check the
    write happened exactly when the condition holds."""
    key = new_key()
    item = dict(key, **(BASE if attrs is None else attrs))
    ddb.put_item(TableName=table, Item=item)
    kwargs = dict(TableName=table, Key=key, ConditionExpression=condition,
                  UpdateExpression="SET #hit = :hit",
                  ExpressionAttributeNames=dict({"#hit": "hit"}, **(names or {})),
                  ExpressionAttributeValues=dict({":hit": S("yes")}, **(values or {})))
    if holds:
        ddb.update_item(**kwargs)
        assert canon(get(ddb, table, key)) == canon(dict(item, hit=S("yes")))
    else:
        expect_failed(ddb.update_item, **kwargs)
        assert canon(get(ddb, table, key)) == canon(item)


def case(cid, condition, values=None, names=None, holds=True):
    return pytest.param(condition, values, names, holds, id=cid)


# --------------------------------------------------------------------------
# comparisons: = <> < <= > >=
# --------------------------------------------------------------------------

COMPARISONS = [
    case("eq_number", "n = :v", {":v": N(5)}),
    case("eq_number_other_spelling", "n = :v", {":v": N("5.000")}),
    case("eq_number_false", "n = :v", {":v": N(6)}, holds=False),
    case("ne_number", "n <> :v", {":v": N(6)}),
    case("ne_number_false", "n <> :v", {":v": N(5)}, holds=False),
    case("lt", "n < :v", {":v": N(6)}),
    case("lt_false_equal", "n < :v", {":v": N(5)}, holds=False),
    case("le_equal", "n <= :v", {":v": N(5)}),
    case("le_false", "n <= :v", {":v": N(4)}, holds=False),
    case("gt", "n > :v", {":v": N(4)}),
    case("gt_false_equal", "n > :v", {":v": N(5)}, holds=False),
    case("ge_equal", "n >= :v", {":v": N(5)}),
    case("ge_false", "n >= :v", {":v": N(6)}, holds=False),
    case("numbers_compare_numerically", "ten > :v", {":v": N(9)}),
    case("negative_numbers", "neg < :v", {":v": N(-2)}),
    case("negative_numbers_false", "neg < :v", {":v": N(-4)}, holds=False),
    case("fractions", "frac < :v", {":v": N("0.51")}),
    case("value_on_the_left", ":v < n", {":v": N(4)}),
    case("two_attributes", "n < m"),
    case("two_attributes_false", "m < n", holds=False),
    case("string_lt", "s < :v", {":v": S("melon")}),
    case("string_gt", "s > :v", {":v": S("apple")}),
    case("string_prefix_sorts_first", "s < :v", {":v": S("mangos")}),
    case("string_case_sensitive", "s > :v", {":v": S("Mango")}),
    case("string_case_sensitive_false", "s < :v", {":v": S("Mango")}, holds=False),
    case("binary_lt", "b < :v", {":v": B(b"\x10\x20\x31")}),
    case("binary_unsigned_bytes", "lo < hi"),
    case("binary_gt_false", "b > :v", {":v": B(b"\x11")}, holds=False),
    case("eq_list", "l = :v", {":v": L(S("x"), N(2), M({"k": S("v")}), L(N(1)))}),
    case("eq_list_order_matters", "l = :v", {":v": L(N(2), S("x"), M({"k": S("v")}), L(N(1)))},
         holds=False),
    case("eq_map", "mp = :v", {":v": M({"n": N(1), "k": S("v")})}),
    case("eq_map_false", "mp = :v", {":v": M({"k": S("v")})}, holds=False),
    case("eq_set_any_order", "ss = :v", {":v": SS("pear", "apple")}),
    case("eq_set_subset_false", "ss = :v", {":v": SS("pear")}, holds=False),
    case("eq_number_set", "ns = :v", {":v": NS(3, 1, 2)}),
    case("eq_bool", "t = :v", {":v": BOOL(True)}),
    case("eq_bool_false", "t = f", holds=False),
    case("eq_null", "z = :v", {":v": NULL}),
    case("eq_empty_string", "blank = :v", {":v": S("")}),
    case("key_attribute", "id <> :v", {":v": S("someone-else")}),
]


@pytest.mark.parametrize("condition,values,names,holds", COMPARISONS)
def test_comparison(ddb, table, condition, values, names, holds):
    check(ddb, table, condition, values, names, holds)


# Comparing values of different types, or anything with a missing attribute,
# is false (<> is true) - never a ValidationException.
DIFFERENT_TYPES = [
    case("eq_number_vs_string", "n = :v", {":v": S("5")}, holds=False),
    case("ne_number_vs_string", "n <> :v", {":v": S("5")}),
    case("lt_number_vs_string", "n < :v", {":v": S("6")}, holds=False),
    case("ge_string_vs_number", "s >= :v", {":v": N(1)}, holds=False),
    case("eq_bool_vs_number", "t = :v", {":v": N(1)}, holds=False),
    case("eq_string_set_vs_string", "ss = :v", {":v": S("apple")}, holds=False),
    case("eq_string_vs_binary", "s = :v", {":v": B(b"mango")}, holds=False),
    case("lt_stored_list", "l < :v", {":v": N(1)}, holds=False),
    case("lt_stored_map_right", ":v < mp", {":v": N(1)}, holds=False),
    case("missing_eq", "nope = :v", {":v": N(5)}, holds=False),
    case("missing_ne", "nope <> :v", {":v": N(5)}),
    case("missing_lt", "nope < :v", {":v": N(5)}, holds=False),
    case("missing_ge_right", ":v >= nope", {":v": N(5)}, holds=False),
    case("two_missing_eq", "nope = nada", holds=False),
    case("two_missing_ne", "nope <> nada"),
]


@pytest.mark.parametrize("condition,values,names,holds", DIFFERENT_TYPES)
def test_different_types_and_missing(ddb, table, condition, values, names, holds):
    check(ddb, table, condition, values, names, holds)


# --------------------------------------------------------------------------
# BETWEEN and IN
# --------------------------------------------------------------------------

BETWEEN_IN = [
    case("between", "n BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(9)}),
    case("between_inclusive", "n BETWEEN :lo AND :hi", {":lo": N(5), ":hi": N(5)}),
    case("between_false", "n BETWEEN :lo AND :hi", {":lo": N(6), ":hi": N(9)}, holds=False),
    case("between_strings", "s BETWEEN :lo AND :hi", {":lo": S("a"), ":hi": S("n")}),
    case("between_binary", "b BETWEEN :lo AND :hi", {":lo": B(b"\x10"), ":hi": B(b"\x11")}),
    case("between_other_type", "n BETWEEN :lo AND :hi", {":lo": S("1"), ":hi": S("9")}, holds=False),
    case("between_missing", "nope BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(9)}, holds=False),
    case("between_attribute_bounds", "n BETWEEN neg AND ten"),
    case("between_lowercase", "n between :lo and :hi", {":lo": N(1), ":hi": N(9)}),
    case("in", "n IN (:a, :b, :c)", {":a": N(1), ":b": N(5), ":c": N(9)}),
    case("in_false", "n IN (:a, :b, :c)", {":a": N(1), ":b": N(2), ":c": N(3)}, holds=False),
    case("in_single", "s IN (:a)", {":a": S("mango")}),
    case("in_mixed_types", "n IN (:a, :b)", {":a": S("5"), ":b": N(5)}),
    case("in_attributes", "n IN (m, ten)", holds=False),
    case("in_missing", "nope IN (:a, :b)", {":a": N(1), ":b": N(5)}, holds=False),
    case("in_lowercase", "s in (:a, :b)", {":a": S("kiwi"), ":b": S("mango")}),
    case("in_list_value", "l IN (:a)", {":a": L(S("x"), N(2), M({"k": S("v")}), L(N(1)))}),
]


@pytest.mark.parametrize("condition,values,names,holds", BETWEEN_IN)
def test_between_and_in(ddb, table, condition, values, names, holds):
    check(ddb, table, condition, values, names, holds)


# --------------------------------------------------------------------------
# AND / OR / NOT, precedence (NOT > AND > OR) and parentheses
# --------------------------------------------------------------------------

LOGIC_VALUES = {":five": N(5), ":six": N(6), ":mango": S("mango"), ":pear": S("pear")}

LOGIC = [
    case("and", "n = :five AND s = :mango"),
    case("and_false", "n = :five AND s = :pear", holds=False),
    case("or", "n = :six OR s = :mango"),
    case("or_false", "n = :six OR s = :pear", holds=False),
    case("not", "NOT n = :six"),
    case("not_false", "NOT n = :five", holds=False),
    case("not_not", "NOT NOT n = :five"),
    # T OR (F AND F) = T; read left to right it would be (T OR F) AND F = F.
    case("and_binds_tighter_than_or", "n = :five OR s = :pear AND n = :six"),
    # (F AND F) OR T = T; grouped from the right it would be F AND (F OR T) = F.
    case("and_binds_tighter_than_or_2", "s = :pear AND n = :six OR n = :five"),
    # (NOT F) AND F = F; NOT over the whole would give NOT (F AND F) = T.
    case("not_binds_tighter_than_and", "NOT n = :six AND s = :pear", holds=False),
    # (NOT T) OR T = T; NOT over the whole would give NOT (T OR T) = F.
    case("not_binds_tighter_than_or", "NOT n = :five OR s = :mango"),
    # With the parentheses: (T OR F) AND F = F; without them it would be T.
    case("parentheses_override", "(n = :five OR s = :pear) AND n = :six", holds=False),
    case("not_parenthesised", "NOT (n = :five AND s = :pear)"),
    case("not_parenthesised_false", "NOT (n = :five OR s = :pear)", holds=False),
    case("nested_parentheses", "(n < :six AND (s = :pear OR n = :five)) OR s = :pear"),
    case("keywords_any_case", "n = :five aNd NoT s = :pear oR s = :pear"),
    case("whitespace", "  n=:five   AND(s=:mango)  "),
    case("functions_combined", "attribute_exists(n) AND NOT attribute_exists(nope) AND s = :mango"),
]


@pytest.mark.parametrize("condition,values,names,holds", LOGIC)
def test_logic(ddb, table, condition, values, names, holds):
    used = {k: v for k, v in LOGIC_VALUES.items() if k in condition}
    check(ddb, table, condition, used, names, holds)


# --------------------------------------------------------------------------
# functions
# --------------------------------------------------------------------------

FUNCTIONS = [
    case("attribute_exists", "attribute_exists(n)"),
    case("attribute_exists_false", "attribute_exists(nope)", holds=False),
    case("attribute_exists_null_value", "attribute_exists(z)"),
    case("attribute_exists_false_bool", "attribute_exists(f)"),
    case("attribute_exists_nested", "attribute_exists(mp.k)"),
    case("attribute_exists_nested_false", "attribute_exists(mp.nope)", holds=False),
    case("attribute_exists_list_element", "attribute_exists(l[3])"),
    case("attribute_exists_past_end", "attribute_exists(l[4])", holds=False),
    case("attribute_not_exists", "attribute_not_exists(nope)"),
    case("attribute_not_exists_false", "attribute_not_exists(n)", holds=False),
    case("attribute_not_exists_past_end", "attribute_not_exists(l[9])"),
    case("begins_with_string", "begins_with(s, :p)", {":p": S("man")}),
    case("begins_with_whole_string", "begins_with(s, :p)", {":p": S("mango")}),
    case("begins_with_string_false", "begins_with(s, :p)", {":p": S("ango")}, holds=False),
    case("begins_with_binary", "begins_with(b, :p)", {":p": B(b"\x10\x20")}),
    case("begins_with_binary_false", "begins_with(b, :p)", {":p": B(b"\x20")}, holds=False),
    case("begins_with_other_type", "begins_with(s, :p)", {":p": B(b"man")}, holds=False),
    case("begins_with_stored_number", "begins_with(n, :p)", {":p": S("5")}, holds=False),
    case("begins_with_missing", "begins_with(nope, :p)", {":p": S("m")}, holds=False),
    case("contains_substring", "contains(s, :v)", {":v": S("ang")}),
    case("contains_substring_false", "contains(s, :v)", {":v": S("xyz")}, holds=False),
    case("contains_binary_substring", "contains(b, :v)", {":v": B(b"\x20\x30")}),
    case("contains_string_set", "contains(ss, :v)", {":v": S("pear")}),
    case("contains_string_set_false", "contains(ss, :v)", {":v": S("plum")}, holds=False),
    case("contains_number_set", "contains(ns, :v)", {":v": N(2)}),
    case("contains_number_set_false", "contains(ns, :v)", {":v": N(4)}, holds=False),
    case("contains_number_set_string", "contains(ns, :v)", {":v": S("2")}, holds=False),
    case("contains_binary_set", "contains(bs, :v)", {":v": B(b"\x02")}),
    case("contains_list_string", "contains(l, :v)", {":v": S("x")}),
    case("contains_list_number", "contains(l, :v)", {":v": N(2)}),
    case("contains_list_list", "contains(l, :v)", {":v": L(N(1))}),
    case("contains_list_false", "contains(l, :v)", {":v": S("y")}, holds=False),
    case("contains_number_attribute", "contains(n, :v)", {":v": N(5)}, holds=False),
    case("contains_missing", "contains(nope, :v)", {":v": S("x")}, holds=False),
    case("not_contains_missing", "NOT contains(nope, :v)", {":v": S("x")}),
]


@pytest.mark.parametrize("condition,values,names,holds", FUNCTIONS)
def test_function(ddb, table, condition, values, names, holds):
    check(ddb, table, condition, values, names, holds)


TYPE_ATTRS = [("S", "s"), ("N", "n"), ("B", "b"), ("BOOL", "t"), ("NULL", "z"), ("SS", "ss"),
              ("NS", "ns"), ("BS", "bs"), ("L", "l"), ("M", "mp")]


@pytest.mark.parametrize("type_name,attr", TYPE_ATTRS, ids=[t for t, _ in TYPE_ATTRS])
def test_attribute_type(ddb, table, type_name, attr):
    check(ddb, table, f"attribute_type({attr}, :t)", {":t": S(type_name)})
    others = [t for t, _ in TYPE_ATTRS if t != type_name]
    for other in others[:3] + others[-1:]:
        check(ddb, table, f"attribute_type({attr}, :t)", {":t": S(other)}, holds=False)


def test_attribute_type_missing_attribute(ddb, table):
    check(ddb, table, "attribute_type(nope, :t)", {":t": S("S")}, holds=False)
    check(ddb, table, "NOT attribute_type(nope, :t)", {":t": S("S")})


SIZES = [
    case("string", "size(s) = :v", {":v": N(5)}),
    case("string_false", "size(s) = :v", {":v": N(4)}, holds=False),
    case("empty_string", "size(blank) = :v", {":v": N(0)}),
    case("binary", "size(b) = :v", {":v": N(3)}),
    case("string_set", "size(ss) = :v", {":v": N(2)}),
    case("number_set", "size(ns) = :v", {":v": N(3)}),
    case("binary_set", "size(bs) = :v", {":v": N(2)}),
    case("list", "size(l) = :v", {":v": N(4)}),
    case("map", "size(mp) = :v", {":v": N(2)}),
    case("nested_list", "size(doc.b) = :v", {":v": N(3)}),
    case("greater", "size(s) > :v", {":v": N(3)}),
    case("less_false", "size(l) < :v", {":v": N(4)}, holds=False),
    case("between", "size(s) BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(5)}),
    case("in", "size(s) IN (:a, :b)", {":a": N(4), ":b": N(5)}),
    case("against_attribute", "size(s) = n"),
    case("two_sizes", "size(l) < size(s)"),
    case("number_has_no_size", "size(n) = :v", {":v": N(1)}, holds=False),
    case("bool_has_no_size", "size(t) = :v", {":v": N(1)}, holds=False),
    case("missing", "size(nope) = :v", {":v": N(0)}, holds=False),
    case("against_string", "size(s) = :v", {":v": S("5")}, holds=False),
]


@pytest.mark.parametrize("condition,values,names,holds", SIZES)
def test_size(ddb, table, condition, values, names, holds):
    check(ddb, table, condition, values, names, holds)


# --------------------------------------------------------------------------
# document paths and ExpressionAttributeNames
# --------------------------------------------------------------------------

PATHS = [
    case("map_list_map", "doc.b[2].c = :v", {":v": N(7)}),
    case("map_list_map_false", "doc.b[2].c = :v", {":v": N(8)}, holds=False),
    case("names_everywhere", "#d.#b[2].#c = :v", {":v": N(7)}, {"#d": "doc", "#b": "b", "#c": "c"}),
    case("sibling", "doc.b[2].d = :v", {":v": S("deep")}),
    case("whole_element", "doc.b[0] < doc.b[1]"),
    case("index_past_end", "doc.b[5].c = :v", {":v": N(7)}, holds=False),
    case("missing_member", "doc.b[2].x = :v", {":v": N(7)}, holds=False),
    case("list_read_as_map", "doc.b.c = :v", {":v": N(7)}, holds=False),
    case("map_read_as_list", "doc[0] = :v", {":v": N(7)}, holds=False),
    case("scalar_read_as_map", "s.x = :v", {":v": N(7)}, holds=False),
    case("nested_map_value", "mp.n = :v", {":v": N(1)}),
    case("list_element_map_member", "l[2].k = :v", {":v": S("v")}),
    case("list_in_list", "l[3][0] = :v", {":v": N(1)}),
    case("dotted_name_literal", "#dotted = :v", {":v": S("dotted")}, {"#dotted": "a.b"}),
    case("dotted_path_is_nested", "a.b = :v", {":v": S("dotted")}, holds=False),
    case("reserved_word_through_name", "#st = :v", {":v": S("active")}, {"#st": "status"}),
    case("name_used_twice", "#n = :v OR #n = :w", {":v": N(1), ":w": N(5)}, {"#n": "n"}),
    case("name_in_function", "attribute_exists(#m.#k)", None, {"#m": "mp", "#k": "k"}),
    case("value_used_twice", "n = :v AND NOT m = :v", {":v": N(5)}),
]


@pytest.mark.parametrize("condition,values,names,holds", PATHS)
def test_document_path(ddb, table, condition, values, names, holds):
    check(ddb, table, condition, values, names, holds)


# --------------------------------------------------------------------------
# PutItem, DeleteItem, UpdateItem specifics
# --------------------------------------------------------------------------

def test_condition_failure_error_shape(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, n=N(1)))
    resp = expect_failed(ddb.put_item, TableName=table, Item=dict(key, n=N(2)),
                         ConditionExpression="n = :v", ExpressionAttributeValues={":v": N(9)})
    assert resp["Error"]["Code"] == "ConditionalCheckFailedException"
    assert "Item" not in resp
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="attribute_not_exists(n)")


def test_put_item_condition(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, v=N(1), other=S("x")))
    # Holds: the whole item is replaced.
    ddb.put_item(TableName=table, Item=dict(key, v=N(2)), ConditionExpression="v = :old",
                 ExpressionAttributeValues={":old": N(1)})
    assert get(ddb, table, key) == dict(key, v=N(2))
    # Does not hold: nothing is written.
    expect_failed(ddb.put_item, TableName=table, Item=dict(key, v=N(3)), ConditionExpression="v = :old",
                  ExpressionAttributeValues={":old": N(1)})
    assert get(ddb, table, key) == dict(key, v=N(2))


def test_put_item_condition_sees_old_item_not_new(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    expect_failed(ddb.put_item, TableName=table, Item=dict(key, v=N(2)), ConditionExpression="v = :new",
                  ExpressionAttributeValues={":new": N(2)})
    assert get(ddb, table, key) == dict(key, v=N(1))


def test_put_if_absent(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, version=N(1)), ConditionExpression="attribute_not_exists(id)")
    assert get(ddb, table, key) == dict(key, version=N(1))
    expect_failed(ddb.put_item, TableName=table, Item=dict(key, version=N(2)),
                  ConditionExpression="attribute_not_exists(id)")
    assert get(ddb, table, key) == dict(key, version=N(1))
    # The same idiom through a name.
    expect_failed(ddb.put_item, TableName=table, Item=dict(key, version=N(3)),
                  ConditionExpression="attribute_not_exists(#pk)", ExpressionAttributeNames={"#pk": "id"})
    assert get(ddb, table, key) == dict(key, version=N(1))


def test_conditions_on_missing_item(ddb, table):
    # Every attribute of a missing item is missing.
    key = new_key()
    for op, kwargs in [("put_item", {"Item": dict(key, v=N(1))}),
                       ("update_item", {"Key": key, "UpdateExpression": "SET v = :one",
                                        "ExpressionAttributeValues": {":one": N(1)}}),
                       ("delete_item", {"Key": key})]:
        expect_failed(getattr(ddb, op), TableName=table, ConditionExpression="attribute_exists(id)", **kwargs)
        assert get(ddb, table, key) is None, op
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = :one",
                    ExpressionAttributeValues={":one": N(1)}, ConditionExpression="attribute_not_exists(v)")
    assert get(ddb, table, key) == dict(key, v=N(1))


def test_update_item_condition_false_creates_nothing(ddb, table):
    key = new_key()
    expect_failed(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET v = :one",
                  ConditionExpression="v = :one", ExpressionAttributeValues={":one": N(1)})
    assert get(ddb, table, key) is None
    # <> against a missing attribute holds, so this one creates the item.
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = :one",
                    ConditionExpression="v <> :one", ExpressionAttributeValues={":one": N(1)})
    assert get(ddb, table, key) == dict(key, v=N(1))


def test_update_item_condition_sees_old_item(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = v + :one",
                    ConditionExpression="v = :one", ExpressionAttributeValues={":one": N(1)})
    assert get(ddb, table, key) == dict(key, v=N(2))
    expect_failed(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET v = v + :one",
                  ConditionExpression="v = :one", ExpressionAttributeValues={":one": N(1)})
    assert get(ddb, table, key) == dict(key, v=N(2))


def test_delete_item_condition(ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, state=S("open"), tags=SS("a", "b")))
    expect_failed(ddb.delete_item, TableName=table, Key=key, ConditionExpression="#s = :closed",
                  ExpressionAttributeNames={"#s": "state"}, ExpressionAttributeValues={":closed": S("closed")})
    assert canon(get(ddb, table, key)) == canon(dict(key, state=S("open"), tags=SS("a", "b")))
    resp = ddb.delete_item(TableName=table, Key=key, ConditionExpression="#s = :open AND contains(tags, :a)",
                           ExpressionAttributeNames={"#s": "state"},
                           ExpressionAttributeValues={":open": S("open"), ":a": S("a")},
                           ReturnValues="ALL_OLD")
    assert canon(resp["Attributes"]) == canon(dict(key, state=S("open"), tags=SS("a", "b")))
    assert get(ddb, table, key) is None


def test_delete_if_exists_on_missing_item(ddb, table):
    key = new_key()
    expect_failed(ddb.delete_item, TableName=table, Key=key, ConditionExpression="attribute_exists(id)")
    # Without a condition deleting a missing item is fine.
    ddb.delete_item(TableName=table, Key=key)


OPS = ["put_item", "update_item", "delete_item"]


@pytest.mark.parametrize("holds", [True, False], ids=["holds", "fails"])
@pytest.mark.parametrize("op", OPS)
def test_same_condition_every_operation(ddb, table, op, holds):
    key = new_key()
    item = dict(key, n=N(5), tags=SS("x"), doc=M({"l": L(S("a"), S("b"))}))
    ddb.put_item(TableName=table, Item=item)
    condition = "n BETWEEN :lo AND :hi AND contains(tags, :x) AND size(doc.l) = :two"
    values = {":lo": N(1), ":hi": N(5 if holds else 4), ":x": S("x"), ":two": N(2)}
    if op == "put_item":
        kwargs = {"Item": dict(key, n=N(6))}
        after = dict(key, n=N(6))
    elif op == "update_item":
        kwargs = {"Key": key, "UpdateExpression": "SET n = :six"}
        values[":six"] = N(6)
        after = dict(item, n=N(6))
    else:
        kwargs = {"Key": key}
        after = None
    call = dict(TableName=table, ConditionExpression=condition, ExpressionAttributeValues=values, **kwargs)
    if holds:
        getattr(ddb, op)(**call)
        assert canon(get(ddb, table, key)) == canon(after)
    else:
        expect_failed(getattr(ddb, op), **call)
        assert canon(get(ddb, table, key)) == canon(item)


# --------------------------------------------------------------------------
# ReturnValuesOnConditionCheckFailure
# --------------------------------------------------------------------------
# Sent as raw JSON so the test does not depend on the installed botocore
# knowing the parameter (botocore puts the returned item in
# e.response['Item']; on the wire it is the "Item" member of the error body).

def raw_call(emulator, op, body):
    status, _, data = support.raw_request(emulator.endpoint, "DynamoDB_20120810." + op,
                                          json.dumps(body))
    doc = json.loads(data) if data else {}
    return status, doc


def assert_condition_failed(status, doc):
    assert status == 400, doc
    assert doc.get("__type", "").split("#")[-1] == "ConditionalCheckFailedException", doc
    assert (doc.get("message") or doc.get("Message")) == COND_FAILED


@pytest.mark.parametrize("op", OPS)
def test_return_values_on_condition_check_failure_all_old(emulator, ddb, table, op):
    key = new_key()
    item = dict(key, v=N(1), s=S("old"), l=L(N(1), S("x")))
    ddb.put_item(TableName=table, Item=item)
    body = {"TableName": table, "ConditionExpression": "v = :two",
            "ExpressionAttributeValues": {":two": N(2)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if op == "put_item":
        body["Item"] = dict(key, v=N(3))
    else:
        body["Key"] = key
    if op == "update_item":
        body["UpdateExpression"] = "SET v = :two"
    status, doc = raw_call(emulator, "".join(p.capitalize() for p in op.split("_")), body)
    assert_condition_failed(status, doc)
    assert doc.get("Item") == item
    assert get(ddb, table, key) == item


@pytest.mark.parametrize("op", OPS)
def test_return_values_on_condition_check_failure_none(emulator, ddb, table, op):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    body = {"TableName": table, "ConditionExpression": "attribute_not_exists(v)",
            "ReturnValuesOnConditionCheckFailure": "NONE"}
    if op == "put_item":
        body["Item"] = dict(key, v=N(3))
    else:
        body["Key"] = key
    if op == "update_item":
        body["UpdateExpression"] = "REMOVE v"
    status, doc = raw_call(emulator, "".join(p.capitalize() for p in op.split("_")), body)
    assert_condition_failed(status, doc)
    assert "Item" not in doc


def test_return_values_on_condition_check_failure_missing_item(emulator, ddb, table):
    key = new_key()
    status, doc = raw_call(emulator, "UpdateItem", {
        "TableName": table, "Key": key, "UpdateExpression": "SET v = :one",
        "ConditionExpression": "attribute_exists(id)", "ExpressionAttributeValues": {":one": N(1)},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert_condition_failed(status, doc)
    assert "Item" not in doc
    assert get(ddb, table, key) is None


def test_return_values_on_condition_check_failure_when_condition_holds(emulator, ddb, table):
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    status, doc = raw_call(emulator, "PutItem", {
        "TableName": table, "Item": dict(key, v=N(2)), "ConditionExpression": "v = :one",
        "ExpressionAttributeValues": {":one": N(1)}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert status == 200, doc
    assert "Item" not in doc and "Attributes" not in doc
    assert get(ddb, table, key) == dict(key, v=N(2))
