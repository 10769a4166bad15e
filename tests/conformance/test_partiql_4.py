"""PartiQL, fourth part: DynamoDB's refusal of OR branches that overlap on the sort key.

A SELECT whose OR branches all fix the partition key of a table (or index) with a sort key is
read branch by branch; DynamoDB refuses it when two branches of one partition select
overlapping sort key ranges: "Overlapping conditions with range keys are not supported in
where clause". A branch without a sort key condition selects the whole range; a branch whose
sort key condition is negated or `<>` is left out and the statement runs; a branch without a
partition key equality makes the whole read a Scan, which is not refused. As
paritysuite/dynamodb-conformance records AWS's answers (eu-west-2 and us-east-1, 2026-10:
tests/tier2/partiql/whereOverlap.test.ts, tests/tier3/error-messages/partiqlGrammar.test.ts).
"""

import pytest

from partiql_support import expect, expect_error, uid
from values import S

OVERLAP = "Overlapping conditions with range keys are not supported in where clause"
PK = "ov"


@pytest.fixture(scope="module")
def composite(ddb):
    """pk / sk (S), a global index gix on gk / gs; items ov/1, ov/2, ov/3 (gk y)."""
    name = uid("pq4")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "gk", "gs")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": [
            {"AttributeName": "gk", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])
    for sk in ("1", "2", "3"):
        ddb.put_item(TableName=name, Item={"pk": S(PK), "sk": S(sk), "gk": S("y"),
                                           "gs": S(sk), "flag": S("one" if sk == "1" else "two")})
    return name


@pytest.mark.parametrize("where", [
    f"pk = '{PK}' AND x = '1' OR pk = '{PK}' AND sk = '2'",
    f"pk = '{PK}' AND x <> '1' OR pk = '{PK}' AND sk = '2'",  # a non-key <> exempts nothing
    f"pk IN ['{PK}', '{PK}']",
    f"pk = '{PK}' OR pk = '{PK}'",
    f"pk = '{PK}' AND (sk > '0' OR sk < '5')",
    f"pk = '{PK}' AND (sk = '1' OR flag = 'two')",
    f"(pk = '{PK}' AND flag = 'one') OR (pk = '{PK}' AND flag = 'two')",
    f"pk = '{PK}' AND (sk BETWEEN '1' AND '3' OR begins_with(sk, '2'))",
    f"pk = '{PK}' AND (sk >= '2' OR sk <= '2')",
])
def test_overlapping_branches_are_refused(ddb, composite, where):
    expect(ddb, "ValidationException", OVERLAP, f'SELECT * FROM "{composite}" WHERE {where}')


def test_on_an_index_too(ddb, composite):
    expect(ddb, "ValidationException", OVERLAP,
           f'SELECT * FROM "{composite}"."gix" WHERE (gk = \'y\' AND zz = \'1\') OR '
           f"(gk = 'y' AND aa = '1')")


def sort_keys(ddb, table, where):
    items = ddb.execute_statement(Statement=f'SELECT * FROM "{table}" WHERE {where}',
                                  ConsistentRead=True)["Items"]
    return sorted(i["sk"]["S"] for i in items)


@pytest.mark.parametrize("where, expected", [
    # disjoint ranges
    (f"pk = '{PK}' AND (sk = '1' OR sk = '2')", ["1", "2"]),
    (f"pk = '{PK}' AND sk IN ['1', '2']", ["1", "2"]),
    (f"pk = '{PK}' AND (sk < '1' OR sk > '1' OR sk = '1')", ["1", "2", "3"]),
    (f"pk = '{PK}' AND (sk < '2' OR sk >= '2')", ["1", "2", "3"]),
    # a branch without a partition key equality: a Scan
    (f"pk = '{PK}' OR sk = '1'", ["1", "2", "3"]),
    # different partitions
    (f"pk = '{PK}' OR pk = 'other'", ["1", "2", "3"]),
    # a negated or <> sort key condition is left out of the comparison
    (f"pk = '{PK}' AND NOT sk = '1' OR pk = '{PK}' AND sk = '2'", ["2", "3"]),
    (f"pk = '{PK}' AND sk <> '1' OR pk = '{PK}' AND sk = '2'", ["2", "3"]),
    (f"pk = '{PK}' AND NOT begins_with(sk, 'x') OR pk = '{PK}' AND sk = '2'", ["1", "2", "3"]),
    (f"pk = '{PK}' AND NOT sk IN ['1', '3'] OR pk = '{PK}' AND sk = '2'", ["2"]),
    (f"pk = '{PK}' AND NOT (sk = '1') OR pk = '{PK}' AND sk = '2'", ["2", "3"]),
    (f"pk = '{PK}' OR pk = '{PK}' AND NOT sk = '1'", ["1", "2", "3"]),
])
def test_branches_that_do_not_overlap_run(ddb, composite, where, expected):
    assert sort_keys(ddb, composite, where) == expected


def test_a_table_without_a_sort_key_reads_a_repeated_key_once(ddb, table_name):
    name = table_name("pq4h")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    got = ddb.execute_statement(Statement=f"SELECT * FROM \"{name}\" WHERE pk IN ['a', 'a']")
    assert got["Items"] == [{"pk": S("a")}]


def test_in_a_transaction_the_statement_is_named(ddb, composite):
    got = expect_error(
        ddb.execute_transaction, "ValidationException", None,
        TransactStatements=[{"Statement": f"SELECT * FROM \"{composite}\" WHERE pk = '{PK}' "
                                          f"AND (sk = '1' OR flag = 'two')"}])
    assert got["Error"]["Message"] == "Validation failed in TransactStatements[0]: " + OVERLAP
