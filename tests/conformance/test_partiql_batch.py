"""BatchExecuteStatement: 1 to 25 PartiQL statements, all reads or all
writes, each answered in request order with its own TableName and, where it
failed, its own Error {Code, Message, Item}; a failing statement does not stop
the others. Full-key SELECTs, INSERT / UPDATE / DELETE with and without
conditions, parameters, failures in every position (a duplicate INSERT, a
failed condition with and without ReturnValuesOnConditionCheckFailure, a
statement that does not parse, a missing table, a SELECT without the full
key), the request-level refusals (mixed reads and writes, one item twice, the
statement limits), ConsumedCapacity, and the AWS CLI.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchStatementError.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.multiplestatements.batching.html
"""

import json
import os
import shutil
import subprocess

import pytest

from partiql_support import (CCF, CCF_MESSAGE, DUPLICATE_ITEM_MESSAGE, NOT_WELL_FORMED,
                             expect_error, get, index_members, make_table, raw_call, st,
                             table_with_index, uid)
import stream_support as ss
import support
from values import S, N

# The request-level refusals, as DynamoDB words them (recorded from DynamoDB's answers by
# other emulators' suites; DynamoDB does not document the texts).
MIXED = "Read and write requests together in the same batch is not supported."
DUPLICATES = "Provided list of item keys contains duplicates"


def batch(ddb, *statements, **kwargs):
    resp = ddb.batch_execute_statement(Statements=list(statements), **kwargs)
    return resp


@pytest.fixture(scope="module")
def table(ddb):
    return make_table(ddb, "pb", ("pk", "S"))


@pytest.fixture(scope="module")
def range_table(ddb):
    return make_table(ddb, "pbr", ("pk", "S"), ("sk", "N"))


# --------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------

def test_inserts_each_answered_with_the_table(ddb, table):
    keys = [uid() for _ in range(3)]
    resp = batch(ddb, *[st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{k}', 'n': {i}}}")
                        for i, k in enumerate(keys)])
    assert resp["Responses"] == [{"TableName": table}] * 3
    for i, k in enumerate(keys):
        assert get(ddb, table, {"pk": S(k)}) == {"pk": S(k), "n": N(i)}


def test_update_delete_and_insert_together(ddb, table, range_table):
    a, b, c = uid(), uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1)})
    ddb.put_item(TableName=range_table, Item={"pk": S(b), "sk": N(2), "x": S("old")})
    resp = batch(ddb,
                 st(f"UPDATE \"{table}\" SET n = n + 5 SET tag = 'new' WHERE pk = '{a}'"),
                 st(f"DELETE FROM \"{range_table}\" WHERE pk = '{b}' AND sk = 2"),
                 st(f"INSERT INTO \"{range_table}\" VALUE {{'pk': '{c}', 'sk': 7}}"))
    assert resp["Responses"] == [{"TableName": table}, {"TableName": range_table},
                                 {"TableName": range_table}]
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "n": N(6), "tag": S("new")}
    assert get(ddb, range_table, {"pk": S(b), "sk": N(2)}) is None
    assert get(ddb, range_table, {"pk": S(c), "sk": N(7)}) == {"pk": S(c), "sk": N(7)}


def test_parameters_are_bound_per_statement(ddb, table):
    a, b = uid(), uid()
    resp = batch(ddb,
                 st(f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'n': ?}}", S(a), N(10)),
                 st(f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'n': ?}}", S(b), N(20)))
    assert [r.get("Error") for r in resp["Responses"]] == [None, None]
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "n": N(10)}
    assert get(ddb, table, {"pk": S(b)}) == {"pk": S(b), "n": N(20)}


def _three_inserts_failing_at(ddb, table, position):
    keys = [uid() for _ in range(3)]
    ddb.put_item(TableName=table, Item={"pk": S(keys[position]), "n": N(99)})
    resp = batch(ddb, *[st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{k}', 'n': {i}}}")
                        for i, k in enumerate(keys)])
    return keys, resp["Responses"]


