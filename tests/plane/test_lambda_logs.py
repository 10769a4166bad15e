"""An instance's stdout and stderr reach the host's stderr, one line at a time, prefixed with
the function's name and the request id of the invocation running."""

import json
import re

from conftest import function, wait_for


def test_lines_are_prefixed_with_function_and_request_id(lambda_host):
    host = lambda_host([function("echo")])
    client = host.client()
    ids = []
    for word in ["first-line", "second-line"]:
        response = client.invoke(FunctionName="echo", Payload=json.dumps({"log": word}))
        response["Payload"].read()
        ids.append(response["ResponseMetadata"]["RequestId"])
    for request_id, word in zip(ids, ["first-line", "second-line"]):
        wait_for(lambda: "[echo %s] to stderr: %s\n" % (request_id, word) in host.stderr_text())
        assert "[echo %s] %s\n" % (request_id, word) in host.stderr_text()


def test_start_end_report_frame_each_invocation(lambda_host):
    host = lambda_host([function("echo", memorySize=256)])
    client = host.client()
    ids = []
    for _ in range(2):
        response = client.invoke(FunctionName="echo", Payload=json.dumps({"log": "inside"}))
        response["Payload"].read()
        ids.append(response["ResponseMetadata"]["RequestId"])
    text = host.stderr_text()
    for n, request_id in enumerate(ids):
        prefix = "[echo %s] " % request_id
        start = text.index(prefix + "START RequestId: %s Version: $LATEST\n" % request_id)
        inside = text.index(prefix + "inside\n")
        end = text.index(prefix + "END RequestId: %s\n" % request_id)
        report = text.index(prefix + "REPORT RequestId: %s\tDuration: " % request_id)
        assert start < inside < end < report
        report_line = text[report:text.index("\n", report)]
        assert "\tMemory Size: 256 MB\t" in report_line
        assert "Max Memory Used: " in report_line
        # Only the cold start reports its init.
        assert ("Init Duration: " in report_line) == (n == 0)
        text = text[report:]


def test_log_type_tail_returns_the_invocations_log(lambda_host):
    import base64
    host = lambda_host([function("echo")])
    response = host.client().invoke(FunctionName="echo", LogType="Tail",
                                    Payload=json.dumps({"log": "tail-me"}))
    request_id = response["ResponseMetadata"]["RequestId"]
    log = base64.b64decode(response["LogResult"]).decode()
    lines = log.splitlines()
    assert lines[0] == "START RequestId: %s Version: $LATEST" % request_id
    assert "tail-me" in lines and "to stderr: tail-me" in lines
    assert lines[-2] == "END RequestId: %s" % request_id
    assert lines[-1].startswith("REPORT RequestId: %s\t" % request_id)
    # Without LogType there is no log in the answer.
    assert "LogResult" not in host.client().invoke(FunctionName="echo", Payload=b"{}")


def test_timeout_report_has_status_timeout(lambda_host):
    host = lambda_host([function("sleep", timeout=1)])
    response = host.client().invoke(FunctionName="sleep", Payload=b"{}")
    request_id = response["ResponseMetadata"]["RequestId"]
    wait_for(lambda: "[sleep %s] REPORT" % request_id in host.stderr_text())
    text = host.stderr_text()
    line = text[text.index("[sleep %s] REPORT" % request_id):]
    assert line.split("\n")[0].endswith("\tStatus: timeout")
    # Lambda's own line before END, with the time it ran (what log filters look for).
    timed_out = re.search(r"^\[sleep %s\] (\S+) %s Task timed out after (\d+\.\d\d) seconds$"
                          % (request_id, request_id), text, re.M)
    assert timed_out, text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", timed_out.group(1))
    assert 1.0 <= float(timed_out.group(2)) < 3.0
    assert text.index(timed_out.group(0)) < text.index("[sleep %s] END" % request_id)
