"""Backends written for AWS, run unchanged by the launcher (scripts/run --template): the
broadcast apps of tests/plane/apps (Node.js on the AWS SDK for JavaScript v3, Python on
boto3) with real WebSocket clients, and the managed runtimes' routing of AWS host names
(tests/plane/apps/routing): the stack's execute-api host and dynamodb's reach the local
services over TLS, other names are left alone."""

import asyncio
import json
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import boto3
import pytest
import websockets

from conftest import read_ready

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCH = REPO / "scripts" / "launch.py"
APPS = REPO / "tests" / "plane" / "apps"
NODE = shutil.which("node")
NPM_TIMEOUT = 300


def ensure_node_modules(folder):
    """What `sam build` leaves for a Node.js function: its package.json's dependencies in its
    node_modules, here from package-lock.json with `npm ci` (from npm's cache when it has them:
    --prefer-offline), unless they are there already."""
    lock = json.loads((folder / "package-lock.json").read_text())
    wanted = [p for p in lock["packages"] if p.startswith("node_modules/")]
    if all((folder / p / "package.json").is_file() for p in wanted):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH: cannot install %s's dependencies" % folder, pytrace=False)
    r = subprocess.run([npm, "ci", "--prefer-offline", "--no-audit", "--no-fund"], cwd=folder,
                       capture_output=True, text=True, timeout=NPM_TIMEOUT)
    assert r.returncode == 0, "npm ci in %s failed:\n%s%s" % (folder, r.stdout, r.stderr)


class Launched:
    def __init__(self, tmp_path, template):
        self.log_path = tmp_path / "launch.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), "--template", str(template), "--in-memory",
             "--emulator-port", "0", "--gateway-port", "0", "--lambda-port", "0", "--web-port",
             "0", "--data-dir", str(tmp_path / "data")],
            stdout=subprocess.PIPE, stderr=open(self.log_path, "wb"), text=True)
        self.ready, outputs = read_ready(self.proc)
        # An output naming an AWS URL says which local one stands for it: " (here: URL)".
        self.outputs = {k: v.split(" (here: ")[0].strip() for k, v in outputs.items()}
        assert "lambda" in self.ready, self.log()
        creds = dict(region_name="us-east-1", aws_access_key_id="any",
                     aws_secret_access_key="any")
        self.ddb = boto3.client("dynamodb", endpoint_url=self.ready["dynamodb"], **creds)
        self.lambda_ = boto3.client("lambda", endpoint_url=self.ready["lambda"], **creds)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def websocket_url(self):
        return next(v for k, v in self.ready.items() if k.startswith("websocket "))

    def invoke(self, name, event):
        r = self.lambda_.invoke(FunctionName=name, Payload=json.dumps(event).encode())
        payload = json.loads(r["Payload"].read())
        assert "FunctionError" not in r, payload
        return payload

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


