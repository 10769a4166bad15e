"""An instance's stdout and stderr reach the host's stderr, one line at a time, prefixed with
the function's name and the request id of the invocation running."""

import json

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
