"""TagResource, UntagResource, ListTagsOfResource and CreateTable's Tags.

DynamoDB's answers as observed against the service: the tag checks are its
own (not the generic "N validation errors detected" list) and refuse the whole
request; the 50-tag limit is a ValidationException checked against the merged
set; a malformed ARN is a ValidationException, a well-formed ARN of a table
that does not exist a ResourceNotFoundException.
"""

import json
import os
import shutil
import subprocess

import pytest

import support
from support import create_table, expect_error

INVALID = "One or more parameter values were invalid: "
TOO_MANY = "Number of Tags exceed the current limit for the provided ResourceArn"


def arn_of(name, region=support.REGION, account=support.ACCOUNT):
    return f"arn:aws:dynamodb:{region}:{account}:table/{name}"


def raw(emulator, op, body, **kwargs):
    status, _, data = support.raw_request(emulator.endpoint, "DynamoDB_20120810." + op,
                                          json.dumps(body), **kwargs)
    return status, (json.loads(data) if data else {}), data


def raw_error(emulator, op, body, code, message, **kwargs):
    status, doc, _ = raw(emulator, op, body, **kwargs)
    assert status == 400, doc
    assert doc["__type"].split("#")[-1] == code, doc
    assert doc.get("message", doc.get("Message")) == message, doc
    return doc


@pytest.fixture
def table(ddb, table_name):
    name = table_name("tag")
    create_table(ddb, name)
    return name


def tags_of(ddb, name):
    return ddb.list_tags_of_resource(ResourceArn=arn_of(name))["Tags"]


# --------------------------------------------------------------------------
# the round trip
# --------------------------------------------------------------------------

def test_a_new_table_has_no_tags(ddb, table):
    resp = ddb.list_tags_of_resource(ResourceArn=arn_of(table))
    assert resp["Tags"] == []
    assert "NextToken" not in resp


