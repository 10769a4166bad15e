#!/usr/bin/env python3
"""The plane's launcher: `sam deploy` and CloudFormation, locally.

Resolves a SAM template into the stack plan (build/bin/stack-plan), starts the emulator (one set
of tables for every caller, as -sharedDb), creates the plan's tables in it, starts the Lambda
host (which starts the functions' instances on demand) and the gateway, prints one `ready:` line
per endpoint on standard output, and keeps them running until Ctrl-C or SIGTERM, which stops
every process it started. A process that dies on its own (a crash, `kill -9`) is started
again with the same arguments on the same port, with a line saying so (`launch: gateway exited
with status -9; restarting it`), its clock where the others' is; the others keep running (the
host's stream mappings resume from their checkpoints, clients reconnect to a new gateway). One
that dies more than 5 times within 60 s stops the stack (exit status 1), as does any death with
--no-restart. A bad template gets its one error line from stack-plan and nothing is started.

    scripts/run --template FILE [--data-dir DIR | --in-memory] [--emulator-port N]
                [--gateway-port N] [--http-port N] [--lambda-port N] [--parameter-overrides K=V ...]
                [--stack-name NAME] [--region R] [--clock-offset SECONDS] [--web-port N]
                [--no-restart]

The plane's local CA and a server certificate for the loopback and AWS host names are made
once in DATA-DIR/tls (services/pki's plane-ca; for an in-memory run too: certificates are not
data, and a CA trusted once stays trusted); `ready: ca PATH` names the CA, and the functions get
DATA-DIR/tls/bundle.pem (the system's CAs and the local one) as AWS_CA_BUNDLE, SSL_CERT_FILE and
NODE_EXTRA_CA_CERTS. The gateway serves that certificate on its ports: each speaks wss:// and
https:// beside ws:// and http:// (the client's first bytes tell which).

Ports default to 8000 (the emulator, as DynamoDB Local), 3001 (the Lambda Invoke API, as
`sam local start-lambda`), 3002 (WebSocket APIs and @connections), 3003 (HTTP APIs, when the
template has any) and 3004 (the web client's static files, web/, standing in for the S3 website;
its config.js is generated: the first WebSocket API's URL here); 0 picks a free one.
"""
import argparse
import functools
import http.server
import ctypes
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(os.environ.get("CHATSTACK_BIN", ROOT / "build" / "bin"))
LISTENING = re.compile(rb"listening on [^\s:]+:(\d+)")


