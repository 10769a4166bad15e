"""PartiQL, continued: `pk IN [...]` read as one GetItem a key (ExecuteStatement, and a
one-value IN as the full key of a batch or transaction read); the wording of the refusals of
BatchExecuteStatement's and ExecuteTransaction's reads and of a transaction's statements
("Validation failed in TransactStatements[i]: ..."); a NextToken bound to its statement;
IS NULL against a missing attribute.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.multiplestatements.html
"""

import pytest

import support
from values import S, N, NULL

BATCH_NEEDS_KEY = ("Select statements within BatchExecuteStatement must specify the primary "
                   "key in the where clause.")
TXN_NEEDS_KEY = ("Select statements within ExecuteTransaction must specify the primary key in "
                 "the where clause.")
NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "


def uid(prefix="k"):
    return support.unique_name(prefix)


@pytest.fixture(scope="module")
def table(ddb):
    name = uid("pq2")
    support.create_table(ddb, name, hash_key=("pk", "S"))
    return name


@pytest.fixture(scope="module")
def ranged(ddb):
    """A hash-range table (pk S, sk N) with a global index on g (S)."""
    name = uid("pq2r")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "ByG",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}])
    return name


def message(fn, code, **kwargs):
    return support.expect_error(fn, code, None, **kwargs)["Error"]["Message"]


def get_units(ddb, table, keys):
    return sum(ddb.get_item(TableName=table, Key=k, ReturnConsumedCapacity="TOTAL")
               ["ConsumedCapacity"]["CapacityUnits"] for k in keys)


# pk IN [...]


def test_in_on_the_partition_key_reads_each_key(ddb, table):
    a, b, c = uid(), uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1)})
    ddb.put_item(TableName=table, Item={"pk": S(b), "n": N(2), "big": S("x" * 5000)})
    resp = ddb.execute_statement(
        Statement=f"SELECT pk, n FROM \"{table}\" WHERE pk IN ['{b}', '{c}', '{a}', '{b}']",
        ReturnConsumedCapacity="TOTAL")
    # In the order the list names them, each once; a key with no item is read all the same.
    assert resp["Items"] == [{"pk": S(b), "n": N(2)}, {"pk": S(a), "n": N(1)}]
    assert "NextToken" not in resp
    keys = [{"pk": S(k)} for k in (b, c, a)]
    assert resp["ConsumedCapacity"] == {"TableName": table,
                                        "CapacityUnits": get_units(ddb, table, keys)}
    # The rest of the WHERE clause filters the items read.
    resp = ddb.execute_statement(
        Statement=f"SELECT * FROM \"{table}\" WHERE n = 1 AND pk IN ['{a}', '{b}']")
    assert resp["Items"] == [{"pk": S(a), "n": N(1)}]
    # So does an OR of equalities on the partition key.
    resp = ddb.execute_statement(
        Statement=f"SELECT pk FROM \"{table}\" WHERE pk = '{a}' OR pk = '{c}' OR pk = '{b}'",
        ReturnConsumedCapacity="TOTAL")
    assert resp["Items"] == [{"pk": S(a)}, {"pk": S(b)}]
    keys = [{"pk": S(k)} for k in (a, c, b)]
    assert resp["ConsumedCapacity"]["CapacityUnits"] == get_units(ddb, table, keys)
    # A value of another type than the key's is no key: the statement scans, and finds nothing.
    resp = ddb.execute_statement(Statement=f"SELECT * FROM \"{table}\" WHERE pk IN [1, 2]")
    assert resp["Items"] == []


