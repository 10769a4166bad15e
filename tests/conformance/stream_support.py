"""Helpers for the stream and TTL suites: a DynamoDB Streams client on the
emulator's endpoint, the emulator's clock, tables with streams, and readers
that walk a shard (or a whole stream) to its current end.

Everything here talks only to loopback addresses.
"""

import json
import re
import time

from botocore.config import Config

import support
from support import ACCESS_KEY, REGION, SECRET_KEY, raw_request

SEQ_RE = re.compile(r"^[0-9]{21}$")
LABEL_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$")
TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}

# A closed shard must end: a reader that gets this many pages without
# reaching the end of a closed shard reports it instead of looping forever.
MAX_PAGES = 50


def streams_client(endpoint, access_key=ACCESS_KEY, region=REGION, validate=True):
    cfg = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        parameter_validation=validate,
        connect_timeout=5,
        read_timeout=30,
    )
    return support._SESSION.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=SECRET_KEY,
        config=cfg,
    )


# -- the emulator's clock -----------------------------------------------------

def clock(endpoint):
    status, _, body = raw_request(endpoint, method="GET", path="/emulator/clock",
                                  sign=False, body=b"")
    assert status == 200, body
    return json.loads(body)


def advance(endpoint, seconds):
    status, _, body = raw_request(endpoint, method="POST", path="/emulator/clock",
                                  sign=False, body=json.dumps({"advanceSeconds": seconds}))
    assert status == 200, body
    return json.loads(body)


def now_seconds(endpoint):
    return clock(endpoint)["nowMs"] // 1000


def wait_for(predicate, timeout=5.0, interval=0.05, what="condition"):
    """Poll predicate() until it returns something truthy; returns that value.
    Fails with `what` when it does not happen within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# -- tables ---------------------------------------------------------------------

def create_stream_table(client, name, view="NEW_AND_OLD_IMAGES", hash_key=("id", "S"),
                        range_key=None, gsis=None, extra_attrs=()):
    """A PAY_PER_REQUEST table with a stream of the given view type (None: no
    stream). Returns the CreateTable TableDescription."""
    attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    for name_, type_ in extra_attrs:
        attrs.append({"AttributeName": name_, "AttributeType": type_})
    kwargs = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=schema,
                  BillingMode="PAY_PER_REQUEST")
    if view is not None:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = gsis
    return client.create_table(**kwargs)["TableDescription"]


def stream_arn(client, table):
    return client.describe_table(TableName=table)["Table"]["LatestStreamArn"]


# -- reading ----------------------------------------------------------------------

def describe(streams, arn):
    """DescribeStream with every shard (following LastEvaluatedShardId)."""
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    shards = list(desc["Shards"])
    pages = 0
    while desc.get("LastEvaluatedShardId"):
        pages += 1
        assert pages < MAX_PAGES, "DescribeStream paging does not end"
        desc = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=desc["LastEvaluatedShardId"])[
            "StreamDescription"]
        shards += desc["Shards"]
    desc["Shards"] = shards
    return desc


def iterator(streams, arn, shard_id, kind="TRIM_HORIZON", seq=None):
    kwargs = dict(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind)
    if seq is not None:
        kwargs["SequenceNumber"] = seq
    return streams.get_shard_iterator(**kwargs)["ShardIterator"]


def drain(streams, it, limit=None):
    """Follow an iterator until a page comes back empty (an open shard at its
    current end) or without NextShardIterator (a closed shard read to its end).
    Returns (records, next_iterator or None)."""
    records = []
    for _ in range(MAX_PAGES):
        kwargs = {"ShardIterator": it}
        if limit is not None:
            kwargs["Limit"] = limit
        page = streams.get_records(**kwargs)
        records += page["Records"]
        nxt = page.get("NextShardIterator")
        if nxt is None or not page["Records"]:
            return records, nxt
        it = nxt
    raise AssertionError(f"no end after {MAX_PAGES} GetRecords pages")


def read_closed_shard(streams, it, limit=None):
    """Read a closed shard until GetRecords gives no NextShardIterator;
    returns the records. Fails if the shard never ends."""
    records = []
    for _ in range(MAX_PAGES):
        kwargs = {"ShardIterator": it}
        if limit is not None:
            kwargs["Limit"] = limit
        page = streams.get_records(**kwargs)
        records += page["Records"]
        it = page.get("NextShardIterator")
        if it is None:
            return records
    raise AssertionError(
        f"closed shard still returns NextShardIterator after {MAX_PAGES} GetRecords calls "
        f"({len(records)} records read)")


def read_shard(streams, arn, shard_id, kind="TRIM_HORIZON", seq=None, limit=None):
    records, _ = drain(streams, iterator(streams, arn, shard_id, kind, seq), limit)
    return records


def read_stream(streams, arn):
    """Every record of every shard, parents before children, in the order
    DescribeStream lists the shards."""
    records = []
    for shard in describe(streams, arn)["Shards"]:
        records += read_shard(streams, arn, shard["ShardId"])
    return records


def summary(record):
    """(eventName, Keys, NewImage or None, OldImage or None) of a record."""
    d = record["dynamodb"]
    return (record["eventName"], d["Keys"], d.get("NewImage"), d.get("OldImage"))


def seq_of(record):
    return record["dynamodb"]["SequenceNumber"]