@pytest.mark.parametrize("position", [0, 1, 2])
def test_duplicate_insert_fails_alone_in_every_position(ddb, table, position):
    keys, responses = _three_inserts_failing_at(ddb, table, position)
    assert len(responses) == 3
    for i, r in enumerate(responses):
        if i == position:
            # a failed statement names its table too (BatchStatementResponse.TableName)
            assert r == {"TableName": table,
                         "Error": {"Code": "DuplicateItem", "Message": DUPLICATE_ITEM_MESSAGE}}
            # the item already there is untouched
            assert get(ddb, table, {"pk": S(keys[i])}) == {"pk": S(keys[i]), "n": N(99)}
        else:
            assert r == {"TableName": table}
            assert get(ddb, table, {"pk": S(keys[i])}) == {"pk": S(keys[i]), "n": N(i)}


@pytest.mark.parametrize("position", [0, 1, 2])
def test_failed_condition_in_every_position(ddb, table, position):
    keys = [uid() for _ in range(3)]
    for k in keys:
        ddb.put_item(TableName=table, Item={"pk": S(k), "n": N(1)})
    statements = []
    for i, k in enumerate(keys):
        wanted = 2 if i == position else 1
        statements.append(st(f"UPDATE \"{table}\" SET n = 7 WHERE pk = '{k}' AND n = {wanted}"))
    responses = batch(ddb, *statements)["Responses"]
    for i, (k, r) in enumerate(zip(keys, responses)):
        if i == position:
            assert r["Error"] == {"Code": CCF, "Message": CCF_MESSAGE}
            assert get(ddb, table, {"pk": S(k)}) == {"pk": S(k), "n": N(1)}
        else:
            assert "Error" not in r, r
            assert get(ddb, table, {"pk": S(k)}) == {"pk": S(k), "n": N(7)}


def test_all_old_returns_the_item_with_the_failed_condition(emulator, ddb, table):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1), "x": S("kept")})
    ddb.put_item(TableName=table, Item={"pk": S(b), "n": N(1)})
    status, out = raw_call(emulator, "BatchExecuteStatement", {"Statements": [
        st(f"DELETE FROM \"{table}\" WHERE pk = '{a}' AND n = 2",
           ReturnValuesOnConditionCheckFailure="ALL_OLD"),
        st(f"UPDATE \"{table}\" SET n = 3 WHERE pk = '{b}' AND n = 2",
           ReturnValuesOnConditionCheckFailure="NONE")]})
    assert status == 200, out
    responses = out["Responses"]
    assert responses[0]["Error"] == {"Code": CCF, "Message": CCF_MESSAGE,
                                     "Item": {"pk": S(a), "n": N(1), "x": S("kept")}}
    assert responses[1]["Error"] == {"Code": CCF, "Message": CCF_MESSAGE}


def test_update_of_a_missing_item_fails_its_condition(ddb, table):
    # UPDATE and DELETE with a condition on a missing item: the condition is not met
    k = uid()
    responses = batch(ddb, st(f"UPDATE \"{table}\" SET n = 1 WHERE pk = '{k}' AND n = 0"),
                      ReturnConsumedCapacity="NONE")["Responses"]
    assert responses[0]["Error"]["Code"] == CCF
    assert get(ddb, table, {"pk": S(k)}) is None


def test_statement_that_does_not_parse_fails_alone(ddb, table):
    a, b = uid(), uid()
    responses = batch(ddb,
                      st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
                      st("INSERT INTO WHERE"),
                      st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{b}'}}"))["Responses"]
    assert responses[0] == {"TableName": table}
    assert responses[2] == {"TableName": table}
    err = responses[1]["Error"]
    assert err["Code"] == "ValidationError"
    assert err["Message"].startswith(NOT_WELL_FORMED), err
    assert "TableName" not in responses[1]
    assert get(ddb, table, {"pk": S(a)}) is not None
    assert get(ddb, table, {"pk": S(b)}) is not None


def test_wrong_parameter_count_fails_alone(ddb, table):
    a = uid()
    responses = batch(ddb,
                      st(f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'n': ?}}", S(uid())),
                      st(f"INSERT INTO \"{table}\" VALUE {{'pk': ?}}", S(a)))["Responses"]
    assert responses[0]["Error"] == {
        "Code": "ValidationError",
        "Message": "Number of parameters in request and statement don't match."}
    assert responses[1] == {"TableName": table}