def test_in_on_the_partition_key_with_the_sort_key(ddb, ranged):
    a, b = uid(), uid()
    for k in (a, b):
        for sk in (1, 2):
            ddb.put_item(TableName=ranged, Item={"pk": S(k), "sk": N(sk)})
    resp = ddb.execute_statement(
        Statement=f"SELECT * FROM \"{ranged}\" WHERE pk IN ['{a}', '{b}'] AND sk = 2",
        ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert resp["Items"] == [{"pk": S(a), "sk": N(2)}, {"pk": S(b), "sk": N(2)}]
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 2.0
    # Without the sort key: every item of those partitions.
    items = ddb.execute_statement(
        Statement=f"SELECT * FROM \"{ranged}\" WHERE pk IN ['{a}', '{b}']")["Items"]
    assert sorted((i["pk"]["S"], i["sk"]["N"]) for i in items) == \
        sorted((k, s) for k in (a, b) for s in ("1", "2"))


def test_in_with_order_by_the_partition_key(ddb, table):
    a, b, c = sorted(uid() for _ in range(3))
    for k in (a, b, c):
        ddb.put_item(TableName=table, Item={"pk": S(k)})
    pks = lambda resp: [i["pk"]["S"] for i in resp["Items"]]  # noqa: E731
    keys = f"pk IN ['{b}', '{c}', '{a}']"
    assert pks(ddb.execute_statement(
        Statement=f"SELECT pk FROM \"{table}\" WHERE {keys} ORDER BY pk")) == [a, b, c]
    assert pks(ddb.execute_statement(
        Statement=f"SELECT pk FROM \"{table}\" WHERE {keys} ORDER BY pk DESC")) == [c, b, a]
    assert message(ddb.execute_statement, "ValidationException",
                   Statement=f"SELECT * FROM \"{table}\" WHERE {keys} ORDER BY n") == (
        "Variable reference n in ORDER BY clause must be part of the primary key")


def test_in_of_one_value_is_the_key_of_batch_and_transaction_reads(ddb, ranged):
    a = uid()
    ddb.put_item(TableName=ranged, Item={"pk": S(a), "sk": N(1), "v": S("x")})
    one = f"SELECT v FROM \"{ranged}\" WHERE pk IN ['{a}'] AND sk = 1"
    two = f"SELECT v FROM \"{ranged}\" WHERE pk IN ['{a}', 'other'] AND sk = 1"
    responses = ddb.batch_execute_statement(
        Statements=[{"Statement": one}, {"Statement": two}])["Responses"]
    assert responses[0] == {"TableName": ranged, "Item": {"v": S("x")}}
    # Refused before it ran: no TableName.
    assert responses[1] == {"Error": {"Code": "ValidationError", "Message": BATCH_NEEDS_KEY}}
    resp = ddb.execute_transaction(TransactStatements=[{"Statement": one}])
    assert resp["Responses"] == [{"Item": {"v": S("x")}}]
    assert message(ddb.execute_transaction, "ValidationException",
                   TransactStatements=[{"Statement": one}, {"Statement": two}]) == \
        "Validation failed in TransactStatements[1]: " + TXN_NEEDS_KEY


# The refusals of batch and transaction reads


def test_batch_select_without_the_key_or_of_an_index(ddb, ranged):
    a = uid()
    ddb.put_item(TableName=ranged, Item={"pk": S(a), "sk": N(1), "g": S(a)})
    responses = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{ranged}\" WHERE pk = '{a}'"},
        {"Statement": f"SELECT * FROM \"{ranged}\".\"ByG\" WHERE g = '{a}'"},
        {"Statement": f"SELECT * FROM \"{ranged}\" WHERE pk = '{a}' AND sk = 1"},
    ])["Responses"]
    # Refused before they ran: no TableName.
    for r in responses[:2]:
        assert r == {"Error": {"Code": "ValidationError", "Message": BATCH_NEEDS_KEY}}
    assert responses[2]["Item"]["pk"] == S(a)
    # A batch's SELECT is a GetItem: a condition beside the key is refused as well.
    responses = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{ranged}\" WHERE pk = '{a}' AND sk = 1 AND g = '{a}'"},
    ])["Responses"]
    assert responses == [{"Error": {"Code": "ValidationError", "Message": BATCH_NEEDS_KEY}}]


