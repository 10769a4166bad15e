"""Shared helpers for the conformance suite: starting the emulator binary,
making boto3 clients against it, raw signed HTTP requests and small
assertion helpers.

Everything here talks only to loopback addresses.
"""

import atexit
import base64
import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
import weakref

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / "build" / "bin" / "emulator"

REGION = "us-east-1"
ACCESS_KEY = "AKIDCONFORMANCE0001"
SECRET_KEY = "conformance-secret"
ACCOUNT = "000000000000"

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0

# boto3 sessions are not thread-safe to create clients from concurrently; the
# suite creates clients from the main thread only.
_SESSION = boto3.session.Session()


def emulator_bin():
    return os.environ.get("EMULATOR_BIN") or str(DEFAULT_BIN)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_name(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def unique_key(prefix="AKID"):
    return f"{prefix}{uuid.uuid4().hex[:16].upper()}"


def make_client(endpoint, access_key=ACCESS_KEY, region=REGION, validate=True,
                read_timeout=30):
    cfg = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        parameter_validation=validate,
        connect_timeout=5,
        read_timeout=read_timeout,
        max_pool_connections=16,
    )
    return _SESSION.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=SECRET_KEY,
        config=cfg,
    )


_LIVE = weakref.WeakSet()


@atexit.register
def _kill_leftovers():
    # Backstop only: fixtures stop everything they start.
    for emu in list(_LIVE):
        emu.cleanup()


