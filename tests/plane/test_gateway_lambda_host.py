"""A first run of the gateway against the real Lambda host (LAMBDA_HOST_BIN), with the Lambda
engineer's test functions: the Invoke API's signing, results and X-Amz-Function-Error as the
gateway reads them. Skipped when the host binary has not been built."""

import json
import os

import pytest
import websockets

from conftest import LAMBDA_HOST_BIN, function, wait_for
from gateway_support import chat_api, run, start_gateway

pytestmark = pytest.mark.skipif(not os.path.exists(LAMBDA_HOST_BIN),
                                reason="lambda-host not built")


def test_gateway_through_the_lambda_host(tmp_path, lambda_host):
    host = lambda_host([function("echo"), function("error")])
    api = chat_api()
    api["routes"] = [
        {"routeKey": "$connect", "function": "echo", "routeResponse": False},
        {"routeKey": "$disconnect", "function": "echo", "routeResponse": False},
        {"routeKey": "fail", "function": "error", "routeResponse": True},
        {"routeKey": "$default", "function": "echo", "routeResponse": True},
    ]
    g = start_gateway(tmp_path, host.endpoint, [api])
    try:
        async def go():
            # echo's result has no statusCode: the connection is accepted.
            async with websockets.connect(g.url()) as ws:
                await ws.send(json.dumps({"action": "fail"}))
                frame = json.loads(await ws.recv())
                assert frame["message"] == "Internal server error"
                cid = frame["connectionId"]
                g.management().post_to_connection(ConnectionId=cid, Data=b"pushed")
                assert await ws.recv() == "pushed"
        run(go())
    finally:
        g.stop()
    # $connect and $disconnect ran echo, the message ran error: three signed Invokes.
    def starts(name):
        return sum(1 for line in host.stderr_text().splitlines()
                   if line.startswith("[%s " % name) and "] START RequestId:" in line)
    assert wait_for(lambda: starts("echo") == 2)
    assert starts("error") == 1
