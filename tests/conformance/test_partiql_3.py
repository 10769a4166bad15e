"""PartiQL, third pass: what AWS answers where it differs from the JSON operations.

- A SELECT list path of several steps answers its value under its last name
  (`SELECT mymap.nested` gives {"nested": ...}).
- The FROM clause: an unknown index (no name after the message), three components, an empty
  component, and an index on INSERT, UPDATE and DELETE.
- A filter on an attribute an index does not project is refused only when the read conditions
  the index's partition key; unkeyed, the Scan of the index finds the attribute missing.
- An ordering comparison of a value that has no order (BOOL, NULL, a list) is refused.

AWS's answers as nubo-db/dynamodb-conformance records them (tests/tier2/partiql/,
tests/tier3/error-messages/partiql.test.ts and partiqlIndexQualifier.test.ts).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
"""

import pytest

import support
from partiql_support import all_pages, expect, uid
from values import S, N, BOOL, L, M, NULL, SS

NO_INDEX = "The table does not have the specified index"


@pytest.fixture(scope="module")
def table(ddb):
    name = uid("pq3")
    support.create_table(ddb, name, hash_key=("pk", "S"))
    return name


@pytest.fixture(scope="module")
def indexed(ddb):
    """pk S / sk S with a KEYS_ONLY global index on g, an INCLUDE(inc) one on g too, and a
    KEYS_ONLY local index on l; four items, `np` projected by no index."""
    name = uid("pq3i")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "g", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "gkeys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "ginc", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["inc"]}}],
        LocalSecondaryIndexes=[
            {"IndexName": "lkeys", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                 {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i, g in enumerate(["y", "y", "y", "z"], 1):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": S(f"s{i}"), "g": S(g),
                                           "l": S(f"l{i}"), "inc": S(f"i{i}"),
                                           "np": S(f"np{i}")})
    return name


# -- the SELECT list ------------------------------------------------------------------


def test_a_nested_path_answers_under_its_last_name(ddb, table):
    k = uid()
    ddb.put_item(TableName=table, Item={
        "pk": S(k), "mymap": M({"nested": S("deep"), "other": S("x"),
                                "deep": M({"leaf": N(7)})}),
        "extra": S("no")})
    got = ddb.execute_statement(
        Statement=f"SELECT mymap.nested FROM \"{table}\" WHERE pk = '{k}'")["Items"]
    assert got == [{"nested": S("deep")}]
    # Deeper paths too, beside top-level names; a path to nothing is left out.
    got = ddb.execute_statement(
        Statement=f"SELECT pk, mymap.deep.leaf, mymap.absent FROM \"{table}\" WHERE pk = '{k}'"
    )["Items"]
    assert got == [{"pk": S(k), "leaf": N(7)}]
    # A whole map is the map.
    got = ddb.execute_statement(
        Statement=f"SELECT mymap FROM \"{table}\" WHERE pk = '{k}'")["Items"]
    assert got[0]["mymap"]["M"]["nested"] == S("deep")
    # A Scan and a Query answer the same shape as the single-item read.
    got, _ = all_pages(ddb, f"SELECT mymap.nested FROM \"{table}\" WHERE mymap.nested = 'deep' "
                       f"AND pk = '{k}' OR mymap.other = 'none-such'")
    assert got == [{"nested": S("deep")}]


def test_a_local_index_reads_unprojected_attributes_from_the_table(ddb, indexed):
    got, _ = all_pages(ddb, f"SELECT sk, np FROM \"{indexed}\".\"lkeys\" WHERE pk = 'p'")
    assert sorted(i["sk"]["S"] for i in got) == ["s1", "s2", "s3", "s4"]
    assert all(set(i) == {"sk", "np"} for i in got)


# -- the FROM clause ------------------------------------------------------------------


def test_an_unknown_index_is_named_by_no_name(ddb, indexed):
    expect(ddb, "ValidationException", NO_INDEX,
           f"SELECT * FROM \"{indexed}\".\"no-such-index\" WHERE pk = 'p'")
    # The table's own name is no index of it.
    expect(ddb, "ValidationException", NO_INDEX,
           f"SELECT * FROM \"{indexed}\".\"{indexed}\" WHERE pk = 'p'")


def test_three_components_and_empty_ones(ddb, indexed):
    expect(ddb, "ValidationException",
           "A path may contain at most 2 components in the FROM clause",
           f"SELECT * FROM \"{indexed}\".\"gkeys\".\"extra\" WHERE pk = 'p'")
    expect(ddb, "ValidationException", "Path component cannot be an empty string",
           f"SELECT * FROM \"{indexed}\".\"\" WHERE pk = 'p'")
    # Before the table is looked up: an empty table name is not "not found".
    expect(ddb, "ValidationException", "Path component cannot be an empty string",
           "SELECT * FROM \"\" WHERE pk = 'p'")


def test_writes_refuse_an_index(ddb, indexed):
    msg = expect(ddb, "ValidationException", None,
                 f"INSERT INTO \"{indexed}\".\"gkeys\" VALUE {{'pk': 'w', 'sk': 'w'}}")
    assert "FROM clause may only contain a single table name" in msg["Error"]["Message"]
    # The same whether the index exists or not.
    msg = expect(ddb, "ValidationException", None,
                 f"INSERT INTO \"{indexed}\".\"nope\" VALUE {{'pk': 'w', 'sk': 'w'}}")
    assert "FROM clause may only contain a single table name" in msg["Error"]["Message"]
    expect(ddb, "ValidationException", "This operation is not supported on an index",
           f"UPDATE \"{indexed}\".\"gkeys\" SET inc = 'z' WHERE pk = 'p' AND sk = 's1'")
    expect(ddb, "ValidationException", "This operation is not supported on an index",
           f"DELETE FROM \"{indexed}\".\"gkeys\" WHERE pk = 'p' AND sk = 's1'")
    # Nothing was written.
    got, _ = all_pages(ddb, f"SELECT sk, inc FROM \"{indexed}\" WHERE pk = 'p'")
    assert sorted((i["sk"]["S"], i["inc"]["S"]) for i in got) == [
        ("s1", "i1"), ("s2", "i2"), ("s3", "i3"), ("s4", "i4")]


# -- filters on attributes an index does not project ----------------------------------


def filter_refused(index, attrs):
    return ("One or more parameter values were invalid: Secondary index " + index +
            " does not project one or more filter attributes: [" + ", ".join(attrs) + "]")


def test_a_keyed_read_refuses_an_unprojected_filter(ddb, indexed):
    expect(ddb, "ValidationException", filter_refused("ginc", ["np"]),
           f"SELECT pk FROM \"{indexed}\".\"ginc\" WHERE g = 'y' AND np = 'np1'")
    expect(ddb, "ValidationException", filter_refused("lkeys", ["np"]),
           f"SELECT pk FROM \"{indexed}\".\"lkeys\" WHERE pk = 'p' AND np = 'np1'")
    expect(ddb, "ValidationException", filter_refused("ginc", ["np"]),
           f"SELECT pk FROM \"{indexed}\".\"ginc\" WHERE g = 'y' AND np IS MISSING")
    expect(ddb, "ValidationException", filter_refused("ginc", ["np"]),
           f"SELECT pk FROM \"{indexed}\".\"ginc\" WHERE g = 'y' AND NOT np = 'np1'")
    # IN on the index's partition key is keyed too, though it is read as a Scan.
    expect(ddb, "ValidationException", filter_refused("ginc", ["np"]),
           f"SELECT pk FROM \"{indexed}\".\"ginc\" WHERE g IN ['y', 'z'] AND np = 'np1'")
    # A projected attribute is fine.
    assert len(all_pages(ddb, f"SELECT pk FROM \"{indexed}\".\"ginc\" WHERE g = 'y' "
                         f"AND inc = 'i1'")[0]) == 1


def test_an_unkeyed_read_finds_unprojected_attributes_missing(ddb, indexed):
    assert all_pages(ddb, f"SELECT pk FROM \"{indexed}\".\"ginc\" WHERE np = 'np1'")[0] == []
    assert all_pages(ddb, f"SELECT pk FROM \"{indexed}\".\"lkeys\" WHERE np = 'np1'")[0] == []
    assert all_pages(ddb, f"SELECT pk FROM \"{indexed}\".\"ginc\" "
                     f"WHERE np = 'np1' AND np = 'np2'")[0] == []
    # The negation matches every entry of the index (the table holds one with np1).
    got, _ = all_pages(ddb, f"SELECT sk FROM \"{indexed}\".\"gkeys\" WHERE NOT np = 'np1'")
    assert sorted(i["sk"]["S"] for i in got) == ["s1", "s2", "s3", "s4"]
    # A key condition inside an OR branch does not key the read.
    got, _ = all_pages(ddb, f"SELECT sk FROM \"{indexed}\".\"ginc\" "
                       f"WHERE (g = 'y' AND np = 'np1') OR (g = 'z')")
    assert [i["sk"]["S"] for i in got] == ["s4"]


def test_a_global_index_still_refuses_an_unprojected_attribute_in_the_list(ddb, indexed):
    expect(ddb, "ValidationException",
           "One or more parameter values were invalid: Global secondary index ginc does not "
           "project [np]",
           f"SELECT np FROM \"{indexed}\".\"ginc\" WHERE g = 'y'")


# -- ordering a value that has no order -----------------------------------------------


@pytest.mark.parametrize("value,type_name", [
    (BOOL(True), "BOOL"), (NULL, "NULL"), (L(N(1)), "L"), (M({"a": N(1)}), "M"),
    (SS("a"), "SS")])
def test_an_ordering_of_an_unordered_value_is_refused(ddb, table, value, type_name):
    expect(ddb, "ValidationException",
           "Incorrect operand type for operator or function; operator or function: <, "
           f"operand type: {type_name}",
           f"SELECT pk FROM \"{table}\" WHERE pk = 'x' AND val < ?", value)


def test_orderings_of_ordered_values_run(ddb, table):
    k = uid()
    ddb.put_item(TableName=table, Item={"pk": S(k), "val": N(5)})
    for op, expected in (("<", 0), ("<=", 1), (">=", 1), (">", 0)):
        got = ddb.execute_statement(Statement=f"SELECT pk FROM \"{table}\" "
                                              f"WHERE pk = '{k}' AND val {op} ?",
                                    Parameters=[N(5)])["Items"]
        assert len(got) == expected, op
    expect(ddb, "ValidationException",
           "Incorrect operand type for operator or function; operator or function: >=, "
           "operand type: BOOL",
           f"SELECT pk FROM \"{table}\" WHERE val >= true")
    expect(ddb, "ValidationException",
           "Incorrect operand type for operator or function; operator or function: BETWEEN, "
           "operand type: BOOL",
           f"SELECT pk FROM \"{table}\" WHERE val BETWEEN 1 AND true")


# -- functions and bags: DynamoDB's words, some with a position ------------------------


def at(statement, token, length=None, start=0):
    """ " at 1:<column>:<length>" of the first `token` at or after `start` (one line)."""
    return f" at 1:{statement.index(token, start) + 1}:{length or len(token)}"


@pytest.fixture(scope="module")
def sets_item(ddb, table):
    k = uid("fn")
    ddb.put_item(TableName=table, Item={"pk": S(k), "ss": SS("a", "b", "c"),
                                        "ns": {"NS": ["1", "2", "3"]}, "s": S("str"),
                                        "m": M({"inner": SS("x")})})
    return k


def test_set_add_and_set_delete_refusals(ddb, table, sets_item):
    def update(assignment):
        return f"UPDATE \"{table}\" SET {assignment} WHERE pk = '{sets_item}'"

    st = update("t = set_add(ss, <<'x'>>)")
    expect(ddb, "ValidationException",
           "The first argument to SET_ADD must equal the assignment value" + at(st, "set_add"), st)
    st = update("ss = set_add(<<'a'>>, <<'b'>>)")
    expect(ddb, "ValidationException",
           "The first argument to SET_ADD must equal the assignment value" + at(st, "set_add"), st)
    for second in ("'x'", "['x']"):
        st = update(f"ss = set_add(ss, {second})")
        # The position is the first argument's.
        expect(ddb, "ValidationException",
               "The second argument to SET_ADD must be a value with type SET" +
               at(st, "ss", 2, st.index("set_add(")), st)
    for args in ("ss", "ss, <<'x'>>, <<'y'>>"):
        st = update(f"ss = set_add({args})")
        expect(ddb, "ValidationException",
               "SET_ADD must have exactly two arguments" + at(st, "set_add"), st)
    st = update("t = set_delete(ss, <<'a'>>)")
    expect(ddb, "ValidationException",
           "The first argument to SET_DELETE must equal the assignment value" +
           at(st, "set_delete"), st)
    st = update("ss = set_delete(ss, 'a')")
    expect(ddb, "ValidationException",
           "The second argument to SET_DELETE must be a value with type SET" +
           at(st, "ss", 2, st.index("set_delete(")), st)
    # Types are the update's to check once the item is read.
    wrong_type = "An operand in the update expression has an incorrect data type"
    for assignment in ("ss = set_add(ss, <<1>>)", "s = set_add(s, <<'x'>>)",
                       "ss = set_delete(ss, <<1>>)"):
        expect(ddb, "ValidationException", wrong_type, update(assignment))
    expect(ddb, "ValidationException",
           "One or more parameter values were invalid: Input collection [x, x] contains "
           "duplicates.", update("ss = set_add(ss, <<'x', 'x'>>)"))
    expect(ddb, "ValidationException", "Empty bags are not supported",
           update("ss = set_add(ss, <<>>)"))
    expect(ddb, "ValidationException",
           "Statement wasn't well formed, can't be processed: Invalid path dot component",
           update("m.inner = set_add(m.inner, <<'y'>>)"))
    # None of it changed the item; a good set_add does.
    ddb.execute_statement(Statement=update("ss = set_add(ss, <<'d'>>)"))
    item = ddb.get_item(TableName=table, Key={"pk": S(sets_item)})["Item"]
    assert sorted(item["ss"]["SS"]) == ["a", "b", "c", "d"] and "t" not in item


def test_functions_where_they_do_not_belong(ddb, table, sets_item):
    where = f"SELECT * FROM \"{table}\" WHERE pk = '{sets_item}' AND "
    st = where + "set_add(ss, <<'x'>>) = ss"
    expect(ddb, "ValidationException", "Unrecognized function: set_add" + at(st, "set_add"), st)
    st = where + "EXISTS(ss)"
    expect(ddb, "ValidationException", "Unrecognized function: exists" + at(st, "EXISTS"), st)
    st = f"SELECT attribute_exists(ss) FROM \"{table}\" WHERE pk = '{sets_item}'"
    expect(ddb, "ValidationException",
           "Unexpected path component" + at(st, "attribute_exists"), st)
    st = (f"INSERT INTO \"{table}\" VALUE {{'pk': '{uid()}', "
          f"'ss': set_add(<<'a'>>, <<'b'>>)}}")
    expect(ddb, "ValidationException",
           "Unsupported data type: set_add under key root" + at(st, "set_add"), st)


def test_attribute_exists_operands(ddb, table, sets_item):
    where = f"SELECT * FROM \"{table}\" WHERE pk = '{sets_item}' AND "
    needs_path = ("Operator or function requires a document path; operator or function: "
                  "attribute_exists")
    expect(ddb, "ValidationException", needs_path, where + "attribute_exists('ss')")
    expect(ddb, "ValidationException", needs_path, where + "attribute_exists(?)", S("ss"))
    for args, n in (("", 0), ("ss, ns", 2)):
        expect(ddb, "ValidationException",
               "Incorrect number of operands for operator or function; operator or function: "
               f"attribute_exists, number of operands: {n}",
               where + f"attribute_exists({args})")
    assert len(ddb.execute_statement(Statement=where + "attribute_exists(ss)")["Items"]) == 1


def test_bags_dynamodb_cannot_store(ddb, table):
    def insert(bag):
        return f"INSERT INTO \"{table}\" VALUE {{'pk': '{uid()}', 's': {bag}}}"

    expect(ddb, "ValidationException", "Empty bags are not supported", insert("<<>>"))
    for bag in ("<<1, 'a'>>", "<<true>>", "<<[1]>>"):
        expect(ddb, "ValidationException",
               "Unsupported data type in Bag. DynamoDB only supports either numbers or strings "
               "in bags", insert(bag))
    expect(ddb, "ValidationException",
           "One or more parameter values were invalid: Input collection [a, b, a] contains "
           "duplicates.", insert("<<'a', 'b', 'a'>>"))
    expect(ddb, "ValidationException",
           "One or more parameter values were invalid: Input collection [1, 2, 1] contains "
           "duplicates.", insert("<<1, 2, 1.0>>"))


# -- statements as AWS runs them ---------------------------------------------------------


def test_delete_of_a_missing_item_ignores_its_condition(ddb, table):
    k = uid()
    resp = ddb.execute_statement(
        Statement=f"DELETE FROM \"{table}\" WHERE pk = '{k}' AND \"name\" = 'x'")
    assert resp["Items"] == []
    # An existing item must still meet it.
    ddb.put_item(TableName=table, Item={"pk": S(k), "name": S("y")})
    expect(ddb, "ConditionalCheckFailedException", "The conditional request failed",
           f"DELETE FROM \"{table}\" WHERE pk = '{k}' AND \"name\" = 'x'")
    ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = '{k}' AND \"name\" = 'y'")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S(k)})


