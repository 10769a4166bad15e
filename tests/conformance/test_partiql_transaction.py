"""ExecuteTransaction: 1 to 100 PartiQL statements, all reads or all writes
(EXISTS being the condition check of a write transaction), all or nothing
through the same transaction path as TransactWriteItems / TransactGetItems.
A write transaction answers an empty Responses list, a read transaction one
entry per statement; a cancelled one is TransactionCanceledException with
CancellationReasons in statement order (ConditionalCheckFailed with the item
under ReturnValuesOnConditionCheckFailure=ALL_OLD, DuplicateItem,
ValidationError) and leaves nothing written. Also the request-level refusals
(mixed reads and writes, one item twice, statements that do not parse, a
missing table, the limits), ClientRequestToken idempotency, ConsumedCapacity,
stream records equal to those of the same TransactWriteItems, and the AWS CLI.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.multiplestatements.transactions.html
"""

import json
import os
import shutil
import subprocess
import uuid

import pytest

from partiql_support import (CCF, CCF_MESSAGE, DUPLICATE_ITEM_MESSAGE, NOT_WELL_FORMED,
                             expect_error, get, index_members, make_table, raw_call, st,
                             table_with_index, uid)
import stream_support as ss
import support
from values import S, N

CANCELLED = "TransactionCanceledException"
CANCELLED_PREFIX = "Transaction cancelled, please refer cancellation reasons for specific reasons "
SAME_ITEM = "Transaction request cannot include multiple operations on one item"
# Recorded from DynamoDB's answers by other emulators' suites (not documented).
MIXED = "ExecuteTransaction API does not support both read and write operations in the same " \
        "request."
TOKEN_MISMATCH_PREFIX = "The request uses the same client token as a previous"


def body(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def cancel_message(codes):
    return CANCELLED_PREFIX + "[" + ", ".join(codes) + "]"


def expect_cancelled(ddb, statements, codes, **kwargs):
    resp = expect_error(ddb.execute_transaction, CANCELLED, cancel_message(codes),
                        TransactStatements=statements, **kwargs)
    reasons = resp.get("CancellationReasons")
    assert reasons is not None, resp
    assert [r.get("Code") for r in reasons] == list(codes)
    return reasons


def raw_cancelled(emulator, statements, codes):
    status, out = raw_call(emulator, "ExecuteTransaction", {"TransactStatements": statements})
    assert status == 400, out
    assert out["__type"] == "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
    assert out["message"] == cancel_message(codes)
    assert [r["Code"] for r in out["CancellationReasons"]] == list(codes)
    return out["CancellationReasons"]


@pytest.fixture(scope="module")
def table(ddb):
    return make_table(ddb, "px", ("pk", "S"))


@pytest.fixture(scope="module")
def range_table(ddb):
    return make_table(ddb, "pxr", ("pk", "S"), ("sk", "N"))


# --------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------

def test_writes_over_two_tables_answer_an_empty_list(ddb, table, range_table):
    a, b, c = uid(), uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1)})
    ddb.put_item(TableName=range_table, Item={"pk": S(b), "sk": N(1)})
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"UPDATE \"{table}\" SET n = n + 1 WHERE pk = '{a}'"),
        st(f"DELETE FROM \"{range_table}\" WHERE pk = '{b}' AND sk = 1"),
        st(f"INSERT INTO \"{range_table}\" VALUE {{'pk': ?, 'sk': ?, 'v': 'x'}}", S(c), N(2)),
    ])
    assert body(resp) == {"Responses": []}
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "n": N(2)}
    assert get(ddb, range_table, {"pk": S(b), "sk": N(1)}) is None
    assert get(ddb, range_table, {"pk": S(c), "sk": N(2)}) == {"pk": S(c), "sk": N(2), "v": S("x")}


@pytest.mark.parametrize("position", [0, 1, 2])
def test_failed_condition_in_every_position_cancels_all(ddb, table, position):
    keys = [uid() for _ in range(3)]
    for k in keys:
        ddb.put_item(TableName=table, Item={"pk": S(k), "n": N(1)})
    statements = [st(f"UPDATE \"{table}\" SET n = 5 WHERE pk = '{k}' AND n = "
                     f"{2 if i == position else 1}") for i, k in enumerate(keys)]
    codes = [CCF if i == position else "None" for i in range(3)]
    reasons = expect_cancelled(ddb, statements, codes)
    for i, r in enumerate(reasons):
        assert r == ({"Code": CCF, "Message": CCF_MESSAGE} if i == position else {"Code": "None"})
    for k in keys:
        assert get(ddb, table, {"pk": S(k)}) == {"pk": S(k), "n": N(1)}