def test_transaction_refusals_name_the_statement(ddb, ranged, table):
    a = uid()

    def refused(*statements):
        return message(ddb.execute_transaction, "ValidationException",
                       TransactStatements=[{"Statement": s} for s in statements])

    get = f"SELECT * FROM \"{ranged}\" WHERE pk = '{a}' AND sk = 1"
    assert refused(get, f"SELECT * FROM \"{ranged}\" WHERE pk = '{a}'") == \
        "Validation failed in TransactStatements[1]: " + TXN_NEEDS_KEY
    assert refused(f"SELECT * FROM \"{ranged}\" WHERE pk = '{a}' AND sk = 1 AND g = 'x'") == \
        "Validation failed in TransactStatements[0]: " + TXN_NEEDS_KEY
    assert refused(get, f"SELECT * FROM \"{ranged}\".\"ByG\" WHERE g = '{a}'") == \
        "Validation failed in TransactStatements[1]: Reads on indices are not supported " \
        "within transactions."
    assert refused(f"UPDATE \"{table}\" SET v = 1 WHERE pk = '{a}' RETURNING ALL NEW *") == \
        "Validation failed in TransactStatements[0]: RETURNING clause is not supported in " \
        "ExecuteTransaction."
    assert refused(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}", "UPDATE SET") == \
        "Validation failed in TransactStatements[1]: " + NOT_WELL_FORMED + "Unexpected keyword"
    assert refused(f"UPDATE \"{table}\" SET v = 1 WHERE v = 2") == (
        "Validation failed in TransactStatements[0]: Where clause does not contain a mandatory "
        "equality on all key attributes")
    assert ddb.get_item(TableName=table, Key={"pk": S(a)}).get("Item") is None


# NextToken


def test_next_token_serves_its_own_statement_only(ddb, ranged):
    a = uid()
    for sk in range(4):
        ddb.put_item(TableName=ranged, Item={"pk": S(a), "sk": N(sk)})
    statement = f"SELECT sk FROM \"{ranged}\" WHERE pk = '{a}'"
    first = ddb.execute_statement(Statement=statement, Limit=2)
    token = first["NextToken"]
    # The same statement written otherwise is another statement.
    for other in (f"SELECT sk FROM \"{ranged}\" WHERE pk='{a}'",
                  f"SELECT * FROM \"{ranged}\" WHERE pk = '{a}'"):
        assert message(ddb.execute_statement, "ValidationException", Statement=other,
                       NextToken=token) == "NextToken does not match request"
    # So is the statement with other parameters; another Limit is the same request.
    with_param = f"SELECT sk FROM \"{ranged}\" WHERE pk = ?"
    first_p = ddb.execute_statement(Statement=with_param, Parameters=[S(a)], Limit=1)
    assert message(ddb.execute_statement, "ValidationException", Statement=with_param,
                   Parameters=[S(a + "x")], NextToken=first_p["NextToken"]) == \
        "NextToken does not match request"
    rest_p = ddb.execute_statement(Statement=with_param, Parameters=[S(a)], Limit=5,
                                   NextToken=first_p["NextToken"])
    assert [i["sk"]["N"] for i in first_p["Items"] + rest_p["Items"]] == ["0", "1", "2", "3"]
    rest = ddb.execute_statement(Statement=statement, Limit=2, NextToken=token)
    assert [i["sk"]["N"] for i in first["Items"] + rest["Items"]] == ["0", "1", "2", "3"]
    assert message(ddb.execute_statement, "ValidationException", Statement=statement,
                   NextToken="bm90IGEgdG9rZW4=") == "Invalid NextToken"


# IS NULL


def test_is_null_is_the_null_type_not_a_missing_attribute(ddb, table):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "x": NULL})
    ddb.put_item(TableName=table, Item={"pk": S(b)})
    keys = f"pk IN ['{a}', '{b}']"

    def pks(cond):
        items = ddb.execute_statement(
            Statement=f"SELECT pk FROM \"{table}\" WHERE {keys} AND {cond}")["Items"]
        return [i["pk"]["S"] for i in items]

    assert pks("x IS NULL") == [a]
    assert pks("x IS MISSING") == [b]
    assert pks("x IS NOT MISSING") == [a]
    # IS [NOT] <type> tests the attribute's type.
    assert pks("x IS NOT STRING AND pk IS STRING") == [a, b]
    assert pks("pk IS NUMERIC OR x IS LIST OR x IS BOOLEAN OR x IS STRUCT") == []
    assert message(ddb.execute_statement, "ValidationException",
                   Statement=f"SELECT * FROM \"{table}\" WHERE x IS INT") == (
        "Unsupported data type for IS operator: INT. Supported data types are [MISSING, NULL, "
        "BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]")
    # attribute_exists and attribute_not_exists, as in condition expressions.
    assert pks("attribute_exists(x)") == [a]
    assert pks("ATTRIBUTE_NOT_EXISTS (x)") == [b]


# Index reads of attributes the index does not project