def test_from_first_update(ddb, table):
    k = uid()
    ddb.put_item(TableName=table, Item={"pk": S(k), "a": N(1), "b": S("x")})
    ddb.execute_statement(Statement=f"FROM \"{table}\" WHERE pk = '{k}' SET c = 1 REMOVE b")
    got = ddb.execute_statement(
        Statement=f"from \"{table}\" where pk = ? AND a = 1 set d = ? RETURNING ALL NEW *",
        Parameters=[S(k), N(7)])["Items"]
    assert got == [{"pk": S(k), "a": N(1), "c": N(1), "d": N(7)}]
    expect(ddb, "ConditionalCheckFailedException", "The conditional request failed",
           f"FROM \"{table}\" WHERE pk = '{k}' AND a = 2 SET c = 5")
    expect(ddb, "ConditionalCheckFailedException", "The conditional request failed",
           f"FROM \"{table}\" WHERE pk = '{uid()}' SET c = 1")
    expect(ddb, "ValidationException",
           "Where clause does not contain a mandatory equality on all key attributes",
           f"FROM \"{table}\" SET c = 1")
    expect(ddb, "ValidationException",
           "Statement wasn't well formed, can't be processed: Unexpected token after expression",
           f"FROM \"{table}\" SET c = 1 WHERE pk = '{k}'")
    expect(ddb, "ResourceNotFoundException", None,
           f"FROM \"{uid('never')}\" WHERE pk = 'x' SET c = 1")
    # In a transaction and a batch too.
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"FROM \"{table}\" WHERE pk = '{k}' SET e = 2"}])
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"FROM \"{table}\" WHERE pk = '{k}' SET f = 3"}])
    assert "Error" not in resp["Responses"][0]
    item = ddb.get_item(TableName=table, Key={"pk": S(k)})["Item"]
    assert item == {"pk": S(k), "a": N(1), "c": N(1), "d": N(7), "e": N(2), "f": N(3)}