def wait_for(predicate, what, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


# ---- the broadcast apps ----------------------------------------------------------------------

@pytest.fixture(params=["node-broadcast", "python-broadcast"])
def broadcast(request, tmp_path):
    app = APPS / request.param
    if request.param.startswith("node"):
        if NODE is None:
            pytest.skip("node (Node.js) is not on PATH")
        ensure_node_modules(app / "src")
    stack = Launched(tmp_path, app / "template.yaml")
    yield stack
    stack.stop()


def connection_ids(stack):
    items = stack.ddb.scan(TableName="broadcast_connections")["Items"]
    return {i["connectionId"]["S"] for i in items}


def test_clients_connect_broadcast_and_a_stale_connection_is_cleaned_up(broadcast):
    stack = broadcast
    url = stack.websocket_url()
    assert url.endswith("/Prod")

    async def scenario():
        clients = [await websockets.connect(url) for _ in range(3)]
        wait_for(lambda: len(connection_ids(stack)) == 3, "$connect to store 3 connections")
        await clients[0].send(json.dumps({"action": "sendmessage", "data": "hello, all"}))
        for ws in clients:
            assert await asyncio.wait_for(ws.recv(), 15) == "hello, all"
        # A row for a connection that is gone: the next broadcast meets a 410 and deletes it.
        stale = "R0staleConnId="
        stack.ddb.put_item(TableName="broadcast_connections",
                           Item={"connectionId": {"S": stale}})
        await clients[1].send(json.dumps({"action": "sendmessage", "data": "second"}))
        for ws in clients:
            assert await asyncio.wait_for(ws.recv(), 15) == "second"
        wait_for(lambda: stale not in connection_ids(stack), "the stale row to be deleted")
        assert len(connection_ids(stack)) == 3
        for ws in clients:
            await ws.close()
        wait_for(lambda: connection_ids(stack) == set(), "$disconnect to delete every row")

    asyncio.run(scenario())
    log = stack.log()
    assert "Found stale connection, deleting R0staleConnId=" in log, log
    # The function's log line carries its request id (the host's prefix, and the runtime's own
    # format: Node.js's TIMESTAMP\tID\tINFO\t..., Python logging's [INFO]\tTIMESTAMP\tID\t...).
    line = next(l for l in log.splitlines() if "Found stale connection" in l)
    rid = re.match(r"\[[^ ]+ ([0-9a-f-]{36})\]", line).group(1)
    assert rid in line[line.index("]") + 1:]


# ---- host names ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def routing(tmp_path_factory):
    if NODE is None:
        pytest.skip("node (Node.js) is not on PATH")
    stack = Launched(tmp_path_factory.mktemp("routing"), APPS / "routing" / "template.yaml")
    yield stack
    stack.stop()


def api_host(stack):
    m = re.match(r"wss://([^/]+)/dev$", stack.outputs["WebSocketURI"])
    return m.group(1)


def gateway_port(stack):
    return int(re.search(r":(\d+)/", stack.websocket_url()).group(1))


def test_the_event_names_the_aws_domain_and_https_to_it_reaches_the_gateway(routing):
    host = api_host(routing)
    assert re.fullmatch(r"[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com", host)

    async def scenario():
        async with websockets.connect(routing.websocket_url()) as ws:
            # $default: the Node.js probe answers at https://${domainName}/${stage}/@connections.
            await ws.send("who am I")
            me = json.loads(await asyncio.wait_for(ws.recv(), 15))
            assert me["domainName"] == host and me["stage"] == "dev"
            target = "https://%s/dev/@connections/%s" % (host, me["connectionId"])
            for name, event, text in [
                    ("node-probe", {"op": "post", "url": target, "data": "node https"}, None),
                    ("node-probe", {"op": "fetch", "url": target, "data": "node fetch"}, None),
                    ("python-probe", {"op": "post", "url": target, "data": "python urllib"},
                     None)]:
                assert routing.invoke(name, event)["status"] == 200
                assert await asyncio.wait_for(ws.recv(), 15) == event["data"]

    asyncio.run(scenario())


def test_an_http_apis_host_name_reaches_the_gateways_http_port(routing):
    host = re.match(r"https://([^/]+)/$", routing.outputs["HttpURI"]).group(1)
    got = routing.invoke("node-probe", {"op": "post", "url": "https://%s/hello" % host,
                                        "data": "{}"})
    assert got == {"status": 200, "body": "hello from " + host}


def test_only_the_stacks_host_names_are_redirected(routing):
    host = api_host(routing)
    other = "zzzzzzzzzz.execute-api.us-east-1.amazonaws.com"
    port = gateway_port(routing)
    # Node: the stack's name reaches the gateway (its certificate checked against the name);
    # another one goes where its lookup says, here loopback's port 443, where nothing listens.
    assert routing.invoke("node-probe", {"op": "connect", "host": host}) == {
        "connected": True, "remotePort": port, "authorized": True}
    assert routing.invoke("node-probe", {"op": "connect", "host": other}) == {
        "error": "ECONNREFUSED"}
    # Python: getaddrinfo gives the gateway for the stack's name on 443, and nothing changes
    # for another name or another port.
    resolve = lambda h, p=443: routing.invoke("python-probe", {"op": "resolve", "host": h,
                                                               "port": p})["addresses"]
    assert resolve(host) == ["127.0.0.1:%d" % port]
    assert "127.0.0.1:%d" % port not in resolve(other)
    assert resolve(host, 8443) != ["127.0.0.1:%d" % port]
    assert resolve("localhost") and all(a.endswith(":443") for a in resolve("localhost"))


def test_dynamodbs_host_name_reaches_the_emulator_over_tls(routing):
    node = routing.invoke("node-probe", {"op": "post", "url": "https://dynamodb.us-east-1."
                                         "amazonaws.com/", "data": "{}"})
    assert node["status"] == 200, node
    assert "probe-table" in json.loads(node["body"])["TableNames"]
    # A callback handler answers once the event loop is empty: the kept-alive connection to
    # dynamodb's name does not hold it.
    started = time.monotonic()
    got = routing.invoke("node-callback-probe",
                         {"url": "https://dynamodb.us-east-1.amazonaws.com/"})
    assert got["status"] == 200 and time.monotonic() - started < 4, got
    python = routing.invoke("python-probe", {"op": "dynamodb"})
    assert "probe-table" in python["tables"]
    # streams.dynamodb's name too (the table has no stream: an empty list, from the emulator).
    assert routing.invoke("python-probe", {"op": "streams"}) == {"streams": []}
    emulator_port = int(routing.ready["dynamodb"].rsplit(":", 1)[1])
    for name in ("dynamodb.us-east-1.amazonaws.com", "streams.dynamodb.us-east-1.amazonaws.com"):
        (address,) = routing.invoke("python-probe", {"op": "resolve", "host": name})["addresses"]
        # The runtime's own TLS terminator on loopback, not the emulator's plain port.
        assert address.startswith("127.0.0.1:") and address != "127.0.0.1:%d" % emulator_port


def test_boto3_clients_without_an_endpoint_use_the_endpoint_variables(routing):
    got = routing.invoke("python-probe", {"op": "default-clients"})
    assert got["dynamodb"] == routing.ready["dynamodb"]
    assert got["streams"] == routing.ready["dynamodb"]
    assert got["apigw"] == "http://127.0.0.1:%d" % gateway_port(routing)
    assert "probe-table" in got["tables"]


def test_the_launcher_reports_the_runtimes_it_does_not_run_before_starting(tmp_path):
    (tmp_path / "code").mkdir()
    template = tmp_path / "template.yaml"
    template.write_text("""
Transform: AWS::Serverless-2016-10-31
Resources:
  JavaFunction: {Type: AWS::Serverless::Function,
                 Properties: {CodeUri: code, Runtime: java21, Handler: a.B::handle}}
  DotnetFunction: {Type: AWS::Lambda::Function,
                   Properties: {Code: code, Runtime: dotnet8, Handler: A::B::C}}
  NodeFunction: {Type: AWS::Serverless::Function,
                 Properties: {CodeUri: code, Runtime: nodejs22.x, Handler: app.handler}}
  ImageFunction:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: image, PackageType: Image, ImageUri: repo/app:latest}
    Metadata: {Dockerfile: Dockerfile, DockerContext: ./app}
""")
    stack = Launched(tmp_path, template)
    try:
        # The rest of the stack runs; the image function's invocations fail.
        r = stack.lambda_.invoke(FunctionName="image", Payload=b"{}")
        assert json.loads(r["Payload"].read()) == {
            "errorType": "Runtime.InvalidEntrypoint",
            "errorMessage": "RequestId: %s Error: container images (PackageType Image) are not "
                            "run by the local Lambda host"
                            % r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]}
        log = stack.log()
    finally:
        stack.stop()
    lines = log.splitlines()
    reported = [l for l in lines if l.startswith("template: ") and "is not supported" in l]
    assert ("template: ImageFunction (AWS::Serverless::Function): a container image (PackageType "
            "Image) is not supported: the function is planned without code and its invocations "
            "fail") in reported
    reported = [l for l in reported if "Runtime" in l]
    tail = (" is not supported (provided.al2023, provided.al2, nodejs18.x, nodejs20.x, nodejs22.x "
            "and python3.x are): it is started as a custom runtime, from CodeUri/bootstrap")
    assert sorted(reported) == sorted([
        "template: JavaFunction (AWS::Serverless::Function): Runtime java21" + tail,
        "template: DotnetFunction (AWS::Lambda::Function): Runtime dotnet8" + tail])
    # Before anything starts.
    first_start = min(i for i, l in enumerate(lines) if "listening on" in l)
    assert all(lines.index(l) < first_start for l in reported)
