"""DynamoDB Streams: StreamSpecification on CreateTable/UpdateTable, the
Streams API (ListStreams, DescribeStream, GetShardIterator, GetRecords) on
the same port, the records each write produces, shard rollover, iterator
expiry and trimming on the emulator's clock, and durability."""

import datetime
import threading
import time

import pytest
from botocore.exceptions import ClientError

import support
from stream_support import (LABEL_RE, SEQ_RE, advance, clock, create_stream_table, describe,
                            drain, iterator, read_closed_shard, read_shard, read_stream,
                            seq_of, streams_client, summary, wait_for)
from support import expect_error, unique_key, unique_name

VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
TRIMMED_MESSAGE = "The operation attempted to read past the oldest stream record in a shard."


@pytest.fixture(scope="session")
def streams(emulator):
    return streams_client(emulator.endpoint)


@pytest.fixture(scope="session")
def streams_raw(emulator):
    return streams_client(emulator.endpoint, validate=False)


@pytest.fixture
def isolated(emulator):
    """(dynamodb client, streams client) sharing an access key of their own."""
    key = unique_key()
    return emulator.client(access_key=key), streams_client(emulator.endpoint, access_key=key)


def new_table(ddb, view="NEW_AND_OLD_IMAGES", **kwargs):
    name = unique_name("st")
    desc = create_stream_table(ddb, name, view=view, **kwargs)
    return name, desc.get("LatestStreamArn")


def only_shard(streams, arn):
    shards = describe(streams, arn)["Shards"]
    assert len(shards) == 1, shards
    return shards[0]["ShardId"]


def private(emulator_factory, *flags, **kwargs):
    emu = emulator_factory(extra_args=[str(f) for f in flags], **kwargs)
    return emu, emu.client(), streams_client(emu.endpoint)


def item(key, **attrs):
    out = {"id": {"S": key}}
    for k, v in attrs.items():
        out[k] = {"N": str(v)} if isinstance(v, int) else {"S": v}
    return out


def K(key):
    return {"id": {"S": key}}


# ==========================================================================
# StreamSpecification on CreateTable, UpdateTable, DescribeTable
# ==========================================================================

def test_create_table_with_stream_describes_it(ddb):
    name = unique_name("st")
    created = create_stream_table(ddb, name, view="NEW_IMAGE")
    for desc in (created, ddb.describe_table(TableName=name)["Table"]):
        assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        label = desc["LatestStreamLabel"]
        assert LABEL_RE.match(label), label
        assert desc["LatestStreamArn"] == f"{desc['TableArn']}/stream/{label}"
    assert created["LatestStreamArn"] == ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def test_table_without_stream_has_no_stream_fields(ddb):
    name = unique_name("st")
    create_stream_table(ddb, name, view=None)
    desc = ddb.describe_table(TableName=name)["Table"]
    for field in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel"):
        assert field not in desc


def test_create_table_with_stream_disabled_creates_no_stream(ddb, streams):
    name = unique_name("st")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     StreamSpecification={"StreamEnabled": False})
    desc = ddb.describe_table(TableName=name)["Table"]
    assert "LatestStreamArn" not in desc
    assert desc.get("StreamSpecification", {}).get("StreamEnabled", False) is False
    assert streams.list_streams(TableName=name)["Streams"] == []


def test_stream_enabled_needs_view_type(ddb):
    name = unique_name("st")
    expect_error(ddb.create_table, "ValidationException", TableName=name,
                 BillingMode="PAY_PER_REQUEST",
                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                 StreamSpecification={"StreamEnabled": True})
    expect_error(ddb.describe_table, "ResourceNotFoundException", TableName=name)


def test_update_table_enables_stream(ddb, streams):
    name, arn = new_table(ddb, view=None)
    assert arn is None
    out = ddb.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
    assert out["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert desc["LatestStreamArn"] == out["LatestStreamArn"]
    assert desc["LatestStreamArn"] == f"{desc['TableArn']}/stream/{desc['LatestStreamLabel']}"
    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": desc["LatestStreamArn"], "TableName": name,
                       "StreamLabel": desc["LatestStreamLabel"]}]
    assert streams.describe_stream(StreamArn=desc["LatestStreamArn"])["StreamDescription"][
        "StreamStatus"] == "ENABLED"


