"""DynamoDB's limits, with its messages.

- Key attribute names are at most 255 bytes in a table's and an index's definition (the
  constraint list of CreateTable and UpdateTable).
- Index key values: a global index's partition key is at most 2048 bytes, any index's sort key
  at most 1024; a longer one refuses the write (PutItem, UpdateItem, BatchWriteItem,
  TransactWriteItems) rather than leaving the item out of the index. A local index's sort key
  of 1024 bytes beside table keys of 2048 and 1024 is stored and found again, pages included.
- Transactions: a key or item its table's schema refuses cancels the transaction with a
  ValidationError reason; an empty or oversized key value, a Put past 400 KB and a
  transaction past 4 MB are refused as the request's ValidationException.
- Numbers: a sum that needs more than 38 digits is refused with DynamoDB's overflow message.
- Nesting: an attribute value is 32 levels at most (itself the first), in a request and in the
  item an update leaves; a document path in an expression is 32 elements at most.
"""

import time

import pytest

import support
from values import S
from support import expect_error

INVALID = "One or more parameter values were invalid: "
HASH_TOO_LONG = INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
RANGE_TOO_LONG = (INVALID + "Aggregated size of all range keys has exceeded the size limit "
                  "of 1024 bytes")
OVERFLOW = ("Number overflow. Attempting to store a number with magnitude larger than "
            "supported range")
TOO_DEEP = ("Nesting Levels have exceeded supported limits: Attributes in the item have "
            "nested levels beyond supported limit")
NO_MATCH = "The provided key element does not match the schema"


def N(n):
    return {"N": str(n)}


def deep(levels):
    """A value of `levels` levels: a string inside levels - 1 maps."""
    v = S("leaf")
    for _ in range(levels - 1):
        v = {"M": {"n": v}}
    return v


def cancel_message(codes):
    return ("Transaction cancelled, please refer cancellation reasons for specific reasons ["
            + ", ".join(codes) + "]")


def expect_cancelled(ddb, items, reasons):
    """A TransactionCanceledException whose reasons are (code, message) pairs."""
    resp = expect_error(ddb.transact_write_items, "TransactionCanceledException",
                        cancel_message([c for c, _ in reasons]), TransactItems=items)
    got = [(r["Code"], r.get("Message")) for r in resp["CancellationReasons"]]
    assert got == list(reasons)


@pytest.fixture(scope="module")
def indexed(emulator):
    """pk/sk table with a global index (g, gs) and a local index (ls)."""
    client = emulator.client()
    name = support.unique_name("limits")
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "g", "gs", "ls")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "gix",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "gs", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{
            "IndexName": "lix",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "ls", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])
    return name


@pytest.fixture(scope="module")
def plain(emulator):
    client = emulator.client()
    name = support.unique_name("limits-plain")
    support.create_table(client, name, hash_key=("pk", "S"))
    return name


# --------------------------------------------------------------------------
# key attribute names in definitions
# --------------------------------------------------------------------------

def constraint(value, path, rule):
    return f"Value '{value}' at '{path}' failed to satisfy constraint: {rule}"


LONGEST = "Member must have length less than or equal to 255"


def test_table_key_name_of_255_bytes_is_accepted(ddb):
    name = support.unique_name("names")
    long = "k" * 255
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": long, "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": long, "KeyType": "HASH"}])
    ddb.put_item(TableName=name, Item={long: S("x")})
    assert ddb.get_item(TableName=name, Key={long: S("x")})["Item"] == {long: S("x")}


def test_table_key_name_of_256_bytes_is_refused(ddb_raw):
    long = "k" * 256
    expect_error(
        ddb_raw.create_table, "ValidationException",
        "2 validation errors detected: "
        + constraint(long, "attributeDefinitions.1.member.attributeName", LONGEST) + "; "
        + constraint(long, "keySchema.1.member.attributeName", LONGEST),
        TableName=support.unique_name("names"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": long, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": long, "KeyType": "HASH"}])


