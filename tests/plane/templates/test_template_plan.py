"""The stack plan's tables, created as planned on the real emulator.

stack-plan (STACK_PLAN_BIN, default <repo>/build/bin/stack-plan) resolves each template;
every `createTable` goes to the emulator (EMULATOR_BIN, default <repo>/build/bin/emulator) as
is, then `timeToLive` through UpdateTimeToLive, and DescribeTable shows what was asked for.
"""

import json
import os
import pathlib
import re
import subprocess

import boto3
import botocore.config
import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
STACK_PLAN_BIN = os.environ.get("STACK_PLAN_BIN", str(REPO / "build/bin/stack-plan"))
EMULATOR_BIN = os.environ.get("EMULATOR_BIN", str(REPO / "build/bin/emulator"))


def stack_plan(template, *args):
    run = subprocess.run([STACK_PLAN_BIN, "--template", str(HERE / template)] + list(args),
                         capture_output=True, text=True, timeout=30)
    return run.returncode, run.stdout, run.stderr


@pytest.fixture
def dynamodb():
    proc = subprocess.Popen([EMULATOR_BIN, "--port", "0", "--in-memory", "--shared-db"],
                            stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in proc.stderr:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        assert port, "the emulator did not report its port"
        yield boto3.client(
            "dynamodb", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1}))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def create_tables(dynamodb, plan):
    for table in plan["tables"]:
        dynamodb.create_table(**table["createTable"])
        if table["timeToLive"]:
            dynamodb.update_time_to_live(TableName=table["tableName"],
                                         TimeToLiveSpecification=table["timeToLive"])


@pytest.mark.parametrize("template", ["template_tables.yaml", "websocket_echo.yaml",
                                      "template_authorized_chat.yaml"])
def test_planned_tables_are_created_as_is(dynamodb, template):
    status, out, err = stack_plan(template, "--stack-name", "plan")
    assert status == 0, err
    plan = json.loads(out)
    create_tables(dynamodb, plan)
    names = dynamodb.list_tables()["TableNames"]
    assert sorted(names) == sorted(t["tableName"] for t in plan["tables"])
    for table in plan["tables"]:
        described = dynamodb.describe_table(TableName=table["tableName"])["Table"]
        asked = table["createTable"]
        assert described["KeySchema"] == asked["KeySchema"]
        # DynamoDB leaves BillingModeSummary out of tables that were always provisioned.
        billing = described.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
        assert billing == asked["BillingMode"]
        stream = asked.get("StreamSpecification")
        assert described.get("StreamSpecification") == stream
        if stream:
            # The plan's stream ARN names the table; its label is a placeholder, and the
            # emulator's account (000000000000, as DynamoDB Local's) is not the plan's.
            assert described["LatestStreamArn"].split(":table/")[1].split("/stream/")[0] == \
                table["streamArn"].split(":table/")[1].split("/stream/")[0]
        indexes = {i["IndexName"]: i for i in described.get("GlobalSecondaryIndexes", [])}
        for gsi in asked.get("GlobalSecondaryIndexes", []):
            assert indexes[gsi["IndexName"]]["Projection"] == gsi["Projection"]
        locals_ = {i["IndexName"]: i for i in described.get("LocalSecondaryIndexes", [])}
        for lsi in asked.get("LocalSecondaryIndexes", []):
            assert locals_[lsi["IndexName"]]["KeySchema"] == lsi["KeySchema"]
        if table["timeToLive"]:
            ttl = dynamodb.describe_time_to_live(TableName=table["tableName"])
            assert ttl["TimeToLiveDescription"]["AttributeName"] == \
                table["timeToLive"]["AttributeName"]


def test_the_tables_template_plans_every_shape():
    status, out, err = stack_plan("template_tables.yaml", "--stack-name", "shapes")
    assert status == 0, err
    plan = json.loads(out)
    by_id = {t["logicalId"]: t for t in plan["tables"]}
    assert by_id["Messages"]["tableName"] == "shapes-messages"
    assert by_id["Presence"]["tableName"] == "Presence"
    assert by_id["Counters"]["createTable"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "Messages (AWS::DynamoDB::Table): PointInTimeRecoverySpecification accepted, " \
           "not enforced" in plan["notices"]


def test_a_template_at_fault_exits_2_with_one_line():
    status, out, err = stack_plan("template_bad_timeout.yaml")
    assert status == 2
    assert out == ""
    assert err == ('template: Resources.SendFunction.Properties.Timeout: expected a number, '
                   'got "abc"\n')