def test_missing_table_fails_alone(ddb, table):
    a = uid()
    missing = uid("missing")
    responses = batch(ddb,
                      st(f"INSERT INTO \"{missing}\" VALUE {{'pk': 'x'}}"),
                      st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"))["Responses"]
    assert responses[0] == {"TableName": missing,
                            "Error": {"Code": "ResourceNotFound",
                                      "Message": "Requested resource not found"}}
    assert responses[1] == {"TableName": table}
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a)}


def test_update_without_the_full_key_fails_alone(ddb, range_table):
    a = uid()
    ddb.put_item(TableName=range_table, Item={"pk": S(a), "sk": N(1)})
    responses = batch(ddb,
                      st(f"UPDATE \"{range_table}\" SET x = 1 WHERE pk = '{a}'"),
                      st(f"UPDATE \"{range_table}\" SET x = 2 WHERE pk = '{a}' AND sk = 1")
                      )["Responses"]
    assert responses[0]["Error"]["Code"] == "ValidationError"
    assert responses[1] == {"TableName": range_table}
    assert get(ddb, range_table, {"pk": S(a), "sk": N(1)}) == {"pk": S(a), "sk": N(1), "x": N(2)}


# --------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------

def test_full_key_selects_in_order(ddb, table, range_table):
    a, b, missing = uid(), uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1), "m": {"M": {"x": S("y")}}})
    ddb.put_item(TableName=range_table, Item={"pk": S(b), "sk": N(3), "v": S("bee")})
    responses = batch(ddb,
                      st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{b}' AND sk = 3"),
                      st(f"SELECT * FROM \"{table}\" WHERE pk = '{missing}'"),
                      st(f"SELECT n, m.x FROM \"{table}\" WHERE pk = ?", S(a),
                         ConsistentRead=True))["Responses"]
    assert responses == [
        {"TableName": range_table, "Item": {"pk": S(b), "sk": N(3), "v": S("bee")}},
        {"TableName": table},
        # A path answers under its last name, as in ExecuteStatement.
        {"TableName": table, "Item": {"n": N(1), "x": S("y")}},
    ]


def test_select_with_a_condition_beyond_the_key_fails_alone(ddb, table):
    # A batch's SELECT is a GetItem, which has no condition.
    a = uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1)})
    responses = batch(ddb,
                      st(f"SELECT * FROM \"{table}\" WHERE pk = '{a}' AND n = 1"),
                      st(f"SELECT * FROM \"{table}\" WHERE pk = '{a}'"))["Responses"]
    # Refused before it ran: no TableName.
    assert responses[0] == {"Error": {
        "Code": "ValidationError",
        "Message": "Select statements within BatchExecuteStatement must specify the primary key "
                   "in the where clause."}}
    assert responses[1] == {"TableName": table, "Item": {"pk": S(a), "n": N(1)}}


def test_select_without_the_full_key_fails_alone(ddb, range_table):
    a = uid()
    ddb.put_item(TableName=range_table, Item={"pk": S(a), "sk": N(1)})
    responses = batch(ddb,
                      st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{a}'"),
                      st(f"SELECT * FROM \"{range_table}\""),
                      st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{a}' AND sk = 1")
                      )["Responses"]
    for r in responses[:2]:
        assert r["Error"]["Code"] == "ValidationError", r
        assert r["Error"]["Message"]
        assert "Item" not in r
    assert responses[2] == {"TableName": range_table, "Item": {"pk": S(a), "sk": N(1)}}


def test_select_of_a_missing_table_fails_alone(ddb, table):
    a = uid()
    ddb.put_item(TableName=table, Item={"pk": S(a)})
    responses = batch(ddb,
                      st(f"SELECT * FROM \"{uid('missing')}\" WHERE pk = 'x'"),
                      st(f"SELECT * FROM \"{table}\" WHERE pk = '{a}'"))["Responses"]
    assert responses[0]["Error"] == {"Code": "ResourceNotFound",
                                     "Message": "Requested resource not found"}
    assert responses[1] == {"TableName": table, "Item": {"pk": S(a)}}


