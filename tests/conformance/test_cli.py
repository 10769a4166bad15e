"""The AWS CLI (v2) against the emulator."""

import json
import os
import shutil
import subprocess

import pytest

import support

AWS = os.environ.get("AWS_CLI", "/usr/bin/aws")

pytestmark = pytest.mark.skipif(not shutil.which(AWS), reason=f"AWS CLI not found at {AWS}")


@pytest.fixture(scope="module")
def cli(emulator, tmp_path_factory):
    home = tmp_path_factory.mktemp("aws-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": support.unique_key("AKIDCLI"),
        "AWS_SECRET_ACCESS_KEY": "cli-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "AWS_EC2_METADATA_DISABLED": "true",
        "HOME": str(home),
    })

    def run(*args, ok=True):
        cmd = [AWS, "dynamodb", *args, "--endpoint-url", emulator.endpoint, "--output", "json",
               "--cli-connect-timeout", "5", "--cli-read-timeout", "30"]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        if ok:
            assert p.returncode == 0, f"{' '.join(args)} -> {p.returncode}\n{p.stderr}"
        return p

    def run_json(*args):
        out = run(*args).stdout.strip()
        return json.loads(out) if out else {}

    run.json = run_json
    return run


def test_cli_table_and_item_lifecycle(cli):
    name = "cli-table"
    created = cli.json("create-table", "--table-name", name,
                       "--attribute-definitions", "AttributeName=id,AttributeType=S",
                       "--key-schema", "AttributeName=id,KeyType=HASH",
                       "--billing-mode", "PAY_PER_REQUEST")
    assert created["TableDescription"]["TableName"] == name

    assert cli.json("list-tables")["TableNames"] == [name]

    desc = cli.json("describe-table", "--table-name", name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert desc["TableArn"] == f"arn:aws:dynamodb:us-east-1:{support.ACCOUNT}:table/{name}"
    assert desc["ItemCount"] == 0

    item = {"id": {"S": "cli-1"}, "n": {"N": "1.50"}, "ok": {"BOOL": True},
            "tags": {"SS": ["x", "y"]}, "doc": {"M": {"k": {"L": [{"S": "v"}, {"NULL": True}]}}}}
    cli("put-item", "--table-name", name, "--item", json.dumps(item))

    got = cli.json("get-item", "--table-name", name, "--key", json.dumps({"id": {"S": "cli-1"}}),
                   "--consistent-read")["Item"]
    expected = dict(item, n={"N": "1.5"})
    assert support.canon(got) == support.canon(expected)

    missing = cli.json("get-item", "--table-name", name, "--key", json.dumps({"id": {"S": "nope"}}))
    assert "Item" not in missing

    old = cli.json("delete-item", "--table-name", name, "--key", json.dumps({"id": {"S": "cli-1"}}),
                   "--return-values", "ALL_OLD")
    assert support.canon(old["Attributes"]) == support.canon(expected)
    assert "Item" not in cli.json("get-item", "--table-name", name,
                                  "--key", json.dumps({"id": {"S": "cli-1"}}))

    deleted = cli.json("delete-table", "--table-name", name)
    assert deleted["TableDescription"]["TableName"] == name
    assert cli.json("list-tables")["TableNames"] == []


def test_cli_provisioned_hash_range(cli):
    name = "cli-range"
    cli("create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
        "--provisioned-throughput", "ReadCapacityUnits=4,WriteCapacityUnits=6")
    desc = cli.json("describe-table", "--table-name", name)["Table"]
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 6
    cli("put-item", "--table-name", name, "--item", json.dumps({"pk": {"S": "a"}, "sk": {"N": "1e1"}}))
    got = cli.json("get-item", "--table-name", name, "--key", json.dumps({"pk": {"S": "a"}, "sk": {"N": "10"}}))
    assert got["Item"] == {"pk": {"S": "a"}, "sk": {"N": "10"}}
    cli("delete-item", "--table-name", name, "--key", json.dumps({"pk": {"S": "a"}, "sk": {"N": "10.0"}}))
    assert "Item" not in cli.json("get-item", "--table-name", name,
                                  "--key", json.dumps({"pk": {"S": "a"}, "sk": {"N": "10"}}))
    cli("delete-table", "--table-name", name)


def test_cli_validation_error(cli):
    p = cli("create-table", "--table-name", "cli-bad",
            "--attribute-definitions", "AttributeName=a,AttributeType=S", "AttributeName=b,AttributeType=S",
            "--key-schema", "AttributeName=a,KeyType=RANGE", "AttributeName=b,KeyType=HASH",
            "--billing-mode", "PAY_PER_REQUEST", ok=False)
    assert p.returncode != 0
    assert "ValidationException" in p.stderr
    assert "Invalid KeySchema: The first KeySchemaElement is not a HASH key type" in p.stderr


def test_cli_not_found_error(cli):
    p = cli("describe-table", "--table-name", "cli-missing", ok=False)
    assert p.returncode != 0
    assert "ResourceNotFoundException" in p.stderr
    assert "Requested resource not found: Table: cli-missing not found" in p.stderr