class Emulator:
    """One emulator process (which may be stopped and started again on the
    same port and database directory)."""

    def __init__(self, workdir, in_memory=False, shared_db=False,
                 flag_style="long", extra_args=()):
        self.workdir = pathlib.Path(workdir)
        self.in_memory = in_memory
        self.shared_db = shared_db
        self.flag_style = flag_style
        self.extra_args = list(extra_args)
        self.db_path = None if in_memory else str(self.workdir / "db")
        if self.db_path:
            os.makedirs(self.db_path, exist_ok=True)
        self.port = None
        self.proc = None
        self.starts = 0
        self._log_path = None
        self._log_file = None
        _LIVE.add(self)

    # -- process control -------------------------------------------------
    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def argv(self):
        long = self.flag_style == "long"
        args = [emulator_bin()]
        args += ["--port" if long else "-port", str(self.port)]
        if long:
            args += ["--host", "127.0.0.1"]
        if self.in_memory:
            args += ["--in-memory" if long else "-inMemory"]
        else:
            args += ["--db-path" if long else "-dbPath", self.db_path]
        if self.shared_db:
            args += ["--shared-db" if long else "-sharedDb"]
        return args + self.extra_args

    def start(self):
        binary = emulator_bin()
        if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
            pytest.fail(f"emulator binary not found or not executable: {binary} "
                        f"(build it, or set EMULATOR_BIN)", pytrace=False)
        assert self.proc is None or self.proc.poll() is not None, "already running"
        fixed_port = self.port is not None
        attempts = 1 if fixed_port else 3
        for attempt in range(attempts):
            if not fixed_port:
                self.port = free_port()
            self._spawn()
            ok, why = self._wait_ready()
            if ok:
                return self
            self._reap()
            err = self.stderr_text(current_only=True)
            if not fixed_port and ("in use" in err.lower() or "EADDRINUSE" in err) \
                    and attempt + 1 < attempts:
                continue
            pytest.fail(f"emulator did not become ready on port {self.port}: {why}\n"
                        f"argv: {self.argv()}\n--- stderr ---\n{err}", pytrace=False)
        return self

    def _spawn(self):
        self.starts += 1
        self._log_path = self.workdir / f"stderr.{self.starts}.log"
        self._log_file = open(self._log_path, "wb")
        self.proc = subprocess.Popen(
            self.argv(), stdin=subprocess.DEVNULL, stdout=self._log_file,
            stderr=subprocess.STDOUT, cwd=str(self.workdir))

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                return False, f"process exited with code {rc}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True, ""
            except OSError:
                time.sleep(0.05)
        return False, f"no answer within {START_TIMEOUT:.0f} s"

    def _reap(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Send sig and wait for exit; returns the exit code. Fails the test
        (after killing the process) if it does not exit in time."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._reap()
                pytest.fail(f"emulator did not exit within {timeout} s of {sig!r}\n"
                            f"--- stderr ---\n{self.stderr_text(current_only=True)}",
                            pytrace=False)
        rc = self.proc.returncode
        self._reap()
        return rc

    def kill9(self):
        """SIGKILL, no chance to flush anything."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)
        rc = self.proc.returncode if self.proc is not None else None
        self._reap()
        return rc

    def restart(self, sig=signal.SIGTERM):
        rc = self.stop(sig)
        self.start()
        return rc

    def cleanup(self):
        self._reap()

    def stderr_text(self, current_only=False):
        paths = [self._log_path] if current_only else sorted(self.workdir.glob("stderr.*.log"))
        out = []
        for p in paths:
            if p is not None and p.exists():
                out.append(p.read_bytes().decode("utf-8", "replace"))
        return "".join(out)

    # -- clients ---------------------------------------------------------
    def client(self, access_key=ACCESS_KEY, region=REGION, validate=True):
        return make_client(self.endpoint, access_key=access_key, region=region,
                           validate=validate)


class EmulatorPool:
    """Owns every emulator started through it and tears them all down."""

    def __init__(self, base_dir=None):
        self._base = base_dir or tempfile.mkdtemp(prefix="emulator-conformance-")
        self._own_base = base_dir is None
        self.items = []
        self._lock = threading.Lock()

    def start(self, **kwargs):
        workdir = tempfile.mkdtemp(prefix="emu-", dir=self._base)
        emu = Emulator(workdir, **kwargs)
        with self._lock:
            self.items.append(emu)
        return emu.start()

    def close(self):
        for emu in self.items:
            emu.cleanup()
        self.items.clear()
        if self._own_base:
            shutil.rmtree(self._base, ignore_errors=True)


# -- table helpers ----------------------------------------------------------

def create_table(client, name, hash_key=("id", "S"), range_key=None,
                 billing="PAY_PER_REQUEST", rcu=5, wcu=5):
    attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    kwargs = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=schema)
    if billing == "PAY_PER_REQUEST":
        kwargs["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu,
                                           "WriteCapacityUnits": wcu}
        if billing == "PROVISIONED":
            kwargs["BillingMode"] = "PROVISIONED"
    return client.create_table(**kwargs)


def expect_error(fn, code, message=None, **kwargs):
    """Call fn(**kwargs), expect a ClientError with the given code and (when
    given) exactly the given message. Returns the error response."""
    with pytest.raises(ClientError) as ei:
        fn(**kwargs)
    err = ei.value.response["Error"]
    status = ei.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert err.get("Code") == code, f"code: {err.get('Code')!r} message: {err.get('Message')!r}"
    if message is not None:
        assert err.get("Message") == message
    assert status == 400
    return ei.value.response


def canon(value):
    """Make an item/attribute comparable regardless of set order."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("SS", "NS", "BS") and isinstance(v, list):
                out[k] = ("set", frozenset(v), len(v))
            else:
                out[k] = canon(v)
        return out
    if isinstance(value, list):
        return [canon(v) for v in value]
    return value


# -- raw HTTP -----------------------------------------------------------------

def raw_request(endpoint, target=None, body=b"{}", sign=True, access_key=ACCESS_KEY,
                region=REGION, headers=None, method="POST", path="/"):
    """Send one HTTP request with http.client; returns (status, headers, body)
    where headers is the http.client.HTTPMessage (case-insensitive)."""
    if isinstance(body, str):
        body = body.encode()
    hdrs = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        hdrs["X-Amz-Target"] = target
    if headers:
        hdrs.update(headers)
    host = endpoint.split("://", 1)[1]
    hdrs["Host"] = host
    if sign:
        req = botocore.awsrequest.AWSRequest(method=method, url=endpoint + path,
                                             data=body, headers=hdrs)
        creds = botocore.credentials.Credentials(access_key, SECRET_KEY)
        botocore.auth.SigV4Auth(creds, "dynamodb", region).add_auth(req)
        hdrs = dict(req.headers.items())
    hostname, port = host.rsplit(":", 1)
    conn = http.client.HTTPConnection(hostname, int(port), timeout=15)
    try:
        conn.request(method, path, body=body if method != "GET" else None, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.headers, data
    finally:
        conn.close()


def error_type(body):
    doc = json.loads(body)
    return doc.get("__type", "").split("#")[-1], doc


def b64(data):
    return base64.b64encode(data).decode()
