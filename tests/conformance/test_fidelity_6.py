"""DynamoDB's answers to the corners of issue 18 left after the fifth pass.

- Operands in parentheses. DynamoDB's grammar takes an operand in one pair of parentheses
  wherever an operand goes: 'a > (b)', '(a) = :v', '(size(a)) > :n', a BETWEEN's bounds, an
  IN's list, a function's arguments; two pairs are redundant ('a > ((views))'), and the
  parentheses end the operand ('(size(a)).b' is a syntax error). dynalite's test/scan.js
  records these answers from DynamoDB; the DAX client's expression grammar
  (DynamoDbGrammar.g4: operand : path | literal | func | '(' operand ')', a second pair
  refused as redundant) reads them the same way.
- In an update, SET's value is an operand or a sum of two, the sum in one pair of parentheses
  at most: 'SET x = (if_not_exists(x, :z) - :v)' (ElectroDB's decrement) and
  'SET x = (a) + (b)' are taken, 'a + b + c' and '(b.c).d + e' are syntax errors (dynalite's
  test/updateItem.js, from DynamoDB), and so is a sum used as an operand, '(a + b) + c' (no
  grammar has it: dynalite's update grammar and the DAX client's set_value/arithmetic rules).
- Which fault DynamoDB names when an expression has several: a syntax error or redundant
  parentheses anywhere, then in a condition an unknown function, a misused function and a
  reserved word ('a > whatever((:things), ((a)))' is redundant parentheses,
  'attribute_exists((views), (#a)) > b' a misused function); in an update a reserved word, an
  unknown function and a section used twice ('add abort b' is a syntax error,
  'set #c = :c set abOrt = true' a reserved word). dynalite's test/scan.js and
  test/updateItem.js record these.
- A list index is 0 or a number without a leading zero: 'a[01]' is a syntax error at the '1'
  (the DAX client's Tokens.g4: INDEX : '0' | POS_DIGIT (DIGIT)*); it was read as a[1].
"""

import json

import pytest

import support
from support import expect_error
from values import L, N, S


@pytest.fixture(scope="module")
def table(emulator):
    """A pk (S) hash-only table holding one item."""
    name = support.unique_name("fid6")
    ddb = emulator.client()
    support.create_table(ddb, name, hash_key=("pk", "S"))
    ddb.put_item(TableName=name, Item={"pk": S("k"), "a": N(5), "b": N(3),
                                       "l": L(S("x"), S("y")), "s": S("hello")})
    return name


def scan_count(ddb, table, expression, values=None):
    kwargs = dict(TableName=table, FilterExpression=expression)
    if values:
        kwargs["ExpressionAttributeValues"] = values
    return ddb.scan(**kwargs)["Count"]


def filter_message(ddb, table, expression, values=None):
    kwargs = dict(TableName=table, FilterExpression=expression)
    if values:
        kwargs["ExpressionAttributeValues"] = values
    return expect_error(ddb.scan, "ValidationException", **kwargs)["Error"]["Message"]


# -- operands in parentheses -------------------------------------------------------------

@pytest.mark.parametrize("expression,values,count", [
    ("a > (b)", None, 1),
    ("(a) = :v", {":v": N(5)}, 1),
    ("(a) = :v", {":v": N(6)}, 0),
    ("(size(s)) > :n", {":n": N(4)}, 1),
    ("(size(s)) > :n", {":n": N(5)}, 0),
    ("(a) BETWEEN (:lo) AND (b)", {":lo": N(1)}, 0),
    ("(a) BETWEEN (b) AND (:hi)", {":hi": N(9)}, 1),
    ("(a) IN ((:x), (b), :y)", {":x": N(1), ":y": N(5)}, 1),
    ("contains((l), (:v))", {":v": S("y")}, 1),
    ("begins_with((s), :p)", {":p": S("he")}, 1),
    ("((a) = :v)", {":v": N(5)}, 1),
    ("NOT (a) = :v", {":v": N(5)}, 0),
    ("(a = :v) AND (l[1]) = :w", {":v": N(5), ":w": S("y")}, 1),
])
def test_filter_takes_operands_in_parentheses(ddb, table, expression, values, count):
    assert scan_count(ddb, table, expression, values) == count


def test_condition_and_key_condition_take_operands_in_parentheses(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": S("cond"), "a": N(1)},
                 ConditionExpression="(attribute_not_exists(pk)) OR (a) < (:two)",
                 ExpressionAttributeValues={":two": N(2)})
    r = ddb.query(TableName=table, KeyConditionExpression="(pk) = (:k)",
                  ExpressionAttributeValues={":k": S("cond")})
    assert r["Items"] == [{"pk": S("cond"), "a": N(1)}]
    expect_error(ddb.put_item, "ConditionalCheckFailedException", TableName=table,
                 Item={"pk": S("cond")}, ConditionExpression="(a) > (:two)",
                 ExpressionAttributeValues={":two": N(2)})


@pytest.mark.parametrize("expression", [
    "a=a and a > ((views))",
    "((a)) = :v",
    "(a)between(((b.c)).d)and(c)",
    "a > whatever((:things), ((a)))",
    "a=a AND ((a=a AND a=a)) AND a=a",
    "contains(((l)), :v)",
])
def test_two_pairs_of_parentheses_are_redundant(ddb, table, expression):
    values = {":v": N(1)} if ":v" in expression else None
    assert filter_message(ddb, table, expression, values) == (
        "Invalid FilterExpression: The expression has redundant parentheses;")