@pytest.mark.parametrize("position", [0, 1, 2])
def test_duplicate_insert_in_every_position_cancels_all(ddb, table, position):
    keys = [uid() for _ in range(3)]
    ddb.put_item(TableName=table, Item={"pk": S(keys[position]), "n": N(9)})
    statements = [st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{k}'}}") for k in keys]
    codes = ["DuplicateItem" if i == position else "None" for i in range(3)]
    reasons = expect_cancelled(ddb, statements, codes)
    assert reasons[position] == {"Code": "DuplicateItem", "Message": DUPLICATE_ITEM_MESSAGE}
    for i, k in enumerate(keys):
        assert get(ddb, table, {"pk": S(k)}) == ({"pk": S(k), "n": N(9)} if i == position else None)


def test_several_failures_each_reported(ddb, table, range_table):
    a, b, c = uid(), uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1)})
    ddb.put_item(TableName=range_table, Item={"pk": S(b), "sk": N(1)})
    reasons = expect_cancelled(ddb, [
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{c}'}}"),
        st(f"DELETE FROM \"{range_table}\" WHERE pk = '{b}' AND sk = 1 AND x = 1"),
    ], ["DuplicateItem", "None", CCF])
    assert reasons[2] == {"Code": CCF, "Message": CCF_MESSAGE}
    assert get(ddb, table, {"pk": S(c)}) is None
    assert get(ddb, range_table, {"pk": S(b), "sk": N(1)}) is not None


def test_all_old_returns_the_item_with_the_failed_condition(emulator, ddb, table):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1), "x": S("kept")})
    ddb.put_item(TableName=table, Item={"pk": S(b), "n": N(1)})
    reasons = raw_cancelled(emulator, [
        st(f"UPDATE \"{table}\" SET n = 2 WHERE pk = '{a}' AND n = 0",
           ReturnValuesOnConditionCheckFailure="ALL_OLD"),
        st(f"DELETE FROM \"{table}\" WHERE pk = '{b}' AND n = 0",
           ReturnValuesOnConditionCheckFailure="NONE"),
    ], [CCF, CCF])
    assert reasons[0] == {"Code": CCF, "Message": CCF_MESSAGE,
                          "Item": {"pk": S(a), "n": N(1), "x": S("kept")}}
    assert reasons[1] == {"Code": CCF, "Message": CCF_MESSAGE}


def test_update_error_at_run_time_is_a_validation_error_reason(ddb, table):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "s": S("text")})
    reasons = expect_cancelled(ddb, [
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{b}'}}"),
        st(f"UPDATE \"{table}\" SET s = s + 1 WHERE pk = '{a}'"),
    ], ["None", "ValidationError"])
    assert reasons[1]["Message"] == \
        "An operand in the update expression has an incorrect data type"
    assert get(ddb, table, {"pk": S(b)}) is None


# --------------------------------------------------------------------------
# EXISTS: the condition check
# --------------------------------------------------------------------------

def test_exists_guards_the_writes(emulator, ddb, table):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "state": S("open")})
    guard = st(f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = '{a}' AND state = 'open')")
    resp = ddb.execute_transaction(TransactStatements=[
        guard, st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{b}'}}")])
    assert body(resp) == {"Responses": []}
    assert get(ddb, table, {"pk": S(b)}) == {"pk": S(b)}
    # the checked item is not changed
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "state": S("open")}

    c = uid()
    reasons = raw_cancelled(emulator, [
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{c}'}}"),
        st(f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = '{a}' AND state = 'closed')",
           ReturnValuesOnConditionCheckFailure="ALL_OLD"),
    ], ["None", CCF])
    assert reasons[1]["Item"] == {"pk": S(a), "state": S("open")}
    assert get(ddb, table, {"pk": S(c)}) is None


def test_exists_of_a_missing_item_fails(ddb, table):
    c = uid()
    expect_cancelled(ddb, [
        st(f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = '{uid()}' AND attribute_exists(pk))"),
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{c}'}}"),
    ], [CCF, "None"])
    assert get(ddb, table, {"pk": S(c)}) is None


def test_exists_alone_is_a_write_transaction(ddb, table):
    a = uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1)})
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = ? AND n = 1)", S(a))])
    assert body(resp) == {"Responses": []}


