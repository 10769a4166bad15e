"""ExecuteStatement: DynamoDB's PartiQL, one statement at a time. SELECT as
GetItem / Query (forwards and backwards) / Scan with Limit and NextToken and
index reads; INSERT, UPDATE and DELETE with conditions and RETURNING; literals
of every type and `?` parameters; DynamoDB's errors; and a write through
PartiQL leaving the same item, index entries and stream record as the same
write through PutItem / UpdateItem / DeleteItem. Also the AWS CLI.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
"""

import json
import os
import shutil
import subprocess

import pytest

import stream_support
import support
from partiql_support import all_pages, expect, run
from values import S, N, BOOL, NULL, SS, NS

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
MISSING_KEY = "Where clause does not contain a mandatory equality on all key attributes"
PARAM_COUNT = "Number of parameters in request and statement don't match."


def uid(prefix="k"):
    return support.unique_name(prefix)


@pytest.fixture(scope="module")
def music(ddb):
    """A hash-range table (Artist, Song) with a GSI on Year (N) + Song, and 30 songs."""
    name = uid("pq")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"},
                              {"AttributeName": "Song", "AttributeType": "S"},
                              {"AttributeName": "Year", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"},
                   {"AttributeName": "Song", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "ByYear",
            "KeySchema": [{"AttributeName": "Year", "KeyType": "HASH"},
                          {"AttributeName": "Song", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])
    for i in range(30):
        item = {"Artist": S("a%d" % (i % 3)), "Song": S("s%02d" % i), "Year": N(1990 + i % 2),
                "Plays": N(i)}
        ddb.put_item(TableName=name, Item=item)
    return name


# -- SELECT ----------------------------------------------------------------------


def test_select_full_key_is_one_item(ddb, music):
    resp = run(ddb, f'SELECT * FROM "{music}" WHERE Artist = ? AND Song = ?', S("a1"), S("s01"))
    assert resp["Items"] == [{"Artist": S("a1"), "Song": S("s01"), "Year": N(1991), "Plays": N(1)}]
    assert "NextToken" not in resp
    none = run(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a1\' AND Song = \'nope\'')
    assert none["Items"] == []
    # The rest of the WHERE clause filters the one item.
    filtered = run(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a1\' AND Song = \'s01\' AND Plays > 5')
    assert filtered["Items"] == []


def test_select_partition_is_a_query_in_key_order(ddb, music):
    items, _ = all_pages(ddb, f'SELECT Song FROM "{music}" WHERE Artist = \'a0\'')
    assert [i["Song"]["S"] for i in items] == ["s%02d" % i for i in range(0, 30, 3)]
    assert all(list(i) == ["Song"] for i in items)
    back, _ = all_pages(ddb, f'SELECT Song FROM "{music}" WHERE Artist = \'a0\' ORDER BY Song DESC')
    assert [i["Song"]["S"] for i in back] == ["s%02d" % i for i in range(27, -1, -3)]
    ranged, _ = all_pages(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a0\' AND Song BETWEEN \'s03\' AND \'s09\'')
    assert [i["Song"]["S"] for i in ranged] == ["s03", "s06", "s09"]
    begins, _ = all_pages(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a0\' AND begins_with(Song, \'s1\')')
    assert [i["Song"]["S"] for i in begins] == ["s12", "s15", "s18"]


def test_select_pages_with_limit_and_next_token(ddb, music):
    first = run(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a2\'', Limit=4)
    assert len(first["Items"]) == 4
    assert first["NextToken"]
    items, pages = all_pages(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a2\'', Limit=4)
    assert len(items) == 10 and pages == 3
    # Limit counts items evaluated, not items returned.
    filtered = run(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a2\' AND Plays > 20', Limit=4)
    assert filtered["Items"] == [] and filtered["NextToken"]
    scanned, pages = all_pages(ddb, f'SELECT * FROM "{music}"', Limit=7)
    assert len(scanned) == 30 and pages == 5
    expect(ddb, "ValidationException", None, f'SELECT * FROM "{music}"', NextToken="not-a-token")


def test_select_scan_with_conditions(ddb, music):
    items, _ = all_pages(ddb, f'SELECT * FROM "{music}" WHERE Plays >= 25 OR Song = \'s00\'')
    assert sorted(i["Song"]["S"] for i in items) == ["s00", "s25", "s26", "s27", "s28", "s29"]
    items, _ = all_pages(ddb, f'SELECT * FROM "{music}" WHERE Plays IN [1, 2, 3] AND NOT Artist = \'a1\'')
    assert sorted(i["Song"]["S"] for i in items) == ["s02", "s03"]
    items, _ = all_pages(ddb, f'SELECT * FROM "{music}" WHERE Nope IS MISSING AND Plays < 2')
    assert len(items) == 2
    items, _ = all_pages(ddb, f'SELECT * FROM "{music}" WHERE Plays IS NOT MISSING AND attribute_type(Plays, \'N\') AND size(Song) = 3 AND contains(Song, \'29\')')
    assert [i["Song"]["S"] for i in items] == ["s29"]


def test_select_index(ddb, music):
    items, _ = all_pages(ddb, f'SELECT Song, "Year" FROM "{music}"."ByYear" WHERE "Year" = 1991 ORDER BY Song DESC')
    assert [i["Song"]["S"] for i in items] == ["s%02d" % i for i in range(29, 0, -2)]
    expect(ddb, "ValidationException", "The table does not have the specified index",
           f'SELECT * FROM "{music}"."Nope"')
    expect(ddb, "ValidationException",
           "Strongly consistent read is not supported on Global Secondary Indexes",
           f'SELECT * FROM "{music}"."ByYear" WHERE "Year" = 1991', ConsistentRead=True)


def test_select_order_by_needs_a_partition_key(ddb, music):
    expect(ddb, "ValidationException",
           "Must have WHERE clause in the statement when using ORDER BY clause.",
           f'SELECT * FROM "{music}" ORDER BY Song')
    expect(ddb, "ValidationException",
           "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
           f'SELECT * FROM "{music}" WHERE Plays > 3 ORDER BY Song')
    expect(ddb, "ValidationException",
           "Variable reference Plays in ORDER BY clause must be part of the primary key",
           f'SELECT * FROM "{music}" WHERE Artist = \'a0\' ORDER BY Plays')


def test_select_consumed_capacity(ddb, music):
    resp = run(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a1\' AND Song = \'s01\'',
               ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert resp["ConsumedCapacity"] == {"TableName": music, "CapacityUnits": 1.0}
    resp = run(ddb, f'SELECT * FROM "{music}" WHERE Artist = \'a1\'', ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["TableName"] == music


# -- INSERT / UPDATE / DELETE ----------------------------------------------------


@pytest.fixture
def table(ddb):
    name = uid("pqw")
    support.create_table(ddb, name, hash_key=("pk", "S"))
    return name


def get(ddb, table, pk):
    return ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True).get("Item")


def test_insert_literals_of_every_type(ddb, table):
    resp = run(ddb, f"""INSERT INTO "{table}" VALUE {{'pk': 'k1', 's': 'it''s', 'n': -12.50, 'e': 1e3,
        'b': true, 'f': false, 'z': null, 'l': [1, 'two', [3]], 'm': {{'x': {{'y': 'deep'}}}},
        'ss': <<'a', 'b'>>, 'ns': <<1, 2.5>>, 'gone': MISSING, 'p': ?, 'bin': ?}}""",
               N(7), {"B": b"\x00\x01"})
    assert resp["Items"] == []
    assert get(ddb, table, "k1") == {
        "pk": S("k1"), "s": S("it's"), "n": N("-12.5"), "e": N(1000), "b": BOOL(True),
        "f": BOOL(False), "z": NULL, "l": {"L": [N(1), S("two"), {"L": [N(3)]}]},
        "m": {"M": {"x": {"M": {"y": S("deep")}}}}, "ss": SS("a", "b"), "ns": NS("1", "2.5"),
        "p": N(7), "bin": {"B": b"\x00\x01"}}


def test_insert_of_an_existing_item_is_a_duplicate(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'd', 'v': 1}}")
    expect(ddb, "DuplicateItemException", "Duplicate primary key exists in table",
           f"INSERT INTO \"{table}\" VALUE {{'pk': 'd', 'v': 2}}")
    assert get(ddb, table, "d")["v"] == N(1)


def test_insert_needs_the_key(ddb, table):
    expect(ddb, "ValidationException", None, f"INSERT INTO \"{table}\" VALUE {{'v': 1}}")


def test_update_set_remove_and_functions(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": S("u"), "n": N(1), "l": {"L": [N(1)]}, "ss": SS("a"),
                                        "gone": S("x")})
    resp = run(ddb, f"""UPDATE "{table}" SET n = n + 5 SET l = list_append(l, [2])
        SET ss = set_add(ss, <<'b'>>) SET m.x = 1 REMOVE gone WHERE pk = 'u' RETURNING ALL NEW *"""
               .replace("SET m.x = 1 ", "SET t = ? "), S("new"))
    want = {"pk": S("u"), "n": N(6), "l": {"L": [N(1), N(2)]}, "ss": SS("a", "b"), "t": S("new")}
    assert resp["Items"] == [want]
    assert get(ddb, table, "u") == want
    resp = run(ddb, f"UPDATE \"{table}\" SET n = n - 1 WHERE pk = 'u' RETURNING MODIFIED OLD *")
    assert resp["Items"] == [{"n": N(6)}]
    resp = run(ddb, f"UPDATE \"{table}\" SET ss = set_delete(ss, <<'a'>>) WHERE pk = 'u' RETURNING MODIFIED NEW *")
    assert resp["Items"] == [{"ss": SS("b")}]
    resp = run(ddb, f"UPDATE \"{table}\" SET n = 0 WHERE pk = 'u' RETURNING ALL OLD *")
    assert resp["Items"][0]["n"] == N(5)
    assert run(ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'u'")["Items"] == []


def test_update_of_a_missing_item_fails_its_condition(ddb, table):
    expect(ddb, "ConditionalCheckFailedException", "The conditional request failed",
           f"UPDATE \"{table}\" SET v = 1 WHERE pk = 'absent'")
    assert get(ddb, table, "absent") is None


def test_write_conditions_and_return_values_on_failure(ddb, emulator, table):
    ddb.put_item(TableName=table, Item={"pk": S("c"), "v": N(1)})
    # Sent by hand: older SDKs do not know ReturnValuesOnConditionCheckFailure here.
    status, _, body = support.raw_request(
        emulator.endpoint, "DynamoDB_20120810.ExecuteStatement",
        json.dumps({"Statement": f"UPDATE \"{table}\" SET v = 2 WHERE pk = 'c' AND v = 5",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}))
    kind, doc = support.error_type(body)
    assert (status, kind, doc["message"]) == (400, "ConditionalCheckFailedException",
                                              "The conditional request failed")
    assert doc["Item"] == {"pk": S("c"), "v": N(1)}
    resp = expect(ddb, "ConditionalCheckFailedException", None,
                  f"DELETE FROM \"{table}\" WHERE pk = 'c' AND v > 1")
    assert "Item" not in resp
    run(ddb, f"UPDATE \"{table}\" SET v = 2 WHERE pk = 'c' AND v = 1")
    assert get(ddb, table, "c")["v"] == N(2)


def test_delete(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": S("del"), "v": N(1)})
    resp = run(ddb, f"DELETE FROM \"{table}\" WHERE pk = ? RETURNING ALL OLD *", S("del"))
    assert resp["Items"] == [{"pk": S("del"), "v": N(1)}]
    assert get(ddb, table, "del") is None
    # Deleting what is not there succeeds, as DeleteItem does.
    assert run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'del'")["Items"] == []
    resp = run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'del'", ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}


# -- errors ----------------------------------------------------------------------


def test_syntax_errors(ddb, table):
    expect(ddb, "ValidationException", NOT_WELL_FORMED + "Unexpected token after expression",
           f'SELECT * FROM "{table}" WHERE pk = 1 foo')
    expect(ddb, "ValidationException", NOT_WELL_FORMED + "Unexpected term", f'SELECT * FROM "{table}" WHERE')
    expect(ddb, "ValidationException", "Aliasing is not supported", f'SELECT * FROM "{table}" t')
    expect(ddb, "ValidationException", NOT_WELL_FORMED + "Expected identifier for simple path", "DELETE FROM")
    expect(ddb, "ValidationException", "Unsupported operation: LIKE",
           f"SELECT * FROM \"{table}\" WHERE pk LIKE 'a%'")


def test_parameters(ddb, table):
    expect(ddb, "ValidationException", PARAM_COUNT, f'SELECT * FROM "{table}" WHERE pk = ?')
    expect(ddb, "ValidationException", PARAM_COUNT, f'SELECT * FROM "{table}" WHERE pk = ?', S("a"), S("b"))
    expect(ddb, "ValidationException", PARAM_COUNT, f"SELECT * FROM \"{table}\" WHERE pk = 'a'", S("a"))


def test_request_constraints(ddb_raw, table):
    support.expect_error(
        ddb_raw.execute_statement, "ValidationException",
        "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        Statement=f'SELECT * FROM "{table}" WHERE pk = ?', Parameters=[])
    support.expect_error(ddb_raw.execute_statement, "ValidationException", None,
                         Statement="x" * 8193)
    support.expect_error(ddb_raw.execute_statement, "ValidationException", None,
                         Statement=f'SELECT * FROM "{table}"', Limit=0)


def test_unknown_table_and_missing_key(ddb, table):
    expect(ddb, "ResourceNotFoundException", "Requested resource not found",
           f'SELECT * FROM "{table}-never"')
    expect(ddb, "ValidationException", MISSING_KEY, f"UPDATE \"{table}\" SET v = 1 WHERE v = 2")
    expect(ddb, "ValidationException", MISSING_KEY, f"DELETE FROM \"{table}\" WHERE pk = 'a' OR pk = 'b'")


# -- the same write, two ways ----------------------------------------------------


def test_partiql_writes_match_the_item_operations(ddb, emulator):
    """The same writes through PartiQL and through PutItem/UpdateItem/DeleteItem on two
    tables with a GSI and a stream leave the same items, index entries and stream records."""
    gsi = [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]
    a, b = uid("pqa"), uid("pqb")
    for name in (a, b):
        stream_support.create_stream_table(ddb, name, hash_key=("pk", "S"), gsis=gsi,
                                           extra_attrs=[("g", "S")])
    # a: PartiQL
    run(ddb, f"INSERT INTO \"{a}\" VALUE {{'pk': 'x', 'g': 'G', 'n': 1}}")
    run(ddb, f"UPDATE \"{a}\" SET n = n + 1 SET g = 'H' WHERE pk = 'x'")
    run(ddb, f"INSERT INTO \"{a}\" VALUE {{'pk': 'y', 'g': 'G'}}")
    run(ddb, f"DELETE FROM \"{a}\" WHERE pk = 'y'")
    # b: the item operations
    ddb.put_item(TableName=b, Item={"pk": S("x"), "g": S("G"), "n": N(1)},
                 ConditionExpression="attribute_not_exists(pk)")
    ddb.update_item(TableName=b, Key={"pk": S("x")}, UpdateExpression="SET n = n + :one, g = :h",
                    ExpressionAttributeValues={":one": N(1), ":h": S("H")},
                    ConditionExpression="attribute_exists(pk)")
    ddb.put_item(TableName=b, Item={"pk": S("y"), "g": S("G")})
    ddb.delete_item(TableName=b, Key={"pk": S("y")})

    def state(name):
        items = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
        index = {g: ddb.query(TableName=name, IndexName="ByG", KeyConditionExpression="g = :g",
                              ExpressionAttributeValues={":g": S(g)})["Items"] for g in ("G", "H")}
        streams = stream_support.streams_client(emulator.endpoint)
        arn = stream_support.stream_arn(ddb, name)
        shard = stream_support.describe(streams, arn)["Shards"][0]["ShardId"]
        records, _ = stream_support.drain(streams, stream_support.iterator(streams, arn, shard))
        recs = [(r["eventName"], r["dynamodb"].get("Keys"), r["dynamodb"].get("OldImage"),
                 r["dynamodb"].get("NewImage"), r["dynamodb"]["StreamViewType"]) for r in records]
        return items, index, recs

    sa, sb = state(a), state(b)
    assert sa == sb
    assert [r[0] for r in sa[2]] == ["INSERT", "MODIFY", "INSERT", "REMOVE"]
    assert sa[1]["H"] == [{"pk": S("x"), "g": S("H"), "n": N(2)}]
    assert sa[1]["G"] == []


# -- the AWS CLI -----------------------------------------------------------------

AWS = os.environ.get("AWS_CLI", "/usr/bin/aws")


@pytest.mark.skipif(not shutil.which(AWS), reason=f"AWS CLI not found at {AWS}")
def test_cli_execute_statement(emulator, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": support.unique_key("AKIDPQ"), "AWS_SECRET_ACCESS_KEY": "s",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1",
                "AWS_CONFIG_FILE": str(tmp_path / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
                "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(tmp_path)})

    def cli(*args):
        cmd = [AWS, "dynamodb", *args, "--endpoint-url", emulator.endpoint, "--output", "json"]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)

    name = uid("pqcli")
    assert cli("create-table", "--table-name", name, "--billing-mode", "PAY_PER_REQUEST",
               "--attribute-definitions", "AttributeName=pk,AttributeType=S",
               "--key-schema", "AttributeName=pk,KeyType=HASH").returncode == 0
    p = cli("execute-statement", "--statement", f"INSERT INTO \"{name}\" VALUE {{'pk': 'c', 'v': ?}}",
            "--parameters", '[{"N": "3"}]')
    assert p.returncode == 0, p.stderr
    p = cli("execute-statement", "--statement", f"SELECT v FROM \"{name}\" WHERE pk = 'c'")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Items"] == [{"v": {"N": "3"}}]
    p = cli("execute-statement", "--statement", f"INSERT INTO \"{name}\" VALUE {{'pk': 'c'}}")
    assert p.returncode != 0 and "DuplicateItemException" in p.stderr
