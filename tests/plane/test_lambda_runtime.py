"""The Runtime API's answers to a misbehaving runtime, init errors, a missing bootstrap, and
the C++ runtime loop (services/runtime) driven through the host."""

import json
import os

import pytest

from conftest import PLANE_TEST_ECHO_BIN, function, wait_for


def invoke(host, name, payload=b"{}"):
    response = host.client().invoke(FunctionName=name, Payload=payload)
    return response, json.loads(response["Payload"].read())


def test_runtime_api_refusals(lambda_host, tmp_path):
    result_file = tmp_path / "probe.json"
    host = lambda_host([function("probe", environment={"RESULT_FILE": str(result_file)})])
    response, body = invoke(host, "probe")
    assert body == {"probe": "done"}
    # The probe writes what it saw after its response went out.
    wait_for(lambda: result_file.exists() and "error_after" in result_file.read_text())
    seen = json.loads(result_file.read_text())
    assert seen["unknown_id"] == {"status": 400, "body": {"errorMessage": "Invalid request ID",
                                                          "errorType": "InvalidRequestID"}}
    assert seen["init_error_late"]["status"] == 403
    assert seen["init_error_late"]["body"]["errorType"] == "InvalidStateTransition"
    assert seen["unknown_path"]["status"] == 404
    assert seen["first"]["status"] == 202
    assert seen["first"]["body"] == {"status": "OK"}
    assert seen["second"]["status"] == 403
    assert seen["error_after"]["status"] == 403

    response, body = invoke(host, "probe", b'{"big": true}')
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Function.ResponseSizeTooLarge"
    wait_for(lambda: "too_large" in result_file.read_text())
    seen = json.loads(result_file.read_text())
    assert seen["too_large"]["status"] == 413
    assert seen["too_large"]["body"] == {
        "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "RequestEntityTooLarge"}


def test_init_error_is_returned_and_the_instance_discarded(lambda_host):
    host = lambda_host([function("initerror")])
    for _ in range(2):
        response, body = invoke(host, "initerror")
        assert response["FunctionError"] == "Unhandled"
        assert body == {"errorMessage": "Unable to import module",
                        "errorType": "Runtime.ImportModuleError", "stackTrace": []}


def test_missing_bootstrap_is_invalid_entrypoint(lambda_host, tmp_path):
    empty = tmp_path / "code"
    empty.mkdir()
    (empty / "handler.py").write_text("# a handler, but no bootstrap\n")
    host = lambda_host([function("nobootstrap", codeUri=str(empty), handler="handler.main")])
    response, body = invoke(host, "nobootstrap")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.InvalidEntrypoint"
    assert body["errorMessage"].endswith(
        "Error: Couldn't find valid bootstrap(s): [%s/bootstrap /opt/bootstrap]" % empty)


needs_cpp = pytest.mark.skipif(not os.path.exists(PLANE_TEST_ECHO_BIN),
                               reason="plane_test_echo is not built")


@needs_cpp
def test_cpp_function_answers_through_the_host(lambda_host):
    host = lambda_host([function("cpp-echo", "cpp_echo", timeout=5,
                                 environment={"PLANE_TEST_ECHO_BIN": PLANE_TEST_ECHO_BIN})])
    response, body = invoke(host, "cpp-echo", b'{"text": "hi", "n": [1, 2.5]}')
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert body["event"] == {"text": "hi", "n": [1, 2.5]}
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert body["functionArn"].endswith(":function:cpp-echo")
    assert 3000 < body["remainingMs"] <= 5000
    _, again = invoke(host, "cpp-echo")
    assert again["pid"] == body["pid"]  # warm
    request_id = response["ResponseMetadata"]["RequestId"]
    assert "[cpp-echo %s] cpp_echo handling %s" % (request_id, request_id) in host.stderr_text()


@needs_cpp
def test_cpp_function_errors_use_lambdas_format(lambda_host):
    host = lambda_host([function("cpp-echo", "cpp_echo",
                                 environment={"PLANE_TEST_ECHO_BIN": PLANE_TEST_ECHO_BIN})])
    response, body = invoke(host, "cpp-echo", b'{"fail": "Chat.BadInput"}')
    assert response["FunctionError"] == "Unhandled"
    assert body == {"errorMessage": "asked to fail", "errorType": "Chat.BadInput",
                    "stackTrace": []}
    response, body = invoke(host, "cpp-echo", b'{"throw": true}')
    assert body["errorType"] == "std::invalid_argument"
    # The runtime survives its handler's exceptions: still the same instance.
    _, first = invoke(host, "cpp-echo")
    _, second = invoke(host, "cpp-echo")
    assert first["pid"] == second["pid"]
