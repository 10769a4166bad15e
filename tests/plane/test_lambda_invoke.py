"""Invoke through boto3: the three invocation types, function errors, crashes, timeouts,
unknown functions and Lambda's payload limits."""

import json
import time

import botocore.exceptions
import pytest

from conftest import ACCOUNT, REGION, function


def invoke(client, name, payload=None, **kwargs):
    args = {"FunctionName": name}
    if payload is not None:
        args["Payload"] = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    args.update(kwargs)
    response = client.invoke(**args)
    body = response["Payload"].read()
    return response, body


def test_request_response_returns_the_functions_answer(lambda_host):
    host = lambda_host([function("echo", timeout=5)])
    client = host.client()
    before = time.time() * 1000
    response, body = invoke(client, "echo", {"hello": "world", "n": [1, 2]})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    out = json.loads(body)
    assert out["event"] == {"hello": "world", "n": [1, 2]}
    headers = out["headers"]
    assert headers["Lambda-Runtime-Aws-Request-Id"] == response["ResponseMetadata"]["RequestId"]
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == (
        "arn:aws:lambda:%s:%s:function:echo" % (REGION, ACCOUNT))
    deadline = int(headers["Lambda-Runtime-Deadline-Ms"])
    assert before + 4000 < deadline < time.time() * 1000 + 5000
    assert headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")


def test_name_partial_arn_full_arn_and_latest_qualifier_all_resolve(lambda_host):
    host = lambda_host([function("echo")])
    client = host.client()
    for name in ["echo", "%s:function:echo" % ACCOUNT,
                 "arn:aws:lambda:%s:%s:function:echo" % (REGION, ACCOUNT),
                 "arn:aws:lambda:%s:%s:function:echo:$LATEST" % (REGION, ACCOUNT)]:
        response, body = invoke(client, name, {"name": name})
        assert response["StatusCode"] == 200, name
        assert json.loads(body)["event"] == {"name": name}
    response, _ = invoke(client, "echo", {}, Qualifier="$LATEST")
    assert response["StatusCode"] == 200


def test_client_context_reaches_the_runtime_decoded(lambda_host):
    import base64
    host = lambda_host([function("echo")])
    context = {"custom": {"k": "v"}, "env": {}, "client": {}}
    response, body = invoke(host.client(), "echo", {},
                            ClientContext=base64.b64encode(json.dumps(context).encode()).decode())
    assert json.loads(json.loads(body)["headers"]["Lambda-Runtime-Client-Context"]) == context


def test_event_is_accepted_with_202_and_runs(lambda_host, tmp_path):
    count = tmp_path / "count"
    host = lambda_host([function("flaky", environment={"COUNT_FILE": str(count),
                                                        "FAIL_TIMES": "0"})])
    response, body = invoke(host.client(), "flaky", {"async": True}, InvocationType="Event")
    assert response["StatusCode"] == 202
    assert body == b""
    from conftest import wait_for
    wait_for(lambda: count.exists() and count.read_text() == "1")
    record = json.loads((tmp_path / "count.log").read_text().splitlines()[0])
    assert record["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert record["event"] == {"async": True}


def test_dry_run_answers_204_without_running_the_function(lambda_host, tmp_path):
    count = tmp_path / "count"
    host = lambda_host([function("flaky", environment={"COUNT_FILE": str(count),
                                                        "FAIL_TIMES": "0"})])
    response, body = invoke(host.client(), "flaky", {}, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    time.sleep(0.3)
    assert not count.exists()
    with pytest.raises(botocore.exceptions.ClientError) as error:
        invoke(host.client(), "missing", {}, InvocationType="DryRun")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_function_error_gives_200_unhandled_with_the_runtimes_payload(lambda_host):
    host = lambda_host([function("error")])
    response, body = invoke(host.client(), "error", {"x": 1})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body) == {"errorMessage": "something went wrong", "errorType": "ValueError",
                                "stackTrace": ["bootstrap line 12"]}


def test_exit_mid_invocation_is_runtime_exit_error_and_the_instance_is_replaced(lambda_host):
    host = lambda_host([function("echo")])
    client = host.client()
    _, first = invoke(client, "echo", {})
    pid_before = json.loads(first)["pid"]
    response, body = invoke(client, "echo", {"exit": 3})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: %s Error: Runtime exited with error: exit status 3"
                        % request_id}
    _, after = invoke(client, "echo", {})
    assert json.loads(after)["pid"] != pid_before


def test_a_clean_exit_mid_invocation_gives_no_reason(lambda_host):
    host = lambda_host([function("echo")])
    response, body = invoke(host.client(), "echo", {"exit": 0})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert json.loads(body) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: %s Error: Runtime exited without providing a reason"
                        % request_id}


