"""Validation of expressions and their ExpressionAttributeNames/Values on
PutItem, UpdateItem, DeleteItem and GetItem.

Every case is a ValidationException (HTTP 400) and writes nothing. Messages
are DynamoDB's. Where a message was confirmed from DynamoDB's own answers it
is compared exactly; where only its beginning is certain (the rest names a
token or an order DynamoDB does not document) the case says "prefix".
"""

import re

import pytest

import support
from values import S, N, SS, L
from support import create_table, expect_error

EXACT, PREFIX, REGEX = "exact", "prefix", "regex"

VAL_UNDEFINED = "An expression attribute value used in expression is not defined; attribute value: "
NAME_UNDEFINED = "An expression attribute name used in the document path is not defined; attribute name: "
RESERVED = "Attribute name is a reserved keyword; reserved keyword: "
OPERANDS = "Incorrect number of operands for operator or function; operator or function: "
OPERAND_TYPE = "Incorrect operand type for operator or function; operator or function: "
MIXED = "Can not use both expression and non-expression parameters in the same request: "


@pytest.fixture(scope="module")
def table(ddb):
    name = support.unique_name("experr")
    create_table(ddb, name, hash_key=("id", "S"))
    return name


def new_key():
    return {"id": S(support.unique_name("k"))}


def run_case(ddb_raw, table, op, params, message, mode):
    key = new_key()
    if op == "put":
        fn, args = ddb_raw.put_item, {"Item": dict(key, a=N(1))}
    elif op == "update":
        fn, args = ddb_raw.update_item, {"Key": key}
    elif op == "delete":
        fn, args = ddb_raw.delete_item, {"Key": key}
    else:
        fn, args = ddb_raw.get_item, {"Key": key}
    args.update(params)
    resp = expect_error(fn, "ValidationException", message if mode == EXACT else None,
                        TableName=table, **args)
    got = resp["Error"]["Message"]
    if mode == PREFIX:
        assert got.startswith(message), got
    elif mode == REGEX:
        assert re.fullmatch(message, got), got
    # Nothing was written.
    assert "Item" not in ddb_raw.get_item(TableName=table, Key=key, ConsistentRead=True)
    return got


def case(cid, op, params, message, mode=EXACT):
    return pytest.param(op, params, message, mode, id=cid)


def cond(expression, values=None, names=None, **extra):
    params = dict(ConditionExpression=expression, **extra)
    if values is not None:
        params["ExpressionAttributeValues"] = values
    if names is not None:
        params["ExpressionAttributeNames"] = names
    return params


def upd(expression, values=None, names=None, **extra):
    params = dict(UpdateExpression=expression, **extra)
    if values is not None:
        params["ExpressionAttributeValues"] = values
    if names is not None:
        params["ExpressionAttributeNames"] = names
    return params


def proj(expression, names=None, **extra):
    params = dict(ProjectionExpression=expression, **extra)
    if names is not None:
        params["ExpressionAttributeNames"] = names
    return params


# --------------------------------------------------------------------------
# undefined, unused and malformed ExpressionAttributeNames / Values
# --------------------------------------------------------------------------

