"""The AWS SDK for JavaScript v3 (client-apigatewaymanagementapi, client-lambda,
client-dynamodb), unchanged, against the plane: starts the WebSocket echo stack with
scripts/launch.py, as test_launch.py does, and runs tests/js/plane.test.mjs with node:test
and Node's own WebSocket client, the endpoints given in PLANE_* variables."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from test_launch import LAUNCH, REPO, TEMPLATE

JS_DIR = REPO / "tests" / "js"
SUITE = JS_DIR / "plane.test.mjs"
STACK_NAME = "echo"
# Every package of tests/js/package.json: `npm ci` installs them all from package-lock.json.
PACKAGES = ("@aws-sdk/client-apigatewaymanagementapi", "@aws-sdk/client-lambda",
            "@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb",
            "@aws-sdk/client-dynamodb-streams")
NPM_CI_TIMEOUT = 300
NODE_TIMEOUT = 120

NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None,
                       reason="node (Node.js) is not on PATH: the JavaScript SDK suite needs it"),
]


def run(argv, timeout, cwd=REPO, env=None):
    """Run argv (in cwd, the repository root by default) in a process group of its own;
    returns (exit code, combined output). On timeout the whole group (node --test runs each
    test file in a child process) is killed and the test fails."""
    proc = subprocess.Popen(argv, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{' '.join(argv)} did not finish within {timeout} s\n"
                    f"--- output ---\n{out.decode('utf-8', 'replace')}", pytrace=False)
    return proc.returncode, out.decode("utf-8", "replace")


def ensure_node_modules():
    missing = [p for p in PACKAGES
               if not (JS_DIR / "node_modules" / p / "package.json").is_file()]
    if not missing:
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"node is on PATH but npm is not; cannot install {', '.join(missing)} "
                    f"into {JS_DIR / 'node_modules'}", pytrace=False)
    rc, out = run([npm, "ci", "--no-audit", "--no-fund"], NPM_CI_TIMEOUT, cwd=JS_DIR)
    assert rc == 0, f"npm ci in {JS_DIR} failed with exit code {rc}\n--- output ---\n{out}"


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


class Stack:
    """The echo stack from scripts/launch.py on free ports (as test_launch.Stack)."""

    def __init__(self, tmp_path):
        self.log_path = tmp_path / "launch.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), "--template", str(TEMPLATE), "--in-memory",
             "--emulator-port", "0", "--gateway-port", "0", "--lambda-port", "0",
             "--stack-name", STACK_NAME],
            stdout=subprocess.PIPE, stderr=open(self.log_path, "wb"), text=True)
        self.ready = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("ready: "):
                words = line.split()
                self.ready[" ".join(words[1:-1])] = words[-1]
            if "ready: lambda" in line:
                break
        assert "lambda" in self.ready, self.log()

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


@pytest.fixture
def stack(tmp_path):
    s = Stack(tmp_path)
    yield s
    s.stop()


def test_aws_sdk_for_javascript_v3_against_the_plane(stack):
    ensure_node_modules()
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
    rc, out = run(argv, NODE_TIMEOUT, env=env)
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
