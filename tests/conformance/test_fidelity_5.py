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
"""

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
