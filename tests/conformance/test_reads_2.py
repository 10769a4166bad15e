"""Reads, second pass: ReturnConsumedCapacity INDEXES, the units of Query and
Scan, and where DynamoDB's 1 MB rule ends a page.

ConsumedCapacity with INDEXES breaks the total down into "Table" and the
index read ("GlobalSecondaryIndexes" / "LocalSecondaryIndexes"); an index
read costs the table nothing unless a local index fetches attributes it does
not project. Query and Scan add up the sizes of the items they read before
rounding up to 4 KB (halved when eventually consistent).
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
"""

import pytest

import support
from support import create_table


def units(size, consistent=False):
    n = max(1, -(-size // 4096))
    return float(n) if consistent else n / 2


def indexed_table(ddb, name):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"}
                              for k in ("pk", "sk", "g", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        LocalSecondaryIndexes=[{
            "IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def test_get_item_indexes_adds_the_table_share(ddb, table_name):
    name = table_name()
    create_table(ddb, name)
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "v": {"S": "x" * 5000}})
    r = ddb.get_item(TableName=name, Key={"id": {"S": "a"}}, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 1.0,
                                     "Table": {"CapacityUnits": 1.0}}
    r = ddb.get_item(TableName=name, Key={"id": {"S": "a"}}, ReturnConsumedCapacity="TOTAL",
                     ConsistentRead=True)
    assert r["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 2.0}
    r = ddb.batch_get_item(RequestItems={name: {"Keys": [{"id": {"S": "a"}}]}},
                           ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == [{"TableName": name, "CapacityUnits": 1.0,
                                      "Table": {"CapacityUnits": 1.0}}]


def test_query_and_scan_breakdown_by_index(ddb, table_name):
    name = table_name()
    indexed_table(ddb, name)
    for i in range(3):
        ddb.put_item(TableName=name, Item={
            "pk": {"S": "p"}, "sk": {"S": f"s{i}"}, "g": {"S": "G"}, "l": {"S": f"l{i}"},
            "big": {"S": "b" * 3000}})
    cond = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}
    table = ddb.query(TableName=name, ReturnConsumedCapacity="INDEXES", **cond)
    # 3 items of about 3 KB: their sizes are summed, then rounded up to 4 KB.
    size = 3 * ((2 + 1) + (2 + 2) + (1 + 1) + (1 + 2) + (3 + 3000))
    assert table["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": units(size),
                                         "Table": {"CapacityUnits": units(size)}}
    gsi = ddb.query(TableName=name, IndexName="gsi", ReturnConsumedCapacity="INDEXES",
                    KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "G"}})
    assert gsi["Count"] == 3
    assert gsi["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 0.5,
                                       "Table": {"CapacityUnits": 0.0},
                                       "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 0.5}}}
    lsi = ddb.query(TableName=name, IndexName="lsi", ReturnConsumedCapacity="INDEXES", **cond)
    assert lsi["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 0.5,
                                       "Table": {"CapacityUnits": 0.0},
                                       "LocalSecondaryIndexes": {"lsi": {"CapacityUnits": 0.5}}}
    # A local index fetching what it does not project: the fetched items are the table's.
    fetch = ddb.query(TableName=name, IndexName="lsi", ReturnConsumedCapacity="INDEXES",
                      Select="ALL_ATTRIBUTES", ConsistentRead=True, **cond)
    assert fetch["Items"][0]["big"]["S"] == "b" * 3000
    assert fetch["ConsumedCapacity"] == {
        "TableName": name, "CapacityUnits": units(size, True) + 1.0,
        "Table": {"CapacityUnits": units(size, True)},
        "LocalSecondaryIndexes": {"lsi": {"CapacityUnits": 1.0}}}
    scan = ddb.scan(TableName=name, IndexName="gsi", ReturnConsumedCapacity="INDEXES")
    assert scan["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {"gsi": {"CapacityUnits": 0.5}}
    total = ddb.scan(TableName=name, ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": units(size)}


def test_scan_units_count_items_filtered_out(ddb, table_name):
    name = table_name()
    create_table(ddb, name)
    for i in range(6):
        ddb.put_item(TableName=name, Item={"id": {"S": f"k{i}"}, "v": {"S": "x" * 1500}})
    r = ddb.scan(TableName=name, FilterExpression="id = :none",
                 ExpressionAttributeValues={":none": {"S": "zz"}},
                 ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert r["Count"] == 0 and r["ScannedCount"] == 6
    # 6 x 1,504 bytes = 9,024 bytes: 3 units, not 6 (one per item).
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0


def fill(ddb, name, sizes):
    """Items of a 10-character partition, sort keys 00.., `e` of the given lengths."""
    with_items = [{"a": {"S": "abcdefghij"}, "b": {"S": "%02d" % i}, "e": {"S": "e" * n}}
                  for i, n in enumerate(sizes)]
    for item in with_items:
        ddb.put_item(TableName=name, Item=item)
    return with_items


def count_query(ddb, name):
    return ddb.query(TableName=name, KeyConditionExpression="a = :a", Select="COUNT",
                     ExpressionAttributeValues={":a": {"S": "abcdefghij"}},
                     ReturnConsumedCapacity="TOTAL")


@pytest.mark.parametrize("sizes,count,last,capacity", [
    # Just under the limit: every item, no LastEvaluatedKey.
    ([41645] * 25, 25, None, 127.5),
    # One byte more in the last item reaches the limit: a LastEvaluatedKey.
    ([41645] * 24 + [41646], 25, "24", 127.5),
    # The item that reaches the limit ends the page.
    ([43372] * 23 + [43387, 44999], 25, "24", 133.0),
    ([43372] * 23 + [43388, 44999], 24, "23", 127.5),
])
def test_pages_end_where_dynamodbs_1mb_rule_ends_them(ddb, table_name, sizes, count, last,
                                                      capacity):
    name = table_name()
    create_table(ddb, name, hash_key=("a", "S"), range_key=("b", "S"))
    fill(ddb, name, sizes)
    r = count_query(ddb, name)
    assert r["Count"] == count and r["ScannedCount"] == count
    assert r["ConsumedCapacity"]["CapacityUnits"] == capacity
    if last is None:
        assert "LastEvaluatedKey" not in r
    else:
        assert r["LastEvaluatedKey"] == {"a": {"S": "abcdefghij"}, "b": {"S": last}}
    # The same page through the slower path (a filter) and through Scan.
    f = ddb.query(TableName=name, KeyConditionExpression="a = :a", FilterExpression="e <> :x",
                  ExpressionAttributeValues={":a": {"S": "abcdefghij"}, ":x": {"S": "x"}},
                  Select="COUNT")
    assert f["ScannedCount"] == count and (("LastEvaluatedKey" in f) == (last is not None))
    s = ddb.scan(TableName=name, Select="COUNT")
    assert s["ScannedCount"] == count and (("LastEvaluatedKey" in s) == (last is not None))


OPERAND_TYPE = "Incorrect operand type for operator or function; operator or function: "
MISUSED = "The function is not allowed to be used this way in an expression; function: "


@pytest.mark.parametrize("expression,message", [
    # size() yields a number, which begins_with and size refuse as an operand.
    ("begins_with(size(a), :s)", OPERAND_TYPE + "begins_with, operand type: N"),
    ("begins_with(:s, size(a))", OPERAND_TYPE + "begins_with, operand type: N"),
    ("size(size(a)) > :n", OPERAND_TYPE + "size, operand type: N"),
    ("attribute_type(a, size(b))", OPERAND_TYPE + "attribute_type, operand type: N"),
    # Functions other than size() are not operands.
    ("begins_with(attribute_type(a, :s), :s)", MISUSED + "attribute_type"),
    ("size(contains(a, :s)) > :n", MISUSED + "contains"),
    ("attribute_exists(a) = :n", MISUSED + "attribute_exists"),
    ("size(a)", MISUSED + "size"),
])
def test_nested_function_calls_refused_where_dynamodb_refuses_them(ddb, table_name, expression,
                                                                   message):
    name = table_name()
    create_table(ddb, name)
    values = {":s": {"S": "x"}, ":n": {"N": "1"}}
    used = {k: v for k, v in values.items() if k in expression}
    kwargs = {"ExpressionAttributeValues": used} if used else {}
    support.expect_error(ddb.scan, "ValidationException", "Invalid FilterExpression: " + message,
                         TableName=name, FilterExpression=expression, **kwargs)


def test_size_operand_of_contains_and_comparisons_is_accepted(ddb, table_name):
    name = table_name()
    create_table(ddb, name)
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "l": {"L": [{"N": "1"}, {"N": "2"}]}})
    r = ddb.scan(TableName=name, FilterExpression="size(l) = :two OR contains(size(l), :two)",
                 ExpressionAttributeValues={":two": {"N": "2"}})
    assert r["Count"] == 1


def test_query_start_key_of_a_hash_only_table_names_only_its_key(ddb, table_name):
    name = table_name()
    create_table(ddb, name)
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "v": {"S": "x"}})
    cond = {"KeyConditionExpression": "id = :a", "ExpressionAttributeValues": {":a": {"S": "a"}}}
    support.expect_error(
        ddb.query, "ValidationException",
        "The provided starting key is invalid",
        TableName=name, ExclusiveStartKey={"id": {"S": "a"}, "v": {"S": "x"}}, **cond)
    r = ddb.query(TableName=name, ExclusiveStartKey={"id": {"S": "a"}}, **cond)
    assert r["Items"] == []


def test_a_page_of_items_with_long_names_ends_before_16_mb(ddb, table_name):
    # The 1 MB rule counts an attribute name as one byte; items with long names would fill one
    # answer with far more than 1 MB, so ours also ends a page at 16 MB of item size read.
    name = table_name()
    create_table(ddb, name, hash_key=("pk", "S"))
    names = [("%d" % i) * 60000 for i in range(6)]
    for k in range(50):
        ddb.put_item(TableName=name, Item={"pk": {"S": "%02d" % k},
                                           **{n: {"S": "x"} for n in names}})
    first = ddb.scan(TableName=name, Select="COUNT")
    # 50 items of about 360 KB: 18 MB; the page ends at the item that reaches 16 MB.
    assert "LastEvaluatedKey" in first and 44 <= first["Count"] < 50
    rest = ddb.scan(TableName=name, Select="COUNT", ExclusiveStartKey=first["LastEvaluatedKey"])
    assert first["Count"] + rest["Count"] == 50 and "LastEvaluatedKey" not in rest
