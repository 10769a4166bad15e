"""DynamoDB's answers to the corners of issue 18 left after the fourth pass.

- ExecuteTransaction's ConsumedCapacity names ReadCapacityUnits or WriteCapacityUnits beside
  CapacityUnits, as TransactGetItems and TransactWriteItems answer it (the split is on the
  transactional operations alone: paritysuite/dynamodb-conformance issue 69, characterised
  against DynamoDB), each statement costing twice a plain read or write, an item that does not
  exist included.
- CreateTable with an attribute defined twice names it: 'Attribute Name is duplicated: xyz'
  (DynamoDB's message quoted in scylladb/scylladb issue 13870; ScyllaDB's
  test/alternator/test_table.py test_create_table_duplicate_attribute_name checks it against
  DynamoDB).
- The legacy conditions of Scan and Query (ScanFilter, QueryFilter, KeyConditions), as
  dynalite's test/scan.js and test/query.js record DynamoDB's answers: each entry's
  ComparisonOperator is required and one of the thirteen, in the constraint list
  ("Value null at 'scanFilter.a.member.comparisonOperator' ..."); a filter entry without
  values is the wrong number of arguments; IN lists S, N and B only, like the ordering
  operators; a filter's faults come before the ExclusiveStartKey's and the segments'; and a key
  condition's values are checked before the table is looked up.
- A syntax error at a character outside ASCII names the whole character (its UTF-8 bytes),
  so that the answer is valid JSON text; DynamoDB's answer for 'ü > a' is a syntax error
  (dynalite's test/scan.js), its token shown with its neighbours as for any other.
- Functions in condition and filter expressions, as dynalite's test/scan.js records
  DynamoDB's answers: size() takes a value as well as a path (refused for N, BOOL and NULL,
  before an enclosing function's need of a path); attribute_type's type given as a path is an
  operand of every type (after the operands are known distinct); a function's result takes no
  '.name' or '[n]'; BETWEEN as an operand is a syntax error, not a reserved word; the list
  of valid type names is written '{B,NULL,...}' without spaces.
- Scan's faults in DynamoDB's order, as dynalite's test/scan.js records it: the legacy
  members, then the ExclusiveStartKey's values, then the segments, and last the placeholder
  maps and the expressions (the filter before the projection); a start key's number or set
  member fault is reported unprefixed, its shape's faults after 'The provided starting key is
  invalid: '.
- Query's faults in DynamoDB's order, as dynalite's test/query.js records it: its QueryFilter
  before AttributesToGet (Scan checks AttributesToGet first), the start key's values before
  the key conditions' values, and a key condition count other than 1 or 2 ('Conditions can be
  of length 1 or 2 only') before the table lookup. A KeyConditionExpression is read before
  the filter and the projection, and its conditions are checked before the table lookup, each
  in turn: BETWEEN's and begins_with's key first, no key at all, a key with a document path,
  two attributes in one condition, a function among the operands, a key named twice, and last
  more than two conditions.
- A read's ProjectionExpression or FilterExpression may not look into a key attribute
  ('a.b', 'a[0]'): 'Key attributes must be scalars; ... Key: pk', or 'IndexKey: g' for an
  index's key, once the table is known (dynalite's test/getItem.js, test/scan.js and
  test/query.js record these from DynamoDB).
"""

import json

import pytest

import support
from support import expect_error
from values import S


def st(statement):
    return {"Statement": statement}


@pytest.fixture(scope="module")
def table(emulator):
    """A pk (S) hash-only table."""
    name = support.unique_name("fid5")
    support.create_table(emulator.client(), name, hash_key=("pk", "S"))
    return name


# -- ExecuteTransaction's consumed capacity ----------------------------------------

