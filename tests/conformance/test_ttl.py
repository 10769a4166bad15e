"""Time to Live: UpdateTimeToLive / DescribeTimeToLive, the sweeper that
deletes expired items on the emulator's clock (with REMOVE stream records
from the service identity), and the clock itself (--clock-offset and
/emulator/clock)."""

import json
import time

import pytest

from stream_support import (TTL_IDENTITY, advance, clock, create_stream_table, describe, drain,
                            iterator, now_seconds, read_stream, streams_client, summary, wait_for)
from support import expect_error, raw_request, unique_name

FIVE_YEARS = 5 * 365 * 24 * 3600
DAY = 24 * 3600


def private(emulator_factory, *flags, **kwargs):
    """A private emulator (sweeping every 100 ms unless flags say otherwise)."""
    args = [str(f) for f in flags]
    if "--ttl-interval-ms" not in args:
        args += ["--ttl-interval-ms", "100"]
    emu = emulator_factory(extra_args=args, **kwargs)
    return emu, emu.client(), streams_client(emu.endpoint)


def ttl_table(ddb, attr="exp", view=None, **kwargs):
    name = unique_name("ttl")
    create_stream_table(ddb, name, view=view, **kwargs)
    if attr:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": attr})
    return name


def row(key, exp=None, attr="exp", **extra):
    out = {"id": {"S": key}}
    if exp is not None:
        out[attr] = {"N": str(exp)}
    for k, v in extra.items():
        out[k] = v
    return out


def K(key):
    return {"id": {"S": key}}


def exists(ddb, table, key):
    return "Item" in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)


def wait_gone(ddb, table, key, timeout=5.0):
    wait_for(lambda: not exists(ddb, table, key), timeout=timeout,
             what=f"{key} to expire from {table}")


def keys_left(ddb, table):
    items = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(i["id"]["S"] for i in items)


def settle():
    """Give the sweeper (100 ms rounds) a few more rounds."""
    time.sleep(0.35)


# ==========================================================================
# UpdateTimeToLive / DescribeTimeToLive
# ==========================================================================

def test_ttl_is_disabled_on_a_new_table(ddb):
    name = ttl_table(ddb, attr=None)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}


def test_enable_ttl(ddb):
    name = ttl_table(ddb, attr=None)
    out = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expiresAt"})
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expiresAt"}
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}


def test_enable_ttl_twice_is_refused(ddb):
    name = ttl_table(ddb, attr="exp")
    for attr in ("exp", "other"):
        expect_error(ddb.update_time_to_live, "ValidationException", "TimeToLive is already enabled",
                     TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attr})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_disable_ttl(ddb):
    name = ttl_table(ddb, attr="exp")
    out = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "exp"})
    assert out["TimeToLiveSpecification"] == {"Enabled": False, "AttributeName": "exp"}
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    expect_error(ddb.update_time_to_live, "ValidationException", "TimeToLive is already disabled",
                 TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    # And it can be enabled again, on another attribute.
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "e2"})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "e2"}


def test_disable_ttl_on_another_attribute_is_refused(ddb):
    name = ttl_table(ddb, attr="exp")
    expect_error(ddb.update_time_to_live, "ValidationException", TableName=name,
                 TimeToLiveSpecification={"Enabled": False, "AttributeName": "other"})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"


def test_ttl_on_unknown_table(ddb):
    name = unique_name("none")
    expect_error(ddb.describe_time_to_live, "ResourceNotFoundException", TableName=name)
    expect_error(ddb.update_time_to_live, "ResourceNotFoundException", TableName=name,
                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})


@pytest.mark.parametrize("spec", [
    {"Enabled": True},
    {"AttributeName": "exp"},
    {"Enabled": True, "AttributeName": ""},
], ids=["no-attribute", "no-enabled", "empty-attribute"])
def test_update_ttl_validation(ddb_raw, spec):
    name = ttl_table(ddb_raw, attr=None)
    expect_error(ddb_raw.update_time_to_live, "ValidationException", TableName=name,
                 TimeToLiveSpecification=spec)
    assert ddb_raw.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}


# ==========================================================================
# The sweeper
# ==========================================================================

