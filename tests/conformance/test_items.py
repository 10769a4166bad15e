"""PutItem, GetItem and DeleteItem."""

import pytest

import support
from support import canon, create_table, expect_error

MAX_ITEM = 409600  # 400 KB


@pytest.fixture(scope="module")
def hash_table(ddb):
    name = support.unique_name("items-h")
    create_table(ddb, name, hash_key=("id", "S"))
    return name


@pytest.fixture(scope="module")
def range_table(ddb):
    name = support.unique_name("items-hr")
    create_table(ddb, name, hash_key=("pk", "S"), range_key=("sk", "N"))
    return name


@pytest.fixture(scope="module")
def num_table(ddb):
    name = support.unique_name("items-n")
    create_table(ddb, name, hash_key=("n", "N"))
    return name


@pytest.fixture(scope="module")
def bin_table(ddb):
    name = support.unique_name("items-b")
    create_table(ddb, name, hash_key=("b", "B"))
    return name


def roundtrip(ddb, table, item, key):
    assert ddb.put_item(TableName=table, Item=item).get("Attributes") is None
    got = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)
    assert "Item" in got, f"item {key} not found after put"
    return got["Item"]


# --------------------------------------------------------------------------
# every type
# --------------------------------------------------------------------------

TYPED_VALUES = [
    ("S", {"S": "hello"}),
    ("S_unicode", {"S": "h\u00e9llo w\u00f6rld \u2713 \U0001f600"}),
    ("S_json_specials", {"S": "quote\" backslash\\ newline\n tab\t nul\u0000 end"}),
    ("N_int", {"N": "42"}),
    ("N_negative_decimal", {"N": "-56.789"}),
    ("N_zero", {"N": "0"}),
    ("B", {"B": b"\x00\x01\x02\xfe\xff"}),
    ("B_text", {"B": b"plain bytes"}),
    ("BOOL_true", {"BOOL": True}),
    ("BOOL_false", {"BOOL": False}),
    ("NULL", {"NULL": True}),
    ("SS", {"SS": ["a", "b", "c"]}),
    ("SS_one", {"SS": ["only"]}),
    ("NS", {"NS": ["1", "2.5", "-3"]}),
    ("BS", {"BS": [b"\x01", b"\x02\x03", b"\xff"]}),
    ("L_empty", {"L": []}),
    ("M_empty", {"M": {}}),
    ("L_mixed", {"L": [{"S": "x"}, {"N": "1"}, {"B": b"\x00"}, {"BOOL": False}, {"NULL": True},
                       {"SS": ["a"]}, {"NS": ["-1"]}, {"BS": [b"z"]}, {"L": []}, {"M": {}}]}),
    ("M_mixed", {"M": {"s": {"S": "v"}, "n": {"N": "7"}, "b": {"B": b"\x10"}, "t": {"BOOL": True},
                       "z": {"NULL": True}, "ss": {"SS": ["p", "q"]}, "l": {"L": [{"S": "i"}]}}}),
    ("nested", {"M": {"level1": {"M": {"level2": {"L": [
        {"M": {"level4": {"L": [{"N": "1"}, {"L": [{"S": "deep"}]}]}}},
        {"M": {}},
    ]}}}, "sibling": {"L": [{"M": {"k": {"S": "v"}}}]}}}),
    ("S_empty_non_key", {"S": ""}),
    ("B_empty_non_key", {"B": b""}),
]


@pytest.mark.parametrize("value", [v for _, v in TYPED_VALUES], ids=[i for i, _ in TYPED_VALUES])
def test_put_get_each_type(ddb, hash_table, value):
    key = {"id": {"S": support.unique_name("k")}}
    item = dict(key, attr=value)
    got = roundtrip(ddb, hash_table, item, key)
    assert canon(got) == canon(item)


def test_put_get_all_types_in_one_item(ddb, hash_table):
    key = {"id": {"S": "all-types"}}
    item = dict(key)
    for i, (tag, value) in enumerate(TYPED_VALUES):
        item[f"a{i}_{tag}"] = value
    got = roundtrip(ddb, hash_table, item, key)
    assert canon(got) == canon(item)


