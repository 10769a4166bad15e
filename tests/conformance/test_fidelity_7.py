"""Fidelity, seventh part: AWS's answers as nubo-db/dynamodb-conformance pins them (its
tests/tier3/error-messages files) where ours differed.

- Secondary index key checks run in the order of the indexes' names: an attribute that keys
  gsi1 and lsi1 is reported for gsi1.
- An empty string or binary for an index key is refused before a transaction runs (a
  ValidationException, not a cancellation); an update expression that SETs one gets the
  update's own message.
- TransactGetItems: a key that does not match the schema cancels the transaction with a
  ValidationError reason.
- CreateTable without a TableName; Select's enum in DynamoDB's order; the values echoed in
  "1 validation error detected" messages ('[]', '{table=[...]}', BatchGetItem's 100 keys).
"""

import pytest

import support
from values import S, N, B

INVALID = "One or more parameter values were invalid: "


def uid(prefix="f7"):
    return support.unique_name(prefix)


@pytest.fixture(scope="module")
def composite(ddb):
    """pk/sk S; local indexes lsi1 (lsi1sk) and lsi2 (lsi2sk); global gsi1 (lsi1sk) and gsi2
    (lsi1sk, lsi2sk): the layout of the suite's composite table."""
    name = uid("f7c")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "lsi1sk", "lsi2sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[
            {"IndexName": ix, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                            {"AttributeName": key, "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}}
            for ix, key in (("lsi1", "lsi1sk"), ("lsi2", "lsi2sk"))],
        GlobalSecondaryIndexes=[
            {"IndexName": "gsi1", "KeySchema": [{"AttributeName": "lsi1sk", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "gsi2", "KeySchema": [{"AttributeName": "lsi1sk", "KeyType": "HASH"},
                                                {"AttributeName": "lsi2sk", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}}])
    return name


@pytest.fixture(scope="module")
def binary_index(ddb):
    name = uid("f7b")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "bidx", "AttributeType": "B"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "gsib", "KeySchema": [{"AttributeName": "bidx", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}])
    return name


def empty_put_message(index, key, kind="string"):
    return ("One or more parameter values are not valid. A value specified for a secondary index "
            "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
            f"{kind} value. IndexName: {index}, IndexKey: {key}")


def empty_update_message(kind="string"):
    return ("One or more parameter values are not valid. The update expression attempted to "
            "update a secondary index key to a value that is not supported. The AttributeValue "
            f"for a key attribute cannot contain an empty {kind} value.")


def type_message(actual):
    return (INVALID + f"Type mismatch for Index Key lsi1sk Expected: S Actual: {actual} "
            "IndexName: gsi1")


# -- index keys ------------------------------------------------------------------------


@pytest.mark.parametrize("value,actual", [(N(5), "N"), ({"L": [S("x")]}, "L")])
def test_index_key_types_name_the_first_index_by_name(ddb, composite, value, actual):
    item = {"pk": S(uid()), "sk": S("a"), "lsi1sk": value}
    support.expect_error(ddb.put_item, "ValidationException", type_message(actual),
                         TableName=composite, Item=item)
    resp = support.expect_error(ddb.batch_write_item, "ValidationException", type_message(actual),
                                RequestItems={composite: [{"PutRequest": {"Item": item}}]})
    assert resp
    resp = support.expect_error(ddb.transact_write_items, "TransactionCanceledException", None,
                                TransactItems=[{"Put": {"TableName": composite, "Item": item}}])
    assert resp["CancellationReasons"] == [{"Code": "ValidationError",
                                            "Message": type_message(actual)}]
    resp = support.expect_error(
        ddb.transact_write_items, "TransactionCanceledException", None,
        TransactItems=[{"Update": {"TableName": composite, "Key": {"pk": S(uid()), "sk": S("a")},
                                   "UpdateExpression": "SET lsi1sk = :v",
                                   "ExpressionAttributeValues": {":v": value}}}])
    assert resp["CancellationReasons"][0]["Message"] == type_message(actual)


def test_an_empty_index_key_is_refused_before_the_transaction(ddb, composite, binary_index):
    item = {"pk": S(uid()), "sk": S("c"), "lsi1sk": S("")}
    message = empty_put_message("gsi1", "lsi1sk")
    support.expect_error(ddb.put_item, "ValidationException", message,
                         TableName=composite, Item=item)
    support.expect_error(ddb.batch_write_item, "ValidationException", message,
                         RequestItems={composite: [{"PutRequest": {"Item": item}}]})
    support.expect_error(ddb.transact_write_items, "ValidationException", message,
                         TransactItems=[{"Put": {"TableName": composite, "Item": item}}])
    support.expect_error(
        ddb.transact_write_items, "ValidationException",
        empty_put_message("gsib", "bidx", "binary"),
        TransactItems=[{"Put": {"TableName": binary_index,
                                "Item": {"pk": S(uid()), "bidx": B(b"")}}}])
    # An update's SET of one: the update's words, in UpdateItem and in a transaction, even
    # where a condition would fail.
    for table, key, value, kind in ((composite, {"pk": S(uid()), "sk": S("c")}, S(""), "string"),
                                    (binary_index, {"pk": S(uid())}, B(b""), "binary")):
        field = "lsi1sk" if table == composite else "bidx"
        update = {"TableName": table, "Key": key, "UpdateExpression": f"SET {field} = :v",
                  "ExpressionAttributeValues": {":v": value}}
        support.expect_error(ddb.update_item, "ValidationException", empty_update_message(kind),
                             **update)
        support.expect_error(ddb.update_item, "ValidationException", empty_update_message(kind),
                             ConditionExpression="attribute_exists(nope)", **update)
        support.expect_error(ddb.transact_write_items, "ValidationException",
                             empty_update_message(kind), TransactItems=[{"Update": update}])
        assert "Item" not in ddb.get_item(TableName=table, Key=key)


# -- TransactGetItems ------------------------------------------------------------------------


def test_transact_get_key_mismatch_cancels(ddb, ddb_raw, composite):
    for key in ({}, {"pk": N(5), "sk": S("a")}, {"pk": S("a")}):
        resp = support.expect_error(ddb_raw.transact_get_items, "TransactionCanceledException",
                                    None, TransactItems=[
                                        {"Get": {"TableName": composite,
                                                 "Key": {"pk": S("x"), "sk": S("y")}}},
                                        {"Get": {"TableName": composite, "Key": key}}])
        assert resp["Error"]["Message"] == ("Transaction cancelled, please refer cancellation "
                                            "reasons for specific reasons [None, ValidationError]")
        assert [r["Code"] for r in resp["CancellationReasons"]] == ["None", "ValidationError"]
    # An empty key value is refused outright.
    support.expect_error(ddb_raw.transact_get_items, "ValidationException", None, TransactItems=[
        {"Get": {"TableName": composite, "Key": {"pk": S(""), "sk": S("a")}}}])


# -- messages ------------------------------------------------------------------------------


def test_create_table_without_a_name(ddb_raw):
    support.expect_error(
        ddb_raw.create_table, "ValidationException",
        "The parameter 'TableName' is required but was not present in the request",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")


def test_select_enum_in_dynamodbs_order(ddb, composite):
    message = ("1 validation error detected: Value 'INVALID_VALUE' at 'select' failed to "
               "satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, "
               "COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")
    support.expect_error(ddb.query, "ValidationException", message, TableName=composite,
                         KeyConditionExpression="pk = :v",
                         ExpressionAttributeValues={":v": S("v")}, Select="INVALID_VALUE")
    support.expect_error(ddb.scan, "ValidationException", message, TableName=composite,
                         Select="INVALID_VALUE")


def test_echoed_values(ddb_raw, composite):
    for op in (ddb_raw.transact_get_items, ddb_raw.transact_write_items):
        support.expect_error(op, "ValidationException",
                             "1 validation error detected: Value '[]' at 'transactItems' failed "
                             "to satisfy constraint: Member must have length greater than or "
                             "equal to 1", TransactItems=[])
    puts = [{"PutRequest": {"Item": {"pk": S(f"bw-{i}"), "sk": S("a")}}} for i in range(26)]
    support.expect_error(
        ddb_raw.batch_write_item, "ValidationException",
        f"1 validation error detected: Value '{{{composite}=[...]}}' at 'requestItems' failed to "
        "satisfy constraint: Map value must satisfy constraint: [Member must have length less "
        "than or equal to 25, Member must have length greater than or equal to 1]",
        RequestItems={composite: puts})
    keys = [{"pk": S(f"bg-{i}"), "sk": S("a")} for i in range(101)]
    support.expect_error(
        ddb_raw.batch_get_item, "ValidationException",
        f"1 validation error detected: Value at 'RequestItems.{composite}.member.Keys' failed "
        "to satisfy constraint: Member must have length less than or equal to 100",
        RequestItems={composite: {"Keys": keys}})


@pytest.mark.parametrize("kind", ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"])
def test_include_needs_its_attributes(ddb, kind):
    name = uid("f7i")
    hash_key = "pk" if kind == "LocalSecondaryIndexes" else "g"
    index = {"IndexName": "byr", "Projection": {"ProjectionType": "INCLUDE"},
             "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"},
                           {"AttributeName": "r", "KeyType": "RANGE"}]}
    support.expect_error(
        ddb.create_table, "ValidationException",
        INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "g", "r")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        **{kind: [index]})
    support.expect_error(ddb.describe_table, "ResourceNotFoundException", None, TableName=name)


def test_batch_get_does_not_mix_expression_and_legacy_across_tables(ddb, composite):
    other = uid("f7o")
    support.create_table(ddb, other, hash_key=("pk", "S"))
    support.expect_error(
        ddb.batch_get_item, "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}",
        RequestItems={other: {"Keys": [{"pk": S("a")}], "ProjectionExpression": "pk"},
                      composite: {"Keys": [{"pk": S("b"), "sk": S("z")}],
                                  "AttributesToGet": ["pk"]}})
    # Each kind alone is fine.
    resp = ddb.batch_get_item(RequestItems={
        other: {"Keys": [{"pk": S("a")}], "AttributesToGet": ["pk"]},
        composite: {"Keys": [{"pk": S("b"), "sk": S("z")}], "AttributesToGet": ["pk"]}})
    assert resp["UnprocessedKeys"] == {}


def test_a_value_100_levels_deep_gets_the_nesting_message(ddb, composite):
    value = S("leaf")
    for _ in range(100):
        value = {"M": {"n": value}}
    support.expect_error(
        ddb.put_item, "ValidationException",
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
        "levels beyond supported limit",
        TableName=composite, Item={"pk": S("deep"), "sk": S("a"), "v": value})
    support.expect_error(
        ddb.execute_statement, "ValidationException",
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
        "levels beyond supported limit",
        Statement=f"SELECT * FROM \"{composite}\" WHERE pk = 'p' AND x = ? AND y = ?",
        Parameters=[value, N("abc")])


def test_key_schema_echoed(ddb_raw):
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"},
              {"AttributeName": "extra", "KeyType": "RANGE"}]
    support.expect_error(
        ddb_raw.create_table, "ValidationException",
        "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
        "KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=extra, "
        "keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length "
        "less than or equal to 2",
        TableName=uid("f7k"), KeySchema=schema, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "extra")])


def test_an_empty_table_name(ddb_raw):
    # Where an ARN may stand for the name, the member is 1-1024 characters long
    # (API_PutItem.html); CreateTable's is a name, 3-255.
    message = ("1 validation error detected: Value '' at 'tableName' failed to satisfy "
               "constraint: Member must have length greater than or equal to {}")
    key = {"pk": S("k")}
    for op, kwargs in ((ddb_raw.put_item, {"Item": key}), (ddb_raw.get_item, {"Key": key}),
                       (ddb_raw.delete_item, {"Key": key}), (ddb_raw.scan, {}),
                       (ddb_raw.query, {"KeyConditionExpression": "pk = :v",
                                        "ExpressionAttributeValues": {":v": S("k")}})):
        support.expect_error(op, "ValidationException", message.format(1), TableName="",
                             **kwargs)
    support.expect_error(ddb_raw.create_table, "ValidationException", message.format(3),
                         TableName="", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