SUBSTITUTIONS = [
    case("undefined_value_condition", "put", cond("a = :nope"),
         "Invalid ConditionExpression: " + VAL_UNDEFINED + ":nope"),
    case("undefined_value_with_others_defined", "delete", cond("a = :x OR a = :nope", {":x": N(1)}),
         "Invalid ConditionExpression: " + VAL_UNDEFINED + ":nope"),
    case("undefined_value_update", "update", upd("SET a = :nope", {":x": N(1)}),
         "Invalid UpdateExpression: " + VAL_UNDEFINED + ":nope"),
    case("undefined_value_in_condition_of_update", "update",
         upd("SET a = :x", {":x": N(1)}, ConditionExpression="a <> :nope"),
         "Invalid ConditionExpression: " + VAL_UNDEFINED + ":nope"),
    case("undefined_name_condition", "delete", cond("#nope = :v", {":v": N(1)}),
         "Invalid ConditionExpression: " + NAME_UNDEFINED + "#nope"),
    case("undefined_name_condition_nested", "put", cond("#a.#nope = :v", {":v": N(1)}, {"#a": "a"}),
         "Invalid ConditionExpression: " + NAME_UNDEFINED + "#nope"),
    case("undefined_name_update", "update", upd("SET #nope = :v", {":v": N(1)}),
         "Invalid UpdateExpression: " + NAME_UNDEFINED + "#nope"),
    case("undefined_name_update_value_side", "update", upd("SET #a = #nope", names={"#a": "a"}),
         "Invalid UpdateExpression: " + NAME_UNDEFINED + "#nope"),
    case("undefined_name_projection", "get", proj("#b, #nope", {"#b": "b"}),
         "Invalid ProjectionExpression: " + NAME_UNDEFINED + "#nope"),
    case("unused_value_put", "put", cond("a = :v", {":v": N(1), ":extra": N(2)}),
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}"),
    case("unused_value_delete", "delete", cond("attribute_exists(a)", {":extra": N(2)}),
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}"),
    case("unused_value_update", "update", upd("REMOVE a", {":v": N(1), ":extra": N(2)}, ConditionExpression="a = :v"),
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}"),
    case("two_unused_values", "update", upd("SET a = :v", {":v": N(1), ":x": N(2), ":y": N(3)}),
         r"Value provided in ExpressionAttributeValues unused in expressions: keys: \{(:x, :y|:y, :x)\}", REGEX),
    case("unused_name_put", "put", cond("#a = :v", {":v": N(1)}, {"#a": "a", "#extra": "b"}),
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#extra}"),
    case("unused_name_update", "update", upd("SET #a = :v", {":v": N(1)}, {"#a": "a", "#extra": "b"}),
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#extra}"),
    case("unused_name_get", "get", proj("#a", {"#a": "a", "#extra": "b"}),
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#extra}"),
    case("two_unused_names", "delete", cond("attribute_exists(a)", names={"#x": "x", "#y": "y"}),
         r"Value provided in ExpressionAttributeNames unused in expressions: keys: \{(#x, #y|#y, #x)\}", REGEX),
    case("empty_names_put", "put", cond("attribute_exists(a)", names={}),
         "ExpressionAttributeNames must not be empty"),
    case("empty_names_update", "update", upd("REMOVE a", names={}),
         "ExpressionAttributeNames must not be empty"),
    case("empty_names_get", "get", proj("a", {}),
         "ExpressionAttributeNames must not be empty"),
    case("empty_values_put", "put", cond("attribute_exists(a)", {}),
         "ExpressionAttributeValues must not be empty"),
    case("empty_values_update", "update", upd("REMOVE a", {}),
         "ExpressionAttributeValues must not be empty"),
    case("empty_values_delete", "delete", cond("attribute_exists(a)", {}),
         "ExpressionAttributeValues must not be empty"),
    # The keys of both maps are checked before any expression is parsed.
    case("name_key_without_hash", "put", cond("attribute_exists(a)", names={"n": "a"}),
         'ExpressionAttributeNames contains invalid key: Syntax error; key: "n"'),
    case("name_key_with_dash", "update", upd("REMOVE #bad-name", names={"#bad-name": "a"}),
         'ExpressionAttributeNames contains invalid key: Syntax error; key: "#bad-name"'),
    case("name_key_hash_alone", "get", proj("a", {"#": "a"}),
         'ExpressionAttributeNames contains invalid key: Syntax error; key: "#"'),
    case("value_key_without_colon", "put", cond("attribute_exists(a)", {"v": N(1)}),
         'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'),
    case("value_key_with_dash", "update", upd("SET a = :bad-key", {":bad-key": N(1)}),
         'ExpressionAttributeValues contains invalid key: Syntax error; key: ":bad-key"'),
    case("value_empty_attribute_value", "put", cond("a = :v", {":v": {}}),
         "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain "
         "exactly one of the supported datatypes for key :v"),
    case("value_empty_set", "update", upd("ADD a :v", {":v": SS()}),
         "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
         "An string set  may not be empty for key :v"),
    case("value_not_a_number", "delete", cond("a = :v", {":v": {"N": "abc"}}),
         "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric "
         "value: abc for key :v"),
    # PutItem's are inside the envelope (us-east-1, 2026-10; test_fidelity_8.py).
    case("values_without_expression_put", "put", {"ExpressionAttributeValues": {":v": N(1)}},
         "1 validation error detected: "
         "ExpressionAttributeValues can only be specified when using expressions"),
    case("values_without_expression_delete", "delete", {"ExpressionAttributeValues": {":v": N(1)}},
         "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"),
    case("values_without_expression_update", "update", {"ExpressionAttributeValues": {":v": N(1)}},
         "ExpressionAttributeValues can only be specified when using expressions: "
         "UpdateExpression and ConditionExpression are null"),
    case("names_without_expression_put", "put", {"ExpressionAttributeNames": {"#a": "a"}},
         "1 validation error detected: "
         "ExpressionAttributeNames can only be specified when using expressions"),
    case("names_without_expression_update", "update", {"ExpressionAttributeNames": {"#a": "a"}},
         "ExpressionAttributeNames can only be specified when using expressions"),
    case("names_without_expression_delete", "delete", {"ExpressionAttributeNames": {"#a": "a"}},
         "ExpressionAttributeNames can only be specified when using expressions"),
    case("names_without_expression_get", "get", {"ExpressionAttributeNames": {"#a": "a"}},
         "ExpressionAttributeNames can only be specified when using expressions"),
]


@pytest.mark.parametrize("op,params,message,mode", SUBSTITUTIONS)
def test_names_and_values(ddb_raw, table, op, params, message, mode):
    run_case(ddb_raw, table, op, params, message, mode)


def test_names_and_values_shared_between_expressions(ddb, table):
    # A name or value used by only one of the request's expressions counts as
    # used; nothing is reported unused.
    key = new_key()
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET #a = :v",
                    ConditionExpression="attribute_not_exists(#b) AND :w <> :v",
                    ExpressionAttributeNames={"#a": "a", "#b": "b"},
                    ExpressionAttributeValues={":v": N(1), ":w": N(2)})
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == dict(key, a=N(1))


def test_unused_check_does_not_depend_on_evaluation(ddb, table):
    # OR stops at the first true operand, but the names and values of the
    # second are still used.
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, a=N(1)))
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET #a = :three",
                    ConditionExpression="#a = :one OR #b = :two",
                    ExpressionAttributeNames={"#a": "a", "#b": "b"},
                    ExpressionAttributeValues={":one": N(1), ":two": N(2), ":three": N(3)})
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == dict(key, a=N(3))