@pytest.mark.parametrize("view", ["NEW_AND_OLD_IMAGES", "KEYS_ONLY"])
def test_enabling_twice_is_refused(ddb, view):
    name, arn = new_table(ddb, view="NEW_AND_OLD_IMAGES")
    resp = expect_error(ddb.update_table, "ValidationException", TableName=name,
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    assert resp["Error"]["Message"].startswith("Table already has an enabled stream"), resp["Error"]
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["LatestStreamArn"] == arn
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_disabling_without_stream_is_refused(ddb):
    name, _ = new_table(ddb, view=None)
    expect_error(ddb.update_table, "ValidationException", TableName=name,
                 StreamSpecification={"StreamEnabled": False})


def test_disable_stream(ddb, streams):
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a", v=1))
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc.get("StreamSpecification", {}).get("StreamEnabled", False) is False
    assert desc["LatestStreamArn"] == arn
    sd = describe(streams, arn)
    assert sd["StreamStatus"] == "DISABLED"
    assert sd["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    # The shard is closed, and writes after disabling are not recorded.
    assert len(sd["Shards"]) == 1
    assert "EndingSequenceNumber" in sd["Shards"][0]["SequenceNumberRange"]
    ddb.put_item(TableName=name, Item=item("b", v=2))
    records, _ = drain(streams, iterator(streams, arn, sd["Shards"][0]["ShardId"]))
    assert [summary(r) for r in records] == [("INSERT", K("a"), item("a", v=1), None)]


def test_disabled_stream_shard_reads_to_an_end(ddb, streams):
    # A disabled stream's shard is closed: read to its end, GetRecords gives no
    # NextShardIterator ("If set to null, the shard has been closed").
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a", v=1))
    ddb.put_item(TableName=name, Item=item("b", v=1))
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    shard = describe(streams, arn)["Shards"][0]
    records = read_closed_shard(streams, iterator(streams, arn, shard["ShardId"]))
    assert [summary(r)[1] for r in records] == [K("a"), K("b")]
    page = streams.get_records(ShardIterator=iterator(streams, arn, shard["ShardId"], "LATEST"))
    assert page["Records"] == [] and "NextShardIterator" not in page


def test_disabled_stream_without_records_reads_to_an_end(ddb, streams):
    name, arn = new_table(ddb)
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    shard = describe(streams, arn)["Shards"][0]
    assert read_closed_shard(streams, iterator(streams, arn, shard["ShardId"])) == []


def test_reenable_creates_a_new_stream(ddb, streams):
    name, first = new_table(ddb, view="NEW_IMAGE")
    first_label = ddb.describe_table(TableName=name)["Table"]["LatestStreamLabel"]
    ddb.put_item(TableName=name, Item=item("a", v=1))
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=name, Item=item("b", v=1))
    time.sleep(0.01)  # labels are millisecond timestamps
    out = ddb.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
    second = out["LatestStreamArn"]
    assert second != first
    assert out["LatestStreamLabel"] != first_label
    assert out["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    ddb.put_item(TableName=name, Item=item("c", v=1))

    listed = streams.list_streams(TableName=name)["Streams"]
    assert sorted(s["StreamArn"] for s in listed) == sorted([first, second])
    assert {s["StreamArn"]: s["StreamLabel"] for s in listed} == {
        first: first_label, second: out["LatestStreamLabel"]}

    old = describe(streams, first)
    assert old["StreamStatus"] == "DISABLED"
    assert old["StreamViewType"] == "NEW_IMAGE"
    assert "EndingSequenceNumber" in old["Shards"][0]["SequenceNumberRange"]
    old_records, _ = drain(streams, iterator(streams, first, old["Shards"][0]["ShardId"]))
    assert [summary(r) for r in old_records] == [("INSERT", K("a"), item("a", v=1), None)]

    new = describe(streams, second)
    assert new["StreamStatus"] == "ENABLED"
    assert new["StreamViewType"] == "KEYS_ONLY"
    assert [summary(r) for r in read_stream(streams, second)] == [("INSERT", K("c"), None, None)]


def test_delete_table_disables_its_stream(ddb, streams):
    # DeleteTable: "If you have DynamoDB Streams enabled on the table, then the
    # corresponding stream on that table goes into the DISABLED state".
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a", v=1))
    ddb.delete_table(TableName=name)
    sd = describe(streams, arn)
    assert sd["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in sd["Shards"][0]["SequenceNumberRange"]
    records = read_closed_shard(streams, iterator(streams, arn, sd["Shards"][0]["ShardId"]))
    assert [summary(r) for r in records] == [("INSERT", K("a"), item("a", v=1), None)]
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]


@pytest.mark.parametrize("view", ["NEW", "ALL", "new_image", ""])
def test_unknown_stream_view_type(ddb_raw, view):
    name = unique_name("st")
    expect_error(ddb_raw.create_table, "ValidationException", TableName=name,
                 BillingMode="PAY_PER_REQUEST",
                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    name, _ = new_table(ddb_raw, view=None)
    expect_error(ddb_raw.update_table, "ValidationException", TableName=name,
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    assert "LatestStreamArn" not in ddb_raw.describe_table(TableName=name)["Table"]


# ==========================================================================
# ListStreams
# ==========================================================================

def test_list_streams_filters_and_pages(isolated):
    ddb, streams = isolated
    tables = []
    for _ in range(3):
        name, arn = new_table(ddb)
        tables.append((name, arn))
    new_table(ddb, view=None)  # a table without a stream lists nothing
    everything = streams.list_streams()["Streams"]
    assert "LastEvaluatedStreamArn" not in streams.list_streams()
    assert sorted(s["StreamArn"] for s in everything) == sorted(arn for _, arn in tables)
    for s in everything:
        assert set(s) == {"StreamArn", "TableName", "StreamLabel"}
        assert s["StreamArn"].endswith(f":table/{s['TableName']}/stream/{s['StreamLabel']}")

    for name, arn in tables:
        assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]

    seen, start, pages = [], None, 0
    while True:
        kwargs = {"Limit": 2}
        if start:
            kwargs["ExclusiveStartStreamArn"] = start
        page = streams.list_streams(**kwargs)
        pages += 1
        assert len(page["Streams"]) <= 2
        seen += [s["StreamArn"] for s in page["Streams"]]
        start = page.get("LastEvaluatedStreamArn")
        if not start:
            break
        assert start == page["Streams"][-1]["StreamArn"]
        assert pages < 5
    assert len(seen) == 3 and set(seen) == {arn for _, arn in tables}
    first = streams.list_streams(Limit=1)
    assert len(first["Streams"]) == 1
    assert first["LastEvaluatedStreamArn"] == first["Streams"][0]["StreamArn"]


def test_list_streams_of_unknown_table_is_empty_or_not_found(isolated):
    ddb, streams = isolated
    try:
        out = streams.list_streams(TableName=unique_name("none"))
    except ClientError as e:  # DynamoDB answers either way for a missing table
        assert e.response["Error"]["Code"] == "ResourceNotFoundException"
    else:
        assert out["Streams"] == []


@pytest.mark.parametrize("limit", [0, 101])
def test_list_streams_limit_bounds(streams_raw, limit):
    expect_error(streams_raw.list_streams, "ValidationException", Limit=limit)


def test_streams_are_namespaced_by_access_key(ddb, streams, isolated):
    name, arn = new_table(ddb)
    _, other = isolated
    assert other.list_streams(TableName=name)["Streams"] == []
    expect_error(other.describe_stream, "ResourceNotFoundException", StreamArn=arn)


# ==========================================================================
# DescribeStream
# ==========================================================================

def test_describe_stream(ddb, streams):
    name, arn = new_table(ddb, view="OLD_IMAGE", range_key=("sk", "N"))
    desc = ddb.describe_table(TableName=name)["Table"]
    sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert sd["StreamArn"] == arn
    assert sd["StreamLabel"] == desc["LatestStreamLabel"]
    assert sd["StreamStatus"] == "ENABLED"
    assert sd["StreamViewType"] == "OLD_IMAGE"
    assert sd["TableName"] == name
    assert sd["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"},
                               {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert isinstance(sd["CreationRequestDateTime"], datetime.datetime)
    assert "LastEvaluatedShardId" not in sd
    assert len(sd["Shards"]) == 1
    shard = sd["Shards"][0]
    assert 28 <= len(shard["ShardId"]) <= 65 and shard["ShardId"].startswith("shardId-")
    assert "ParentShardId" not in shard
    rng = shard["SequenceNumberRange"]
    assert SEQ_RE.match(rng["StartingSequenceNumber"]), rng
    assert "EndingSequenceNumber" not in rng  # open


@pytest.mark.parametrize("limit", [0, 101])
def test_describe_stream_limit_bounds(ddb, streams_raw, limit):
    name, arn = new_table(ddb)
    expect_error(streams_raw.describe_stream, "ValidationException", StreamArn=arn, Limit=limit)


def test_describe_stream_unknown_arn(ddb, streams):
    name, arn = new_table(ddb)
    bogus = arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    expect_error(streams.describe_stream, "ResourceNotFoundException", StreamArn=bogus)
    missing = f"arn:aws:dynamodb:us-east-1:{support.ACCOUNT}:table/{unique_name('none')}/stream/2000-01-01T00:00:00.000"
    expect_error(streams.describe_stream, "ResourceNotFoundException", StreamArn=missing)


# ==========================================================================
# GetShardIterator and GetRecords
# ==========================================================================

def test_records_put_modify_remove(ddb, streams, emulator):
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a", v=1, s="x"))
    ddb.put_item(TableName=name, Item=item("a", v=2))
    ddb.delete_item(TableName=name, Key=K("a"))
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert [summary(r) for r in records] == [
        ("INSERT", K("a"), item("a", v=1, s="x"), None),
        ("MODIFY", K("a"), item("a", v=2), item("a", v=1, s="x")),
        ("REMOVE", K("a"), None, item("a", v=2)),
    ]
    now = clock(emulator.endpoint)["nowMs"] / 1000
    ids = set()
    for r in records:
        assert r["eventVersion"] == "1.1"
        assert r["eventSource"] == "aws:dynamodb"
        assert r["awsRegion"] == "us-east-1"
        assert isinstance(r["eventID"], str) and r["eventID"]
        ids.add(r["eventID"])
        assert "userIdentity" not in r
        d = r["dynamodb"]
        assert d["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert isinstance(d["SizeBytes"], int) and d["SizeBytes"] > 0
        assert SEQ_RE.match(d["SequenceNumber"]), d["SequenceNumber"]
        created = d["ApproximateCreationDateTime"]
        assert isinstance(created, datetime.datetime)
        assert abs(created.timestamp() - now) < 60
        assert set(d) <= {"ApproximateCreationDateTime", "Keys", "NewImage", "OldImage",
                          "SequenceNumber", "SizeBytes", "StreamViewType"}
    assert len(ids) == 3
    seqs = [int(seq_of(r)) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


@pytest.mark.parametrize("view", VIEW_TYPES)
def test_images_follow_view_type(ddb, streams, view):
    name, arn = new_table(ddb, view=view)
    ddb.put_item(TableName=name, Item=item("a", v=1))
    ddb.update_item(TableName=name, Key=K("a"), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.delete_item(TableName=name, Key=K("a"))
    records = read_shard(streams, arn, only_shard(streams, arn))
    new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    assert [summary(r) for r in records] == [
        ("INSERT", K("a"), item("a", v=1) if new else None, None),
        ("MODIFY", K("a"), item("a", v=2) if new else None, item("a", v=1) if old else None),
        ("REMOVE", K("a"), None, item("a", v=2) if old else None),
    ]
    assert all(r["dynamodb"]["StreamViewType"] == view for r in records)


def test_composite_key_records(ddb, streams):
    name, arn = new_table(ddb, view="KEYS_ONLY", range_key=("sk", "N"))
    ddb.put_item(TableName=name, Item={"id": {"S": "p"}, "sk": {"N": "7"}, "x": {"S": "y"}})
    ddb.delete_item(TableName=name, Key={"id": {"S": "p"}, "sk": {"N": "7"}})
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert [summary(r) for r in records] == [
        ("INSERT", {"id": {"S": "p"}, "sk": {"N": "7"}}, None, None),
        ("REMOVE", {"id": {"S": "p"}, "sk": {"N": "7"}}, None, None),
    ]


def test_writes_that_change_nothing_write_no_record(ddb, streams):
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a", v=1, s="x"))
    ddb.put_item(TableName=name, Item=item("a", v=1, s="x"))            # identical put
    ddb.put_item(TableName=name, Item={"s": {"S": "x"}, "v": {"N": "1.0"}, "id": {"S": "a"}})  # same value
    ddb.update_item(TableName=name, Key=K("a"), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "1"}})        # same value
    ddb.update_item(TableName=name, Key=K("a"), UpdateExpression="REMOVE nothing_here")
    ddb.delete_item(TableName=name, Key=K("missing"))                    # nothing to delete
    with pytest.raises(ClientError):
        ddb.put_item(TableName=name, Item=item("a", v=9), ConditionExpression="attribute_not_exists(id)")
    ddb.put_item(TableName=name, Item=item("a", v=3, s="x"))
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert [summary(r) for r in records] == [
        ("INSERT", K("a"), item("a", v=1, s="x"), None),
        ("MODIFY", K("a"), item("a", v=3, s="x"), item("a", v=1, s="x")),
    ]


def test_update_item_records(ddb, streams):
    name, arn = new_table(ddb)
    ddb.update_item(TableName=name, Key=K("u"), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "1"}})  # creates the item
    ddb.update_item(TableName=name, Key=K("u"), UpdateExpression="ADD v :one SET s = :s",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":s": {"S": "t"}})
    ddb.update_item(TableName=name, Key=K("u"), UpdateExpression="REMOVE s")
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert [summary(r) for r in records] == [
        ("INSERT", K("u"), item("u", v=1), None),
        ("MODIFY", K("u"), item("u", v=2, s="t"), item("u", v=1)),
        ("MODIFY", K("u"), item("u", v=2), item("u", v=2, s="t")),
    ]


def test_batch_write_item_records(ddb, streams):
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("old", v=1))
    ddb.put_item(TableName=name, Item=item("gone", v=1))
    ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": item("new", v=1)}},
        {"PutRequest": {"Item": item("old", v=2)}},
        {"DeleteRequest": {"Key": K("gone")}},
        {"DeleteRequest": {"Key": K("never")}},
    ]})
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert [summary(r) for r in records[:2]] == [
        ("INSERT", K("old"), item("old", v=1), None),
        ("INSERT", K("gone"), item("gone", v=1), None),
    ]
    batch = sorted((summary(r) for r in records[2:]), key=lambda s: s[1]["id"]["S"])
    assert batch == [
        ("REMOVE", K("gone"), None, item("gone", v=1)),
        ("INSERT", K("new"), item("new", v=1), None),
        ("MODIFY", K("old"), item("old", v=2), item("old", v=1)),
    ]