# --------------------------------------------------------------------------
# Refused as a whole
# --------------------------------------------------------------------------

def test_reads_and_writes_together_refused(ddb, table):
    a = uid()
    expect_error(ddb.batch_execute_statement, "ValidationException", MIXED, Statements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
        st(f"SELECT * FROM \"{table}\" WHERE pk = '{a}'"),
    ])
    assert get(ddb, table, {"pk": S(a)}) is None


def test_one_item_twice_refused(ddb, table, range_table):
    a = uid()
    expect_error(ddb.batch_execute_statement, "ValidationException", DUPLICATES, Statements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
        st(f"UPDATE \"{table}\" SET n = 1 WHERE pk = ?", S(a)),
    ])
    assert get(ddb, table, {"pk": S(a)}) is None
    # the same item through two spellings of its number
    expect_error(ddb.batch_execute_statement, "ValidationException", DUPLICATES, Statements=[
        st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{a}' AND sk = 1"),
        st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{a}' AND sk = 1.0"),
    ])


def test_same_key_in_two_tables_is_two_items(ddb, table):
    other = make_table(ddb, "pb2", ("pk", "S"))
    a = uid()
    resp = batch(ddb, st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
                 st(f"INSERT INTO \"{other}\" VALUE {{'pk': '{a}'}}"))
    assert resp["Responses"] == [{"TableName": table}, {"TableName": other}]


def test_no_statements_refused(ddb_raw):
    resp = expect_error(ddb_raw.batch_execute_statement, "ValidationException", Statements=[])
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "at 'statements' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 1" in msg