def test_expired_items_are_deleted(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("past", now - 100))
    ddb.put_item(TableName=name, Item=row("now", now))
    ddb.put_item(TableName=name, Item=row("decimal", f"{now - 10}.75"))
    ddb.put_item(TableName=name, Item=row("soon", now + 600))
    ddb.put_item(TableName=name, Item=row("later", now + 7200))
    ddb.put_item(TableName=name, Item=row("none"))
    wait_gone(ddb, name, K("past"))
    wait_gone(ddb, name, K("now"))
    wait_gone(ddb, name, K("decimal"))
    settle()
    assert keys_left(ddb, name) == ["later", "none", "soon"]
    advance(emu.endpoint, 601)
    wait_gone(ddb, name, K("soon"))
    settle()
    assert keys_left(ddb, name) == ["later", "none"]
    advance(emu.endpoint, 7200)
    wait_gone(ddb, name, K("later"))
    assert keys_left(ddb, name) == ["none"]


def test_only_top_level_numbers_count(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    past = str(now - 100)
    ddb.put_item(TableName=name, Item=row("sentinel", past))
    ddb.put_item(TableName=name, Item=row("string") | {"exp": {"S": past}})
    ddb.put_item(TableName=name, Item=row("set") | {"exp": {"NS": [past]}})
    ddb.put_item(TableName=name, Item=row("list") | {"exp": {"L": [{"N": past}]}})
    ddb.put_item(TableName=name, Item=row("map") | {"exp": {"M": {"exp": {"N": past}}}})
    ddb.put_item(TableName=name, Item=row("binary") | {"exp": {"B": b"\x01"}})
    ddb.put_item(TableName=name, Item=row("bool") | {"exp": {"BOOL": True}})
    ddb.put_item(TableName=name, Item=row("null") | {"exp": {"NULL": True}})
    ddb.put_item(TableName=name, Item=row("other-attr") | {"expires": {"N": past}})
    wait_gone(ddb, name, K("sentinel"))
    settle()
    assert keys_left(ddb, name) == sorted(
        ["string", "set", "list", "map", "binary", "bool", "null", "other-attr"])


def test_items_expired_more_than_five_years_ago_are_kept(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("ancient", now - FIVE_YEARS - 10 * DAY))
    ddb.put_item(TableName=name, Item=row("zero", 0))
    ddb.put_item(TableName=name, Item=row("negative", -1000))
    ddb.put_item(TableName=name, Item=row("old", now - FIVE_YEARS + 10 * DAY))
    ddb.put_item(TableName=name, Item=row("milliseconds", (now + 3600) * 1000))
    wait_gone(ddb, name, K("old"))
    settle()
    assert keys_left(ddb, name) == ["ancient", "milliseconds", "negative", "zero"]


def test_ttl_follows_item_updates(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    for k in ("extended", "cleared", "retyped", "shortened", "replaced"):
        ddb.put_item(TableName=name, Item=row(k, now + 60))
    ddb.update_item(TableName=name, Key=K("extended"), UpdateExpression="SET exp = :e",
                    ExpressionAttributeValues={":e": {"N": str(now + 3600)}})
    ddb.update_item(TableName=name, Key=K("cleared"), UpdateExpression="REMOVE exp")
    ddb.update_item(TableName=name, Key=K("retyped"), UpdateExpression="SET exp = :e",
                    ExpressionAttributeValues={":e": {"S": str(now - 10)}})
    ddb.put_item(TableName=name, Item=row("replaced", now + 3600))
    ddb.update_item(TableName=name, Key=K("shortened"), UpdateExpression="SET exp = :e",
                    ExpressionAttributeValues={":e": {"N": str(now - 10)}})
    wait_gone(ddb, name, K("shortened"))
    advance(emu.endpoint, 120)
    ddb.put_item(TableName=name, Item=row("sentinel", now))
    wait_gone(ddb, name, K("sentinel"))
    settle()
    assert keys_left(ddb, name) == ["cleared", "extended", "replaced", "retyped"]


def test_enabling_ttl_sweeps_items_already_there(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb, attr=None)
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("past", now - 100))
    ddb.put_item(TableName=name, Item=row("future", now + 3600))
    settle()
    assert keys_left(ddb, name) == ["future", "past"]  # no TTL yet
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    wait_gone(ddb, name, K("past"))
    assert keys_left(ddb, name) == ["future"]


def test_enabling_ttl_indexes_every_existing_item(emulator_factory):
    """Existing items go into the expiry index in batches (more than two here): every expired
    one is deleted, every other one stays."""
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb, attr=None)
    now = now_seconds(emu.endpoint)
    n = 2600
    expected = []
    for start in range(0, n, 25):
        batch = []
        for i in range(start, start + 25):
            key = f"k{i:05d}"
            if i % 3 == 0:
                batch.append(row(key, now - 60 - i))  # expired
            else:
                batch.append(row(key, now + 3600) if i % 3 == 1 else row(key))
                expected.append(key)
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": it}} for it in batch]})
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    wait_for(lambda: ddb.scan(TableName=name, Select="COUNT", ConsistentRead=True)["Count"] == len(expected),
             timeout=15, what="the expired items among those already there to go")
    settle()
    assert keys_left(ddb, name) == expected


