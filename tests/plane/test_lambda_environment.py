"""What a function sees of its execution environment."""

import json

from conftest import REGION, function


def run_env(host, name="env"):
    response = host.client().invoke(FunctionName=name, Payload=b"{}")
    return json.loads(response["Payload"].read())


def test_lambdas_variables_and_the_functions_own(lambda_host):
    spec = function("env", memorySize=512, environment={"TABLE_NAME": "chat-messages",
                                                        "TZ": "Europe/Paris"})
    host = lambda_host([spec], extra_args=["--dynamodb-endpoint", "http://127.0.0.1:8001",
                                           "--apigateway-endpoint", "http://127.0.0.1:8002/prod"])
    out = run_env(host)
    env = out["env"]
    assert out["cwd"] == spec["codeUri"]
    assert env["LAMBDA_TASK_ROOT"] == spec["codeUri"]
    assert env["_HANDLER"] == "bootstrap"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "env"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/env"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_REGION"] == REGION and env["AWS_DEFAULT_REGION"] == REGION
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["TABLE_NAME"] == "chat-messages"
    # TZ is not reserved: the function's value wins.
    assert env["TZ"] == "Europe/Paris"
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:8001"
    assert env["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] == "http://127.0.0.1:8001"
    assert env["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"] == "http://127.0.0.1:8002/prod"
    # Nothing of the host's own environment leaks in beyond PATH.
    assert "HOME" not in env and "PYTEST_CURRENT_TEST" not in env


def test_reserved_keys_in_the_plan_are_not_applied(lambda_host):
    host = lambda_host([function("env", environment={"AWS_REGION": "eu-west-9",
                                                     "AWS_LAMBDA_FUNCTION_NAME": "other",
                                                     "LANG": "C.UTF-8"})])
    env = run_env(host)["env"]
    assert env["AWS_REGION"] == REGION
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "env"
    assert env["LANG"] == "C.UTF-8"
    log = host.stderr_text()
    assert "AWS_REGION is reserved by Lambda" in log
    assert "AWS_LAMBDA_FUNCTION_NAME is reserved by Lambda" in log


def test_streams_endpoint_flag_and_default_tz(lambda_host):
    host = lambda_host([function("env")],
                       extra_args=["--dynamodb-endpoint", "http://127.0.0.1:8001",
                                   "--dynamodb-streams-endpoint", "http://127.0.0.1:8003"])
    env = run_env(host)["env"]
    assert env["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] == "http://127.0.0.1:8003"
    assert env["TZ"] == ":UTC"
    assert "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI" not in env