def test_exists_needs_a_condition_beside_the_key(ddb, table):
    a = uid()
    ddb.put_item(TableName=table, Item={"pk": S(a)})
    expect_error(ddb.execute_transaction, "ValidationException",
                 "Validation failed in TransactStatements[0]: EXISTS() must contain a single item "
                 "read with additional condition", TransactStatements=[
                     st(f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = '{a}')"),
                     st(f"UPDATE \"{table}\" SET z = 1 WHERE pk = '{uid()}'")])


# --------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------

def test_reads_answer_in_order(ddb, table, range_table):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "n": N(1), "x": S("y")})
    ddb.put_item(TableName=range_table, Item={"pk": S(b), "sk": N(4)})
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{b}' AND sk = 4"),
        st(f"SELECT * FROM \"{table}\" WHERE pk = '{uid()}'"),
        st(f"SELECT x FROM \"{table}\" WHERE pk = ?", S(a)),
    ])
    assert body(resp) == {"Responses": [
        {"Item": {"pk": S(b), "sk": N(4)}},
        {},
        {"Item": {"x": S("y")}},
    ]}


def test_read_without_the_full_key_refused(ddb, range_table):
    a = uid()
    resp = expect_error(ddb.execute_transaction, "ValidationException", TransactStatements=[
        st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{a}'")])
    assert resp["Error"]["Message"]


# --------------------------------------------------------------------------
# Refused as a whole
# --------------------------------------------------------------------------

def test_reads_and_writes_together_refused(ddb, table):
    a = uid()
    expect_error(ddb.execute_transaction, "ValidationException", MIXED, TransactStatements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
        st(f"SELECT * FROM \"{table}\" WHERE pk = '{uid()}'"),
    ])
    assert get(ddb, table, {"pk": S(a)}) is None


@pytest.mark.parametrize("second", [
    "UPDATE \"{t}\" SET n = 1 WHERE pk = '{k}'",
    "DELETE FROM \"{t}\" WHERE pk = '{k}'",
    "EXISTS(SELECT * FROM \"{t}\" WHERE pk = '{k}' AND attribute_exists(pk))",
])
def test_one_item_twice_refused(ddb, table, second):
    a = uid()
    expect_error(ddb.execute_transaction, "ValidationException", SAME_ITEM, TransactStatements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
        st(second.format(t=table, k=a)),
    ])
    assert get(ddb, table, {"pk": S(a)}) is None


def test_one_item_twice_in_reads_refused(ddb, range_table):
    a = uid()
    expect_error(ddb.execute_transaction, "ValidationException", SAME_ITEM, TransactStatements=[
        st(f"SELECT * FROM \"{range_table}\" WHERE pk = '{a}' AND sk = 10"),
        st(f"SELECT * FROM \"{range_table}\" WHERE sk = 1e1 AND pk = '{a}'"),
    ])


def test_statement_that_does_not_parse_refuses_the_whole(ddb, table):
    a = uid()
    resp = expect_error(ddb.execute_transaction, "ValidationException", TransactStatements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
        st("UPDATE SET"),
    ])
    assert resp["Error"]["Message"].startswith(
        "Validation failed in TransactStatements[1]: " + NOT_WELL_FORMED), resp["Error"]
    assert get(ddb, table, {"pk": S(a)}) is None


def test_missing_table_refuses_the_whole(ddb, table):
    a = uid()
    expect_error(ddb.execute_transaction, "ResourceNotFoundException",
                 "Requested resource not found", TransactStatements=[
                     st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
                     st(f"INSERT INTO \"{uid('missing')}\" VALUE {{'pk': 'x'}}"),
                 ])
    assert get(ddb, table, {"pk": S(a)}) is None


def test_no_statements_refused(ddb_raw):
    resp = expect_error(ddb_raw.execute_transaction, "ValidationException",
                        TransactStatements=[])
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "at 'transactStatements' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 1" in msg


def test_more_than_100_statements_refused(ddb_raw, range_table):
    a = uid()
    resp = expect_error(ddb_raw.execute_transaction, "ValidationException", TransactStatements=[
        st(f"INSERT INTO \"{range_table}\" VALUE {{'pk': '{a}', 'sk': {i}}}") for i in range(101)])
    msg = resp["Error"]["Message"]
    assert msg.startswith("1 validation error detected: "), msg
    assert "at 'transactStatements' failed to satisfy constraint: " \
           "Member must have length less than or equal to 100" in msg
    assert get(ddb_raw, range_table, {"pk": S(a), "sk": N(0)}) is None