def test_disabling_ttl_stops_deletions(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("a", now + 60))
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    ddb.put_item(TableName=name, Item=row("b", now - 60))
    advance(emu.endpoint, 120)
    other = ttl_table(ddb)  # a sweep that runs proves the round happened
    ddb.put_item(TableName=other, Item=row("sentinel", now))
    wait_gone(ddb, other, K("sentinel"))
    settle()
    assert keys_left(ddb, name) == ["a", "b"]


def test_enabling_again_on_another_attribute_uses_only_that_attribute(emulator_factory):
    """Disabling leaves the old expiry index behind; after enabling TTL on another attribute
    only that attribute decides, and the old entries are dropped without deleting anything."""
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)  # on "exp"
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("old-soon", now + 60, until={"N": str(now + 7200)}))
    ddb.put_item(TableName=name, Item=row("new-soon", now + 7200, until={"N": str(now + 60)}))
    ddb.put_item(TableName=name, Item=row("changed", now + 60))
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    # Changed while TTL is off: its entry under the old attribute is now stale.
    ddb.put_item(TableName=name, Item=row("changed", now + 60, until={"N": str(now + 7200)}))
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "until"})
    advance(emu.endpoint, 120)
    wait_gone(ddb, name, K("new-soon"))
    settle()
    assert keys_left(ddb, name) == ["changed", "old-soon"]
    advance(emu.endpoint, 7200)
    wait_for(lambda: keys_left(ddb, name) == [], timeout=5, what="the rest to expire by 'until'")


def test_ttl_on_a_composite_key_table(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb, range_key=("sk", "N"))
    now = now_seconds(emu.endpoint)
    for sk, exp in ((1, now - 5), (2, now + 3600), (3, now - 5), (4, None)):
        it = {"id": {"S": "p"}, "sk": {"N": str(sk)}}
        if exp is not None:
            it["exp"] = {"N": str(exp)}
        ddb.put_item(TableName=name, Item=it)
    wait_for(lambda: len(ddb.scan(TableName=name, ConsistentRead=True)["Items"]) == 2, timeout=5,
             what="two expired rows gone")
    left = ddb.query(TableName=name, KeyConditionExpression="id = :p",
                     ExpressionAttributeValues={":p": {"S": "p"}}, ConsistentRead=True)["Items"]
    assert [i["sk"]["N"] for i in left] == ["2", "4"]


def test_items_written_by_batches_and_transactions_expire(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": row("b1", now + 30)}},
        {"PutRequest": {"Item": row("b2", now + 3600)}},
    ]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": row("t1", now + 30)}},
        {"Put": {"TableName": name, "Item": row("t2", now + 3600)}},
    ])
    ddb.put_item(TableName=name, Item=row("t3", now + 3600))
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": name, "Key": K("t3"), "UpdateExpression": "SET exp = :e",
                    "ExpressionAttributeValues": {":e": {"N": str(now + 30)}}}},
    ])
    settle()
    assert keys_left(ddb, name) == ["b1", "b2", "t1", "t2", "t3"]
    advance(emu.endpoint, 60)
    wait_for(lambda: keys_left(ddb, name) == ["b2", "t2"], timeout=5, what="b1, t1, t3 to expire")