def test_execute_transaction_names_its_kind_of_units(ddb, table):
    present, missing = support.unique_name("here"), support.unique_name("none")
    r = ddb.execute_transaction(TransactStatements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{present}'}}"),
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{support.unique_name('w')}'}}"),
    ], ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]
    # A write's Table share names CapacityUnits alone, as TransactWriteItems answers it.
    r = ddb.execute_transaction(TransactStatements=[
        st(f"UPDATE \"{table}\" SET v = 1 WHERE pk = '{present}'")],
        ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0,
         "Table": {"CapacityUnits": 2.0}}]

    reads = [st(f"SELECT * FROM \"{table}\" WHERE pk = '{present}'"),
             st(f"SELECT * FROM \"{table}\" WHERE pk = '{missing}'")]
    r = ddb.execute_transaction(TransactStatements=reads, ReturnConsumedCapacity="TOTAL")
    assert r["Responses"][1] == {}
    assert r["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]
    r = ddb.execute_transaction(TransactStatements=reads, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0,
         "Table": {"CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}}]
    assert "ConsumedCapacity" not in ddb.execute_transaction(
        TransactStatements=reads, ReturnConsumedCapacity="NONE")


# -- CreateTable: an attribute defined twice -----------------------------------------

@pytest.mark.parametrize("second_type", ["N", "S"])
def test_create_table_names_a_duplicated_attribute(ddb, second_type):
    name = support.unique_name("dup")
    expect_error(ddb.create_table, "ValidationException", "Attribute Name is duplicated: xyz",
                 TableName=name, BillingMode="PAY_PER_REQUEST",
                 KeySchema=[{"AttributeName": "xyz", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "xyz", "AttributeType": "S"},
                                       {"AttributeName": "xyz", "AttributeType": second_type}])
    assert name not in ddb.list_tables()["TableNames"]


# -- Scan's and Query's legacy conditions ------------------------------------------------

OPERATORS = ("[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, "
             "CONTAINS]")
INVALID = "One or more parameter values were invalid: "


def refusal(emulator, op, body):
    status, _, data = support.raw_request(emulator.endpoint, "DynamoDB_20120810." + op,
                                          json.dumps(body))
    doc = json.loads(data)
    assert status == 400, doc
    assert doc["__type"] == "com.amazon.coral.validate#ValidationException", doc
    return doc["message"]


@pytest.mark.parametrize("op,member,path", [
    ("Scan", "ScanFilter", "scanFilter"),
    ("Query", "QueryFilter", "queryFilter"),
    ("Query", "KeyConditions", "keyConditions"),
])
def test_comparison_operator_is_in_the_constraint_list(emulator, op, member, path):
    message = refusal(emulator, op, {"TableName": "a;", member: {
        "a": {}, "b": {"ComparisonOperator": ""}}})
    assert message.startswith("4 validation errors detected: ")  # two for the name
    assert (f"Value null at '{path}.a.member.comparisonOperator' failed to satisfy constraint: "
            "Member must not be null") in message
    assert (f"Value '' at '{path}.b.member.comparisonOperator' failed to satisfy constraint: "
            f"Member must satisfy enum value set: {OPERATORS}") in message


@pytest.mark.parametrize("body", [
    {"ScanFilter": {"a": {"ComparisonOperator": "EQ"}}},
    {"ScanFilter": {"a": {"ComparisonOperator": "IN", "AttributeValueList": []}}},
    {"KeyConditions": {"a": {"ComparisonOperator": "EQ"}}},
    {"KeyConditions": {"a": {"ComparisonOperator": "BETWEEN",
                             "AttributeValueList": [{"S": "a"}]}}},
])
def test_a_condition_without_its_values_has_the_wrong_number(emulator, body):
    op = "Scan" if "ScanFilter" in body else "Query"
    operator = next(iter(body.values()))["a"]["ComparisonOperator"]
    assert refusal(emulator, op, {"TableName": "no-such-fid5", **body}) == (
        INVALID + f"Invalid number of argument(s) for the {operator} ComparisonOperator")


@pytest.mark.parametrize("value", [{"BOOL": True}, {"NULL": True}, {"SS": ["a"]}, {"NS": ["1"]},
                                   {"BS": ["YQ=="]}, {"M": {}}, {"L": []}])
@pytest.mark.parametrize("member", ["ScanFilter", "QueryFilter", "KeyConditions"])
def test_in_lists_scalars_only(emulator, table, member, value):
    op = "Scan" if member == "ScanFilter" else "Query"
    body = {member: {"a": {"ComparisonOperator": "IN", "AttributeValueList": [value]}}}
    if member == "QueryFilter":
        body["KeyConditions"] = {"pk": {"ComparisonOperator": "EQ",
                                        "AttributeValueList": [{"S": "x"}]}}
    expected = (INVALID + f"ComparisonOperator IN is not valid for {next(iter(value))} "
                "AttributeValue type")
    # Before the table is looked up, and on a table that exists.
    for name in ("no-such-fid5", table):
        assert refusal(emulator, op, {"TableName": name, **body}) == expected


def test_in_of_scalars_still_filters(ddb, table):
    key = support.unique_name("in")
    ddb.put_item(TableName=table, Item={"pk": S(key), "v": {"N": "2"}})
    r = ddb.scan(TableName=table, ScanFilter={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S(key)]},
        "v": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}})
    assert r["Items"] == [{"pk": S(key), "v": {"N": "2"}}]