def test_a_test_compared_with_true_or_false(ddb, table):
    k = uid()
    ddb.put_item(TableName=table, Item={"pk": S(k), "ss": SS("a"), "flag": BOOL(True),
                                        "s": S("str")})
    where = f"SELECT pk FROM \"{table}\" WHERE pk = '{k}' AND "
    for condition, found in (("attribute_exists(ss) = true", 1),
                             ("attribute_exists(ss) = false", 0),
                             ("true = attribute_exists(nope)", 0),
                             ("attribute_exists(nope) <> true", 1),
                             ("begins_with(s, 'st') = true", 1),
                             ("flag IS BOOL", 1), ("s IS BOOL", 0), ("s IS NOT BOOL", 1)):
        got = ddb.execute_statement(Statement=where + condition)["Items"]
        assert len(got) == found, condition


def test_batch_answers_as_aws_shapes_them(ddb, table):
    k = uid()
    ddb.put_item(TableName=table, Item={"pk": S(k), "data": S("x")})
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"UPDATE \"{table}\" REMOVE data WHERE pk = '{k}' RETURNING MODIFIED NEW *"},
    ])["Responses"]
    # Nothing modified is left to return: no Item.
    assert resp == [{"TableName": table}]
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE val = 'a'"}])["Responses"]
    # Refused before it ran: no TableName.
    assert resp == [{"Error": {
        "Code": "ValidationError",
        "Message": "Select statements within BatchExecuteStatement must specify the primary key "
                   "in the where clause."}}]