def test_gsi_entries_go_with_the_item(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    gsi = [{"IndexName": "byRoom",
            "KeySchema": [{"AttributeName": "room", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]
    name = ttl_table(ddb, gsis=gsi, extra_attrs=[("room", "S")])
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("u1", now + 60, room={"S": "r"}))
    ddb.put_item(TableName=name, Item=row("u2", now + 3600, room={"S": "r"}))
    ddb.put_item(TableName=name, Item=row("u3", now + 60, room={"S": "q"}))

    def in_room(room):
        out = ddb.query(TableName=name, IndexName="byRoom", KeyConditionExpression="room = :r",
                        ExpressionAttributeValues={":r": {"S": room}})["Items"]
        return sorted(i["id"]["S"] for i in out)
    assert in_room("r") == ["u1", "u2"] and in_room("q") == ["u3"]
    advance(emu.endpoint, 120)
    wait_gone(ddb, name, K("u1"))
    wait_gone(ddb, name, K("u3"))
    assert in_room("r") == ["u2"]
    assert in_room("q") == []
    scanned = ddb.scan(TableName=name, IndexName="byRoom")["Items"]
    assert [i["id"]["S"] for i in scanned] == ["u2"]


def test_lsi_entries_go_with_the_item(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    lsi = [{"IndexName": "byScore",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"},
                          {"AttributeName": "score", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    name = unique_name("ttl")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"},
                                           {"AttributeName": "score", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     LocalSecondaryIndexes=lsi)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = now_seconds(emu.endpoint)
    for sk, score, exp in (("a", 1, now + 60), ("b", 2, now + 3600), ("c", 3, now + 60)):
        ddb.put_item(TableName=name, Item={"id": {"S": "p"}, "sk": {"S": sk}, "score": {"N": str(score)},
                                           "exp": {"N": str(exp)}})

    def by_score():
        out = ddb.query(TableName=name, IndexName="byScore", KeyConditionExpression="id = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}}, ConsistentRead=True)["Items"]
        return [i["sk"]["S"] for i in out]
    assert by_score() == ["a", "b", "c"]
    advance(emu.endpoint, 120)
    wait_for(lambda: by_score() == ["b"], timeout=5, what="a and c to leave the local index")
    assert len(ddb.scan(TableName=name, ConsistentRead=True)["Items"]) == 1


def test_tables_without_ttl_keep_their_items(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    with_ttl = ttl_table(ddb)
    without = ttl_table(ddb, attr=None)
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=without, Item=row("a", now - 100))
    ddb.put_item(TableName=with_ttl, Item=row("a", now - 100))
    wait_gone(ddb, with_ttl, K("a"))
    settle()
    assert keys_left(ddb, without) == ["a"]


def test_recreated_table_does_not_inherit_ttl(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("a", now + 60))
    ddb.delete_table(TableName=name)
    create_stream_table(ddb, name, view=None)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    ddb.put_item(TableName=name, Item=row("a", now + 60))
    ddb.put_item(TableName=name, Item=row("b", now - 60))
    advance(emu.endpoint, 120)
    sentinel_table = ttl_table(ddb)
    ddb.put_item(TableName=sentinel_table, Item=row("s", now))
    wait_gone(ddb, sentinel_table, K("s"))
    settle()
    assert keys_left(ddb, name) == ["a", "b"]


def test_clock_offset_flag_drives_expiry(emulator_factory):
    emu, ddb, _ = private(emulator_factory, "--clock-offset", 2 * DAY, in_memory=True)
    name = ttl_table(ddb)
    real = int(time.time())
    ddb.put_item(TableName=name, Item=row("tomorrow", real + DAY))       # past, by the emulator's clock
    ddb.put_item(TableName=name, Item=row("in-3-days", real + 3 * DAY))
    wait_gone(ddb, name, K("tomorrow"))
    settle()
    assert keys_left(ddb, name) == ["in-3-days"]


def test_sweeper_keeps_up_with_many_expired_items(emulator_factory):
    emu, ddb, _ = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb)
    now = now_seconds(emu.endpoint)
    n = 1200  # more than one sweep batch
    for start in range(0, n, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": row(f"k{i:05d}", now + 30 + i % 7)}} for i in range(start, start + 25)]})
    ddb.put_item(TableName=name, Item=row("keeper", now + 3600))
    assert ddb.scan(TableName=name, Select="COUNT", ConsistentRead=True)["Count"] == n + 1
    advance(emu.endpoint, 60)
    wait_for(lambda: ddb.scan(TableName=name, Select="COUNT", ConsistentRead=True)["Count"] == 1,
             timeout=10, what=f"{n} expired items to go")
    assert keys_left(ddb, name) == ["keeper"]


# ==========================================================================
# TTL deletions on the stream
# ==========================================================================

def test_ttl_deletion_writes_a_service_remove_record(emulator_factory):
    emu, ddb, streams = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb, view="NEW_AND_OLD_IMAGES")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    now = now_seconds(emu.endpoint)
    expiring = row("e", now + 60, v={"S": "x"})
    ddb.put_item(TableName=name, Item=expiring)
    ddb.put_item(TableName=name, Item=row("d", now + 3600))
    ddb.delete_item(TableName=name, Key=K("d"))  # a user's delete: no userIdentity
    advance(emu.endpoint, 61)
    wait_gone(ddb, name, K("e"))
    records = read_stream(streams, arn)
    assert [summary(r) for r in records] == [
        ("INSERT", K("e"), expiring, None),
        ("INSERT", K("d"), row("d", now + 3600), None),
        ("REMOVE", K("d"), None, row("d", now + 3600)),
        ("REMOVE", K("e"), None, expiring),
    ]
    assert [r.get("userIdentity") for r in records] == [None, None, None, TTL_IDENTITY]
    ttl_record = records[-1]
    assert ttl_record["eventSource"] == "aws:dynamodb"
    assert ttl_record["eventVersion"] == "1.1"
    assert ttl_record["awsRegion"] == "us-east-1"
    created = ttl_record["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    assert abs(created - clock(emu.endpoint)["nowMs"] / 1000) < 60
    assert int(ttl_record["dynamodb"]["SequenceNumber"]) > int(records[-2]["dynamodb"]["SequenceNumber"])


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_ttl_remove_record_images(emulator_factory, view):
    emu, ddb, streams = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb, view=view, range_key=("sk", "S"))
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    now = now_seconds(emu.endpoint)
    gone = {"id": {"S": "p"}, "sk": {"S": "s"}, "exp": {"N": str(now - 1)}, "x": {"N": "1"}}
    ddb.put_item(TableName=name, Item=gone)
    wait_gone(ddb, name, {"id": {"S": "p"}, "sk": {"S": "s"}})
    records = read_stream(streams, arn)
    assert len(records) == 2
    rec = records[1]
    assert rec["eventName"] == "REMOVE"
    assert rec["userIdentity"] == TTL_IDENTITY
    assert rec["dynamodb"]["Keys"] == {"id": {"S": "p"}, "sk": {"S": "s"}}
    assert rec["dynamodb"]["StreamViewType"] == view
    assert "NewImage" not in rec["dynamodb"]
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        assert rec["dynamodb"]["OldImage"] == gone
    else:
        assert "OldImage" not in rec["dynamodb"]


def test_ttl_deletions_reach_a_latest_iterator(emulator_factory):
    emu, ddb, streams = private(emulator_factory, in_memory=True)
    name = ttl_table(ddb, view="KEYS_ONLY")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    now = now_seconds(emu.endpoint)
    for k in ("a", "b", "c"):
        ddb.put_item(TableName=name, Item=row(k, now + 100 if k != "c" else now + 9000))
    shard = describe(streams, arn)["Shards"][0]["ShardId"]
    it = iterator(streams, arn, shard, "LATEST")
    advance(emu.endpoint, 200)
    wait_gone(ddb, name, K("a"))
    wait_gone(ddb, name, K("b"))
    settle()
    records, _ = drain(streams, it)
    assert sorted((r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in records) == [
        ("REMOVE", "a"), ("REMOVE", "b")]
    assert all(r["userIdentity"] == TTL_IDENTITY for r in records)


@pytest.mark.slow
def test_presence_rows_expire_on_their_own(emulator_factory):
    """Presence heartbeats: rows a few seconds ahead of now vanish without
    anyone deleting them (real time passing, not an advanced clock), a row
    whose heartbeat was refreshed stays, and the stream carries the service's
    REMOVE records in expiry order of the rows that went."""
    emu, ddb, streams = private(emulator_factory, "--ttl-interval-ms", 200, in_memory=True)
    name = unique_name("presence")
    create_stream_table(ddb, name, view="NEW_AND_OLD_IMAGES", hash_key=("room", "S"),
                        range_key=("user", "S"))
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expiresAt"})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]

    def presence(user, expires):
        return {"room": {"S": "lobby"}, "user": {"S": user}, "expiresAt": {"N": str(expires)},
                "status": {"S": "online"}}

    def online():
        out = ddb.query(TableName=name, KeyConditionExpression="room = :r", ConsistentRead=True,
                        ExpressionAttributeValues={":r": {"S": "lobby"}})["Items"]
        return [i["user"]["S"] for i in out]

    now = now_seconds(emu.endpoint)
    rows = {"ann": presence("ann", now + 2), "bob": presence("bob", now + 3),
            "cyd": presence("cyd", now + 2), "dan": presence("dan", now + 2)}
    for r in rows.values():
        ddb.put_item(TableName=name, Item=r)
    refreshed = presence("dan", now + 3600)
    ddb.put_item(TableName=name, Item=refreshed)  # dan's heartbeat
    assert online() == ["ann", "bob", "cyd", "dan"]

    started = time.monotonic()
    wait_for(lambda: online() == ["dan"], timeout=8, interval=0.1, what="ann, bob and cyd to expire")
    assert time.monotonic() - started >= 0.5  # they went by themselves, not at once
    assert now_seconds(emu.endpoint) >= now + 3

    records = read_stream(streams, arn)
    events = [(r["eventName"], r["dynamodb"]["Keys"]["user"]["S"]) for r in records]
    assert events[:5] == [("INSERT", "ann"), ("INSERT", "bob"), ("INSERT", "cyd"),
                          ("INSERT", "dan"), ("MODIFY", "dan")]
    removes = records[5:]
    assert sorted(e for e in events[5:]) == [("REMOVE", "ann"), ("REMOVE", "bob"), ("REMOVE", "cyd")]
    assert events[-1] == ("REMOVE", "bob")  # expired a second after the others
    for r in removes:
        user = r["dynamodb"]["Keys"]["user"]["S"]
        assert r["userIdentity"] == TTL_IDENTITY
        assert r["dynamodb"]["Keys"] == {"room": {"S": "lobby"}, "user": {"S": user}}
        assert r["dynamodb"]["OldImage"] == rows[user]
        assert "NewImage" not in r["dynamodb"]
    assert records[4]["dynamodb"]["NewImage"] == refreshed


@pytest.mark.slow
def test_ttl_survives_a_restart(emulator_factory):
    emu, ddb, streams = private(emulator_factory)
    name = ttl_table(ddb, view="KEYS_ONLY")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    now = now_seconds(emu.endpoint)
    ddb.put_item(TableName=name, Item=row("a", now + 3600))
    ddb.put_item(TableName=name, Item=row("b", now + 3 * 3600))
    assert emu.restart() == 0
    ddb, streams = emu.client(), streams_client(emu.endpoint)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    advance(emu.endpoint, 2 * 3600)  # the clock offset itself starts again from the flag
    wait_gone(ddb, name, K("a"))
    settle()
    assert keys_left(ddb, name) == ["b"]
    records = read_stream(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]) for r in records] == [
        ("INSERT", K("a")), ("INSERT", K("b")), ("REMOVE", K("a"))]
    assert records[-1]["userIdentity"] == TTL_IDENTITY


# ==========================================================================
# The clock
# ==========================================================================

def test_clock_reads_and_advances(emulator_factory):
    emu = emulator_factory(in_memory=True)
    c = clock(emu.endpoint)
    assert set(c) == {"nowMs", "offsetMs"}
    assert c["offsetMs"] == 0
    assert abs(c["nowMs"] - time.time() * 1000) < 5000
    out = advance(emu.endpoint, 90)
    assert out["offsetMs"] == 90000
    assert abs(out["nowMs"] - (time.time() + 90) * 1000) < 5000
    out = advance(emu.endpoint, 3600)
    assert out["offsetMs"] == 3690000
    assert clock(emu.endpoint)["offsetMs"] == 3690000


def test_clock_advance_is_bounded(emulator_factory):
    """An absurd advance is held to about 3,000 years instead of overflowing."""
    emu = emulator_factory(in_memory=True)
    assert advance(emu.endpoint, 1e300)["offsetMs"] == 100_000_000_000_000
    assert advance(emu.endpoint, -1e300)["offsetMs"] == 0
    assert clock(emu.endpoint)["offsetMs"] == 0


def test_clock_offset_flag(emulator_factory):
    emu = emulator_factory(in_memory=True, extra_args=["--clock-offset", "86400"])
    c = clock(emu.endpoint)
    assert c["offsetMs"] == 86400000
    assert abs(c["nowMs"] - (time.time() + 86400) * 1000) < 5000
    assert advance(emu.endpoint, 60)["offsetMs"] == 86460000


def test_negative_clock_offset_flag(emulator_factory):
    emu = emulator_factory(in_memory=True, extra_args=["--clock-offset", "-3600"])
    c = clock(emu.endpoint)
    assert c["offsetMs"] == -3600000
    assert abs(c["nowMs"] - (time.time() - 3600) * 1000) < 5000


def test_clock_needs_no_authentication(emulator):
    # raw_request(sign=False) sends no Authorization header; the admin call
    # still answers (reading only: the shared emulator's clock stays put).
    status, headers, body = raw_request(emulator.endpoint, method="GET", path="/emulator/clock",
                                        sign=False, body=b"")
    assert status == 200
    assert set(json.loads(body)) == {"nowMs", "offsetMs"}
