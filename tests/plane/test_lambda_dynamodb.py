"""A function reaches the plane's DynamoDB with nothing but the environment the host gives it
(the emulator binary: EMULATOR_BIN, default <repo>/build/bin/emulator)."""

import json
import os
import re
import subprocess
import time

import boto3
import pytest

from conftest import REGION, REPO, function

EMULATOR_BIN = os.environ.get("EMULATOR_BIN", str(REPO / "build/bin/emulator"))


@pytest.fixture
def emulator(tmp_path):
    if not os.path.exists(EMULATOR_BIN):
        pytest.skip("the emulator is not built")
    log_path = tmp_path / "emulator.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([EMULATOR_BIN, "--port", "0", "--in-memory", "--shared-db"],
                            stdout=log, stderr=log)
    deadline = time.time() + 10
    while True:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", log_path.read_text())
        if match:
            break
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("emulator did not start: " + log_path.read_text())
        time.sleep(0.02)
    yield "http://127.0.0.1:" + match.group(1)
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_function_uses_the_local_dynamodb_through_its_environment(lambda_host, emulator):
    ddb = boto3.client("dynamodb", region_name=REGION, endpoint_url=emulator,
                       aws_access_key_id="x", aws_secret_access_key="y")
    ddb.create_table(TableName="messages", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    host = lambda_host([function("ddb", timeout=10, environment={"TABLE_NAME": "messages"})],
                       extra_args=["--dynamodb-endpoint", emulator])
    response = host.client().invoke(FunctionName="ddb",
                                    Payload=json.dumps({"id": "m1", "text": "hello"}))
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    assert body == {"text": "hello"}
    item = ddb.get_item(TableName="messages", Key={"id": {"S": "m1"}})["Item"]
    assert item["text"] == {"S": "hello"}