def test_index_key_name_of_256_bytes_is_refused(ddb_raw):
    long = "g" * 256
    expect_error(
        ddb_raw.create_table, "ValidationException",
        "2 validation errors detected: "
        + constraint(long, "attributeDefinitions.2.member.attributeName", LONGEST) + "; "
        + constraint(long, "globalSecondaryIndexes.1.member.keySchema.1.member.attributeName",
                     LONGEST),
        TableName=support.unique_name("names"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": long, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "gix",
                                 "KeySchema": [{"AttributeName": long, "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])


def test_update_table_index_key_name_of_256_bytes_is_refused(ddb_raw, plain):
    long = "g" * 256
    resp = expect_error(
        ddb_raw.update_table, "ValidationException", None, TableName=plain,
        AttributeDefinitions=[{"AttributeName": long, "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "gix", "KeySchema": [{"AttributeName": long, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])
    message = resp["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    assert constraint(long, "attributeDefinitions.1.member.attributeName", LONGEST) in message
    assert message.endswith(constraint(
        long, "globalSecondaryIndexUpdates.1.member.create.keySchema.1.member.attributeName",
        LONGEST))


# --------------------------------------------------------------------------
# index key values
# --------------------------------------------------------------------------

def gsi_too_long(size):
    return (INVALID + f"Size limit exceeded for Index Key g Actual Size: {size} bytes "
            "Max Size: 2048 bytes IndexName: gix")


def test_global_partition_key_of_2048_bytes_is_indexed(ddb, indexed):
    g = "g" * 2048
    ddb.put_item(TableName=indexed, Item={"pk": S("gp"), "sk": S("1"), "g": S(g), "gs": S("a")})
    got = ddb.query(TableName=indexed, IndexName="gix", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": S(g)})["Items"]
    assert [i["pk"] for i in got] == [S("gp")]


@pytest.mark.parametrize("size", [2049, 5000])
def test_global_partition_key_past_2048_bytes_refuses_put(ddb, indexed, size):
    item = {"pk": S("gp-long"), "sk": S("1"), "g": S("g" * size), "gs": S("a")}
    expect_error(ddb.put_item, "ValidationException", gsi_too_long(size),
                 TableName=indexed, Item=item)
    assert "Item" not in ddb.get_item(TableName=indexed, Key={"pk": S("gp-long"), "sk": S("1")})


def test_global_partition_key_counts_utf8_bytes(ddb, indexed):
    item = {"pk": S("gp-utf8"), "sk": S("1"), "g": S("é" * 1025)}  # 2050 bytes
    expect_error(ddb.put_item, "ValidationException", gsi_too_long(2050),
                 TableName=indexed, Item=item)


def test_global_partition_key_binary_past_2048_bytes(ddb, emulator):
    name = support.unique_name("limits-b")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "B"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "gix",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    expect_error(ddb.put_item, "ValidationException", gsi_too_long(2049),
                 TableName=name, Item={"pk": S("b"), "g": {"B": b"\x00" * 2049}})
    ddb.put_item(TableName=name, Item={"pk": S("b"), "g": {"B": b"\x00" * 2048}})


@pytest.mark.parametrize("attr", ["gs", "ls"])
def test_index_sort_key_past_1024_bytes_refuses_put(ddb, indexed, attr):
    item = {"pk": S("sort-long"), "sk": S("1"), "g": S("g"), "gs": S("a"), attr: S("s" * 1025)}
    expect_error(ddb.put_item, "ValidationException", RANGE_TOO_LONG, TableName=indexed,
                 Item=item)


def test_index_key_limits_on_update_item(ddb, indexed):
    key = {"pk": S("upd"), "sk": S("1")}
    ddb.put_item(TableName=indexed, Item={**key, "g": S("g"), "gs": S("a")})
    expect_error(ddb.update_item, "ValidationException", gsi_too_long(2049), TableName=indexed,
                 Key=key, UpdateExpression="SET g = :g",
                 ExpressionAttributeValues={":g": S("x" * 2049)})
    expect_error(ddb.update_item, "ValidationException", RANGE_TOO_LONG, TableName=indexed,
                 Key=key, UpdateExpression="SET ls = :s",
                 ExpressionAttributeValues={":s": S("x" * 1025)})
    got = ddb.get_item(TableName=indexed, Key=key, ConsistentRead=True)["Item"]
    assert got == {**key, "g": S("g"), "gs": S("a")}


def test_index_key_limits_on_batch_write_item(ddb, indexed):
    item = {"pk": S("batch"), "sk": S("1"), "g": S("x" * 2049), "gs": S("a")}
    expect_error(ddb.batch_write_item, "ValidationException", gsi_too_long(2049),
                 RequestItems={indexed: [{"PutRequest": {"Item": item}}]})


def test_index_key_limits_cancel_a_transaction(ddb, indexed):
    good = {"pk": S("txn-ok"), "sk": S("1")}
    bad = {"pk": S("txn-bad"), "sk": S("1"), "g": S("x" * 2049), "gs": S("a")}
    expect_cancelled(ddb, [{"Put": {"TableName": indexed, "Item": good}},
                           {"Put": {"TableName": indexed, "Item": bad}}],
                     [("None", None), ("ValidationError", gsi_too_long(2049))])
    assert "Item" not in ddb.get_item(TableName=indexed, Key=good)


def test_long_local_sort_key_beside_long_table_keys(ddb, indexed):
    """Table keys of 2048 and 1024 bytes with a local sort key of 1024: stored, found by the
    local index, and paged through it one item at a time."""
    pk = "p" * 2048
    items = [{"pk": S(pk), "sk": S(c * 1024), "ls": S("l" * 1023 + c), "v": N(i)}
             for i, c in enumerate("abc")]
    for item in items:
        ddb.put_item(TableName=indexed, Item=item)
    kwargs = dict(TableName=indexed, IndexName="lix", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S(pk)}, Limit=1)
    seen = []
    while True:
        page = ddb.query(**kwargs)
        seen += [i["v"]["N"] for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert seen == ["0", "1", "2"]
    got = ddb.query(TableName=indexed, IndexName="lix",
                    KeyConditionExpression="pk = :p AND ls = :l",
                    ExpressionAttributeValues={":p": S(pk), ":l": S("l" * 1023 + "b")})["Items"]
    assert [i["v"] for i in got] == [N(1)]
    # Replacing and deleting keep the index in step.
    ddb.put_item(TableName=indexed, Item={**items[1], "ls": S("z" * 1024)})
    ddb.delete_item(TableName=indexed, Key={"pk": S(pk), "sk": items[0]["sk"]})
    got = ddb.query(TableName=indexed, IndexName="lix", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": S(pk)})["Items"]
    assert [i["v"]["N"] for i in got] == ["2", "1"]


# --------------------------------------------------------------------------
# table key sizes everywhere
# --------------------------------------------------------------------------

def test_table_key_sizes_on_every_write(ddb, indexed):
    long_hash = {"pk": S("p" * 2049), "sk": S("1")}
    long_range = {"pk": S("p"), "sk": S("s" * 1025)}
    for key, message in [(long_hash, HASH_TOO_LONG), (long_range, RANGE_TOO_LONG)]:
        expect_error(ddb.put_item, "ValidationException", message, TableName=indexed, Item=key)
        expect_error(ddb.update_item, "ValidationException", message, TableName=indexed,
                     Key=key, UpdateExpression="SET v = :v",
                     ExpressionAttributeValues={":v": N(1)})
        expect_error(ddb.delete_item, "ValidationException", message, TableName=indexed,
                     Key=key)
        expect_error(ddb.batch_write_item, "ValidationException", message,
                     RequestItems={indexed: [{"DeleteRequest": {"Key": key}}]})
        for action in [{"Put": {"TableName": indexed, "Item": key}},
                       {"Delete": {"TableName": indexed, "Key": key}},
                       {"ConditionCheck": {"TableName": indexed, "Key": key,
                                           "ConditionExpression": "attribute_exists(pk)"}}]:
            expect_error(ddb.transact_write_items, "ValidationException", message,
                         TransactItems=[action])


# --------------------------------------------------------------------------
# transactions
# --------------------------------------------------------------------------

def test_put_with_a_wrong_key_cancels(ddb_raw, plain):
    cases = [({"pk": N(5)}, INVALID + "Type mismatch for key pk expected: S actual: N"),
             ({"pk": {"L": [S("x")]}}, INVALID + "Type mismatch for key pk expected: S actual: L"),
             ({"other": S("x")}, INVALID + "Missing the key pk in the item")]
    for item, message in cases:
        expect_cancelled(ddb_raw, [{"Put": {"TableName": plain, "Item": item}}],
                         [("ValidationError", message)])


@pytest.mark.parametrize("kind", ["Update", "Delete", "ConditionCheck"])
@pytest.mark.parametrize("key", [{"pk": N(5)}, {"pk": {"L": [S("x")]}}, {"pk": S("a"), "x": S("b")},
                                 {}])
def test_wrong_key_cancels(ddb_raw, plain, kind, key):
    action = {"TableName": plain, "Key": key}
    if kind == "Update":
        action.update(UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": N(1)})
    if kind == "ConditionCheck":
        action["ConditionExpression"] = "attribute_not_exists(pk)"
    expect_cancelled(ddb_raw, [{"Put": {"TableName": plain, "Item": {"pk": S("wk-ok")}}},
                               {kind: action}],
                     [("None", None), ("ValidationError", NO_MATCH)])
    assert "Item" not in ddb_raw.get_item(TableName=plain, Key={"pk": S("wk-ok")})


@pytest.mark.parametrize("kind", ["Put", "Update", "Delete", "ConditionCheck"])
@pytest.mark.parametrize("value,word", [(S(""), "string"), ({"B": b""}, "binary")])
def test_empty_key_value_is_refused(ddb_raw, emulator, kind, value, word):
    table = support.unique_name("limits-empty")
    client = emulator.client()
    support.create_table(client, table, hash_key=("pk", "S" if word == "string" else "B"))
    member = "Item" if kind == "Put" else "Key"
    action = {"TableName": table, member: {"pk": value}}
    if kind == "Update":
        action.update(UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": N(1)})
    if kind == "ConditionCheck":
        action["ConditionExpression"] = "attribute_not_exists(pk)"
    expect_error(ddb_raw.transact_write_items, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key "
                 f"attribute cannot contain an empty {word} value. Key: pk",
                 TransactItems=[{kind: action}])


def test_schema_errors_and_conditions_are_reported_together(ddb_raw, plain):
    ddb_raw.put_item(TableName=plain, Item={"pk": S("both")})
    expect_cancelled(
        ddb_raw,
        [{"Put": {"TableName": plain, "Item": {"pk": S("both")},
                  "ConditionExpression": "attribute_not_exists(pk)"}},
         {"Delete": {"TableName": plain, "Key": {"pk": N(1)}}}],
        [("ConditionalCheckFailed", "The conditional request failed"),
         ("ValidationError", NO_MATCH)])


def big_item(pk, size=390 * 1024):
    return {"pk": S(pk), "blob": {"B": b"x" * size}}


def test_transaction_of_4_mb_is_accepted(ddb, plain):
    # Ten items of 400 KB: 4,000 KB, under 4 MB.
    items = [{"Put": {"TableName": plain, "Item": big_item(f"mb-{i}", 400 * 1024 - 100)}}
             for i in range(10)]
    ddb.transact_write_items(TransactItems=items)
    assert "Item" in ddb.get_item(TableName=plain, Key={"pk": S("mb-9")},
                                  ProjectionExpression="pk")


def test_transaction_past_4_mb_is_refused(ddb, plain):
    items = [{"Put": {"TableName": plain, "Item": big_item(f"over-{i}")}} for i in range(11)]
    expect_error(ddb.transact_write_items, "ValidationException",
                 "Transaction failed: The total size of all items in the transaction request "
                 "cannot exceed 4 MB", TransactItems=items)
    assert "Item" not in ddb.get_item(TableName=plain, Key={"pk": S("over-0")})


def test_put_past_400_kb_is_refused_not_cancelled(ddb, plain):
    expect_error(ddb.transact_write_items, "ValidationException",
                 "Item size has exceeded the maximum allowed size",
                 TransactItems=[{"Put": {"TableName": plain,
                                         "Item": big_item("big", 400 * 1024)}}])


# --------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("expression,values", [
    ("SET n = :a + :b", {":a": N("1e50"), ":b": N(1)}),
    ("SET n = :a - :b", {":a": N("1e50"), ":b": N(1)}),
    ("SET n = :a + :b", {":a": N("9.9e125"), ":b": N("9.9e125")}),
    ("ADD n :b", {":b": N("0.000000000000000000000000000000000000001")}),
], ids=["precision_plus", "precision_minus", "range", "add_precision"])
def test_arithmetic_past_a_number(ddb, plain, expression, values):
    key = {"pk": S("num")}
    ddb.put_item(TableName=plain, Item={**key, "n": N(1)})
    expect_error(ddb.update_item, "ValidationException", OVERFLOW, TableName=plain, Key=key,
                 UpdateExpression=expression, ExpressionAttributeValues=values)
    assert ddb.get_item(TableName=plain, Key=key)["Item"]["n"] == N(1)


def test_arithmetic_at_38_digits(ddb, plain):
    key = {"pk": S("num38")}
    got = ddb.update_item(TableName=plain, Key=key, UpdateExpression="SET n = :a + :b",
                          ExpressionAttributeValues={":a": N("1e37"), ":b": N(1)},
                          ReturnValues="ALL_NEW")["Attributes"]["n"]
    assert got == N("1" + "0" * 36 + "1")


def test_parsed_number_past_38_digits_keeps_its_message(ddb, plain):
    expect_error(ddb.put_item, "ValidationException",
                 "Attempting to store more than 38 significant digits in a Number",
                 TableName=plain, Item={"pk": S("n39"), "n": N("1" * 39)})


# --------------------------------------------------------------------------
# nesting
# --------------------------------------------------------------------------

def test_item_of_32_levels_is_stored(ddb, plain):
    key = {"pk": S("deep32")}
    ddb.put_item(TableName=plain, Item={**key, "d": deep(32)})
    assert ddb.get_item(TableName=plain, Key=key)["Item"]["d"] == deep(32)


def test_item_of_33_levels_is_refused(ddb, plain):
    item = {"pk": S("deep33"), "d": deep(33)}
    expect_error(ddb.put_item, "ValidationException", TOO_DEEP, TableName=plain, Item=item)
    expect_error(ddb.batch_write_item, "ValidationException", TOO_DEEP,
                 RequestItems={plain: [{"PutRequest": {"Item": item}}]})
    expect_error(ddb.transact_write_items, "ValidationException", TOO_DEEP,
                 TransactItems=[{"Put": {"TableName": plain, "Item": item}}])
    expect_error(ddb.update_item, "ValidationException",
                 "ExpressionAttributeValues contains invalid value: " + TOO_DEEP + " for key :d",
                 TableName=plain, Key={"pk": S("deep33")}, UpdateExpression="SET d = :d",
                 ExpressionAttributeValues={":d": deep(33)})


def test_update_that_nests_the_item_too_deep(ddb, plain):
    key = {"pk": S("deep-upd")}
    ddb.put_item(TableName=plain, Item={**key, "d": {"M": {}}})
    # :v has 32 levels; placed one level into d, its leaf is at level 33.
    expect_error(ddb.update_item, "ValidationException", TOO_DEEP, TableName=plain, Key=key,
                 UpdateExpression="SET d.x = :v", ExpressionAttributeValues={":v": deep(32)})
    ddb.update_item(TableName=plain, Key=key, UpdateExpression="SET d.x = :v",
                    ExpressionAttributeValues={":v": deep(31)})
    assert ddb.get_item(TableName=plain, Key=key)["Item"]["d"] == {"M": {"x": deep(31)}}
    expect_cancelled(ddb, [{"Update": {"TableName": plain, "Key": key,
                                       "UpdateExpression": "SET d.y = :v",
                                       "ExpressionAttributeValues": {":v": deep(32)}}}],
                     [("ValidationError", TOO_DEEP)])


def test_document_path_of_33_elements(ddb, plain):
    key = {"pk": S("deep32")}
    ddb.get_item(TableName=plain, Key=key, ProjectionExpression="a" + ".b" * 31)
    expect_error(ddb.get_item, "ValidationException",
                 "Invalid ProjectionExpression: The document path has too many nesting levels; "
                 "nesting levels: 33",
                 TableName=plain, Key=key, ProjectionExpression="a" + ".b" * 32)
    expect_error(ddb.update_item, "ValidationException",
                 "Invalid UpdateExpression: The document path has too many nesting levels; "
                 "nesting levels: 33",
                 TableName=plain, Key=key, UpdateExpression="SET a" + "[0]" * 32 + " = :v",
                 ExpressionAttributeValues={":v": N(1)})


# --------------------------------------------------------------------------
# empty attribute names
# --------------------------------------------------------------------------

EMPTY_NAME = "ExpressionAttributeNames contains invalid value: Empty attribute name for key #e"


def test_empty_name_is_refused_in_every_expression(ddb, plain):
    key = {"pk": S("empty-name")}
    names = {"#e": ""}
    expect_error(ddb.get_item, "ValidationException", EMPTY_NAME, TableName=plain, Key=key,
                 ProjectionExpression="#e", ExpressionAttributeNames=names)
    expect_error(ddb.put_item, "ValidationException", EMPTY_NAME, TableName=plain, Item=key,
                 ConditionExpression="attribute_not_exists(#e)", ExpressionAttributeNames=names)
    expect_error(ddb.update_item, "ValidationException", EMPTY_NAME, TableName=plain, Key=key,
                 UpdateExpression="SET #e = :v", ExpressionAttributeNames=names,
                 ExpressionAttributeValues={":v": N(1)})
    expect_error(ddb.query, "ValidationException", EMPTY_NAME, TableName=plain,
                 KeyConditionExpression="#e = :v", ExpressionAttributeNames=names,
                 ExpressionAttributeValues={":v": S("x")})
    expect_error(ddb.scan, "ValidationException", EMPTY_NAME, TableName=plain,
                 FilterExpression="attribute_exists(#e)", ExpressionAttributeNames=names)
    assert "Item" not in ddb.get_item(TableName=plain, Key=key)


# --------------------------------------------------------------------------
# a transaction's actions are read before any table is looked up
# --------------------------------------------------------------------------

def test_actions_are_read_before_tables_are_looked_up(ddb, plain):
    missing = {"Put": {"TableName": support.unique_name("absent"), "Item": {"pk": S("a")}}}
    syntax = {"ConditionCheck": {"TableName": plain, "Key": {"pk": S("a")},
                                 "ConditionExpression": "attribute_not_exists("}}
    too_deep = {"Put": {"TableName": plain, "Item": {"pk": S("b"), "d": deep(33)}}}
    too_big = {"Put": {"TableName": plain, "Item": big_item("c", 400 * 1024)}}
    expect_error(ddb.transact_write_items, "ValidationException",
                 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("',
                 TransactItems=[missing, syntax])
    expect_error(ddb.transact_write_items, "ValidationException", TOO_DEEP,
                 TransactItems=[missing, too_deep, syntax])
    expect_error(ddb.transact_write_items, "ValidationException",
                 "Item size has exceeded the maximum allowed size",
                 TransactItems=[missing, too_big])
    expect_error(ddb.transact_write_items, "ResourceNotFoundException", None,
                 TransactItems=[missing, {"Put": {"TableName": plain, "Item": {"pk": S("d")}}}])


def test_backfill_leaves_out_items_past_the_new_index_limits(ddb, emulator):
    """Items written before a global index existed may hold values its keys refuse (empty,
    or past 2048 / 1024 bytes): the backfill leaves them out, as DynamoDB does with index key
    violations; later writes of such values are refused."""
    name = support.unique_name("limits-backfill")
    support.create_table(ddb, name, hash_key=("pk", "S"))
    rows = {"ok": {"g": S("g"), "r": S("r")}, "empty": {"g": S(""), "r": S("r")},
            "long_g": {"g": S("g" * 2049), "r": S("r")},
            "long_r": {"g": S("g"), "r": S("r" * 1025)}, "edge": {"g": S("g" * 2048),
                                                             "r": S("r" * 1024)}}
    for pk, attrs in rows.items():
        ddb.put_item(TableName=name, Item={"pk": S(pk), **attrs})
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "r", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "late", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "r", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        g = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        if g["IndexStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    got = sorted(i["pk"]["S"] for i in ddb.scan(TableName=name, IndexName="late")["Items"])
    assert got == ["edge", "ok"]
    expect_error(ddb.put_item, "ValidationException",
                 INVALID + "Size limit exceeded for Index Key g Actual Size: 2049 bytes "
                 "Max Size: 2048 bytes IndexName: late",
                 TableName=name, Item={"pk": S("long_g"), "g": S("g" * 2049), "r": S("r")})
