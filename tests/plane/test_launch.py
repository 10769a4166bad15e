"""The launcher (scripts/run --template FILE): a SAM template's whole stack on loopback, driven
by real clients: its tables created in the emulator, its WebSocket API served by the gateway,
its functions run by the Lambda host, `ready:` lines on standard output, and every process
stopped with it."""

import asyncio
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
import websockets

from conftest import read_ready

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCH = REPO / "scripts" / "launch.py"
TEMPLATE = REPO / "tests" / "plane" / "templates" / "websocket_echo.yaml"


class Stack:
    def __init__(self, tmp_path, *extra):
        self.log_path = tmp_path / "launch.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), "--template", str(TEMPLATE), "--in-memory",
             "--emulator-port", "0", "--gateway-port", "0", "--lambda-port", "0", "--web-port",
             "0",
             # Only the certificates (DATA-DIR/tls) are kept on disk by an in-memory run.
             "--stack-name", "echo", "--data-dir", str(tmp_path / "data"), *extra],
            stdout=subprocess.PIPE, stderr=open(self.log_path, "wb"), text=True)
        self.ready, self.outputs = read_ready(self.proc)
        assert "lambda" in self.ready, self.log()
        self.ddb = boto3.client("dynamodb", endpoint_url=self.ready["dynamodb"],
                                region_name="us-east-1", aws_access_key_id="any",
                                aws_secret_access_key="any")

    def log(self):
        """What the launcher and the processes it started wrote on stderr."""
        return self.log_path.read_text(errors="replace")

    def children(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def named_children(self):
        """{name: pid} of the live children (a dead one that is not reaped yet aside)."""
        out = {}
        for pid in self.children():
            try:
                stat = pathlib.Path("/proc/%d/stat" % pid).read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[0] != "Z":
                out[stat[stat.index("(") + 1:stat.rindex(")")]] = pid
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


@pytest.fixture
def stack(tmp_path):
    s = Stack(tmp_path)
    yield s
    s.stop()


def wait_for(predicate, what, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def test_prints_ready_lines_for_every_endpoint_and_the_outputs(stack):
    assert set(stack.ready) == {"ca", "dynamodb", "websocket echo-echo",
                                "connections echo-echo", "web", "lambda"}
    ws = stack.ready["websocket echo-echo"]
    assert ws.startswith("ws://127.0.0.1:") and ws.endswith("/test")
    assert stack.ready["connections echo-echo"] == "http" + ws[2:]
    # The wss:// output is shown beside the local URL that stands for it.
    uri = stack.outputs["WebSocketURI"]
    assert uri.startswith("wss://") and uri.endswith(".amazonaws.com/test (here: %s)" % ws)
    assert stack.outputs["ConnectionsTableName"] == "echo-connections"


def test_creates_the_tables_of_the_template_with_stream_and_ttl(stack):
    table = stack.ddb.describe_table(TableName="echo-connections")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"}
    ttl = stack.ddb.describe_time_to_live(TableName="echo-connections")
    assert ttl["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED",
                                            "AttributeName": "expiresAt"}


def test_a_websocket_client_reaches_every_route_and_the_functions_reach_the_table(stack):
    url = stack.ready["websocket echo-echo"]

    async def talk():
        async with websockets.connect(url) as ws:
            wait_for(lambda: stack.ddb.scan(TableName="echo-connections")["Count"] == 1,
                     "$connect to record the connection")
            await ws.send(json.dumps({"action": "sendMessage", "message": "hi"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"sent": "hi",
                                                                         "connections": 1}
            await ws.send("plain text")  # not JSON: the $default route, which posts back
            assert await asyncio.wait_for(ws.recv(), 10) == "echo: plain text"

    asyncio.run(talk())
    wait_for(lambda: stack.ddb.scan(TableName="echo-connections")["Count"] == 0,
             "$disconnect to forget the connection")


def test_a_connection_refused_by_connect_gets_its_status(stack):
    async def refused():
        with pytest.raises(websockets.exceptions.InvalidStatusCode) as e:
            async with websockets.connect(stack.ready["websocket echo-echo"] + "?refuse=403"):
                pass
        return e.value.status_code

    assert asyncio.run(refused()) == 403
    assert stack.ddb.scan(TableName="echo-connections")["Count"] == 0


def test_sigterm_stops_every_process_it_started(tmp_path):
    s = Stack(tmp_path)
    children = s.children()
    assert len(children) == 3  # emulator, lambda-host, gateway
    # An in-memory run keeps its stack plan in a temporary folder, removed when it stops.
    plans = [pathlib.Path(arg) for pid in children
             for arg in pathlib.Path("/proc/%d/cmdline" % pid).read_text().split("\0")
             if arg.endswith("plan.json")]
    assert plans and all(p.exists() for p in plans)
    s.stop()
    assert s.proc.returncode == 0
    assert not any(p.parent.exists() for p in plans)
    for pid in children:
        assert not os.path.exists("/proc/%d" % pid) or \
            open("/proc/%d/stat" % pid).read().split()[2] == "Z"


def test_a_process_that_dies_stops_the_stack_with_no_restart(tmp_path):
    s = Stack(tmp_path, "--no-restart")
    children = s.children()
    os.kill(children[-1], signal.SIGKILL)  # the gateway, started last
    assert s.proc.wait(30) == 1
    log = (tmp_path / "launch.log").read_text()
    assert "exited with status -9; stopping" in log
    for pid in children[:-1]:
        wait_for(lambda: not os.path.exists("/proc/%d" % pid), "pid %d to end" % pid)


def test_a_process_that_dies_is_started_again_on_its_port(tmp_path):
    """Each of the three, killed in turn: started again with its arguments (its port too, which
    the others were given), the others untouched; the in-memory emulator gets its tables back."""
    s = Stack(tmp_path)
    try:
        url = s.ready["websocket echo-echo"]
        for name in ("gateway", "lambda-host", "emulator"):
            before = s.named_children()
            assert set(before) == {"emulator", "lambda-host", "gateway"}, before
            os.kill(before[name], signal.SIGKILL)
            wait_for(lambda: "launch: %s restarted" % name in s.log(), name + " restarted", 30)
            assert "launch: %s exited with status -9; restarting it" % name in s.log()
            after = s.named_children()
            assert set(after) == set(before) and after[name] != before[name]
            assert {k: v for k, v in after.items() if k != name} == \
                {k: v for k, v in before.items() if k != name}
            if name == "emulator":
                assert s.log().count("launch: table echo-connections created") == 2

            async def talk():
                async with websockets.connect(url) as ws:
                    await ws.send(json.dumps({"action": "sendMessage", "message": name}))
                    return json.loads(await asyncio.wait_for(ws.recv(), 10))

            # The same URLs work again (the emulator's tables, the host's port).
            reply = asyncio.run(talk())
            assert reply["sent"] == name, reply
        assert s.proc.poll() is None
    finally:
        s.stop()
    assert s.proc.returncode == 0


def test_a_restarted_process_gets_the_clock_of_the_others(tmp_path):
    """The plane's clock moved an hour on (each process's clock call), then the gateway and the
    emulator killed: each comes back an hour ahead too, not at the launch's offset."""
    s = Stack(tmp_path)
    try:
        gateway = s.ready["connections echo-echo"].rsplit("/", 1)[0]
        clocks = {"gateway": gateway + "/_plane/clock",
                  "lambda-host": s.ready["lambda"] + "/_plane/clock",
                  "emulator": s.ready["dynamodb"] + "/emulator/clock"}

        def offset(name, advance=None):
            data = None if advance is None else json.dumps({"advanceSeconds": advance}).encode()
            with urllib.request.urlopen(urllib.request.Request(clocks[name], data=data)) as r:
                return json.loads(r.read())["offsetMs"]

        for name in clocks:
            assert offset(name, 3600) == 3600000
        for name in ("gateway", "emulator"):
            os.kill(s.named_children()[name], signal.SIGKILL)
            wait_for(lambda: "launch: %s restarted" % name in s.log(), name + " restarted", 30)
            assert offset(name) == 3600000, name
    finally:
        s.stop()


def test_a_process_that_keeps_dying_stops_the_stack(tmp_path):
    s = Stack(tmp_path)
    for n in range(6):  # five restarts within a minute, then the sixth death stops it
        pid = s.named_children()["gateway"]
        os.kill(pid, signal.SIGKILL)
        if n < 5:
            wait_for(lambda: s.log().count("launch: gateway restarted") == n + 1,
                     "restart %d" % (n + 1), 30)
    assert s.proc.wait(30) == 1
    assert "launch: gateway exited 6 times within 60 s; stopping" in s.log()


def test_a_bad_template_starts_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("Resources:\n  F:\n    Type: AWS::Serverless::Function\n"
                   "    Properties:\n      CodeUri: .\n      Runtime: provided.al2023\n"
                   "      Handler: bootstrap\n      Timeout: abc\n")
    r = subprocess.run([sys.executable, str(LAUNCH), "--template", str(bad), "--in-memory",
                        "--emulator-port", "0"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "Timeout" in r.stderr and len(r.stderr.strip().splitlines()) == 1
