"""Fixtures for the plane's end-to-end tests.

`lambda_host` starts the real lambda-host binary (LAMBDA_HOST_BIN, default
<repo>/build/bin/lambda-host) on a free loopback port with a plan written by
the test, and stops it when the test ends. The C++ test function's binary is
PLANE_TEST_ECHO_BIN (default <repo>/build/bin/plane_test_echo).
"""

import json
import os
import pathlib
import re
import signal
import subprocess
import time
import urllib.request

import boto3
import botocore.config
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FUNCTIONS = pathlib.Path(__file__).resolve().parent / "functions"
LAMBDA_HOST_BIN = os.environ.get("LAMBDA_HOST_BIN", str(REPO / "build/bin/lambda-host"))
PLANE_TEST_ECHO_BIN = os.environ.get("PLANE_TEST_ECHO_BIN",
                                     str(REPO / "build/bin/plane_test_echo"))
REGION = "us-east-1"
ACCOUNT = "123456789012"


def function(name, folder=None, **props):
    """A plan entry for the test function in functions/<folder or name>."""
    spec = {
        "logicalId": name.title().replace("-", "") + "Function",
        "name": name,
        "arn": "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name),
        "runtime": "provided.al2023",
        "handler": "bootstrap",
        "codeUri": str(FUNCTIONS / (folder or name)),
        "timeout": 3,
        "memorySize": 128,
        "reservedConcurrency": None,
        "environment": {},
    }
    spec.update(props)
    return spec


class LambdaHost:
    def __init__(self, tmp_path, functions, extra_args, plan=None):
        """`plan`, when given, is written as is (a whole stack plan) instead of one made of
        `functions`."""
        self.dir = tmp_path
        self.plan_path = tmp_path / "plan.json"
        self.plan_path.write_text(json.dumps(plan or {
            "stackName": "test", "region": REGION, "accountId": ACCOUNT, "partition": "aws",
            "tables": [], "functions": functions, "websocketApis": [],
        }))
        self.log_path = tmp_path / "lambda-host.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [LAMBDA_HOST_BIN, "--plan", str(self.plan_path), "--port", "0"] + list(extra_args),
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 10
        while True:
            match = re.search(r"lambda: listening on 127\.0\.0\.1:(\d+)", self.stderr_text())
            if match:
                self.port = int(match.group(1))
                break
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("lambda-host did not start:\n" + self.stderr_text())
            time.sleep(0.02)
        self.endpoint = "http://127.0.0.1:%d" % self.port

    def stderr_text(self):
        return self.log_path.read_text(errors="replace")

    def client(self, retries=0, read_timeout=60):
        return boto3.client(
            "lambda", region_name=REGION, endpoint_url=self.endpoint,
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
            config=botocore.config.Config(retries={"total_max_attempts": retries + 1},
                                          read_timeout=read_timeout, connect_timeout=5))

    def clock(self, advance_seconds=None):
        if advance_seconds is None:
            request = urllib.request.Request(self.endpoint + "/_plane/clock")
        else:
            request = urllib.request.Request(
                self.endpoint + "/_plane/clock", method="POST",
                data=json.dumps({"advanceSeconds": advance_seconds}).encode())
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def lambda_host(tmp_path):
    """lambda_host([function(...), ...], extra_args=[...]) -> a running LambdaHost."""
    hosts = []

    def start(functions, extra_args=()):
        host = LambdaHost(tmp_path, functions, extra_args)
        hosts.append(host)
        return host

    yield start
    for host in hosts:
        host.stop()


def read_ready(proc, seconds=60):
    """What the launcher (scripts/launch.py) prints on its stdout up to `ready: lambda`, its
    last line: {name: URL} of the `ready:` lines and {key: value} of the `output:` lines."""
    ready, outputs = {}, {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("ready: "):
            words = line.split()
            ready[" ".join(words[1:-1])] = words[-1]
        elif line.startswith("output: "):
            name, value = line[len("output: "):].split(" = ", 1)
            outputs[name] = value.strip()
        if line.startswith("ready: lambda"):
            break
    return ready, outputs


def wait_for(predicate, timeout=10.0, interval=0.02):
    """Polls predicate() until it is truthy; returns its value or fails."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("condition not met within %.1f s" % timeout)
        time.sleep(interval)