# --------------------------------------------------------------------------
# reserved words, syntax, empty expressions
# --------------------------------------------------------------------------

SYNTAX = [
    case("reserved_condition", "put", cond("status = :v", {":v": S("x")}),
         "Invalid ConditionExpression: " + RESERVED + "status"),
    case("reserved_condition_nested", "delete", cond("m.name = :v", {":v": S("x")}),
         "Invalid ConditionExpression: " + RESERVED + "name"),
    case("reserved_in_function", "put", cond("attribute_exists(data)"),
         "Invalid ConditionExpression: " + RESERVED + "data"),
    case("reserved_update_set", "update", upd("SET size = :v", {":v": N(1)}),
         "Invalid UpdateExpression: " + RESERVED + "size"),
    case("reserved_update_keeps_case", "update", upd("SET Status = :v", {":v": N(1)}),
         "Invalid UpdateExpression: " + RESERVED + "Status"),
    case("reserved_update_remove", "update", upd("REMOVE comment"),
         "Invalid UpdateExpression: " + RESERVED + "comment"),
    case("reserved_update_value_side", "update", upd("SET a = #b + count", names={"#b": "b"}),
         "Invalid UpdateExpression: " + RESERVED + "count"),
    case("reserved_projection", "get", proj("a, name"),
         "Invalid ProjectionExpression: " + RESERVED + "name"),
    case("condition_eof", "put", cond("foo"),
         'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"'),
    case("condition_unclosed_call", "put", cond("attribute_not_exists("),
         'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("'),
    case("update_unknown_clause", "update", upd("INVALID SYNTAX HERE", {":v": N(1)}),
         'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"'),
    case("update_stray_colon", "update", upd("ADD hits : incr", {":incr": N(1)}),
         'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"'),
    case("update_name_starting_with_underscore", "update", upd("SET _123 = :v", {":v": N(1)}),
         'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"'),
    case("condition_double_equals", "delete", cond("a = = :v", {":v": N(1)}),
         'Invalid ConditionExpression: Syntax error; token: "=", near: ', PREFIX),
    case("condition_in_empty_list", "put", cond("a IN ()"),
         "Invalid ConditionExpression: Syntax error; token: ", PREFIX),
    case("condition_unbalanced_open", "put", cond("(a = :v", {":v": N(1)}),
         "Invalid ConditionExpression: Syntax error; token: ", PREFIX),
    case("condition_unbalanced_close", "put", cond("a = :v)", {":v": N(1)}),
         "Invalid ConditionExpression: Syntax error; token: ", PREFIX),
    case("condition_between_without_and", "put", cond("a BETWEEN :v", {":v": N(1)}),
         "Invalid ConditionExpression: Syntax error; token: ", PREFIX),
    case("condition_bare_path", "put", cond("a"),
         "Invalid ConditionExpression: Syntax error; token: ", PREFIX),
    case("condition_dangling_and", "put", cond("attribute_exists(a) AND"),
         "Invalid ConditionExpression: Syntax error; token: ", PREFIX),
    case("condition_bang_equals", "put", cond("a != :v", {":v": N(1)}),
         "Invalid ConditionExpression: Syntax error; token: ", PREFIX),
    case("update_set_without_value", "update", upd("SET a"),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_trailing_plus", "update", upd("SET a = :v +", {":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_three_operands", "update", upd("SET a = :v + :v + :v", {":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_multiplication", "update", upd("SET a = b * :v", {":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_value_as_index", "update", upd("SET a[:i] = :v", {":i": N(1), ":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_value_as_target", "update", upd("SET :v = a", {":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_remove_value", "update", upd("REMOVE :v", {":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_add_with_equals", "update", upd("ADD a = :v", {":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("update_plus_inside_function", "update", upd("SET a = if_not_exists(a, :v + :v)", {":v": N(1)}),
         "Invalid UpdateExpression: Syntax error; token: ", PREFIX),
    case("projection_double_comma", "get", proj("a,,b"),
         "Invalid ProjectionExpression: Syntax error; token: ", PREFIX),
    case("projection_trailing_comma", "get", proj("a,"),
         "Invalid ProjectionExpression: Syntax error; token: ", PREFIX),
    case("projection_negative_index", "get", proj("a[-1]"),
         "Invalid ProjectionExpression: Syntax error; token: ", PREFIX),
    case("projection_name_index", "get", proj("a[b]"),
         "Invalid ProjectionExpression: Syntax error; token: ", PREFIX),
    case("projection_dash_in_name", "get", proj("my-attr"),
         "Invalid ProjectionExpression: Syntax error; token: ", PREFIX),
    case("empty_condition", "put", cond(""),
         "1 validation error detected: Invalid ConditionExpression: The expression can not be empty;"),
    case("empty_update", "update", upd(""),
         "Invalid UpdateExpression: The expression can not be empty;"),
    case("empty_projection", "get", proj(""),
         "Invalid ProjectionExpression: The expression can not be empty;"),
    case("redundant_parentheses", "put", cond("((a = :v))", {":v": N(1)}),
         "Invalid ConditionExpression: The expression has redundant parentheses;"),
]


@pytest.mark.parametrize("op,params,message,mode", SYNTAX)
def test_reserved_words_and_syntax(ddb_raw, table, op, params, message, mode):
    run_case(ddb_raw, table, op, params, message, mode)


def test_reserved_words_through_names_are_fine(ddb, table):
    key = new_key()
    names = {"#s": "status", "#n": "name", "#z": "size"}
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET #s = :v, #n = :v, #z = :v",
                    ExpressionAttributeNames=names, ExpressionAttributeValues={":v": S("x")})
    got = ddb.get_item(TableName=table, Key=key, ProjectionExpression="#s, #n, #z",
                       ExpressionAttributeNames=names)["Item"]
    assert got == {"status": S("x"), "name": S("x"), "size": S("x")}


