"""The AWS SDK for JavaScript v3 (client-dynamodb, lib-dynamodb,
client-dynamodb-streams), unchanged, against the emulator: runs the node:test
suite in tests/js on a fresh emulator of its own."""

import os
import re
import shutil
import signal
import subprocess

import pytest

import support

JS_DIR = support.REPO / "tests" / "js"
PACKAGES = ("@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-dynamodb-streams")
NPM_CI_TIMEOUT = 300
NODE_TIMEOUT = 120

NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node (Node.js) is not on PATH: the JavaScript SDK suite needs it"),
]


def run(argv, timeout, cwd=support.REPO, env=None):
    """Run argv (in cwd, the repository root by default) in a process group of its own;
    returns (exit code, combined output). On timeout the whole group (node
    --test runs each test file in a child process) is killed and the test fails."""
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
    missing = [p for p in PACKAGES if not (JS_DIR / "node_modules" / p / "package.json").is_file()]
    if not missing:
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"node is on PATH but npm is not; cannot install {', '.join(missing)} "
                    f"into {JS_DIR / 'node_modules'}", pytrace=False)
    rc, out = run([npm, "ci", "--no-audit", "--no-fund"], NPM_CI_TIMEOUT, cwd=JS_DIR)
    assert rc == 0, f"npm ci in {JS_DIR} failed with exit code {rc}\n--- output ---\n{out}"


def test_aws_sdk_for_javascript_v3(emulator_factory):
    ensure_node_modules()
    # A fast TTL sweep, so the suite's expiry test sees the deletion quickly.
    emu = emulator_factory(extra_args=["--ttl-interval-ms", "100"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["EMULATOR_ENDPOINT"] = emu.endpoint
    env["NODE_NO_WARNINGS"] = "1"  # the SDK's Node.js version notice
    rc, out = run([NODE, "--test", "--test-reporter=spec", str(JS_DIR)], NODE_TIMEOUT, env=env)
    detail = (f"node --test {JS_DIR} exited with {rc}\n--- node output ---\n{out}"
              f"\n--- emulator stderr ---\n{emu.stderr_text()}")
    assert rc == 0, detail
    # node --test also exits 0 when it finds no test file at all.
    ran = re.search(r"^\S* ?tests (\d+)$", out, re.MULTILINE)
    assert ran and int(ran.group(1)) > 0, "node --test ran no tests\n" + detail