def test_null_false_is_refused(ddb_raw, hash_table):
    # Every region refuses {"NULL": false} again since July 2026 (a few took it as NULL for some
    # weeks before); PutItem and UpdateItem word it inside the "1 validation error detected: "
    # envelope, the other operations bare (paritysuite/dynamodb-conformance's captures).
    bare = ("One or more parameter values were invalid: Null attribute value types must have "
            "the value of true")
    key = {"id": {"S": "null-false"}}
    for call, args, message in [
            (ddb_raw.put_item, dict(Item=dict(key, a={"NULL": False})),
             "1 validation error detected: " + bare),
            (ddb_raw.put_item, dict(Item=dict(key, m={"M": {"b": {"NULL": False}}})),
             "1 validation error detected: " + bare),
            (ddb_raw.update_item, dict(Key={"id": {"NULL": False}}),
             "1 validation error detected: " + bare),
            (ddb_raw.get_item, dict(Key={"id": {"NULL": False}}), bare),
            (ddb_raw.delete_item, dict(Key={"id": {"NULL": False}}), bare)]:
        expect_error(call, "ValidationException", message, TableName=hash_table, **args)
    assert "Item" not in ddb_raw.get_item(TableName=hash_table, Key=key, ConsistentRead=True)


def test_put_replaces_whole_item(ddb, hash_table):
    key = {"id": {"S": support.unique_name("k")}}
    ddb.put_item(TableName=hash_table, Item=dict(key, a={"S": "1"}, b={"S": "2"}))
    ddb.put_item(TableName=hash_table, Item=dict(key, c={"S": "3"}))
    got = ddb.get_item(TableName=hash_table, Key=key)["Item"]
    assert got == dict(key, c={"S": "3"})


def test_attribute_names_unusual(ddb, hash_table):
    key = {"id": {"S": support.unique_name("k")}}
    item = dict(key)
    item.update({"with space": {"S": "1"}, "d\u00e9j\u00e0": {"S": "2"}, "a.b": {"S": "3"},
                 "#x": {"S": "4"}, ":y": {"S": "5"}, "x" * 300: {"S": "6"}})
    assert roundtrip(ddb, hash_table, item, key) == item


def test_get_missing_item_has_no_item(ddb, hash_table):
    resp = ddb.get_item(TableName=hash_table, Key={"id": {"S": "never-written"}})
    assert "Item" not in resp
    resp = ddb.get_item(TableName=hash_table, Key={"id": {"S": "never-written"}}, ConsistentRead=True)
    assert "Item" not in resp


def test_get_consistent_read_false(ddb, hash_table):
    key = {"id": {"S": support.unique_name("k")}}
    ddb.put_item(TableName=hash_table, Item=dict(key, v={"S": "x"}))
    assert ddb.get_item(TableName=hash_table, Key=key, ConsistentRead=False)["Item"]["v"] == {"S": "x"}


def test_hash_range_items(ddb, range_table):
    pk = support.unique_name("p")
    for sk in ("1", "2", "10"):
        ddb.put_item(TableName=range_table, Item={"pk": {"S": pk}, "sk": {"N": sk}, "v": {"S": f"v{sk}"}})
    for sk in ("1", "2", "10"):
        got = ddb.get_item(TableName=range_table, Key={"pk": {"S": pk}, "sk": {"N": sk}})["Item"]
        assert got == {"pk": {"S": pk}, "sk": {"N": sk}, "v": {"S": f"v{sk}"}}
    assert "Item" not in ddb.get_item(TableName=range_table, Key={"pk": {"S": pk}, "sk": {"N": "3"}})
    ddb.delete_item(TableName=range_table, Key={"pk": {"S": pk}, "sk": {"N": "2"}})
    assert "Item" not in ddb.get_item(TableName=range_table, Key={"pk": {"S": pk}, "sk": {"N": "2"}})
    assert "Item" in ddb.get_item(TableName=range_table, Key={"pk": {"S": pk}, "sk": {"N": "1"}})


def test_binary_keys(ddb, bin_table):
    for raw in (b"\x00", b"\x00\x00", b"\xff\x00\x01", bytes(range(256))):
        item = {"b": {"B": raw}, "len": {"N": str(len(raw))}}
        assert roundtrip(ddb, bin_table, item, {"b": {"B": raw}}) == item
    ddb.delete_item(TableName=bin_table, Key={"b": {"B": b"\x00"}})
    assert "Item" not in ddb.get_item(TableName=bin_table, Key={"b": {"B": b"\x00"}})
    assert "Item" in ddb.get_item(TableName=bin_table, Key={"b": {"B": b"\x00\x00"}})


# --------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------