# --------------------------------------------------------------------------
# functions and operators
# --------------------------------------------------------------------------

FUNCTIONS = [
    case("unknown_function_condition", "put", cond("foo(a)"),
         "Invalid ConditionExpression: Invalid function name; function: foo"),
    case("function_names_case_sensitive", "delete", cond("ATTRIBUTE_EXISTS(a)"),
         "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS"),
    case("unknown_function_update", "update", upd("SET a = foo(b)"),
         "Invalid UpdateExpression: Invalid function name; function: foo"),
    case("attribute_exists_two_operands", "put", cond("attribute_exists(a, b)"),
         "Invalid ConditionExpression: " + OPERANDS + "attribute_exists, number of operands: 2"),
    case("attribute_not_exists_two_operands", "put", cond("attribute_not_exists(a, b)"),
         "Invalid ConditionExpression: " + OPERANDS + "attribute_not_exists, number of operands: 2"),
    case("begins_with_one_operand", "delete", cond("begins_with(a)"),
         "Invalid ConditionExpression: " + OPERANDS + "begins_with, number of operands: 1"),
    case("contains_three_operands", "put", cond("contains(a, b, c)"),
         "Invalid ConditionExpression: " + OPERANDS + "contains, number of operands: 3"),
    case("size_two_operands", "put", cond("size(a, b) = :v", {":v": N(1)}),
         "Invalid ConditionExpression: " + OPERANDS + "size, number of operands: 2"),
    case("attribute_type_one_operand", "put", cond("attribute_type(a)"),
         "Invalid ConditionExpression: " + OPERANDS + "attribute_type, number of operands: 1"),
    case("if_not_exists_one_operand", "update", upd("SET a = if_not_exists(a)"),
         "Invalid UpdateExpression: " + OPERANDS + "if_not_exists, number of operands: 1"),
    case("list_append_three_operands", "update", upd("SET a = list_append(a, :v, :v)", {":v": L()}),
         "Invalid UpdateExpression: " + OPERANDS + "list_append, number of operands: 3"),
    case("size_alone", "put", cond("size(a)"),
         "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
         "function: size"),
    case("boolean_function_compared", "put", cond("attribute_exists(a) = :v", {":v": N(1)}),
         "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
         "function: attribute_exists"),
    case("attribute_exists_of_value", "put", cond("attribute_exists(:v)", {":v": N(1)}),
         "Invalid ConditionExpression: Operator or function requires a document path; "
         "operator or function: attribute_exists"),
    case("if_not_exists_of_value", "update", upd("SET a = if_not_exists(:v, :v)", {":v": N(1)}),
         "Invalid UpdateExpression: Operator or function requires a document path; "
         "operator or function: if_not_exists"),
    case("update_function_in_condition", "put", cond("if_not_exists(a, :v) = :v", {":v": N(1)}),
         "Invalid ConditionExpression: The function is not allowed", PREFIX),
    case("condition_function_in_update", "update", upd("SET a = attribute_exists(b)"),
         "Invalid UpdateExpression: The function is not allowed", PREFIX),
    case("begins_with_number", "put", cond("begins_with(a, :v)", {":v": N(1)}),
         "Invalid ConditionExpression: " + OPERAND_TYPE + "begins_with, operand type: N"),
    case("attribute_type_number", "put", cond("attribute_type(a, :v)", {":v": N(1)}),
         "Invalid ConditionExpression: " + OPERAND_TYPE + "attribute_type, operand type: N"),
    # A constant of a type the operator cannot order is an error; the same type
    # coming from the item only makes the condition false.
    case("less_than_list_constant", "put", cond("a < :v", {":v": L(N(1))}),
         "Invalid ConditionExpression: " + OPERAND_TYPE + "<, operand type: ", PREFIX),
    case("between_list_constants", "put", cond("a BETWEEN :x AND :y", {":x": L(N(1)), ":y": L(N(2))}),
         "Invalid ConditionExpression: ", PREFIX),
    case("contains_same_path_twice", "put", cond("contains(a, a)"),
         "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for "
         "this operator or function", PREFIX),
    case("between_reversed", "delete", cond("a BETWEEN :hi AND :lo", {":lo": N(1), ":hi": N(5)}),
         "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to "
         "lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
    case("between_reversed_strings", "put", cond("a between :b and :a", {":a": S("a"), ":b": S("b")}),
         "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to "
         "lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"),
    case("between_different_types", "put", cond("a BETWEEN :lo AND :hi", {":lo": N(1), ":hi": S("a")}),
         "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper "
         "bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"),
]


@pytest.mark.parametrize("op,params,message,mode", FUNCTIONS)
def test_functions_and_operators(ddb_raw, table, op, params, message, mode):
    run_case(ddb_raw, table, op, params, message, mode)


def test_attribute_type_unknown_type_name(ddb_raw, table):
    got = run_case(ddb_raw, table, "put", cond("attribute_type(a, :t)", {":t": S("DOG")}),
                   "Invalid ConditionExpression: Invalid attribute type name found; type: DOG, valid types: ",
                   PREFIX)
    # The order DynamoDB lists the ten names in is not pinned down.
    listed = got.rsplit("valid types: ", 1)[1]
    assert listed.startswith("{") and listed.endswith("}"), got
    assert set(t.strip() for t in listed[1:-1].split(",")) == {"S", "N", "B", "BOOL", "NULL", "SS", "NS",
                                                               "BS", "L", "M"}


def test_bound_checks_only_apply_to_constants(ddb, table):
    # With an attribute as a bound nothing can be checked up front: a reversed
    # or mixed-type range is just false.
    key = new_key()
    ddb.put_item(TableName=table, Item=dict(key, a=N(3), two=N(2)))
    for expression, values in [("a BETWEEN :hi AND two", {":hi": N(9)}), ("a BETWEEN two AND :s", {":s": S("x")})]:
        expect_error(ddb.update_item, "ConditionalCheckFailedException", "The conditional request failed",
                     TableName=table, Key=key, UpdateExpression="SET hit = :hi",
                     ConditionExpression=expression,
                     ExpressionAttributeValues=dict(values, **{":hi": N(9)}))
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == dict(key, a=N(3), two=N(2))


# --------------------------------------------------------------------------
# expression and non-expression parameters together
# --------------------------------------------------------------------------

LEGACY_CONDITION = {"a": {"Value": N(1)}}

MIXING = [
    case("put_expected_and_condition", "put",
         cond("attribute_exists(a)", Expected=LEGACY_CONDITION),
         MIXED + "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
    case("delete_expected_and_condition", "delete",
         cond("attribute_exists(a)", Expected=LEGACY_CONDITION),
         MIXED + "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
    case("update_attribute_updates_and_update_expression", "update",
         upd("SET a = :v", {":v": N(1)}, AttributeUpdates={"b": {"Action": "PUT", "Value": N(1)}}),
         MIXED + "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"),
    case("update_expected_and_update_expression", "update",
         upd("SET a = :v", {":v": N(1)}, Expected=LEGACY_CONDITION),
         MIXED + "Non-expression parameters: {Expected} Expression parameters: {UpdateExpression}"),
    case("update_attribute_updates_and_condition", "update",
         cond("attribute_exists(a)", AttributeUpdates={"b": {"Action": "PUT", "Value": N(1)}}),
         MIXED + "Non-expression parameters: {AttributeUpdates} Expression parameters: {ConditionExpression}"),
    case("update_all_four", "update",
         upd("SET a = :v", {":v": N(1)}, ConditionExpression="attribute_exists(a)", Expected=LEGACY_CONDITION,
             AttributeUpdates={"b": {"Action": "PUT", "Value": N(1)}}),
         MIXED + "Non-expression parameters: {AttributeUpdates, Expected} "
                 "Expression parameters: {UpdateExpression, ConditionExpression}"),
    case("get_attributes_to_get_and_projection", "get", proj("a", AttributesToGet=["a"]),
         MIXED + "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"),
]


@pytest.mark.parametrize("op,params,message,mode", MIXING)
def test_expression_and_legacy_parameters(ddb_raw, table, op, params, message, mode):
    run_case(ddb_raw, table, op, params, message, mode)


# --------------------------------------------------------------------------
# invalid ProjectionExpression
# --------------------------------------------------------------------------

PROJ_OVERLAP = ("Invalid ProjectionExpression: Two document paths overlap with each other; "
                "must remove or rewrite one of these paths; ")

PROJECTIONS = [
    case("same_attribute_twice", "get", proj("a, a"), PROJ_OVERLAP + "path one: [a], path two: [a]"),
    case("same_path_twice", "get", proj("a.b[0], a.b[0]"),
         PROJ_OVERLAP + "path one: [a, b, [0]], path two: [a, b, [0]]"),
    case("same_attribute_through_name", "get", proj("a, #a", {"#a": "a"}),
         PROJ_OVERLAP + "path one: [a], path two: [a]"),
    case("parent_and_child", "get", proj("a, a.b"), PROJ_OVERLAP, PREFIX),
    case("child_and_parent", "get", proj("a.b.c, a.b"), PROJ_OVERLAP, PREFIX),
    case("list_and_element", "get", proj("l, l[2]"), PROJ_OVERLAP, PREFIX),
    case("map_and_list_access", "get", proj("a.b, a[1]"),
         "Invalid ProjectionExpression: Two document paths conflict with each other; "
         "must remove or rewrite one of these paths; ", PREFIX),
]


@pytest.mark.parametrize("op,params,message,mode", PROJECTIONS)
def test_invalid_projection(ddb_raw, table, op, params, message, mode):
    run_case(ddb_raw, table, op, params, message, mode)


def test_validation_happens_before_reading_the_item(ddb_raw, table):
    # The same errors come whether or not the item exists.
    key = new_key()
    ddb_raw.put_item(TableName=table, Item=dict(key, a=N(1)))
    for kwargs, message in [
        (cond("a = :nope"), "Invalid ConditionExpression: " + VAL_UNDEFINED + ":nope"),
        (cond("status = :v", {":v": N(1)}), "Invalid ConditionExpression: " + RESERVED + "status"),
    ]:
        expect_error(ddb_raw.delete_item, "ValidationException", message, TableName=table, Key=key, **kwargs)
    assert ddb_raw.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == dict(key, a=N(1))