def test_a_filters_faults_come_before_the_start_keys_and_the_segments(emulator):
    message = refusal(emulator, "Scan", {
        "TableName": "no-such-fid5", "Segment": 1, "ExclusiveStartKey": {"a": {}},
        "ScanFilter": {"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"BOOL": True}]}}})
    assert message == INVALID + "ComparisonOperator LT is not valid for BOOL AttributeValue type"
    # A filter that is well formed leaves the start key's fault to be reported.
    message = refusal(emulator, "Scan", {
        "TableName": "no-such-fid5", "ExclusiveStartKey": {"a": {}},
        "ScanFilter": {"a": {"ComparisonOperator": "NULL"}}})
    assert message.startswith("The provided starting key is invalid: ")


# -- a syntax error at a character outside ASCII ------------------------------------------

@pytest.mark.parametrize("expression,token,near", [
    ("\u00fc > a", "\u00fc", "\u00fc >"),
    ("a > \u00fc", "\u00fc", "> \u00fc"),
    ("a = :v AND \u20ac", "\u20ac", "AND \u20ac"),
])
def test_a_syntax_error_names_a_whole_character(emulator, expression, token, near):
    status, _, data = support.raw_request(
        emulator.endpoint, "DynamoDB_20120810.Scan",
        json.dumps({"TableName": "no-such-fid5", "FilterExpression": expression}))
    assert status == 400
    doc = json.loads(data.decode("utf-8"))  # valid UTF-8 throughout
    assert doc["message"] == (f'Invalid FilterExpression: Syntax error; token: "{token}", '
                              f'near: "{near}"')


# -- functions in condition and filter expressions ------------------------------------------

OPERAND_TYPE = ("Invalid FilterExpression: Incorrect operand type for operator or function; "
                "operator or function: ")


def filter_refusal(emulator, expression, values=None, names=None):
    body = {"TableName": "no-such-fid5", "FilterExpression": expression}
    if values:
        body["ExpressionAttributeValues"] = values
    if names:
        body["ExpressionAttributeNames"] = names
    return refusal(emulator, "Scan", body)


@pytest.mark.parametrize("value", [{"N": "1"}, {"BOOL": True}, {"NULL": True}])
def test_size_of_a_value_without_a_size(emulator, value):
    kind = next(iter(value))
    assert filter_refusal(emulator, "size(:a) > a", {":a": value}) == (
        OPERAND_TYPE + "size, operand type: " + kind)
    # size's operand type first, then attribute_not_exists' need of a path.
    assert filter_refusal(emulator, "attribute_not_exists(size(:a))", {":a": value}) == (
        OPERAND_TYPE + "size, operand type: " + kind)


def test_size_of_a_value(ddb, emulator, table):
    assert filter_refusal(emulator, "attribute_not_exists(size(:a))", {":a": S("1")}) == (
        "Invalid FilterExpression: Operator or function requires a document path; operator or "
        "function: attribute_not_exists")
    key = support.unique_name("size")
    ddb.put_item(TableName=table, Item={"pk": S(key)})
    r = ddb.scan(TableName=table, FilterExpression="pk = :k AND size(:s) = :n",
                 ExpressionAttributeValues={":k": S(key), ":s": S("abc"), ":n": {"N": "3"}})
    assert r["Items"] == [{"pk": S(key)}]
    r = ddb.scan(TableName=table, FilterExpression="pk = :k AND size(:s) = :n",
                 ExpressionAttributeValues={":k": S(key), ":s": {"L": [S("x")]}, ":n": {"N": "2"}})
    assert r["Items"] == []


def test_attribute_type_of_a_path(emulator):
    assert filter_refusal(emulator, "attribute_type(ab.bc[1].a, SS)") == (
        OPERAND_TYPE + "attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
    # The operands' distinctness is checked first.
    assert filter_refusal(emulator, "attribute_type(ab.bc[1].#a, ab.bc[1].a)",
                          names={"#a": "a"}) == (
        "Invalid FilterExpression: The first operand must be distinct from the remaining "
        "operands for this operator or function; operator: attribute_type, first operand: "
        "[ab, bc, [1], a]")


def test_attribute_type_names_its_valid_types_without_spaces(emulator):
    message = filter_refusal(emulator, "attribute_type(a, :a)", {":a": S("1")})
    prefix = "Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: "
    assert message.startswith(prefix + "{") and message.endswith("}")
    listed = message[len(prefix) + 1:-1]
    assert " " not in listed
    assert set(listed.split(",")) == {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"}


@pytest.mark.parametrize("expression", ["size(a).b > a", "size(a)[0] > a", "a > between"])
def test_syntax_errors(emulator, expression):
    assert filter_refusal(emulator, expression).startswith(
        "Invalid FilterExpression: Syntax error; ")


# -- Scan's order of faults ------------------------------------------------------------------

EXPRESSIONS_FAULTY = {"FilterExpression": "", "ExpressionAttributeNames": {},
                      "ExpressionAttributeValues": {}}
START_KEY = "The provided starting key is invalid: "


def scan_refusal(emulator, **body):
    return refusal(emulator, "Scan", {"TableName": "no-such-fid5", **body})


@pytest.mark.parametrize("value,message", [
    ({}, START_KEY + "Supplied AttributeValue is empty, must contain exactly one of the "
     "supported datatypes"),
    ({"M": {"a": {}}}, START_KEY + "Supplied AttributeValue is empty, must contain exactly one "
     "of the supported datatypes"),
    ({"SS": []}, START_KEY + INVALID + "An string set  may not be empty"),
    ({"NS": []}, INVALID + "An number set  may not be empty"),
    ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
    ({"NS": ["1", "1"]}, "Input collection contains duplicates"),
    ({"N": "1e126"},
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
])
def test_start_key_before_the_segments_and_the_expressions(emulator, value, message):
    assert scan_refusal(emulator, Segment=1, ExclusiveStartKey={"a": value},
                        **EXPRESSIONS_FAULTY) == message


def test_segments_before_the_expressions(emulator):
    assert scan_refusal(emulator, Segment=1, **EXPRESSIONS_FAULTY) == (
        "The TotalSegments parameter is required but was not present in the request when "
        "Segment parameter is present")
    assert scan_refusal(emulator, Segment=1, TotalSegments=1, **EXPRESSIONS_FAULTY) == (
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: 1 is not less than TotalSegments: 1")
    assert scan_refusal(emulator, **EXPRESSIONS_FAULTY) == (
        "ExpressionAttributeNames must not be empty")


def test_filter_before_projection(emulator):
    assert scan_refusal(emulator, FilterExpression="", ProjectionExpression="",
                        ExpressionAttributeValues={":0": S("b")}) == (
        "Invalid FilterExpression: The expression can not be empty;")


def test_names_without_expressions_come_first(emulator):
    assert scan_refusal(emulator, Segment=1, ExclusiveStartKey={"a": {}},
                        ScanFilter={"a": {"ComparisonOperator": "EQ",
                                          "AttributeValueList": [{}]}},
                        AttributesToGet=["a", "a"], ExpressionAttributeNames={}) == (
        "ExpressionAttributeNames can only be specified when using expressions")


# -- key attributes are scalars in a read's expressions ---------------------------------------

SCALARS = ("Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
           "allowed: ")


@pytest.fixture(scope="module")
def indexed(emulator):
    """A pk (S) / sk (S) table with a global index on g and a local index on l."""
    ddb = emulator.client()
    name = support.unique_name("fid5ix")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "g", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "byl",
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}])
    return name


@pytest.mark.parametrize("path,named", [("#a.b", "Key: pk"), ("#a[0]", "Key: pk"),
                                        ("sk.b", "Key: sk"), ("g.b", "IndexKey: g"),
                                        ("l[1]", "IndexKey: l")])
def test_a_read_may_not_look_into_a_key(emulator, indexed, path, named):
    names = {"#a": "pk"} if "#a" in path else {}
    key = {"pk": S("k"), "sk": S("s")}
    get = {"TableName": indexed, "Key": key, "ProjectionExpression": path}
    scan = {"TableName": indexed, "FilterExpression": f"attribute_exists({path})"}
    query = {"TableName": indexed, "KeyConditionExpression": "pk = :p",
             "ExpressionAttributeValues": {":p": S("k")}, "ProjectionExpression": path}
    for op, body in (("GetItem", get), ("Scan", scan), ("Query", query)):
        if names:
            body["ExpressionAttributeNames"] = names
        assert refusal(emulator, op, body) == SCALARS + named, op


def test_a_read_may_look_into_other_attributes(ddb, indexed):
    key = {"pk": S(support.unique_name("k")), "sk": S("s")}
    ddb.put_item(TableName=indexed, Item={**key, "m": {"M": {"b": S("x")}}})
    r = ddb.get_item(TableName=indexed, Key=key, ProjectionExpression="m.b, pk")
    assert r["Item"] == {"pk": key["pk"], "m": {"M": {"b": S("x")}}}


# -- Query's order of faults -----------------------------------------------------------------

def query_refusal(emulator, **body):
    return refusal(emulator, "Query", {"TableName": "no-such-fid5", **body})


def test_query_filter_before_attributes_to_get(emulator):
    assert query_refusal(emulator, QueryFilter={"a": {"ComparisonOperator": "EQ"}},
                         AttributesToGet=["a", "a"], ExclusiveStartKey={"a": {}},
                         KeyConditions={"a": {"ComparisonOperator": "EQ",
                                              "AttributeValueList": [{}]}}) == (
        INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator")
    assert query_refusal(emulator, QueryFilter={}, ExclusiveStartKey={"a": {}},
                         AttributesToGet=["a", "a"]) == (
        INVALID + "Duplicate value in attribute name: a")


def test_query_start_key_before_key_conditions(emulator):
    assert query_refusal(emulator, KeyConditions={"a": {"ComparisonOperator": "EQ"}},
                         ExclusiveStartKey={"a": {}}) == (
        START_KEY + "Supplied AttributeValue is empty, must contain exactly one of the supported "
        "datatypes")


@pytest.mark.parametrize("body", [
    {"QueryFilter": {}, "KeyConditions": {}},
    {"QueryFilter": {}, "KeyConditions": {k: {"ComparisonOperator": "NULL"} for k in "abc"}},
    {"KeyConditionExpression": ":a = a and b = :a and :a = c",
     "ExpressionAttributeValues": {":a": S("a")}},
    {"KeyConditionExpression": "(a > :a and b > :a) and (c > :a and d > :a)",
     "ExpressionAttributeValues": {":a": S("a")}},
])
def test_query_key_condition_count_before_the_lookup(emulator, body):
    assert query_refusal(emulator, **body) == "Conditions can be of length 1 or 2 only"


@pytest.mark.parametrize("expression,message", [
    (":a between size(b) and size(a) and b > :b",
     "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute "
     "as its first operand"),
    ("begins_with(:a, b) and a > :b",
     "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
     "attribute as its first operand"),
    (":b > :a AND a < :b", "Invalid condition in KeyConditionExpression: No key attribute specified"),
    ("a.d > c", "KeyConditionExpressions cannot have conditions on nested attributes"),
    ("b[0] > a", "KeyConditionExpressions cannot have conditions on nested attributes"),
    ("b > a.b", "Invalid condition in KeyConditionExpression: Multiple attribute names used in "
     "one condition"),
    ("a between b and size(a)", "Invalid condition in KeyConditionExpression: Multiple attribute "
     "names used in one condition"),
    ("begins_with(a, b)", "Invalid condition in KeyConditionExpression: Multiple attribute names "
     "used in one condition"),
    ("a > size(b.d)", "KeyConditionExpressions cannot contain nested operations"),
    ("size(b) > a AND a.b > b AND b > c", "KeyConditionExpressions cannot contain nested operations"),
    ("b > :a AND b < :a and c = :a and d = :a",
     "KeyConditionExpressions must only contain one condition per key"),
])
def test_key_condition_expression_checked_before_the_lookup(emulator, expression, message):
    values = {v: S("1") for v in (":a", ":b") if v in expression}
    body = {"KeyConditionExpression": expression}
    if values:
        body["ExpressionAttributeValues"] = values
    assert query_refusal(emulator, **body) == message


def test_key_condition_expression_read_first(emulator):
    assert query_refusal(emulator, KeyConditionExpression="", FilterExpression="",
                         ProjectionExpression="", ExpressionAttributeValues={":0": S("b")}) == (
        "Invalid KeyConditionExpression: The expression can not be empty;")
    assert query_refusal(emulator, FilterExpression="", KeyConditionExpression="a > 4").startswith(
        "Invalid KeyConditionExpression: Syntax error; ")
    # The filter and projection are read before the key condition's operators are checked.
    assert query_refusal(emulator, KeyConditionExpression="attribute_type(a, :a)",
                         FilterExpression="", ExpressionAttributeValues={":a": S("N")}) == (
        "Invalid FilterExpression: The expression can not be empty;")


@pytest.mark.parametrize("expression,message", [
    ("attribute_exists(#Pictures.RearView, :a) and a=a",
     "An expression attribute name used in the document path is not defined; attribute name: "
     "#Pictures"),
    ("begins_with(Pictures.#RearView)",
     "An expression attribute name used in the document path is not defined; attribute name: "
     "#RearView"),
    ("begins_with(:hello, #a, #b)",
     "An expression attribute value used in expression is not defined; attribute value: :hello"),
    ("begins_with(things, size(a), b)",
     "Incorrect number of operands for operator or function; operator or function: begins_with, "
     "number of operands: 3"),
    ("attribute_exists(things, a) and a=a",
     "Incorrect number of operands for operator or function; operator or function: "
     "attribute_exists, number of operands: 2"),
])
def test_names_and_values_resolved_before_operands_counted(emulator, expression, message):
    assert filter_refusal(emulator, expression) == "Invalid FilterExpression: " + message