def test_tag_list_untag(ddb, table):
    arn = arn_of(table)
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"},
                                            {"Key": "team", "Value": "chat"}])
    assert tags_of(ddb, table) == [{"Key": "env", "Value": "test"},
                                   {"Key": "team", "Value": "chat"}]
    # A key that is there takes the new value; an absent key to remove is no error.
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"},
                                            {"Key": "cost", "Value": ""}])
    assert tags_of(ddb, table) == [{"Key": "env", "Value": "prod"},
                                   {"Key": "team", "Value": "chat"},
                                   {"Key": "cost", "Value": ""}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team", "never-set"])
    assert tags_of(ddb, table) == [{"Key": "env", "Value": "prod"}, {"Key": "cost", "Value": ""}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["env", "cost"])
    assert tags_of(ddb, table) == []


def test_tag_and_untag_answer_an_empty_body(emulator, ddb, table):
    for op, body in (("TagResource", {"Tags": [{"Key": "k", "Value": "v"}]}),
                     ("UntagResource", {"TagKeys": ["k"]})):
        status, _, data = raw(emulator, op, dict(body, ResourceArn=arn_of(table)))
        assert status == 200
        assert data in (b"", b"{}")


def test_keys_are_case_sensitive_and_unicode_letters_allowed(ddb, table):
    tags = [{"Key": "Env", "Value": ""}, {"Key": "env", "Value": "x"},
            {"Key": "ключ", "Value": "значение"}, {"Key": "表 x", "Value": "café\u00a0au lait"},
            {"Key": " lead", "Value": "a b+c-d=e.f_g:h/i@j"}, {"Key": "myaws:foo", "Value": "1"}]
    ddb.tag_resource(ResourceArn=arn_of(table), Tags=tags)
    assert tags_of(ddb, table) == tags


def test_the_longest_key_and_value(ddb, table):
    key, value = "k" * 128, "v" * 256
    ddb.tag_resource(ResourceArn=arn_of(table), Tags=[{"Key": key, "Value": value}])
    # Lengths are characters, not bytes.
    wide_key, wide_value = "א" * 128, "א" * 256
    ddb.tag_resource(ResourceArn=arn_of(table), Tags=[{"Key": wide_key, "Value": wide_value}])
    assert tags_of(ddb, table) == [{"Key": key, "Value": value},
                                   {"Key": wide_key, "Value": wide_value}]


def test_fifty_tags_and_the_merged_limit(ddb, table):
    arn = arn_of(table)
    fifty = [{"Key": f"k{i:02}", "Value": f"v{i}"} for i in range(50)]
    ddb.tag_resource(ResourceArn=arn, Tags=fifty[:30])
    ddb.tag_resource(ResourceArn=arn, Tags=fifty[20:])
    resp = ddb.list_tags_of_resource(ResourceArn=arn)
    assert resp["Tags"] == fifty
    assert "NextToken" not in resp
    # Overwriting existing keys at the limit is fine; any new key is one too many.
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k00", "Value": "new"}])
    expect_error(ddb.tag_resource, "ValidationException", TOO_MANY, ResourceArn=arn,
                 Tags=[{"Key": "k01", "Value": "x"}, {"Key": "k50", "Value": "v"}])
    tags = tags_of(ddb, table)
    assert len(tags) == 50
    assert tags[0] == {"Key": "k00", "Value": "new"}
    assert tags[1] == {"Key": "k01", "Value": "v1"}


def test_fifty_one_tags_in_one_request(ddb, table):
    expect_error(ddb.tag_resource, "ValidationException", TOO_MANY, ResourceArn=arn_of(table),
                 Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert tags_of(ddb, table) == []


def test_list_tags_accepts_a_next_token(ddb, table):
    ddb.tag_resource(ResourceArn=arn_of(table), Tags=[{"Key": "k", "Value": "v"}])
    resp = ddb.list_tags_of_resource(ResourceArn=arn_of(table), NextToken="anything")
    assert resp["Tags"] == [{"Key": "k", "Value": "v"}]


# --------------------------------------------------------------------------
# refused tags: the whole request is refused
# --------------------------------------------------------------------------

@pytest.mark.parametrize("tag,message", [
    ({"Key": "k" * 129, "Value": "v"}, "The Tag Key provided is invalid, Key: " + "k" * 129),
    ({"Key": "", "Value": "v"}, "The Tag Key provided is invalid, Key: "),
    ({"Key": "bad#char", "Value": "v"}, "The Tag Key provided is invalid, Key: bad#char"),
    ({"Key": "🔑", "Value": "v"}, "The Tag Key provided is invalid, Key: 🔑"),
    ({"Key": "k", "Value": "v" * 257}, "The Tag Value provided is invalid, Value: " + "v" * 257),
    ({"Key": "k", "Value": "100%"}, "The Tag Value provided is invalid, Value: 100%"),
    ({"Key": "k", "Value": "a,b"}, "The Tag Value provided is invalid, Value: a,b"),
    ({"Key": "k", "Value": "tab\there"}, "The Tag Value provided is invalid, Value: tab\there"),
    ({"Key": "aws:zzz", "Value": "v"}, "Tag Key cannot be prefixed with aws:, Key: aws:zzz"),
    ({"Key": "AWS:foo", "Value": "v"}, "Tag Key cannot be prefixed with aws:, Key: AWS:foo"),
    ({"Value": "v"}, "The Tag Key provided is invalid, Key: null"),
    ({"Key": "k"}, "The Tag Value provided is invalid, Value: null"),
])
def test_a_refused_tag_refuses_the_request(ddb_raw, table, tag, message):
    good = {"Key": "good", "Value": "kept-out"}
    expect_error(ddb_raw.tag_resource, "ValidationException", message,
                 ResourceArn=arn_of(table), Tags=[good, tag])
    assert tags_of(ddb_raw, table) == []


def test_duplicate_keys_in_one_request(ddb, table):
    expect_error(ddb.tag_resource, "ValidationException",
                 "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup",
                 ResourceArn=arn_of(table),
                 Tags=[{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}])
    assert tags_of(ddb, table) == []


def test_empty_lists(ddb_raw, table):
    expect_error(ddb_raw.tag_resource, "ValidationException",
                 "Atleast one Tag needs to be provided as Input.", ResourceArn=arn_of(table),
                 Tags=[])
    expect_error(ddb_raw.untag_resource, "ValidationException",
                 "Atleast one Tag Key needs to be provided as Input.", ResourceArn=arn_of(table),
                 TagKeys=[])


def test_missing_members(emulator, table):
    raw_error(emulator, "TagResource", {"ResourceArn": arn_of(table)}, "ValidationException",
              "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
              "Member must not be null")
    raw_error(emulator, "UntagResource", {"ResourceArn": arn_of(table)}, "ValidationException",
              "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
              "Member must not be null")
    for op, body in (("TagResource", {"Tags": [{"Key": "k", "Value": "v"}]}),
                     ("UntagResource", {"TagKeys": ["k"]}), ("ListTagsOfResource", {})):
        raw_error(emulator, op, body, "ValidationException", "Invalid TableArn")


def test_serialization_errors_come_first(emulator, table):
    status, doc, _ = raw(emulator, "TagResource",
                         {"ResourceArn": arn_of(table), "Tags": [{"Key": "bad#", "Value": "v"},
                                                                 {"Key": 5, "Value": "v"}]})
    assert status == 400
    assert doc["__type"] == "com.amazon.coral.service#SerializationException", doc


def test_untag_checks_its_keys(ddb_raw, table):
    ddb_raw.tag_resource(ResourceArn=arn_of(table), Tags=[{"Key": "k", "Value": "v"}])
    expect_error(ddb_raw.untag_resource, "ValidationException",
                 "Tag Key cannot be prefixed with aws:, Key: aws:foo", ResourceArn=arn_of(table),
                 TagKeys=["k", "aws:foo"])
    expect_error(ddb_raw.untag_resource, "ValidationException",
                 "The Tag Key provided is invalid, Key: " + "k" * 129, ResourceArn=arn_of(table),
                 TagKeys=["k" * 129])
    expect_error(ddb_raw.untag_resource, "ValidationException", TOO_MANY,
                 ResourceArn=arn_of(table), TagKeys=[f"k{i}" for i in range(51)])
    assert tags_of(ddb_raw, table) == [{"Key": "k", "Value": "v"}]


# --------------------------------------------------------------------------
# ResourceArn
# --------------------------------------------------------------------------

@pytest.mark.parametrize("arn,message", [
    ("I_do_not_exist", INVALID + "ARNs must start with 'arn:': I_do_not_exist"),
    ("", INVALID + "ARNs must start with 'arn:': "),
    ("arn:not/a/good/format", INVALID + "Provided Arn is not a DynamoDB resource arn: "
                                        "arn:not/a/good/format"),
    ("arn:aws:s3:::bucket", INVALID + "Provided Arn is not a DynamoDB resource arn: "
                                      "arn:aws:s3:::bucket"),
    (f"arn:aws:dynamodb:{support.REGION}:{support.ACCOUNT}:table/ab",
     "Invalid TableArn: Invalid ResourceArn provided as input "
     f"arn:aws:dynamodb:{support.REGION}:{support.ACCOUNT}:table/ab"),
    (f"arn:aws:dynamodb:{support.REGION}:{support.ACCOUNT}:table/x y z",
     "Invalid TableArn: Invalid ResourceArn provided as input "
     f"arn:aws:dynamodb:{support.REGION}:{support.ACCOUNT}:table/x y z"),
])
@pytest.mark.parametrize("op", ["tag_resource", "untag_resource", "list_tags_of_resource"])
def test_malformed_arns(ddb_raw, op, arn, message):
    args = {"tag_resource": {"Tags": [{"Key": "k", "Value": "v"}]},
            "untag_resource": {"TagKeys": ["k"]}, "list_tags_of_resource": {}}[op]
    expect_error(getattr(ddb_raw, op), "ValidationException", message, ResourceArn=arn, **args)


def test_index_and_backup_arns_are_not_taggable(ddb, table_name):
    name = table_name("tagidx")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    index_arn = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexArn"]
    expect_error(ddb.list_tags_of_resource, "ValidationException",
                 INVALID + "Invalid resource arn provided, only table or stream is accepted. "
                 "Provided resource arn: " + index_arn, ResourceArn=index_arn)
    expect_error(ddb.tag_resource, "ValidationException",
                 INVALID + "Invalid resource arn provided, only table or stream is accepted. "
                 "Provided resource arn: " + index_arn, ResourceArn=index_arn,
                 Tags=[{"Key": "k", "Value": "v"}])
    backup = arn_of(name) + "/backup/01234567890123-abcdefgh"
    expect_error(ddb.list_tags_of_resource, "ValidationException",
                 INVALID + "Provided Arn is not a DynamoDB resource arn: " + backup,
                 ResourceArn=backup)


def test_an_arn_of_another_region_is_refused(ddb, table):
    other = arn_of(table, region="eu-west-1")
    for fn, args in ((ddb.list_tags_of_resource, {}),
                     (ddb.tag_resource, {"Tags": [{"Key": "k", "Value": "v"}]})):
        expect_error(fn, "ValidationException",
                     "Invalid TableArn: Invalid ResourceArn provided as input " + other,
                     ResourceArn=other, **args)


@pytest.mark.parametrize("make_arn", [
    lambda name: arn_of(name + "-missing"),
    lambda name: arn_of(name, account="123456789012"),
])
def test_a_table_that_does_not_exist(ddb, table, make_arn):
    arn = make_arn(table)
    message = f"Requested resource not found: ResourceArn: {arn} not found"
    expect_error(ddb.list_tags_of_resource, "ResourceNotFoundException", message, ResourceArn=arn)
    expect_error(ddb.tag_resource, "ResourceNotFoundException", message, ResourceArn=arn,
                 Tags=[{"Key": "k", "Value": "v"}])
    expect_error(ddb.untag_resource, "ResourceNotFoundException", message, ResourceArn=arn,
                 TagKeys=["k"])


def test_tag_checks_come_before_the_table_lookup(ddb_raw, table):
    missing = arn_of(table + "-missing")
    expect_error(ddb_raw.tag_resource, "ValidationException",
                 "Atleast one Tag needs to be provided as Input.", ResourceArn=missing, Tags=[])
    expect_error(ddb_raw.tag_resource, "ValidationException",
                 "The Tag Key provided is invalid, Key: bad#", ResourceArn=missing,
                 Tags=[{"Key": "bad#", "Value": "v"}])


def test_tables_of_another_namespace_are_not_found(emulator, table):
    other = emulator.client(access_key=support.unique_key())
    arn = arn_of(table)
    expect_error(other.list_tags_of_resource, "ResourceNotFoundException",
                 f"Requested resource not found: ResourceArn: {arn} not found", ResourceArn=arn)


def test_the_stream_arn_names_the_table_and_stays_the_same(ddb, table_name):
    name = table_name("tagstream")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    before = ddb.describe_table(TableName=name)["Table"]
    stream_arn = before["LatestStreamArn"]
    ddb.tag_resource(ResourceArn=arn_of(name), Tags=[{"Key": "a", "Value": "1"}])
    ddb.tag_resource(ResourceArn=stream_arn, Tags=[{"Key": "b", "Value": "2"}])
    assert ddb.list_tags_of_resource(ResourceArn=stream_arn)["Tags"] == \
        [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    ddb.untag_resource(ResourceArn=arn_of(name), TagKeys=["a"])
    after = ddb.describe_table(TableName=name)["Table"]
    assert after["LatestStreamArn"] == stream_arn
    assert after["LatestStreamLabel"] == before["LatestStreamLabel"]
    assert after["TableId"] == before["TableId"]
    bogus = arn_of(name) + "/stream/2000-01-01T00:00:00.000"
    expect_error(ddb.list_tags_of_resource, "ResourceNotFoundException",
                 f"Requested resource not found: ResourceArn: {bogus} not found",
                 ResourceArn=bogus)


# --------------------------------------------------------------------------
# CreateTable's Tags, and tags gone with the table
# --------------------------------------------------------------------------

def create_with_tags(ddb, name, tags):
    return ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], Tags=tags)


def test_create_table_keeps_its_tags(ddb, table_name):
    name = table_name("tagc")
    tags = [{"Key": "env", "Value": "test"}, {"Key": "owner", "Value": ""}]
    create_with_tags(ddb, name, tags)
    assert tags_of(ddb, name) == tags
    other = table_name("tagc")
    create_with_tags(ddb, other, [])  # an empty list is accepted here
    assert tags_of(ddb, other) == []


@pytest.mark.parametrize("tags,message", [
    ([{"Key": str(i), "Value": "v"} for i in range(51)], TOO_MANY),
    ([{"Key": "aws:x", "Value": "v"}], "Tag Key cannot be prefixed with aws:, Key: aws:x"),
    ([{"Key": "ok", "Value": "bad!"}], "The Tag Value provided is invalid, Value: bad!"),
])
def test_create_table_with_refused_tags_creates_nothing(ddb, table_name, tags, message):
    name = table_name("tagc")
    expect_error(create_with_tags, "ValidationException", message, ddb=ddb, name=name, tags=tags)
    expect_error(ddb.describe_table, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found", TableName=name)


def test_tags_go_with_the_table(ddb, table_name):
    name = table_name("tagd")
    create_with_tags(ddb, name, [{"Key": "old", "Value": "1"}])
    ddb.delete_table(TableName=name)
    arn = arn_of(name)
    expect_error(ddb.list_tags_of_resource, "ResourceNotFoundException",
                 f"Requested resource not found: ResourceArn: {arn} not found", ResourceArn=arn)
    create_table(ddb, name)
    assert tags_of(ddb, name) == []


@pytest.mark.slow
def test_tags_survive_a_restart(emulator_factory, table_name):
    emu = emulator_factory()
    client = emu.client()
    name = table_name("tagr")
    create_with_tags(client, name, [{"Key": "env", "Value": "prod"}])
    client.tag_resource(ResourceArn=arn_of(name), Tags=[{"Key": "team", "Value": "chat"}])
    emu.restart()
    client = emu.client()
    assert tags_of(client, name) == [{"Key": "env", "Value": "prod"},
                                     {"Key": "team", "Value": "chat"}]


# --------------------------------------------------------------------------
# the AWS CLI
# --------------------------------------------------------------------------

AWS = os.environ.get("AWS_CLI", "/usr/bin/aws")


@pytest.mark.skipif(not shutil.which(AWS), reason=f"AWS CLI not found at {AWS}")
def test_cli_tagging(emulator, tmp_path, table_name):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": support.unique_key("AKIDCLI"),
                "AWS_SECRET_ACCESS_KEY": "cli-secret", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_PAGER": "", "AWS_CONFIG_FILE": str(tmp_path / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
                "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true",
                "HOME": str(tmp_path)})

    def cli(*args):
        return subprocess.run([AWS, "dynamodb", *args, "--endpoint-url", emulator.endpoint,
                               "--output", "json"], env=env, capture_output=True, text=True,
                              timeout=60)

    name = table_name("tagcli")
    p = cli("create-table", "--table-name", name, "--billing-mode", "PAY_PER_REQUEST",
            "--attribute-definitions", "AttributeName=id,AttributeType=S",
            "--key-schema", "AttributeName=id,KeyType=HASH", "--tags", "Key=env,Value=dev")
    assert p.returncode == 0, p.stderr
    arn = arn_of(name)
    p = cli("tag-resource", "--resource-arn", arn, "--tags", "Key=team,Value=chat")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ""
    p = cli("list-tags-of-resource", "--resource-arn", arn)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Tags"] == [{"Key": "env", "Value": "dev"},
                                           {"Key": "team", "Value": "chat"}]
    p = cli("untag-resource", "--resource-arn", arn, "--tag-keys", "env")
    assert p.returncode == 0, p.stderr
    p = cli("tag-resource", "--resource-arn", arn, "--tags", "Key=aws:x,Value=1")
    assert p.returncode != 0
    assert "ValidationException" in p.stderr
    assert "Tag Key cannot be prefixed with aws:, Key: aws:x" in p.stderr