NUMBERS = [
    ("1.50", "1.5"),
    ("1e2", "100"),
    ("1E2", "100"),
    ("-0.0", "0"),
    ("0.0", "0"),
    ("1E-5", "0.00001"),
    ("0001", "1"),
    ("1.0", "1"),
    ("-00012.3400", "-12.34"),
    ("0.1e1", "1"),
    ("1.2345e2", "123.45"),
    ("-5E-1", "-0.5"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("-00001.23456789012345678901234567890123456780000", "-1.2345678901234567890123456789012345678"),
    ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
    ("-9.9999999999999999999999999999999999999e125", "-" + "9" * 38 + "0" * 88),
    ("1E-130", "0." + "0" * 129 + "1"),
    ("-1.000e-130", "-0." + "0" * 129 + "1"),
]


@pytest.mark.parametrize("written,expected", NUMBERS, ids=[w for w, _ in NUMBERS])
def test_number_normalisation(ddb, hash_table, written, expected):
    key = {"id": {"S": support.unique_name("num")}}
    got = roundtrip(ddb, hash_table, dict(key, n={"N": written}), key)
    assert got["n"] == {"N": expected}


def test_number_normalisation_in_sets_and_documents(ddb, hash_table):
    key = {"id": {"S": support.unique_name("num")}}
    item = dict(key, ns={"NS": ["1.50", "2e1", "-0.0"]},
                l={"L": [{"N": "1.0"}, {"M": {"x": {"N": "3E0"}}}]})
    got = roundtrip(ddb, hash_table, item, key)
    assert sorted(got["ns"]["NS"]) == sorted(["1.5", "20", "0"])
    assert got["l"] == {"L": [{"N": "1"}, {"M": {"x": {"N": "3"}}}]}


SAME_NUMBERS = [("7.0", "7", "7"), ("300", "3e2", "300"), ("0.25", "25E-2", "0.25"),
                ("-0.0", "0", "0"), ("123.4500", "1.2345e2", "123.45"), ("-1E1", "-10.00", "-10")]


@pytest.mark.parametrize("put_as,get_as,canonical", SAME_NUMBERS, ids=[p for p, _, _ in SAME_NUMBERS])
def test_number_key_spellings_address_same_item(ddb, num_table, put_as, get_as, canonical):
    ddb.put_item(TableName=num_table, Item={"n": {"N": put_as}, "v": {"S": put_as}})
    got = ddb.get_item(TableName=num_table, Key={"n": {"N": get_as}})
    assert "Item" in got, f"put with {put_as!r}, not found with {get_as!r}"
    assert got["Item"] == {"n": {"N": canonical}, "v": {"S": put_as}}
    old = ddb.delete_item(TableName=num_table, Key={"n": {"N": get_as}}, ReturnValues="ALL_OLD")
    assert old["Attributes"] == {"n": {"N": canonical}, "v": {"S": put_as}}
    assert "Item" not in ddb.get_item(TableName=num_table, Key={"n": {"N": put_as}})


def test_number_key_overwrite_counts_once(ddb, table_name):
    name = table_name()
    create_table(ddb, name, hash_key=("n", "N"))
    ddb.put_item(TableName=name, Item={"n": {"N": "1"}, "v": {"S": "first"}})
    old = ddb.put_item(TableName=name, Item={"n": {"N": "1.00"}, "v": {"S": "second"}},
                       ReturnValues="ALL_OLD")
    assert old["Attributes"] == {"n": {"N": "1"}, "v": {"S": "first"}}
    ddb.put_item(TableName=name, Item={"n": {"N": "10E-1"}, "v": {"S": "third"}})
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 1
    assert ddb.get_item(TableName=name, Key={"n": {"N": "1"}})["Item"]["v"] == {"S": "third"}


def test_number_range_key_spellings(ddb, range_table):
    pk = support.unique_name("p")
    ddb.put_item(TableName=range_table, Item={"pk": {"S": pk}, "sk": {"N": "2.50"}})
    got = ddb.get_item(TableName=range_table, Key={"pk": {"S": pk}, "sk": {"N": "25e-1"}})
    assert got["Item"] == {"pk": {"S": pk}, "sk": {"N": "2.5"}}


# --------------------------------------------------------------------------
# ReturnValues
# --------------------------------------------------------------------------

def test_put_return_values(ddb, hash_table):
    key = {"id": {"S": support.unique_name("rv")}}
    first = dict(key, v={"S": "one"}, n={"N": "1.0"})
    second = dict(key, v={"S": "two"})
    r = ddb.put_item(TableName=hash_table, Item=first, ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    r = ddb.put_item(TableName=hash_table, Item=second, ReturnValues="ALL_OLD")
    assert r["Attributes"] == dict(key, v={"S": "one"}, n={"N": "1"})
    r = ddb.put_item(TableName=hash_table, Item=first, ReturnValues="NONE")
    assert "Attributes" not in r
    r = ddb.put_item(TableName=hash_table, Item=first)
    assert "Attributes" not in r


def test_delete_return_values(ddb, hash_table):
    key = {"id": {"S": support.unique_name("rv")}}
    item = dict(key, v={"S": "x"}, ss={"SS": ["a", "b"]})
    ddb.put_item(TableName=hash_table, Item=item)
    r = ddb.delete_item(TableName=hash_table, Key=key, ReturnValues="ALL_OLD")
    assert canon(r["Attributes"]) == canon(item)
    assert "Item" not in ddb.get_item(TableName=hash_table, Key=key)
    # Deleting what is not there succeeds and returns nothing.
    r = ddb.delete_item(TableName=hash_table, Key=key, ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    ddb.put_item(TableName=hash_table, Item=item)
    r = ddb.delete_item(TableName=hash_table, Key=key, ReturnValues="NONE")
    assert "Attributes" not in r
    r = ddb.delete_item(TableName=hash_table, Key=key)
    assert "Attributes" not in r


# --------------------------------------------------------------------------
# ItemCount / TableSizeBytes
# --------------------------------------------------------------------------

def test_item_count_and_size_follow_writes(ddb, table_name):
    name = table_name()
    create_table(ddb, name, hash_key=("id", "S"))

    def stats():
        t = ddb.describe_table(TableName=name)["Table"]
        return t["ItemCount"], t["TableSizeBytes"]

    assert stats() == (0, 0)
    # id(2)+"a"(1) + data(4)+"hello"(5) = 12
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "data": {"S": "hello"}})
    assert stats() == (1, 12)
    # id(2)+"bb"(2) + flag(4)+1 + nul(3)+1 = 13
    ddb.put_item(TableName=name, Item={"id": {"S": "bb"}, "flag": {"BOOL": True}, "nul": {"NULL": True}})
    assert stats() == (2, 25)
    # overwrite "a": id(2)+1 + data(4)+"hi"(2) = 9
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "data": {"S": "hi"}})
    assert stats() == (2, 22)
    # id(2)+"c"(1) + bin(3)+10 raw bytes = 16
    ddb.put_item(TableName=name, Item={"id": {"S": "c"}, "bin": {"B": b"\x00" * 10}})
    assert stats() == (3, 38)
    # UTF-8 bytes, not characters: id(2)+"d"(1) + "\u00e9t\u00e9"(5) + "\u2713"(3) = 11
    ddb.put_item(TableName=name, Item={"id": {"S": "d"}, "\u00e9t\u00e9": {"S": "\u2713"}})
    assert stats() == (4, 49)
    ddb.delete_item(TableName=name, Key={"id": {"S": "bb"}})
    assert stats() == (3, 36)
    ddb.delete_item(TableName=name, Key={"id": {"S": "zz"}})  # not there
    assert stats() == (3, 36)
    for k in ("a", "c", "d"):
        ddb.delete_item(TableName=name, Key={"id": {"S": k}})
    assert stats() == (0, 0)