@pytest.fixture(scope="module")
def indexed(ddb):
    """pk S, sk N; a local index on l (INCLUDE a) and a global one on g (INCLUDE a)."""
    name = uid("pq2i")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "l", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{
            "IndexName": "ByL",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}],
        GlobalSecondaryIndexes=[{
            "IndexName": "ByG",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}])
    return name


def test_index_select_of_attributes_the_index_does_not_project(ddb, indexed):
    a = uid()
    ddb.put_item(TableName=indexed, Item={"pk": S(a), "sk": N(1), "l": N(5), "g": S(a),
                                          "a": S("in"), "b": S("out")})
    # A local index reads what it does not project from the table.
    items = ddb.execute_statement(
        Statement=f"SELECT a, b FROM \"{indexed}\".\"ByL\" WHERE pk = '{a}'")["Items"]
    assert items == [{"a": S("in"), "b": S("out")}]
    # A global one refuses.
    assert message(ddb.execute_statement, "ValidationException",
                   Statement=f"SELECT a, b, c FROM \"{indexed}\".\"ByG\" WHERE g = '{a}'") == (
        "One or more parameter values were invalid: Global secondary index ByG does not "
        "project [b, c]")
    items = ddb.execute_statement(
        Statement=f"SELECT a, pk FROM \"{indexed}\".\"ByG\" WHERE g = '{a}'")["Items"]
    assert items == [{"a": S("in"), "pk": S(a)}]
    # Neither filters on an attribute it does not project.
    for index, key in (("ByL", f"pk = '{a}'"), ("ByG", f"g = '{a}'")):
        assert message(ddb.execute_statement, "ValidationException",
                       Statement=f"SELECT a FROM \"{indexed}\".\"{index}\" WHERE {key} "
                                 "AND b = 'out' AND a = 'in'") == (
            f"One or more parameter values were invalid: Secondary index {index} does not "
            "project one or more filter attributes: [b]")


def test_refusals_in_dynamodbs_words(ddb, table):
    for statement, words in (
            (f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'x')",
             "EXISTS can only be used in ExecuteTransaction write requests."),
            (f"SELECT *, a FROM \"{table}\" WHERE pk = 'x'",
             "Other attributes should not be present in the projection when '*' is used."),
            (f"SELECT a, * FROM \"{table}\" WHERE pk = 'x'",
             "Other attributes should not be present in the projection when '*' is used."),
            (f"INSERT INTO \"{table}\" VALUE {{'pk': 'x'}} RETURNING ALL OLD *",
             "RETURNING is not supported in INSERT")):
        assert message(ddb.execute_statement, "ValidationException", Statement=statement) == words


def test_write_with_two_values_for_one_key_attribute(ddb, table):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a)})
    for statement in (f"UPDATE \"{table}\" SET n = 1 WHERE pk = '{a}' AND pk = '{b}'",
                      f"DELETE FROM \"{table}\" WHERE pk = '{a}' AND pk = '{b}'"):
        assert message(ddb.execute_statement, "ValidationException", Statement=statement) == (
            "Multiple conditions on same key pk. Only single item Update/Insert/Delete are "
            "supported")
    ddb.execute_statement(Statement=f"UPDATE \"{table}\" SET n = 2 WHERE pk = '{a}' AND pk = '{a}'")
    assert ddb.get_item(TableName=table, Key={"pk": S(a)})["Item"] == {"pk": S(a), "n": N(2)}
    # An EXISTS reads the first value's item; the second is its condition, which fails.
    ddb.put_item(TableName=table, Item={"pk": S(b)})
    with_exists = ddb.exceptions.TransactionCanceledException
    try:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = '{a}' AND pk = '{b}')"},
            {"Statement": f"UPDATE \"{table}\" SET n = 3 WHERE pk = '{b}'"}])
        raise AssertionError("not cancelled")
    except with_exists as e:
        reasons = [r["Code"] for r in e.response["CancellationReasons"]]
        assert reasons == ["ConditionalCheckFailed", "None"]


def test_delete_returning_other_than_all_old(ddb, table):
    for returning in ("ALL NEW", "MODIFIED OLD", "MODIFIED NEW"):
        assert message(ddb.execute_statement, "ValidationException",
                       Statement=f"DELETE FROM \"{table}\" WHERE pk = 'x' "
                                 f"RETURNING {returning} *") == (
            f"Invalid returning clause: RETURNING {returning} *. Only RETURNING ALL OLD * is "
            "allowed in DELETE statements.")