def test_more_than_25_statements_refused(ddb_raw, table):
    keys = [uid() for _ in range(26)]
    resp = expect_error(ddb_raw.batch_execute_statement, "ValidationException", Statements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{k}'}}") for k in keys])
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "at 'statements' failed to satisfy constraint: " \
           "Member must have length less than or equal to 25" in msg
    assert get(ddb_raw, table, {"pk": S(keys[0])}) is None


def test_25_statements_succeed(ddb, table):
    keys = [uid() for _ in range(25)]
    resp = batch(ddb, *[st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{k}'}}") for k in keys])
    assert resp["Responses"] == [{"TableName": table}] * 25
    resp = batch(ddb, *[st(f"SELECT pk FROM \"{table}\" WHERE pk = '{k}'") for k in keys])
    assert [r["Item"] for r in resp["Responses"]] == [{"pk": S(k)} for k in keys]


def test_member_constraints(emulator, table):
    status, out = raw_call(emulator, "BatchExecuteStatement", {"Statements": [
        st(""),
        st(f"SELECT * FROM \"{table}\" WHERE pk = 'x'", ReturnValuesOnConditionCheckFailure="ALL"),
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'x'", "Parameters": []},
    ], "ReturnConsumedCapacity": "SOME"})
    assert status == 400
    assert out["__type"] == "com.amazon.coral.validate#ValidationException"
    msg = out["message"]
    assert msg.startswith("4 validation errors detected: "), msg
    assert "at 'statements.3.member.parameters' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 1" in msg
    assert "at 'statements.1.member.statement' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 1" in msg
    assert "at 'statements.2.member.returnValuesOnConditionCheckFailure' failed to satisfy " \
           "constraint: Member must satisfy enum value set: [ALL_OLD, NONE]" in msg
    assert "at 'returnConsumedCapacity'" in msg


# --------------------------------------------------------------------------
# ConsumedCapacity
# --------------------------------------------------------------------------

def test_consumed_capacity_per_table(ddb, table, range_table):
    a, b, c = uid(), uid(), uid()
    resp = batch(ddb,
                 st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
                 st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{b}'}}"),
                 st(f"INSERT INTO \"{range_table}\" VALUE {{'pk': '{c}', 'sk': 1}}"),
                 ReturnConsumedCapacity="TOTAL")
    got = sorted(resp["ConsumedCapacity"], key=lambda x: x["TableName"] != table)
    assert got == [{"TableName": table, "CapacityUnits": 2.0},
                   {"TableName": range_table, "CapacityUnits": 1.0}]
    resp = batch(ddb,
                 st(f"SELECT * FROM \"{table}\" WHERE pk = '{a}'"),
                 st(f"SELECT * FROM \"{table}\" WHERE pk = '{b}'", ConsistentRead=True),
                 ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.5}]
    resp = batch(ddb, st(f"SELECT * FROM \"{table}\" WHERE pk = '{a}'"))
    assert "ConsumedCapacity" not in resp


# --------------------------------------------------------------------------
# Streams and indexes: the same as the item operations
# --------------------------------------------------------------------------

def test_stream_records_equal_those_of_the_item_operations(emulator, ddb):
    streams = ss.streams_client(emulator.endpoint)
    tables = []
    for prefix in ("pbs-a", "pbs-b"):
        name = support.unique_name(prefix)
        ss.create_stream_table(ddb, name, hash_key=("pk", "S"))
        ddb.put_item(TableName=name, Item={"pk": S("u"), "n": N(1), "gone": S("x")})
        ddb.put_item(TableName=name, Item={"pk": S("d"), "v": S("bye")})
        tables.append(name)
    json_api, partiql = tables
    ddb.put_item(TableName=json_api, Item={"pk": S("i"), "v": N(3)})
    ddb.update_item(TableName=json_api, Key={"pk": S("u")},
                    UpdateExpression="SET n = n + :one, tag = :t REMOVE gone",
                    ExpressionAttributeValues={":one": N(1), ":t": S("new")})
    ddb.delete_item(TableName=json_api, Key={"pk": S("d")})
    responses = batch(
        ddb,
        st(f"INSERT INTO \"{partiql}\" VALUE {{'pk': 'i', 'v': 3}}"),
        st(f"UPDATE \"{partiql}\" SET n = n + 1 SET tag = 'new' REMOVE gone WHERE pk = 'u'"),
        st(f"DELETE FROM \"{partiql}\" WHERE pk = 'd'"),
        # a failed statement leaves no record
        st(f"UPDATE \"{partiql}\" SET n = 0 WHERE pk = 'nobody'"))["Responses"]
    assert [r.get("Error", {}).get("Code") for r in responses] == [None, None, None, CCF]
    records = [[ss.summary(r) for r in ss.read_stream(streams, ss.stream_arn(ddb, t))]
               for t in tables]
    assert len(records[0]) == 5
    assert records[1] == records[0]


def test_global_index_follows_batch_writes(ddb):
    name = table_with_index(ddb, "pbg")
    ddb.put_item(TableName=name, Item={"pk": S("b"), "g": S("one")})
    batch(ddb, st(f"INSERT INTO \"{name}\" VALUE {{'pk': 'a', 'g': 'one'}}"),
          st(f"UPDATE \"{name}\" SET g = 'two' WHERE pk = 'b'"))

    assert index_members(ddb, name, "one") == ["a"]
    assert index_members(ddb, name, "two") == ["b"]


# --------------------------------------------------------------------------
# AWS CLI
# --------------------------------------------------------------------------

AWS = os.environ.get("AWS_CLI", "/usr/bin/aws")


@pytest.mark.skipif(not shutil.which(AWS), reason=f"AWS CLI not found at {AWS}")
def test_cli_batch_execute_statement(emulator, ddb, table, tmp_path):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(b), "n": N(1)})
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": support.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": "x",
                "AWS_DEFAULT_REGION": support.REGION, "AWS_PAGER": "", "HOME": str(tmp_path),
                "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_MAX_ATTEMPTS": "1",
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
                "AWS_EC2_METADATA_DISABLED": "true"})
    statements = tmp_path / "statements.json"
    statements.write_text(json.dumps([
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'n': 5}}",
         "Parameters": [{"S": a}]},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': '{b}'}}"},
    ]))
    p = subprocess.run([AWS, "dynamodb", "batch-execute-statement", "--statements",
                        f"file://{statements}", "--endpoint-url", emulator.endpoint,
                        "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["Responses"] == [
        {"TableName": table},
        {"TableName": table,
         "Error": {"Code": "DuplicateItem", "Message": DUPLICATE_ITEM_MESSAGE}},
    ]
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "n": N(5)}