def die_with_parent():
    """In the child before exec: SIGTERM when the launcher exits (Linux's PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A child that dies more often than this is not restarted again: the stack stops.
RESTARTS, RESTART_WINDOW_S = 5, 60


class Child:
    """A process of the stack: its stderr is passed on line by line, and its port is read from
    its `listening on HOST:PORT` line. `after_start` runs once it listens, on every start."""

    def __init__(self, name, argv, after_start=None, clock_path="/_plane/clock"):
        self.name, self.argv, self.after_start = name, list(argv), after_start
        self.clock_path = clock_path  # GET: {"nowMs", "offsetMs"}
        self.restarts = []  # monotonic times of the restarts
        self._start()

    def _start(self):
        # A session of its own: Ctrl-C reaches the launcher alone, which then stops the
        # processes in order (the gateway's $disconnect calls need the host still up); and a
        # child is told to stop when the launcher dies, so none outlives it. (The death signal
        # follows the thread that started the child: every start runs on the main thread.)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=sys.stderr,
                                     stderr=subprocess.PIPE, start_new_session=True,
                                     preexec_fn=die_with_parent)
        self.port = None
        self.listening = threading.Event()
        threading.Thread(target=self._pump, args=(self.proc, self.listening), daemon=True).start()

    def _pump(self, proc, listening):
        for line in proc.stderr:
            if not listening.is_set():
                m = LISTENING.search(line)
                if m:
                    self.port = int(m.group(1))
                    listening.set()
            sys.stderr.buffer.write(line)
            sys.stderr.flush()
        listening.set()  # it exited: whoever waits stops waiting

    def wait_listening(self, timeout=30):
        if not self.listening.wait(timeout) or self.port is None:
            raise SystemExit(f"launch: {self.name} did not start "
                             f"(exit status {self.proc.poll()})")
        # A restart listens where this start did (the others were given that port).
        if "--port" in self.argv:
            self.argv[self.argv.index("--port") + 1] = str(self.port)
        if self.after_start:
            self.after_start(self.port)
        return self.port

    def clock_offset_ms(self):
        """The offset of its clock (the plane's clock calls move it), or None."""
        if self.proc.poll() is not None or self.port is None:
            return None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{self.clock_path}",
                                        timeout=2) as r:
                return json.loads(r.read())["offsetMs"]
        except (OSError, ValueError, KeyError):
            return None

    def restart(self, stopping, clock_offset_ms=None):
        """Starts the dead process again, after a pause that grows with its recent restarts,
        its clock where the others' is (`clock_offset_ms`, read from one of them). False when it
        has died too often (or stopping was asked for meanwhile)."""
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW_S]
        if len(self.restarts) >= RESTARTS:
            print(f"launch: {self.name} exited {len(self.restarts) + 1} times within "
                  f"{RESTART_WINDOW_S} s; stopping", file=sys.stderr)
            return False
        if stopping.wait(min(0.1 * (2 ** len(self.restarts) - 1), 3)):
            return False
        self.restarts.append(time.monotonic())
        if clock_offset_ms is not None:
            if "--clock-offset" in self.argv:
                i = self.argv.index("--clock-offset")
                del self.argv[i:i + 2]
            if clock_offset_ms:
                self.argv += ["--clock-offset", str(clock_offset_ms / 1000)]
        self._start()
        try:
            self.wait_listening()
        except (SystemExit, Exception) as e:  # counted as one more death on the next round
            print(f"launch: {self.name}: {e}" if isinstance(e, Exception) else e, file=sys.stderr)
            if self.proc.poll() is None:
                self.proc.kill()
        else:
            print(f"launch: {self.name} restarted (pid {self.proc.pid}, port {self.port})",
                  file=sys.stderr)
        return True


def plan_stack(args, plan_path):
    cmd = [str(BIN / "stack-plan"), "--template", args.template, "--region", args.region]
    if args.stack_name:
        cmd += ["--stack-name", args.stack_name]
    if args.parameter_overrides:
        cmd += ["--parameter-overrides", *args.parameter_overrides]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit(2)
    plan_path.write_text(r.stdout)
    return json.loads(r.stdout)


def make_certificates(args, region):
    """The CA, server certificate and bundle in DATA-DIR/tls: {"ca", "cert", "key", "bundle"}."""
    r = subprocess.run([str(BIN / "plane-ca"), "--dir", str(pathlib.Path(args.data_dir) / "tls"),
                        "--region", region], capture_output=True, text=True)
    sys.stderr.write(r.stderr)  # what it created or replaced, and why
    if r.returncode != 0:
        raise SystemExit(2)
    return dict(line.split(": ", 1) for line in r.stdout.splitlines() if ": " in line)


