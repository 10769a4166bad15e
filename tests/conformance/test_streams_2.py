"""DynamoDB Streams, second pass: DescribeStream's ShardFilter, malformed
stream ARNs, and a stream ARN that tag changes leave alone.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_ShardFilter.html
"""

import json

import pytest

from stream_support import advance, create_stream_table, describe, streams_client
from support import expect_error, raw_request, unique_name


def describe_raw(endpoint, body):
    """DescribeStream as JSON on the wire (botocore here predates ShardFilter)."""
    status, _, data = raw_request(endpoint, "DynamoDBStreams_20120810.DescribeStream",
                                  json.dumps(body))
    return status, json.loads(data)


def item(key):
    return {"id": {"S": key}}


def test_shard_filter_child_shards(emulator_factory):
    emu = emulator_factory(extra_args=["--stream-shard-seconds", "60"], in_memory=True)
    ddb, streams = emu.client(), streams_client(emu.endpoint)
    name = unique_name("st")
    arn = create_stream_table(ddb, name, view="KEYS_ONLY")["LatestStreamArn"]
    for step in range(3):  # three shards, each the parent of the next
        ddb.put_item(TableName=name, Item=item(f"k{step}"))
        advance(emu.endpoint, 61)
    ddb.put_item(TableName=name, Item=item("last"))
    shards = describe(streams, arn)["Shards"]
    assert len(shards) == 4
    raw = describe_raw(emu.endpoint, {"StreamArn": arn})[1]["StreamDescription"]["Shards"]
    for parent, child in zip(raw, raw[1:]):
        status, got = describe_raw(emu.endpoint, {
            "StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS",
                                              "ShardId": parent["ShardId"]}})
        assert status == 200 and got["StreamDescription"]["Shards"] == [child]
    status, got = describe_raw(emu.endpoint, {
        "StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": raw[-1]["ShardId"]}})
    assert status == 200 and got["StreamDescription"]["Shards"] == []


def test_shard_filter_constraints(emulator):
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/abc/stream/2026-01-01T00:00:00.000"
    status, doc = describe_raw(emulator.endpoint, {
        "StreamArn": arn, "ShardFilter": {"Type": "PARENT", "ShardId": "x"}})
    assert status == 400 and doc["__type"].endswith("#ValidationException")
    assert doc["message"] == (
        "2 validation errors detected: Value 'PARENT' at 'shardFilter.type' failed to "
        "satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]; "
        "Value 'x' at 'shardFilter.shardId' failed to satisfy constraint: Member must "
        "have length greater than or equal to 28")


@pytest.mark.parametrize("arn", [
    "fake-stream",
    "arn:aws:dynamodb:us-east-1:000000000000:table/abc",
    "arn:aws:dynamodb:us-east-1:000000000000:table/abc/stream/",
    "arn:aws:s3:us-east-1:000000000000:table/abc/stream/2026-01-01T00:00:00.000",
    "arn:aws:dynamodb:us-east-1:0000:table/abc/stream/2026-01-01T00:00:00.000",
    "arn:aws:dynamodb:us-east-1:000000000000:index/abc/stream/2026-01-01T00:00:00.000",
])
def test_malformed_stream_arns_are_invalid(emulator, arn):
    raw = streams_client(emulator.endpoint, validate=False)
    expect_error(raw.describe_stream, "ValidationException", "Invalid StreamArn", StreamArn=arn)
    expect_error(raw.get_shard_iterator, "ValidationException", "Invalid StreamArn",
                 StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                 ShardIteratorType="LATEST")
    # ListStreams checks the ARN it starts after the same way.
    expect_error(raw.list_streams, "ValidationException", "Invalid StreamArn",
                 ExclusiveStartStreamArn=arn)


def test_well_formed_unknown_stream_is_not_found(emulator):
    streams = streams_client(emulator.endpoint)
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2026-01-01T00:00:00.000"
    expect_error(streams.describe_stream, "ResourceNotFoundException",
                 f"Requested resource not found: Stream: {arn} not found", StreamArn=arn)


def test_stream_arn_stays_the_same_across_tag_changes(ddb):
    name = unique_name("st")
    desc = create_stream_table(ddb, name, view="KEYS_ONLY")
    arn, table_arn = desc["LatestStreamArn"], desc["TableArn"]
    ddb.tag_resource(ResourceArn=table_arn, Tags=[{"Key": "team", "Value": "chat"}])
    assert ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"] == arn
    ddb.untag_resource(ResourceArn=table_arn, TagKeys=["team"])
    after = ddb.describe_table(TableName=name)["Table"]
    assert after["LatestStreamArn"] == arn and after["TableArn"] == table_arn