def test_a_runtime_that_exits_after_taking_the_event(lambda_host):
    host = lambda_host([function("crash")])
    for _ in range(2):  # each invocation gets a fresh instance, which crashes again
        response, body = invoke(host.client(), "crash", {})
        out = json.loads(body)
        assert out["errorType"] == "Runtime.ExitError"
        assert out["errorMessage"].endswith("Error: Runtime exited with error: exit status 1")
    assert host.stderr_text().count("crashing now") == 2


def test_timeout_kills_the_instance_and_reports_sandbox_timedout(lambda_host):
    host = lambda_host([function("sleep", timeout=1)])
    client = host.client()
    start = time.time()
    response, body = invoke(client, "sleep", {})
    elapsed = time.time() - start
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: %s Error: Task timed out after 1.00 seconds" % request_id}
    assert 1.0 <= elapsed < 4.0
    # The killed instance is not reused: the next invocation starts a new process.
    response, body = invoke(client, "sleep", {})
    assert json.loads(body)["errorType"] == "Sandbox.Timedout"
    assert host.stderr_text().count("sleeping") == 2


def test_unknown_function_is_404_resource_not_found(lambda_host):
    host = lambda_host([function("echo")])
    client = host.client()
    with pytest.raises(client.exceptions.ResourceNotFoundException) as error:
        invoke(client, "nope", {})
    err = error.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:%s:%s:function:nope" % (REGION, ACCOUNT))
    # Only $LATEST exists: a version or alias is not found either.
    with pytest.raises(client.exceptions.ResourceNotFoundException) as error:
        invoke(client, "echo", {}, Qualifier="live")
    assert error.value.response["Error"]["Message"].endswith(":function:echo:live")


def test_request_payload_over_6_mb_is_413(lambda_host):
    host = lambda_host([function("echo")])
    client = host.client()
    payload = b'"' + b"a" * (6 * 1024 * 1024) + b'"'
    # Lambda sends RequestEntityTooLargeException, not the RequestTooLargeException of its own
    # model, so botocore raises a plain ClientError.
    with pytest.raises(botocore.exceptions.ClientError) as error:
        invoke(client, "echo", payload)
    err = error.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert err["Error"]["Code"] == "RequestEntityTooLargeException"
    assert "6291456 bytes" in err["Error"]["Message"]
    # Just under the limit is fine.
    _, body = invoke(client, "echo", b'"' + b"a" * (6 * 1024 * 1024 - 2) + b'"')
    assert json.loads(body) == {"length": 6 * 1024 * 1024 - 2}
    # Event invocations are limited to 1 MB.
    with pytest.raises(botocore.exceptions.ClientError) as error:
        invoke(client, "echo", b'"' + b"a" * (1024 * 1024) + b'"', InvocationType="Event")
    assert error.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_response_over_6_mb_is_a_function_error(lambda_host):
    host = lambda_host([function("echo")])
    response, body = invoke(host.client(), "echo", {"repeat": 6 * 1024 * 1024 + 200})
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body) == {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
                        "(6291556 bytes)."}


def test_invalid_json_payload_is_invalid_request_content(lambda_host):
    host = lambda_host([function("echo")])
    client = host.client()
    with pytest.raises(client.exceptions.InvalidRequestContentException) as error:
        invoke(client, "echo", b"{not json")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.value.response["Error"]["Message"].startswith(
        "Could not parse request body into json")


def test_get_function_describes_the_plan_entry(lambda_host):
    host = lambda_host([function("echo", timeout=7, memorySize=256, reservedConcurrency=4,
                                 environment={"TABLE_NAME": "t"})])
    out = host.client().get_function(FunctionName="echo")
    config = out["Configuration"]
    assert config["FunctionName"] == "echo"
    assert config["FunctionArn"] == "arn:aws:lambda:%s:%s:function:echo" % (REGION, ACCOUNT)
    assert config["Timeout"] == 7
    assert config["MemorySize"] == 256
    assert config["Runtime"] == "provided.al2023"
    assert config["Environment"]["Variables"] == {"TABLE_NAME": "t"}
    assert out["Concurrency"]["ReservedConcurrentExecutions"] == 4
    with pytest.raises(host.client().exceptions.ResourceNotFoundException):
        host.client().get_function(FunctionName="nope")


def test_a_child_left_behind_neither_holds_up_the_answer_nor_outlives_the_instance(
        lambda_host, tmp_path):
    pid_file = tmp_path / "orphan.pid"
    host = lambda_host([function("orphan", timeout=30,
                                 environment={"ORPHAN_PID_FILE": str(pid_file)})])
    # The child holds the instance's log pipes open: the answer must not wait for it.
    response, body = invoke(host.client(read_timeout=20), "orphan", {})
    assert json.loads(body)["errorType"] == "Runtime.ExitError"
    child = int(pid_file.read_text())

    def alive():
        try:
            with open("/proc/%d/stat" % child) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False
    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(), "the bootstrap's child outlived its instance"