def test_number_parameters_that_cannot_be_read(ddb, table):
    k = uid()
    for text in ("1e99999999999", "-1e99999999999", "1e-99999999999", "1e2147483648",
                 "1e-2147483648"):
        message = f"The parameter cannot be converted to a numeric value: {text}"
        expect(ddb, "ValidationException", message,
               f"SELECT * FROM \"{table}\" WHERE pk = '{k}' AND n = ?", N(text))
        expect(ddb, "ValidationException", message,
               f"INSERT INTO \"{table}\" VALUE {{'pk': '{k}', 'n': ?}}", N(text))
    message = "The parameter cannot be converted to a numeric value: 1e99999999999"
    for value in (L(N(1), N("1e99999999999")), M({"x": N("1e99999999999")}),
                  {"NS": ["1", "1e99999999999"]}):
        expect(ddb, "ValidationException", message,
               f"SELECT * FROM \"{table}\" WHERE pk = '{k}' AND n = ?", value)
    # A transaction reports it without the statement's position; a batch for the member.
    support.expect_error(ddb.execute_transaction, "ValidationException", message,
                         TransactStatements=[{
                             "Statement": f"UPDATE \"{table}\" SET n = ? WHERE pk = '{k}'",
                             "Parameters": [N("1e99999999999")]}])
    resp = ddb.batch_execute_statement(Statements=[{
        "Statement": f"SELECT * FROM \"{table}\" WHERE pk = '{k}' AND n = ?",
        "Parameters": [N("1e99999999999")]}])["Responses"]
    assert resp == [{"Error": {"Code": "ValidationError", "Message": message}}]
    # 1e2147483647 reads, but its size (digits less scale) wraps a 32-bit integer, as AWS
    # computes it: an underflow.
    expect(ddb, "ValidationException",
           "Number underflow. Attempting to store a number with magnitude smaller than supported "
           "range", f"SELECT * FROM \"{table}\" WHERE pk = '{k}' AND n = ?", N("1e2147483647"))
    # One that reads but is out of range keeps its message.
    expect(ddb, "ValidationException",
           "Number overflow. Attempting to store a number with magnitude larger than supported "
           "range", f"SELECT * FROM \"{table}\" WHERE pk = '{k}' AND n = ?", N("1e126"))


def test_transaction_replay_reports_read_units(ddb, table):
    k = uid()
    token = uid("tok")
    statements = [{"Statement": f"UPDATE \"{table}\" SET n = 1 WHERE pk = '{k}'"},
                  {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': '{k}x'}}"}]
    ddb.put_item(TableName=table, Item={"pk": S(k)})
    first = ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token,
                                    ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    again = ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token,
                                    ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert first == [{"TableName": table, "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]
    assert again == [{"TableName": table, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]


def test_a_bare_type_test_is_no_statement(ddb):
    for statement in ("x IS INT4", "x IS DOUBLE PRECISION", "\"x\" IS CHARACTER VARYING"):
        expect(ddb, "ValidationException", "Unsupported operation: IsType", statement)
