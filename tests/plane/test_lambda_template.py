"""A SAM template, resolved by stack-plan (STACK_PLAN_BIN, default <repo>/build/bin/stack-plan),
runs on lambda-host as planned: the contract between the two."""

import json
import os
import subprocess
import time

import pytest

from conftest import FUNCTIONS, REPO, LambdaHost

STACK_PLAN_BIN = os.environ.get("STACK_PLAN_BIN", str(REPO / "build/bin/stack-plan"))

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Timeout: 7
    MemorySize: 256
    Environment:
      Variables:
        TABLE_NAME: !Sub "chat-${Stage}-messages"
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "chat-${Stage}-echo"
      CodeUri: %s
      Handler: bootstrap
      Runtime: provided.al2023
      ReservedConcurrentExecutions: 2
"""


@pytest.mark.skipif(not os.path.exists(STACK_PLAN_BIN), reason="stack-plan is not built")
def test_planned_function_runs_with_its_resolved_configuration(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE % (FUNCTIONS / "echo"))
    plan = subprocess.run([STACK_PLAN_BIN, "--template", str(template), "--parameter-overrides",
                           "Stage=prod", "--region", "eu-west-1", "--account-id", "111122223333"],
                          capture_output=True, text=True, timeout=30)
    assert plan.returncode == 0, plan.stderr
    # The whole plan, tables, APIs and notices included: lambda-host reads what it needs.
    host = LambdaHost(tmp_path, None, [], plan=json.loads(plan.stdout))
    try:
        client = host.client()
        before = time.time() * 1000
        response = client.invoke(FunctionName="chat-prod-echo", Payload=b'{"hi": 1}')
        body = json.loads(response["Payload"].read())
        assert body["event"] == {"hi": 1}
        assert body["env"]["TABLE_NAME"] == "chat-prod-messages"
        assert body["env"]["AWS_LAMBDA_FUNCTION_NAME"] == "chat-prod-echo"
        assert body["env"]["AWS_REGION"] == "eu-west-1"
        assert body["headers"]["Lambda-Runtime-Invoked-Function-Arn"] == (
            "arn:aws:lambda:eu-west-1:111122223333:function:chat-prod-echo")
        deadline = int(body["headers"]["Lambda-Runtime-Deadline-Ms"])
        assert before + 6000 < deadline < time.time() * 1000 + 7000
        config = client.get_function(FunctionName="chat-prod-echo")
        assert config["Configuration"]["MemorySize"] == 256
        assert config["Concurrency"]["ReservedConcurrentExecutions"] == 2
    finally:
        host.stop()