def test_100_statements_succeed(ddb, range_table):
    a = uid()
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"INSERT INTO \"{range_table}\" VALUE {{'pk': '{a}', 'sk': {i}}}") for i in range(100)])
    assert body(resp) == {"Responses": []}
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"SELECT sk FROM \"{range_table}\" WHERE pk = '{a}' AND sk = {i}") for i in range(100)])
    assert [r["Item"]["sk"] for r in resp["Responses"]] == [N(i) for i in range(100)]


def test_writes_past_4_mb_refused(ddb, table):
    # Eleven INSERTs of about 390 KB: past the 4 MB a transaction may write.
    keys = [uid() for _ in range(11)]
    big = "x" * (390 * 1024)
    expect_error(ddb.execute_transaction, "ValidationException",
                 "Transaction failed: The total size of all items in the transaction request "
                 "cannot exceed 4 MB", TransactStatements=[
                     st(f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'v': ?}}", S(k), S(big))
                     for k in keys])
    assert get(ddb, table, {"pk": S(keys[0])}) is None
    # ten of them are under it
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'v': ?}}", S(k), S(big))
        for k in keys[:10]])
    assert body(resp) == {"Responses": []}
    assert get(ddb, table, {"pk": S(keys[9])})["v"] == S(big)


def test_token_length_refused(ddb_raw, table):
    resp = expect_error(ddb_raw.execute_transaction, "ValidationException", TransactStatements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{uid()}'}}")], ClientRequestToken="x" * 37)
    assert "at 'clientRequestToken' failed to satisfy constraint: " \
           "Member must have length less than or equal to 36" in resp["Error"]["Message"]


# --------------------------------------------------------------------------
# ClientRequestToken
# --------------------------------------------------------------------------

def _increment(table, key):
    return [st(f"UPDATE \"{table}\" SET c = c + 1 WHERE pk = ?", S(key))]


def test_same_token_same_request_applies_once(ddb, table):
    a = uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "c": N(0)})
    token = str(uuid.uuid4())
    answers = [body(ddb.execute_transaction(TransactStatements=_increment(table, a),
                                            ClientRequestToken=token)) for _ in range(3)]
    assert answers == [{"Responses": []}] * 3
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "c": N(1)}


def test_same_token_different_request_refused(ddb, table):
    a, b = uid(), uid()
    for k in (a, b):
        ddb.put_item(TableName=table, Item={"pk": S(k), "c": N(0)})
    token = str(uuid.uuid4())
    ddb.execute_transaction(TransactStatements=_increment(table, a), ClientRequestToken=token)
    resp = expect_error(ddb.execute_transaction, "IdempotentParameterMismatchException",
                        TransactStatements=_increment(table, b), ClientRequestToken=token)
    assert resp["Error"]["Message"].startswith(TOKEN_MISMATCH_PREFIX), resp["Error"]
    assert get(ddb, table, {"pk": S(b)}) == {"pk": S(b), "c": N(0)}
    # the first request can still be repeated with its token
    ddb.execute_transaction(TransactStatements=_increment(table, a), ClientRequestToken=token)
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "c": N(1)}


def test_different_tokens_apply_each_time(ddb, table):
    a = uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "c": N(0)})
    for _ in range(2):
        ddb.execute_transaction(TransactStatements=_increment(table, a),
                                ClientRequestToken=str(uuid.uuid4()))
    ddb.execute_transaction(TransactStatements=_increment(table, a))
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "c": N(3)}


def test_cancelled_request_leaves_its_token_unused(ddb, table):
    a = uid()
    ddb.put_item(TableName=table, Item={"pk": S(a), "c": N(0)})
    token = str(uuid.uuid4())
    expect_cancelled(ddb, [st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}")],
                     ["DuplicateItem"], ClientRequestToken=token)
    ddb.execute_transaction(TransactStatements=_increment(table, a), ClientRequestToken=token)
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a), "c": N(1)}


# --------------------------------------------------------------------------
# ConsumedCapacity
# --------------------------------------------------------------------------

