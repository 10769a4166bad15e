"""Fixtures for the chat backend's end-to-end tests.

Binaries come from one build folder: CHATSTACK_BIN (default <repo>/build/bin, as the launcher
reads it) holds stack-plan, emulator, lambda-host, gateway and plane-ca; LAMBDA_HOST_BIN,
GATEWAY_BIN, EMULATOR_BIN and STACK_PLAN_BIN name single binaries elsewhere. The chat functions
are CHAT_FUNCTIONS_DIR (default: the functions/ folder beside CHATSTACK_BIN, where
chat_function() puts <name>/bootstrap).
"""

import json
import os
import pathlib
import re
import signal
import subprocess
import time

import boto3
import botocore.config
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "schemas" / "chat.yaml"
BIN = pathlib.Path(os.environ.get("CHATSTACK_BIN", str(REPO / "build" / "bin")))
STACK_PLAN_BIN = os.environ.get("STACK_PLAN_BIN", str(BIN / "stack-plan"))
EMULATOR_BIN = os.environ.get("EMULATOR_BIN", str(BIN / "emulator"))
LAMBDA_HOST_BIN = os.environ.get("LAMBDA_HOST_BIN", str(BIN / "lambda-host"))
GATEWAY_BIN = os.environ.get("GATEWAY_BIN", str(BIN / "gateway"))
FUNCTIONS_DIR = pathlib.Path(os.environ.get("CHAT_FUNCTIONS_DIR", str(BIN.parent / "functions")))
PLANE_FUNCTIONS = REPO / "tests" / "plane" / "functions"
REGION = "us-east-1"
ACCOUNT = "123456789012"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def stack_plan(*args, template=TEMPLATE):
    """The plan of a template as JSON (stack-plan must succeed)."""
    run = subprocess.run([STACK_PLAN_BIN, "--template", str(template), *args],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def function(name, code_uri, **props):
    """A plan entry for a function whose code is the folder `code_uri`."""
    spec = {
        "logicalId": name.title().replace("-", "") + "Function", "name": name,
        "arn": "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name),
        "runtime": "provided.al2023", "handler": "bootstrap", "codeUri": str(code_uri),
        "timeout": 5, "memorySize": 128, "reservedConcurrency": None, "environment": {},
    }
    spec.update(props)
    return spec


def read_port(stream, pattern, what, log, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        log.append(line)
        match = re.search(pattern, line)
        if match:
            return int(match.group(1))
    raise RuntimeError("%s did not start:\n%s" % (what, "".join(log)))


class Process:
    """A plane binary on a free port, stopped with SIGTERM."""

    def __init__(self, args, pattern, what, log_path):
        self.log_path = log_path
        self.proc = subprocess.Popen(args, stderr=subprocess.STDOUT, stdout=open(log_path, "wb"))
        deadline = time.monotonic() + 15
        while True:
            match = re.search(pattern, self.log())
            if match:
                self.port = int(match.group(1))
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("%s did not start:\n%s" % (what, self.log()))
            time.sleep(0.02)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def processes():
    """start(args, pattern, what, log_path) -> a running Process, stopped after the test."""
    started = []

    def start(*args):
        p = Process(*args)
        started.append(p)
        return p

    yield start
    for p in reversed(started):
        p.stop()


def lambda_client(endpoint):
    return boto3.client(
        "lambda", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"total_max_attempts": 1}, read_timeout=30))
