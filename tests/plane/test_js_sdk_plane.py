"""The AWS SDK for JavaScript v3 (client-apigatewaymanagementapi, client-lambda,
client-dynamodb), unchanged, against the plane: starts the WebSocket echo stack with
scripts/launch.py, as test_launch.py does, and runs tests/js/plane.test.mjs with node:test
and Node's own WebSocket client, the endpoints given in PLANE_* variables."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from test_launch import REPO, stack  # noqa: F401 (the fixture: the echo stack)

sys.path.insert(0, str(REPO / "tests" / "js"))
import node_suite  # noqa: E402

JS_DIR = REPO / "tests" / "js"
SUITE = JS_DIR / "plane.test.mjs"
STACK_NAME = "echo"
# Every package of tests/js/package.json: `npm ci` installs them all from package-lock.json.
PACKAGES = ("@aws-sdk/client-apigatewaymanagementapi", "@aws-sdk/client-lambda",
            "@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb",
            "@aws-sdk/client-dynamodb-streams")
NODE_TIMEOUT = 120

NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None,
                       reason="node (Node.js) is not on PATH: the JavaScript SDK suite needs it"),
]


def websocket_flags():
    """The node flags that give the suite a global WebSocket: none from Node 22 on,
    --experimental-websocket on Node 20 and 21."""
    probe = "process.exit(typeof WebSocket === 'function' ? 0 : 1)"
    for flags in ([], ["--experimental-websocket"]):
        r = subprocess.run([NODE, *flags, "-e", probe], capture_output=True, timeout=30)
        if r.returncode == 0:
            return flags
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout.strip()
    pytest.fail(f"node {version} has no WebSocket client, not even with "
                f"--experimental-websocket: the plane's JavaScript suite needs Node 20.10 or "
                f"later", pytrace=False)


def test_aws_sdk_for_javascript_v3_against_the_plane(stack):
    node_suite.ensure_node_modules(PACKAGES)
    flags = websocket_flags()
    api = "%s-echo" % STACK_NAME
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "PLANE_WS_URL": stack.ready["websocket " + api],
        "PLANE_CONNECTIONS_URL": stack.ready["connections " + api],
        "PLANE_LAMBDA_URL": stack.ready["lambda"],
        "PLANE_DYNAMODB_URL": stack.ready["dynamodb"],
        "PLANE_STACK_NAME": STACK_NAME,
        "NODE_NO_WARNINGS": "1",  # the SDK's Node.js version notice, the WebSocket one
    })
    argv = [NODE, *flags, "--test", "--test-reporter=spec", str(SUITE)]
    rc, out = node_suite.run(argv, NODE_TIMEOUT, env=env)
    detail = (f"{' '.join(argv)} exited with {rc}\n--- node output ---\n{out}"
              f"\n--- launch.py stderr (emulator, lambda-host, gateway) ---\n{stack.log()}")
    assert rc == 0, detail
    # node --test also exits 0 when every test is skipped or none ran.
    ran = re.search(r"^\S* ?tests (\d+)$", out, re.MULTILINE)
    passed = re.search(r"^\S* ?pass (\d+)$", out, re.MULTILINE)
    skipped = re.search(r"^\S* ?skipped (\d+)$", out, re.MULTILINE)
    assert ran and int(ran.group(1)) >= 10, "node --test ran too few tests\n" + detail
    assert passed and int(passed.group(1)) == int(ran.group(1)), detail
    assert skipped and int(skipped.group(1)) == 0, detail
