"""The AWS SDK for JavaScript v3 (client-dynamodb, lib-dynamodb,
client-dynamodb-streams), unchanged, against the emulator: runs the node:test
suite in tests/js on a fresh emulator of its own."""

import os
import re
import shutil
import sys

import pytest

import support

sys.path.insert(0, str(support.REPO / "tests" / "js"))
import node_suite  # noqa: E402

JS_DIR = support.REPO / "tests" / "js"
PACKAGES = ("@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-dynamodb-streams")
NODE_TIMEOUT = 120

NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node (Node.js) is not on PATH: the JavaScript SDK suite needs it"),
]


def test_aws_sdk_for_javascript_v3(emulator_factory):
    node_suite.ensure_node_modules(PACKAGES)
    # A fast TTL sweep, so the suite's expiry test sees the deletion quickly.
    emu = emulator_factory(extra_args=["--ttl-interval-ms", "100"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["EMULATOR_ENDPOINT"] = emu.endpoint
    env["NODE_NO_WARNINGS"] = "1"  # the SDK's Node.js version notice
    rc, out = node_suite.run([NODE, "--test", "--test-reporter=spec", str(JS_DIR)], NODE_TIMEOUT, env=env)
    detail = (f"node --test {JS_DIR} exited with {rc}\n--- node output ---\n{out}"
              f"\n--- emulator stderr ---\n{emu.stderr_text()}")
    assert rc == 0, detail
    # node --test also exits 0 when it finds no test file at all.
    ran = re.search(r"^\S* ?tests (\d+)$", out, re.MULTILINE)
    assert ran and int(ran.group(1)) > 0, "node --test ran no tests\n" + detail