def test_consumed_capacity(ddb, table, range_table):
    a, b = uid(), uid()
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"INSERT INTO \"{table}\" VALUE {{'pk': '{a}'}}"),
        st(f"INSERT INTO \"{range_table}\" VALUE {{'pk': '{b}', 'sk': 1}}"),
    ], ReturnConsumedCapacity="TOTAL")
    got = sorted(resp["ConsumedCapacity"], key=lambda x: x["TableName"] != table)
    # a transactional write costs twice a plain one, and names its kind of units as
    # TransactWriteItems does
    assert got == [{"TableName": table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
                   {"TableName": range_table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}]
    resp = ddb.execute_transaction(TransactStatements=[
        st(f"SELECT * FROM \"{table}\" WHERE pk = '{a}'")], ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]


# --------------------------------------------------------------------------
# Streams: the same records as TransactWriteItems
# --------------------------------------------------------------------------

def test_stream_records_equal_those_of_transact_write_items(emulator, ddb):
    streams = ss.streams_client(emulator.endpoint)
    tables = []
    for prefix in ("pxs-a", "pxs-b"):
        name = support.unique_name(prefix)
        ss.create_stream_table(ddb, name, hash_key=("pk", "S"))
        tables.append(name)
    for t in tables:
        ddb.put_item(TableName=t, Item={"pk": S("u"), "n": N(1), "gone": S("x")})
        ddb.put_item(TableName=t, Item={"pk": S("d"), "v": S("bye")})
    json_api, partiql = tables
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": json_api, "Item": {"pk": S("i"), "v": N(3)},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": json_api, "Key": {"pk": S("u")},
                    "UpdateExpression": "SET n = n + :one, tag = :t REMOVE gone",
                    "ExpressionAttributeValues": {":one": N(1), ":t": S("new")}}},
        {"Delete": {"TableName": json_api, "Key": {"pk": S("d")}}},
    ])
    ddb.execute_transaction(TransactStatements=[
        st(f"INSERT INTO \"{partiql}\" VALUE {{'pk': 'i', 'v': 3}}"),
        st(f"UPDATE \"{partiql}\" SET n = n + 1 SET tag = 'new' REMOVE gone WHERE pk = 'u'"),
        st(f"DELETE FROM \"{partiql}\" WHERE pk = 'd'"),
    ])
    records = [[ss.summary(r) for r in ss.read_stream(streams, ss.stream_arn(ddb, t))]
               for t in tables]
    assert len(records[0]) == 5
    assert records[1] == records[0]


def test_global_index_follows_and_a_cancelled_transaction_leaves_it(ddb):
    name = table_with_index(ddb, "pxg")

    ddb.execute_transaction(TransactStatements=[
        st(f"INSERT INTO \"{name}\" VALUE {{'pk': 'a', 'g': 'one'}}"),
        st(f"INSERT INTO \"{name}\" VALUE {{'pk': 'b', 'g': 'one'}}")])
    assert index_members(ddb, name, "one") == ["a", "b"]
    expect_cancelled(ddb, [
        st(f"UPDATE \"{name}\" SET g = 'two' WHERE pk = 'a'"),
        st(f"DELETE FROM \"{name}\" WHERE pk = 'b' AND g = 'three'"),
    ], ["None", CCF])
    assert index_members(ddb, name, "one") == ["a", "b"]
    assert index_members(ddb, name, "two") == []


# --------------------------------------------------------------------------
# AWS CLI
# --------------------------------------------------------------------------

AWS = os.environ.get("AWS_CLI", "/usr/bin/aws")


@pytest.mark.skipif(not shutil.which(AWS), reason=f"AWS CLI not found at {AWS}")
def test_cli_execute_transaction(emulator, ddb, table, tmp_path):
    a, b = uid(), uid()
    ddb.put_item(TableName=table, Item={"pk": S(b)})
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": support.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": "x",
                "AWS_DEFAULT_REGION": support.REGION, "AWS_PAGER": "", "HOME": str(tmp_path),
                "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_MAX_ATTEMPTS": "1",
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
                "AWS_EC2_METADATA_DISABLED": "true"})

    def run(statements):
        path = tmp_path / "statements.json"
        path.write_text(json.dumps(statements))
        return subprocess.run([AWS, "dynamodb", "execute-transaction", "--transact-statements",
                               f"file://{path}", "--endpoint-url", emulator.endpoint,
                               "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)

    p = run([{"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?}}",
              "Parameters": [{"S": a}]}])
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"Responses": []}
    assert get(ddb, table, {"pk": S(a)}) == {"pk": S(a)}
    p = run([{"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': '{b}'}}"}])
    assert p.returncode != 0
    assert "TransactionCanceledException" in p.stderr
    assert "[DuplicateItem]" in p.stderr