# --------------------------------------------------------------------------
# item size limit
# --------------------------------------------------------------------------

def _single_s(total):
    # id(2) + "k"(1) + data(4) + value
    return {"id": {"S": "k"}, "data": {"S": "x" * (total - 7)}}


def _utf8(total):
    n = total - 7
    return {"id": {"S": "k"}, "data": {"S": "\u00e9" * (n // 2) + "x" * (n % 2)}}


def _binary(total):
    return {"id": {"S": "k"}, "data": {"B": b"\xab" * (total - 7)}}


def _long_names(total):
    long_name = "n" * 1000
    fixed = 2 + 1 + len(long_name) + 3 + len("second_attribute")
    return {"id": {"S": "k"}, long_name: {"S": "abc"},
            "second_attribute": {"S": "y" * (total - fixed)}}


SIZE_SHAPES = [("single_string", _single_s), ("utf8_string", _utf8), ("binary", _binary),
               ("long_attribute_names", _long_names)]


@pytest.mark.parametrize("build", [b for _, b in SIZE_SHAPES], ids=[i for i, _ in SIZE_SHAPES])
def test_item_at_size_limit_accepted(ddb, table_name, build):
    name = table_name()
    create_table(ddb, name)
    item = build(MAX_ITEM)
    ddb.put_item(TableName=name, Item=item)
    got = ddb.get_item(TableName=name, Key={"id": {"S": "k"}})["Item"]
    assert got == item
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["ItemCount"] == 1
    assert desc["TableSizeBytes"] == MAX_ITEM


@pytest.mark.parametrize("build", [b for _, b in SIZE_SHAPES], ids=[i for i, _ in SIZE_SHAPES])
def test_item_over_size_limit_rejected(ddb, table_name, build):
    name = table_name()
    create_table(ddb, name)
    expect_error(ddb.put_item, "ValidationException",
                 "Item size has exceeded the maximum allowed size",
                 TableName=name, Item=build(MAX_ITEM + 1))
    assert "Item" not in ddb.get_item(TableName=name, Key={"id": {"S": "k"}})
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 0


# --------------------------------------------------------------------------
# validation errors
# --------------------------------------------------------------------------

INVALID = "One or more parameter values were invalid: "
EMPTY_KEY = ("One or more parameter values are not valid. The AttributeValue for a key attribute "
             "cannot contain an empty string value. Key: {}")
NO_MATCH = "The provided key element does not match the schema"
NOT_NUMERIC = "The parameter cannot be converted to a numeric value: {}"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
DIGITS = "Attempting to store more than 38 significant digits in a Number"
EMPTY_AV = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"

PUT_ERRORS = [
    ("missing_key", {"other": {"S": "x"}}, INVALID + "Missing the key id in the item"),
    ("empty_item", {}, INVALID + "Missing the key id in the item"),
    ("key_type_N", {"id": {"N": "1"}}, INVALID + "Type mismatch for key id expected: S actual: N"),
    ("key_type_B", {"id": {"B": b"ab"}}, INVALID + "Type mismatch for key id expected: S actual: B"),
    ("key_type_SS", {"id": {"SS": ["a"]}}, INVALID + "Type mismatch for key id expected: S actual: SS"),
    ("key_empty_string", {"id": {"S": ""}}, EMPTY_KEY.format("id")),
    ("empty_SS", {"id": {"S": "k"}, "a": {"SS": []}}, INVALID + "An string set  may not be empty"),
    ("empty_NS", {"id": {"S": "k"}, "a": {"NS": []}}, INVALID + "An number set  may not be empty"),
    ("empty_BS", {"id": {"S": "k"}, "a": {"BS": []}}, INVALID + "Binary sets should not be empty"),
    ("dup_SS", {"id": {"S": "k"}, "a": {"SS": ["a", "a"]}},
     INVALID + "Input collection [a, a] contains duplicates."),
    ("dup_NS", {"id": {"S": "k"}, "a": {"NS": ["1", "1"]}}, "Input collection contains duplicates"),
    ("N_not_numeric", {"id": {"S": "k"}, "a": {"N": "abc"}}, NOT_NUMERIC.format("abc")),
    ("NS_not_numeric", {"id": {"S": "k"}, "a": {"NS": ["1", "abc"]}}, NOT_NUMERIC.format("abc")),
    ("N_overflow", {"id": {"S": "k"}, "a": {"N": "1e126"}}, OVERFLOW),
    ("N_overflow_negative", {"id": {"S": "k"}, "a": {"N": "-1e126"}}, OVERFLOW),
    ("N_underflow", {"id": {"S": "k"}, "a": {"N": "1e-131"}}, UNDERFLOW),
    ("N_underflow_negative", {"id": {"S": "k"}, "a": {"N": "-1e-131"}}, UNDERFLOW),
    ("N_39_digits", {"id": {"S": "k"}, "a": {"N": "123456789012345678901234567890123456789"}}, DIGITS),
    ("N_39_digits_fraction", {"id": {"S": "k"}, "a": {"N": "-1.23456789012345678901234567890123456789"}},
     DIGITS),
    ("empty_attribute_value", {"id": {"S": "k"}, "a": {}}, EMPTY_AV),
    ("empty_key_attribute_value", {"id": {}}, EMPTY_AV),
    ("nested_not_numeric", {"id": {"S": "k"}, "m": {"M": {"x": {"L": [{"N": "abc"}]}}}},
     NOT_NUMERIC.format("abc")),
    ("nested_empty_set", {"id": {"S": "k"}, "l": {"L": [{"M": {"s": {"SS": []}}}]}},
     INVALID + "An string set  may not be empty"),
    ("nested_empty_value", {"id": {"S": "k"}, "m": {"M": {"x": {}}}}, EMPTY_AV),
]


@pytest.mark.parametrize("item,message", [e[1:] for e in PUT_ERRORS], ids=[e[0] for e in PUT_ERRORS])
def test_put_item_validation(ddb_raw, hash_table, item, message):
    expect_error(ddb_raw.put_item, "ValidationException", message, TableName=hash_table, Item=item)


def test_put_item_range_key_errors(ddb_raw, range_table):
    expect_error(ddb_raw.put_item, "ValidationException", INVALID + "Missing the key sk in the item",
                 TableName=range_table, Item={"pk": {"S": "p"}})
    expect_error(ddb_raw.put_item, "ValidationException", INVALID + "Missing the key pk in the item",
                 TableName=range_table, Item={"sk": {"N": "1"}})
    expect_error(ddb_raw.put_item, "ValidationException",
                 INVALID + "Type mismatch for key sk expected: N actual: S",
                 TableName=range_table, Item={"pk": {"S": "p"}, "sk": {"S": "1"}})


def test_failed_put_writes_nothing(ddb_raw, hash_table):
    key = {"id": {"S": support.unique_name("k")}}
    expect_error(ddb_raw.put_item, "ValidationException", NOT_NUMERIC.format("x1"),
                 TableName=hash_table, Item=dict(key, a={"N": "x1"}))
    assert "Item" not in ddb_raw.get_item(TableName=hash_table, Key=key)


KEY_ERRORS = [
    ("wrong_attribute", {"other": {"S": "x"}}, NO_MATCH),
    ("wrong_type", {"id": {"N": "1"}}, NO_MATCH),
    ("extra_attribute", {"id": {"S": "x"}, "extra": {"S": "y"}}, NO_MATCH),
    ("empty_key", {}, NO_MATCH),
    ("empty_string", {"id": {"S": ""}}, EMPTY_KEY.format("id")),
]


@pytest.mark.parametrize("op", ["get_item", "delete_item"])
@pytest.mark.parametrize("key,message", [e[1:] for e in KEY_ERRORS], ids=[e[0] for e in KEY_ERRORS])
def test_key_validation(ddb_raw, hash_table, op, key, message):
    expect_error(getattr(ddb_raw, op), "ValidationException", message, TableName=hash_table, Key=key)


@pytest.mark.parametrize("op", ["get_item", "delete_item"])
def test_key_validation_range_table(ddb_raw, range_table, op):
    fn = getattr(ddb_raw, op)
    expect_error(fn, "ValidationException", NO_MATCH, TableName=range_table, Key={"pk": {"S": "p"}})
    expect_error(fn, "ValidationException", NO_MATCH, TableName=range_table,
                 Key={"pk": {"S": "p"}, "sk": {"S": "1"}})
    expect_error(fn, "ValidationException", NO_MATCH, TableName=range_table,
                 Key={"pk": {"S": "p"}, "sk": {"N": "1"}, "x": {"N": "1"}})


def test_item_ops_on_missing_table(ddb, table_name):
    name = table_name("missing")
    msg = "Requested resource not found"
    expect_error(ddb.put_item, "ResourceNotFoundException", msg, TableName=name, Item={"id": {"S": "a"}})
    expect_error(ddb.get_item, "ResourceNotFoundException", msg, TableName=name, Key={"id": {"S": "a"}})
    expect_error(ddb.delete_item, "ResourceNotFoundException", msg, TableName=name, Key={"id": {"S": "a"}})


def test_value_errors_come_before_table_lookup(ddb_raw, table_name):
    # A malformed attribute value is reported even when the table does not
    # exist; a key that does not fit a schema cannot be judged without one.
    name = table_name("missing")
    expect_error(ddb_raw.put_item, "ValidationException", NOT_NUMERIC.format("abc"),
                 TableName=name, Item={"id": {"S": "a"}, "n": {"N": "abc"}})
    expect_error(ddb_raw.put_item, "ResourceNotFoundException", "Requested resource not found",
                 TableName=name, Item={})


# --------------------------------------------------------------------------
# more request checks DynamoDB makes on these operations
# --------------------------------------------------------------------------

MORE_PUT_ERRORS = [
    ("dup_BS", {"id": {"S": "k"}, "a": {"BS": [b"b", b"b"]}},
     INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates."),
    ("two_datatypes", {"id": {"S": "k"}, "a": {"S": "x", "N": "1"}},
     "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
     "supported datatypes"),
    ("N_empty", {"id": {"S": "k"}, "a": {"N": ""}}, "The parameter cannot be converted to a numeric value"),
    ("NS_empty_member", {"id": {"S": "k"}, "a": {"NS": ["1", ""]}},
     "The parameter cannot be converted to a numeric value"),
    ("hash_key_over_2048", {"id": {"S": "h" * 2049}},
     INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"),
]


@pytest.mark.parametrize("item,message", [e[1:] for e in MORE_PUT_ERRORS],
                         ids=[e[0] for e in MORE_PUT_ERRORS])
def test_put_item_more_validation(ddb_raw, hash_table, item, message):
    expect_error(ddb_raw.put_item, "ValidationException", message, TableName=hash_table, Item=item)


def test_key_size_limits(ddb, ddb_raw, hash_table, range_table):
    # 2048 bytes of hash key and 1024 bytes of range key are allowed.
    ddb.put_item(TableName=hash_table, Item={"id": {"S": "\u00e9" * 1024}})
    assert "Item" in ddb.get_item(TableName=hash_table, Key={"id": {"S": "\u00e9" * 1024}})
    expect_error(ddb_raw.put_item, "ValidationException",
                 INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes",
                 TableName=hash_table, Item={"id": {"S": "\u00e9" * 1024 + "x"}})
    rtable = support.unique_name("items-rs")
    create_table(ddb, rtable, hash_key=("pk", "S"), range_key=("sk", "S"))
    ddb.put_item(TableName=rtable, Item={"pk": {"S": "p"}, "sk": {"S": "r" * 1024}})
    expect_error(ddb_raw.put_item, "ValidationException",
                 INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
                 TableName=rtable, Item={"pk": {"S": "p"}, "sk": {"S": "r" * 1025}})


def test_empty_binary_key(ddb_raw, bin_table):
    msg = ("One or more parameter values are not valid. The AttributeValue for a key attribute "
           "cannot contain an empty binary value. Key: b")
    expect_error(ddb_raw.put_item, "ValidationException", msg, TableName=bin_table, Item={"b": {"B": b""}})
    expect_error(ddb_raw.get_item, "ValidationException", msg, TableName=bin_table, Key={"b": {"B": b""}})


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
@pytest.mark.parametrize("op", ["put_item", "delete_item"])
def test_return_values_only_all_old_or_none(ddb_raw, hash_table, op, rv):
    key = {"id": {"S": "rv-invalid"}}
    kwargs = {"Item": key} if op == "put_item" else {"Key": key}
    expect_error(getattr(ddb_raw, op), "ValidationException", "Return values set to invalid value",
                 TableName=hash_table, ReturnValues=rv, **kwargs)


def test_missing_item_and_key_members(ddb_raw, hash_table):
    expect_error(ddb_raw.put_item, "ValidationException",
                 "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
                 "Member must not be null", TableName=hash_table)
    expect_error(ddb_raw.get_item, "ValidationException",
                 "1 validation error detected: Value null at 'key' failed to satisfy constraint: "
                 "Member must not be null", TableName=hash_table)
    expect_error(ddb_raw.delete_item, "ValidationException",
                 "1 validation error detected: Value null at 'key' failed to satisfy constraint: "
                 "Member must not be null", TableName=hash_table)


@pytest.mark.parametrize("op", ["put_item", "get_item", "delete_item"])
def test_item_ops_check_table_name(ddb_raw, op):
    key = {"id": {"S": "k"}}
    kwargs = {"Item": key} if op == "put_item" else {"Key": key}
    expect_error(getattr(ddb_raw, op), "ValidationException",
                 "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
                 "Member must have length greater than or equal to 3", TableName="ab", **kwargs)
    expect_error(getattr(ddb_raw, op), "ValidationException",
                 "1 validation error detected: Value 'a b c' at 'tableName' failed to satisfy constraint: "
                 "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", TableName="a b c", **kwargs)