@pytest.mark.parametrize("expression,token", [
    ("(size(a)).b > a", "."),
    ("(size(a))[0] > a", "["),
    ("(a).b = a", "."),
    ("(a)between(b.(c.d))and(c)", "("),
    ("(a)between(b.c.d)and((c)", "<EOF>"),
])
def test_parentheses_end_an_operand(ddb, table, expression, token):
    message = filter_message(ddb, table, expression)
    assert message.startswith(f'Invalid FilterExpression: Syntax error; token: "{token}"'), message


@pytest.mark.parametrize("expression,message", [
    ("attRIbute_exIsts((views), #a)", "Invalid function name; function: attRIbute_exIsts"),
    ("a=a and whatever((:things)) > a", "Invalid function name; function: whatever"),
    ("a=a and attribute_exists((views), (#a)) > b",
     "The function is not allowed to be used this way in an expression; function: "
     "attribute_exists"),
    ("size(contains(a, b)) > a",
     "The function is not allowed to be used this way in an expression; function: contains"),
    ("views = :v AND (", 'Syntax error; token: "<EOF>", near: "("'),
])
def test_filter_faults_in_dynamodbs_order(ddb, table, expression, message):
    values = {":v": N(1)} if ":v" in expression else None
    assert filter_message(ddb, table, expression, values) == "Invalid FilterExpression: " + message


# -- SET values in parentheses ---------------------------------------------------------------

def update(ddb, table, expression, values=None, names=None, key="upd"):
    kwargs = dict(TableName=table, Key={"pk": S(key)}, UpdateExpression=expression,
                  ReturnValues="ALL_NEW")
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    return ddb.update_item(**kwargs)["Attributes"]


def update_message(ddb, table, expression, values=None, names=None):
    kwargs = dict(TableName=table, Key={"pk": S("refused")}, UpdateExpression=expression)
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    return expect_error(ddb.update_item, "ValidationException", **kwargs)["Error"]["Message"]


def test_set_takes_a_sum_in_parentheses_and_operands_in_their_own(ddb, table):
    values = {":z": N(10), ":v": N(3)}
    assert update(ddb, table, "SET x = (if_not_exists(x, :z) - :v)", values)["x"] == N(7)
    assert update(ddb, table, "SET x = (if_not_exists(x, :z) - :v)", values)["x"] == N(4)
    got = update(ddb, table, "SET y = (x) + (:v), z = ((x) - :v), w = (:v), u = (if_not_exists((u), (:z)))",
                 values)
    assert (got["y"], got["z"], got["w"], got["u"]) == (N(7), N(1), N(3), N(10))


@pytest.mark.parametrize("expression,message", [
    ("SET x = (:a + :b) + :a", 'Syntax error; token: "+", near: ":a + :b"'),
    ("SET x = :a - (:b - :a)", 'Syntax error; token: "-", near: ":b - :a"'),
    ("SET x = :a + :b + :a", 'Syntax error; token: "+", near: ":b + :a"'),
    ("set x = (b.c).d + :a", 'Syntax error; token: ".", near: ").d"'),
    ("set (x = (b + :a))", 'Syntax error; token: "(", near: "set (x"'),
    ("SET x = ((b))", "The expression has redundant parentheses;"),
    ("SET x = ((:a + :b))", "The expression has redundant parentheses;"),
    ("SET x = ((:a)) - :b", "The expression has redundant parentheses;"),
    ("SET x = list_append(((l)), :l)", "The expression has redundant parentheses;"),
])
def test_set_refuses_what_dynamodb_refuses(ddb, table, expression, message):
    values = {v: N(1) for v in (":a", ":b") if v in expression}
    if ":l" in expression:
        values[":l"] = L(N(1))
    assert update_message(ddb, table, expression, values or None) == (
        "Invalid UpdateExpression: " + message)


@pytest.mark.parametrize("expression,message", [
    ("add abort :a", "Attribute name is a reserved keyword; reserved keyword: abort"),
    ("add abort b", 'Syntax error; token: "b", near: "abort b"'),
    (" set #c = :a set abOrt = true ", "Attribute name is a reserved keyword; reserved keyword: abOrt"),
    ("set #c = if_not_exist(:a) set c = d", "Invalid function name; function: if_not_exist"),
    ("set c = d set #c = :a", 'The "SET" section can only be used once in an update expression;'),
])
def test_update_faults_in_dynamodbs_order(ddb, table, expression, message):
    values = {":a": N(1)} if ":a" in expression else None
    names = {"#c": "c"} if "#c" in expression else None
    assert update_message(ddb, table, expression, values, names) == (
        "Invalid UpdateExpression: " + message)


# -- list indexes ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,near", [("l[01]", "01]"), ("l[00]", "00]"), ("l[007]", "007")])
def test_a_list_index_has_no_leading_zero(ddb, table, text, near):
    token = near[1]
    message = expect_error(ddb.get_item, "ValidationException", TableName=table,
                           Key={"pk": S("k")}, ProjectionExpression=text)["Error"]["Message"]
    assert message == (f'Invalid ProjectionExpression: Syntax error; token: "{token}", '
                       f'near: "{near}"')
    assert filter_message(ddb, table, text + " = :v", {":v": S("y")}).startswith(
        f'Invalid FilterExpression: Syntax error; token: "{token}"')
    assert update_message(ddb, table, f"SET {text} = :v", {":v": S("y")}).startswith(
        f'Invalid UpdateExpression: Syntax error; token: "{token}"')


def test_zero_and_other_indexes_still_read(ddb, table):
    r = ddb.get_item(TableName=table, Key={"pk": S("k")}, ProjectionExpression="l[0], l[1], l[10]")
    assert r["Item"] == {"l": L(S("x"), S("y"))}