def create_tables(plan, endpoint):
    """Creates each table of the plan unless it exists (a restart keeps the data), with its TTL."""
    import boto3
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=plan["region"],
                       aws_access_key_id="local", aws_secret_access_key="local")
    for t in plan.get("tables", []):
        spec = t["createTable"]
        try:
            ddb.create_table(**spec)
            print(f"launch: table {spec['TableName']} created", file=sys.stderr)
        except ddb.exceptions.ResourceInUseException:
            print(f"launch: table {spec['TableName']} exists", file=sys.stderr)
        ttl = t.get("timeToLive")
        if ttl and ttl.get("Enabled"):
            now = ddb.describe_time_to_live(TableName=spec["TableName"])
            if now["TimeToLiveDescription"].get("TimeToLiveStatus") != "ENABLED":
                ddb.update_time_to_live(TableName=spec["TableName"], TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": ttl["AttributeName"]})


def local_url(value, plan, gateway_port, http_port=None):
    """The local URL that stands for an output's execute-api URL, or None."""
    m = re.match(r"(wss?|https?)://([a-z0-9]+)\.execute-api\.[^/]+(/.*)?$", str(value))
    if not m:
        return None
    for api in plan.get("websocketApis", []):
        if api["apiId"] == m.group(2) and m.group(1).startswith("ws"):
            return f"ws://127.0.0.1:{gateway_port}{m.group(3) or '/' + api['stage']}"
    for api in plan.get("httpApis", []):
        if api["apiId"] == m.group(2) and m.group(1).startswith("http") and http_port:
            return f"http://127.0.0.1:{http_port}{m.group(3) or '/'}"
    return None


def http_url(api, http_port):
    """An HTTP API's invoke URL here: the $default stage is served at the root."""
    stage = api.get("stage") or "$default"
    return f"http://127.0.0.1:{http_port}/" + ("" if stage == "$default" else stage)


def serve_web(port, config):
    """web/ over HTTP on loopback, on a thread of its own (the S3 website's stand-in); the
    generated /config.js tells the page where the stack is. Returns the server."""
    body = ("// Generated by scripts/launch.py: where this stack's APIs are.\n"
            "window.CHAT_CONFIG = %s;\n" % json.dumps(config)).encode()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path.split("?", 1)[0] == "/config.js":
                self.send_response(200)
                self.send_header("Content-Type", "text/javascript; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def end_headers(self):
            self.send_header("X-Content-Type-Options", "nosniff")
            super().end_headers()

        def log_message(self, *_):
            pass  # the page's requests are not the stack's log

    handler = functools.partial(Handler, directory=str(ROOT / "web"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    ap = argparse.ArgumentParser(prog="scripts/run", description=__doc__.split("\n")[0])
    ap.add_argument("--template", required=True)
    ap.add_argument("--data-dir", default=str(ROOT / ".data"))
    ap.add_argument("--in-memory", action="store_true")
    ap.add_argument("--emulator-port", type=int, default=8000)
    ap.add_argument("--gateway-port", type=int, default=3002)
    ap.add_argument("--http-port", type=int, default=3003)
    ap.add_argument("--lambda-port", type=int, default=3001)
    ap.add_argument("--web-port", type=int, default=3004)
    ap.add_argument("--parameter-overrides", nargs="*", default=[])
    ap.add_argument("--stack-name", default="")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--clock-offset", type=float, default=0)
    ap.add_argument("--no-restart", action="store_true",
                    help="a process that dies stops the stack (exit status 1) instead of being "
                         "started again")
    args = ap.parse_args()

    data = pathlib.Path(tempfile.mkdtemp(prefix="chatstack-")) if args.in_memory \
        else pathlib.Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    plan = plan_stack(args, data / "plan.json")
    for notice in plan.get("notices", []):
        print(f"template: {notice}", file=sys.stderr)
    tls = make_certificates(args, plan["region"])

    children = []
    stopping = threading.Event()

    def stop(*_):
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    clock = ["--clock-offset", str(args.clock_offset)] if args.clock_offset else []
    try:
        storage = ["--in-memory"] if args.in_memory else ["--db-path", str(data / "emulator")]
        # Its tables are created on every start: an in-memory emulator restarts empty (the
        # host's stream mappings follow a table created again).
        emulator = Child("emulator", [str(BIN / "emulator"), "--shared-db", "--port",
                                      str(args.emulator_port), *storage, *clock],
                         after_start=lambda port: create_tables(plan, f"http://127.0.0.1:{port}"),
                         clock_path="/emulator/clock")
        children.append(emulator)
        ddb = f"http://127.0.0.1:{emulator.wait_listening()}"

        # The host gives the functions the gateway's address before the gateway listens.
        gateway_port = args.gateway_port or free_port()
        # Stream mappings' checkpoints beside the data (none in memory: a fresh start each run).
        state = [] if args.in_memory else ["--state-dir", str(data / "lambda")]
        http_apis = plan.get("httpApis", [])
        http_port = (args.http_port or free_port()) if http_apis else None
        # The managed runtimes (services/lambda/runtimes) route the stack's AWS host names here:
        # the execute-api ones to the gateway's ports, dynamodb's to the emulator, for which
        # they terminate TLS with the gateway's certificate.
        routing = ["--tls-cert", tls["cert"], "--tls-key", tls["key"],
                   "--runtimes-dir", str(ROOT / "services" / "lambda" / "runtimes")]
        if http_port:
            routing += ["--http-api-endpoint", f"http://127.0.0.1:{http_port}"]
        host = Child("lambda-host", [str(BIN / "lambda-host"), "--plan", str(data / "plan.json"),
                                     "--port", str(args.lambda_port), "--dynamodb-endpoint", ddb,
                                     "--apigateway-endpoint", f"http://127.0.0.1:{gateway_port}",
                                     *state, *routing,
                                     "--ca-file", tls["bundle"], *clock])
        children.append(host)
        lambda_url = f"http://127.0.0.1:{host.wait_listening()}"
        http = ["--http-port", str(http_port)] if http_apis else []
        gateway = Child("gateway", [str(BIN / "gateway"), "--plan", str(data / "plan.json"),
                                    "--port", str(gateway_port), *http,
                                    "--tls-cert", tls["cert"], "--tls-key", tls["key"],
                                    "--lambda-endpoint", lambda_url, *clock])
        children.append(gateway)
        gateway.wait_listening()

        # The stack's outputs, then the ready lines: `ready: lambda` is the last line printed.
        for out in plan.get("outputs", []):
            local = local_url(out["value"], plan, gateway_port, http_port)
            print(f"output: {out['name']} = {out['value']}" + (f" (here: {local})" if local else ""))
        print(f"ready: ca {tls['ca']}")
        print(f"ready: dynamodb {ddb}")
        for api in plan.get("websocketApis", []):
            print(f"ready: websocket {api['name']} ws://127.0.0.1:{gateway_port}/{api['stage']}")
            print(f"ready: connections {api['name']} http://127.0.0.1:{gateway_port}/{api['stage']}")
        for api in http_apis:
            print(f"ready: http {api['name']} {http_url(api, http_port)}")
        ws_apis = plan.get("websocketApis", [])
        try:
            web = serve_web(args.web_port, {
                "websocketUrl": ws_apis and f"ws://127.0.0.1:{gateway_port}/{ws_apis[0]['stage']}"
                or None,
                "httpUrl": http_apis and http_url(http_apis[0], http_port) or None})
        except OSError as e:
            raise SystemExit(f"launch: the web client's port {args.web_port}: {e.strerror}")
        print(f"ready: web http://127.0.0.1:{web.server_address[1]}/")
        print(f"ready: lambda {lambda_url}")
        sys.stdout.flush()

        while not stopping.is_set():
            for c in children:
                if c.proc.poll() is not None and not stopping.is_set():
                    if args.no_restart:
                        print(f"launch: {c.name} exited with status {c.proc.returncode}; "
                              "stopping", file=sys.stderr)
                        return 1
                    print(f"launch: {c.name} exited with status {c.proc.returncode}; "
                          "restarting it", file=sys.stderr)
                    offsets = [o.clock_offset_ms() for o in children if o is not c]
                    offset = next((o for o in offsets if o is not None), None)
                    if not c.restart(stopping, offset) and not stopping.is_set():
                        return 1
            stopping.wait(0.2)
        return 0
    finally:
        for c in reversed(children):  # the gateway first: its $disconnect calls need the host
            if c.proc.poll() is None:
                c.proc.send_signal(signal.SIGTERM)
                try:
                    c.proc.wait(10)
                except subprocess.TimeoutExpired:
                    c.proc.kill()
        if args.in_memory:  # only the plan lives there
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