def test_transact_write_items_records(ddb, streams):
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("upd", v=1))
    ddb.put_item(TableName=name, Item=item("del", v=1))
    ddb.put_item(TableName=name, Item=item("chk", v=1))
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": item("put", v=1)}},
        {"Update": {"TableName": name, "Key": K("upd"), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "5"}}}},
        {"Delete": {"TableName": name, "Key": K("del")}},
        {"ConditionCheck": {"TableName": name, "Key": K("chk"),
                            "ConditionExpression": "attribute_exists(id)"}},
    ])
    # A cancelled transaction writes nothing, so no records either.
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": item("never", v=1)}},
            {"ConditionCheck": {"TableName": name, "Key": K("chk"),
                                "ConditionExpression": "attribute_not_exists(id)"}},
        ])
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert len(records) == 6, [summary(r) for r in records]
    tx = sorted((summary(r) for r in records[3:]), key=lambda s: s[1]["id"]["S"])
    assert tx == [
        ("REMOVE", K("del"), None, item("del", v=1)),
        ("INSERT", K("put"), item("put", v=1), None),
        ("MODIFY", K("upd"), item("upd", v=5), item("upd", v=1)),
    ]


def test_replayed_transaction_writes_no_more_records(ddb, streams):
    name, arn = new_table(ddb, view="KEYS_ONLY")
    request = dict(ClientRequestToken=unique_name("tok"), TransactItems=[
        {"Put": {"TableName": name, "Item": item("a", v=1)}},
        {"Update": {"TableName": name, "Key": K("b"), "UpdateExpression": "ADD v :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ])
    ddb.transact_write_items(**request)
    ddb.transact_write_items(**request)  # same token: success, nothing applied again
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert sorted((r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in records) == [
        ("INSERT", "a"), ("INSERT", "b")]
    assert ddb.get_item(TableName=name, Key=K("b"))["Item"]["v"] == {"N": "1"}


def test_records_of_one_item_keep_their_order(ddb, streams):
    name, arn = new_table(ddb, view="NEW_IMAGE")
    for v in range(1, 11):
        ddb.put_item(TableName=name, Item=item("a", v=v))
        ddb.put_item(TableName=name, Item=item("b", v=v))
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert [(r["dynamodb"]["Keys"]["id"]["S"], r["dynamodb"]["NewImage"]["v"]["N"]) for r in records] == [
        (k, str(v)) for v in range(1, 11) for k in ("a", "b")]
    seqs = [int(seq_of(r)) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_concurrent_writers_each_record_once_in_order(emulator, ddb, streams):
    # Each record appears exactly once, and the records of one item appear in
    # the order of that item's changes, whatever else is written meanwhile.
    name, arn = new_table(ddb, view="NEW_IMAGE")
    writers, per_writer = 4, 25
    clients = [emulator.client() for _ in range(writers)]
    errors = []

    def work(n, client):
        try:
            for v in range(per_writer):
                client.put_item(TableName=name, Item=item(f"w{n}", v=v))
                client.put_item(TableName=name, Item=item(f"w{n}-{v}", v=v))
        except Exception as e:  # reported below
            errors.append(e)
    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    records = read_shard(streams, arn, only_shard(streams, arn))
    assert len(records) == writers * per_writer * 2
    seqs = [int(seq_of(r)) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert len({r["eventID"] for r in records}) == len(records)
    for n in range(writers):
        mine = [r for r in records if r["dynamodb"]["Keys"] == K(f"w{n}")]
        assert [r["dynamodb"]["NewImage"]["v"]["N"] for r in mine] == [str(v) for v in range(per_writer)]
        assert [r["eventName"] for r in mine] == ["INSERT"] + ["MODIFY"] * (per_writer - 1)


def test_shard_iterator_types(ddb, streams):
    name, arn = new_table(ddb, view="KEYS_ONLY")
    for k in "abc":
        ddb.put_item(TableName=name, Item=item(k))
    shard = only_shard(streams, arn)
    every = read_shard(streams, arn, shard)
    assert [r["dynamodb"]["Keys"] for r in every] == [K("a"), K("b"), K("c")]
    second = seq_of(every[1])

    at = read_shard(streams, arn, shard, "AT_SEQUENCE_NUMBER", second)
    assert [r["dynamodb"]["Keys"] for r in at] == [K("b"), K("c")]
    after = read_shard(streams, arn, shard, "AFTER_SEQUENCE_NUMBER", second)
    assert [r["dynamodb"]["Keys"] for r in after] == [K("c")]
    assert read_shard(streams, arn, shard, "AFTER_SEQUENCE_NUMBER", seq_of(every[2])) == []

    latest = iterator(streams, arn, shard, "LATEST")
    page = streams.get_records(ShardIterator=latest)
    assert page["Records"] == []
    assert page["NextShardIterator"]
    ddb.put_item(TableName=name, Item=item("d"))
    records, _ = drain(streams, latest)
    assert [r["dynamodb"]["Keys"] for r in records] == [K("d")]
    # The iterator from the empty page continues from the same place.
    records, _ = drain(streams, page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"] for r in records] == [K("d")]


def test_iterator_for_an_empty_open_shard(ddb, streams):
    name, arn = new_table(ddb)
    shard = only_shard(streams, arn)
    for kind in ("TRIM_HORIZON", "LATEST"):
        page = streams.get_records(ShardIterator=iterator(streams, arn, shard, kind))
        assert page["Records"] == []
        assert page["NextShardIterator"]  # an open shard always gives one


@pytest.mark.parametrize("kind", ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"])
def test_sequence_iterator_needs_a_sequence_number(ddb, streams, kind):
    name, arn = new_table(ddb)
    expect_error(streams.get_shard_iterator, "ValidationException", StreamArn=arn,
                 ShardId=only_shard(streams, arn), ShardIteratorType=kind)


def test_get_shard_iterator_unknown_stream_or_shard(ddb, streams):
    name, arn = new_table(ddb)
    shard = only_shard(streams, arn)
    bogus_arn = arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    expect_error(streams.get_shard_iterator, "ResourceNotFoundException", StreamArn=bogus_arn,
                 ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    bogus_shard = "shardId-00000000000000000000-00000000"
    expect_error(streams.get_shard_iterator, "ResourceNotFoundException", StreamArn=arn,
                 ShardId=bogus_shard, ShardIteratorType="TRIM_HORIZON")


def test_get_records_limit_pages(ddb, streams):
    name, arn = new_table(ddb, view="KEYS_ONLY")
    keys = [f"k{i:02d}" for i in range(7)]
    for k in keys:
        ddb.put_item(TableName=name, Item=item(k))
    it = iterator(streams, arn, only_shard(streams, arn))
    got = []
    for expected in ([keys[0:3], keys[3:6], keys[6:7], []]):
        page = streams.get_records(ShardIterator=it, Limit=3)
        assert [r["dynamodb"]["Keys"]["id"]["S"] for r in page["Records"]] == expected
        got += page["Records"]
        it = page["NextShardIterator"]
    page = streams.get_records(ShardIterator=iterator(streams, arn, only_shard(streams, arn)), Limit=1)
    assert len(page["Records"]) == 1 and page["Records"][0]["eventID"] == got[0]["eventID"]


def test_get_records_limit_over_1000_records(ddb, streams):
    name, arn = new_table(ddb, view="KEYS_ONLY")
    for start in range(0, 1010, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": item(f"k{i:04d}")}} for i in range(start, min(start + 25, 1010))]})
    it = iterator(streams, arn, only_shard(streams, arn))
    page = streams.get_records(ShardIterator=it)
    assert len(page["Records"]) == 1000  # the default and largest page
    rest = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=1000)
    assert len(rest["Records"]) == 10
    keys = {r["dynamodb"]["Keys"]["id"]["S"] for r in page["Records"] + rest["Records"]}
    assert keys == {f"k{i:04d}" for i in range(1010)}


def test_get_records_pages_stop_at_one_megabyte(ddb, streams):
    # GetRecords: "can retrieve a maximum of 1 MB of data or 1000 stream
    # records, whichever comes first."
    name, arn = new_table(ddb, view="NEW_IMAGE")
    blob = "x" * 350_000
    for i in range(5):
        ddb.put_item(TableName=name, Item=item(f"k{i}", blob=blob))
    it = iterator(streams, arn, only_shard(streams, arn))
    pages, got = [], []
    while len(got) < 5 and len(pages) < 10:
        page = streams.get_records(ShardIterator=it)
        pages.append([r["dynamodb"]["SizeBytes"] for r in page["Records"]])
        got += page["Records"]
        it = page["NextShardIterator"]
    assert [r["dynamodb"]["Keys"] for r in got] == [K(f"k{i}") for i in range(5)]
    for sizes in pages:
        assert sizes, pages  # every page makes progress
        assert sum(sizes) <= 1024 * 1024, f"page of {len(sizes)} records, {sum(sizes)} bytes: {pages}"


def test_binary_and_number_keys_in_records(ddb, streams):
    name, arn = new_table(ddb, view="NEW_AND_OLD_IMAGES", hash_key=("id", "B"), range_key=("n", "N"))
    key = {"id": {"B": b"\x00\xffkey"}, "n": {"N": "-12.50"}}
    ddb.put_item(TableName=name, Item=dict(key, v={"B": b"\x01\x02"}))
    ddb.delete_item(TableName=name, Key=key)
    records = read_shard(streams, arn, only_shard(streams, arn))
    normal = {"id": {"B": b"\x00\xffkey"}, "n": {"N": "-12.5"}}
    assert [summary(r) for r in records] == [
        ("INSERT", normal, dict(normal, v={"B": b"\x01\x02"}), None),
        ("REMOVE", normal, None, dict(normal, v={"B": b"\x01\x02"})),
    ]


@pytest.mark.parametrize("limit", [0, 1001, -1])
def test_get_records_limit_bounds(ddb, streams, streams_raw, limit):
    name, arn = new_table(ddb)
    it = iterator(streams, arn, only_shard(streams, arn))
    expect_error(streams_raw.get_records, "ValidationException", ShardIterator=it, Limit=limit)


def test_get_records_after_table_recreated_with_new_stream(ddb, streams):
    # The same table name, deleted and created again: each stream keeps its own records.
    name, first = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a"))
    ddb.delete_table(TableName=name)
    time.sleep(0.01)
    second = create_stream_table(ddb, name)["LatestStreamArn"]
    assert second != first
    ddb.put_item(TableName=name, Item=item("b"))
    assert [summary(r)[1] for r in read_stream(streams, second)] == [K("b")]
    assert [summary(r)[1] for r in read_stream(streams, first)] == [K("a")]


# ==========================================================================
# Shard rollover (--stream-shard-seconds) on the emulator's clock
# ==========================================================================

def test_shard_rolls_over_on_the_next_write(emulator_factory):
    emu, ddb, streams = private(emulator_factory, "--stream-shard-seconds", 60, in_memory=True)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    ddb.put_item(TableName=name, Item=item("a"))
    ddb.put_item(TableName=name, Item=item("b"))
    advance(emu.endpoint, 61)
    assert len(describe(streams, arn)["Shards"]) == 1  # no write, no rollover
    ddb.put_item(TableName=name, Item=item("c"))
    ddb.put_item(TableName=name, Item=item("d"))

    shards = describe(streams, arn)["Shards"]
    assert len(shards) == 2, shards
    parent, child = shards
    assert "ParentShardId" not in parent
    assert child["ParentShardId"] == parent["ShardId"]
    assert child["ShardId"] != parent["ShardId"]
    assert "EndingSequenceNumber" not in child["SequenceNumberRange"]

    old = read_closed_shard(streams, iterator(streams, arn, parent["ShardId"]))
    assert [r["dynamodb"]["Keys"] for r in old] == [K("a"), K("b")]
    assert parent["SequenceNumberRange"]["EndingSequenceNumber"] == seq_of(old[-1])
    assert parent["SequenceNumberRange"]["StartingSequenceNumber"] <= seq_of(old[0])
    new = read_shard(streams, arn, child["ShardId"])
    assert [r["dynamodb"]["Keys"] for r in new] == [K("c"), K("d")]
    assert child["SequenceNumberRange"]["StartingSequenceNumber"] == seq_of(new[0])
    assert int(seq_of(new[0])) > int(seq_of(old[-1]))

    # LATEST on a closed shard: nothing more to read, and no next iterator.
    page = streams.get_records(ShardIterator=iterator(streams, arn, parent["ShardId"], "LATEST"))
    assert page["Records"] == [] and "NextShardIterator" not in page


def test_closed_shard_read_in_pages_ends(emulator_factory):
    emu, ddb, streams = private(emulator_factory, "--stream-shard-seconds", 60, in_memory=True)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    for k in "abc":
        ddb.put_item(TableName=name, Item=item(k))
    advance(emu.endpoint, 61)
    ddb.put_item(TableName=name, Item=item("d"))
    parent = describe(streams, arn)["Shards"][0]
    it = iterator(streams, arn, parent["ShardId"])
    page = streams.get_records(ShardIterator=it, Limit=2)
    assert [r["dynamodb"]["Keys"] for r in page["Records"]] == [K("a"), K("b")]
    page = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=2)
    assert [r["dynamodb"]["Keys"] for r in page["Records"]] == [K("c")]
    assert "NextShardIterator" not in page
    # An iterator after the last record of a closed shard has nothing more either.
    page = streams.get_records(ShardIterator=iterator(
        streams, arn, parent["ShardId"], "AFTER_SEQUENCE_NUMBER",
        parent["SequenceNumberRange"]["EndingSequenceNumber"]))
    assert page["Records"] == [] and "NextShardIterator" not in page


def test_rollover_with_writes_to_other_tables_in_between(emulator_factory):
    emu, ddb, streams = private(emulator_factory, "--stream-shard-seconds", 60, in_memory=True)
    one, arn_one = new_table(ddb, view="KEYS_ONLY")
    two, arn_two = new_table(ddb, view="KEYS_ONLY")
    ddb.put_item(TableName=one, Item=item("a1"))
    ddb.put_item(TableName=two, Item=item("a2"))
    ddb.put_item(TableName=one, Item=item("b1"))
    ddb.put_item(TableName=two, Item=item("b2"))
    advance(emu.endpoint, 61)
    ddb.put_item(TableName=two, Item=item("c2"))
    ddb.put_item(TableName=one, Item=item("c1"))
    for arn, sfx in ((arn_one, "1"), (arn_two, "2")):
        parent, child = describe(streams, arn)["Shards"]
        old = read_closed_shard(streams, iterator(streams, arn, parent["ShardId"]))
        assert [r["dynamodb"]["Keys"] for r in old] == [K("a" + sfx), K("b" + sfx)]
        assert [r["dynamodb"]["Keys"] for r in read_shard(streams, arn, child["ShardId"])] == [K("c" + sfx)]


def test_several_rollovers_form_a_lineage(emulator_factory):
    emu, ddb, streams = private(emulator_factory, "--stream-shard-seconds", 30, in_memory=True)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    for k in "abcd":
        ddb.put_item(TableName=name, Item=item(k))
        advance(emu.endpoint, 31)
    shards = describe(streams, arn)["Shards"]
    assert len(shards) == 4
    for prev, nxt in zip(shards, shards[1:]):
        assert nxt["ParentShardId"] == prev["ShardId"]
        assert "EndingSequenceNumber" in prev["SequenceNumberRange"]
    assert "EndingSequenceNumber" not in shards[-1]["SequenceNumberRange"]
    assert [r["dynamodb"]["Keys"] for r in read_stream(streams, arn)] == [K(k) for k in "abcd"]
    # DescribeStream pages through shards.
    first = streams.describe_stream(StreamArn=arn, Limit=3)["StreamDescription"]
    assert [s["ShardId"] for s in first["Shards"]] == [s["ShardId"] for s in shards[:3]]
    assert first["LastEvaluatedShardId"] == shards[2]["ShardId"]
    rest = streams.describe_stream(StreamArn=arn, Limit=3,
                                   ExclusiveStartShardId=first["LastEvaluatedShardId"])["StreamDescription"]
    assert [s["ShardId"] for s in rest["Shards"]] == [shards[3]["ShardId"]]
    assert "LastEvaluatedShardId" not in rest


# ==========================================================================
# The clock: record times, iterator expiry, trimming
# ==========================================================================

def test_record_times_follow_the_emulator_clock(emulator_factory):
    year = 365 * 24 * 3600
    emu, ddb, streams = private(emulator_factory, "--clock-offset", year, in_memory=True)
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a"))
    advance(emu.endpoint, 3600)
    ddb.put_item(TableName=name, Item=item("b"))
    first, second = read_stream(streams, arn)
    real = time.time()
    t1 = first["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    t2 = second["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    assert abs(t1 - (real + year)) < 60
    assert abs(t2 - t1 - 3600) < 60


def test_iterator_expires_after_fifteen_minutes(emulator_factory):
    emu, ddb, streams = private(emulator_factory, in_memory=True)
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a"))
    shard = only_shard(streams, arn)
    young = iterator(streams, arn, shard)
    old = iterator(streams, arn, shard)
    advance(emu.endpoint, 14 * 60)
    page = streams.get_records(ShardIterator=young)
    assert [summary(r)[1] for r in page["Records"]] == [K("a")]
    advance(emu.endpoint, 2 * 60)  # 16 minutes after `old` was issued
    expect_error(streams.get_records, "ExpiredIteratorException", ShardIterator=old)
    # NextShardIterator is a fresh iterator: 2 minutes old, still good.
    assert streams.get_records(ShardIterator=page["NextShardIterator"])["Records"] == []
    # A new iterator works again.
    assert len(streams.get_records(ShardIterator=iterator(streams, arn, shard))["Records"]) == 1


def wait_trimmed(streams, arn, shard, remaining):
    """Wait until TRIM_HORIZON reads exactly `remaining` records. (A trim that
    lands between GetShardIterator and GetRecords is TrimmedDataAccessException;
    try again.)"""
    def trimmed():
        try:
            return len(read_shard(streams, arn, shard)) == remaining
        except ClientError as e:
            if e.response["Error"]["Code"] == "TrimmedDataAccessException":
                return False
            raise
    return wait_for(trimmed, timeout=6, what=f"trimming down to {remaining} records")


NO_ROLLOVER = ("--stream-shard-seconds", 10 * 24 * 3600)
FAST_ROUNDS = ("--ttl-interval-ms", 200)


def test_records_older_than_a_day_are_trimmed(emulator_factory):
    emu, ddb, streams = private(emulator_factory, *FAST_ROUNDS, *NO_ROLLOVER, in_memory=True)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    ddb.put_item(TableName=name, Item=item("a"))
    ddb.put_item(TableName=name, Item=item("b"))
    shard = only_shard(streams, arn)
    before = read_shard(streams, arn, shard)
    advance(emu.endpoint, 23 * 3600)
    time.sleep(0.6)  # a few maintenance rounds
    assert len(read_shard(streams, arn, shard)) == 2  # not a day old yet
    ddb.put_item(TableName=name, Item=item("c"))
    advance(emu.endpoint, 3600 + 60)
    wait_trimmed(streams, arn, shard, 1)
    assert [summary(r)[1] for r in read_shard(streams, arn, shard)] == [K("c")]
    for rec in before:
        for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            resp = expect_error(streams.get_shard_iterator, "TrimmedDataAccessException",
                                StreamArn=arn, ShardId=shard, ShardIteratorType=kind,
                                SequenceNumber=seq_of(rec))
            assert resp["Error"]["Message"] == TRIMMED_MESSAGE
    # The stream itself stays, enabled, with its table.
    assert describe(streams, arn)["StreamStatus"] == "ENABLED"


def test_iterator_at_data_trimmed_since(emulator_factory):
    emu, ddb, streams = private(emulator_factory, *FAST_ROUNDS, *NO_ROLLOVER, in_memory=True)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    ddb.put_item(TableName=name, Item=item("a"))
    advance(emu.endpoint, 24 * 3600 - 60)
    ddb.put_item(TableName=name, Item=item("b"))
    shard = only_shard(streams, arn)
    it = iterator(streams, arn, shard)  # positioned at "a", which is about to be trimmed
    advance(emu.endpoint, 120)
    wait_trimmed(streams, arn, shard, 1)
    resp = expect_error(streams.get_records, "TrimmedDataAccessException", ShardIterator=it)
    assert resp["Error"]["Message"] == TRIMMED_MESSAGE


def test_trimming_across_shards(emulator_factory):
    # Default rollover (4 hours): a day of writes spans several shards. Whatever
    # is left of the stream after trimming, reading every listed shard gives
    # exactly the records of the last 24 hours, and closed shards end.
    emu, ddb, streams = private(emulator_factory, *FAST_ROUNDS, in_memory=True)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    for hour in range(0, 30, 3):
        ddb.put_item(TableName=name, Item=item(f"h{hour:02d}"))
        advance(emu.endpoint, 3 * 3600)
    # Now 30 h (and a little) after the first write: h00..h06 are more than a day old.
    expected = [K(f"h{hour:02d}") for hour in range(9, 30, 3)]

    def settled():
        try:
            return [summary(r)[1] for r in read_stream(streams, arn)] == expected
        except ClientError as e:
            if e.response["Error"]["Code"] == "TrimmedDataAccessException":
                return False
            raise
    wait_for(settled, timeout=6, what="the records of the last day only")
    shards = describe(streams, arn)["Shards"]
    for shard in shards[:-1]:
        assert "EndingSequenceNumber" in shard["SequenceNumberRange"]
        read_closed_shard(streams, iterator(streams, arn, shard["ShardId"]))


def test_disabled_stream_is_readable_for_a_day_then_deleted(emulator_factory):
    # "If you disable a stream, any shards that are open will be closed. The data
    # in the stream will continue to be readable for 24 hours."; a deleted
    # table's stream "is automatically deleted after 24 hours".
    emu, ddb, streams = private(emulator_factory, *FAST_ROUNDS, *NO_ROLLOVER, in_memory=True)
    disabled, arn_disabled = new_table(ddb, view="KEYS_ONLY")
    deleted, arn_deleted = new_table(ddb, view="KEYS_ONLY")
    live, arn_live = new_table(ddb, view="KEYS_ONLY")
    for t in (disabled, deleted, live):
        ddb.put_item(TableName=t, Item=item("a"))
    ddb.update_table(TableName=disabled, StreamSpecification={"StreamEnabled": False})
    ddb.delete_table(TableName=deleted)
    advance(emu.endpoint, 23 * 3600)
    time.sleep(0.6)
    for arn in (arn_disabled, arn_deleted):
        assert describe(streams, arn)["StreamStatus"] == "DISABLED"
        assert [summary(r)[1] for r in read_stream(streams, arn)] == [K("a")]
    advance(emu.endpoint, 3600 + 60)

    def gone():
        listed = {s["StreamArn"] for s in streams.list_streams()["Streams"]}
        return arn_disabled not in listed and arn_deleted not in listed
    wait_for(gone, timeout=6, what="the disabled streams to be deleted")
    for arn in (arn_disabled, arn_deleted):
        expect_error(streams.describe_stream, "ResourceNotFoundException", StreamArn=arn)
    # The live table's stream stays (its records trimmed).
    assert describe(streams, arn_live)["StreamStatus"] == "ENABLED"
    assert [s["StreamArn"] for s in streams.list_streams()["Streams"]] == [arn_live]


# ==========================================================================
# Durability
# ==========================================================================

@pytest.mark.slow
def test_records_survive_a_restart(emulator_factory):
    emu, ddb, streams = private(emulator_factory)
    name, arn = new_table(ddb)
    ddb.put_item(TableName=name, Item=item("a", v=1))
    ddb.put_item(TableName=name, Item=item("a", v=2))
    ddb.delete_item(TableName=name, Key=K("a"))
    before = read_stream(streams, arn)
    shards_before = describe(streams, arn)["Shards"]
    assert emu.restart() == 0
    ddb, streams = emu.client(), streams_client(emu.endpoint)
    assert ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"] == arn
    assert describe(streams, arn)["Shards"] == shards_before
    after = read_stream(streams, arn)
    assert after == before
    ddb.put_item(TableName=name, Item=item("b", v=1))
    records = read_stream(streams, arn)
    assert records[:3] == before
    assert [summary(r) for r in records[3:]] == [("INSERT", K("b"), item("b", v=1), None)]
    assert int(seq_of(records[3])) > int(seq_of(before[-1]))


@pytest.mark.slow
def test_records_survive_kill9(emulator_factory):
    emu, ddb, streams = private(emulator_factory)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    for k in "abc":
        ddb.put_item(TableName=name, Item=item(k))
    emu.kill9()
    emu.start()
    streams = streams_client(emu.endpoint)
    assert [summary(r)[1] for r in read_stream(streams, arn)] == [K("a"), K("b"), K("c")]


@pytest.mark.slow
def test_disabled_stream_and_rollover_survive_a_restart(emulator_factory):
    emu, ddb, streams = private(emulator_factory, "--stream-shard-seconds", 60)
    name, arn = new_table(ddb, view="KEYS_ONLY")
    ddb.put_item(TableName=name, Item=item("a"))
    advance(emu.endpoint, 61)
    ddb.put_item(TableName=name, Item=item("b"))
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    before = describe(streams, arn)
    assert emu.restart() == 0
    streams = streams_client(emu.endpoint)
    after = describe(streams, arn)
    assert after["StreamStatus"] == "DISABLED"
    assert after["Shards"] == before["Shards"]
    assert len(after["Shards"]) == 2
    assert [summary(r)[1] for r in read_stream(streams, arn)] == [K("a"), K("b")]
