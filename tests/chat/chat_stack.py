"""The whole chat stack (scripts/launch.py with schemas/chat.yaml) for the fanout, history and
terminal client tests, and asyncio WebSocket clients that collect the frames they receive."""

import asyncio
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import boto3
import websockets

from conftest import BIN, FUNCTIONS_DIR, REPO, TEMPLATE, REGION

TABLE = "chat"


class ChatStack:
    """scripts/launch.py, every port free; `ready` maps 'websocket chat', 'http chat-http',
    'dynamodb'... to their URLs. In memory unless `durable` (then the data stays in
    tmp_path/data, for a restart over it); the functions from `functions_dir`; `extra_args`
    go to the launcher; `template` replaces schemas/chat.yaml."""

    def __init__(self, tmp_path, durable=False, functions_dir=FUNCTIONS_DIR, log_name="launch.log",
                 extra_args=(), template=TEMPLATE):
        self.log_path = tmp_path / log_name
        env = dict(os.environ, CHATSTACK_BIN=str(BIN))
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "launch.py"), "--template", str(template),
             *([] if durable else ["--in-memory"]), "--emulator-port", "0", "--gateway-port",
             "0", "--http-port", "0", "--lambda-port", "0", "--web-port", "0",
             "--stack-name", "chat",
             "--data-dir", str(tmp_path / "data"),
             *extra_args, "--parameter-overrides", "FunctionsDir=%s" % functions_dir],
            stdout=subprocess.PIPE, stderr=open(self.log_path, "wb"), text=True, env=env)
        self.ready = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("ready: "):
                words = line.split()
                self.ready[" ".join(words[1:-1])] = words[-1]
            if line.startswith("ready: lambda"):
                break
        assert "lambda" in self.ready, self.log()
        self.ws_url = self.ready["websocket chat"]
        self.http_url = self.ready["http chat-http"]
        self.ddb = boto3.client("dynamodb", endpoint_url=self.ready["dynamodb"],
                                region_name=REGION, aws_access_key_id="local",
                                aws_secret_access_key="local")

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)

    def url_for(self, username):
        return self.ws_url + "?" + urllib.parse.urlencode({"username": username})

    def advance_emulator_clock(self, seconds):
        request = urllib.request.Request(self.ready["dynamodb"] + "/emulator/clock",
                                         method="POST",
                                         data=json.dumps({"advanceSeconds": seconds}).encode())
        urllib.request.urlopen(request).read()

    # Items written as the send path writes them (schemas/chat-table.md).
    def put(self, item):
        self.ddb.put_item(TableName=TABLE, Item={
            k: ({"N": str(v)} if isinstance(v, int) else
                {"L": [{"S": x} for x in v]} if isinstance(v, list) else {"S": v})
            for k, v in item.items()})

    def put_conversation(self, cid, kind, members, name=""):
        self.put({"pk": "CONV#" + cid, "sk": "META", "type": "conversation",
                  "conversationId": cid, "kind": kind, "name": name, "members": members,
                  "createdBy": members[0], "createdAt": 1764590400000})
        for m in members:
            self.put({"pk": "USER#" + m, "sk": "CONV#" + cid, "type": "inbox",
                      "conversationId": cid, "kind": kind, "name": name, "members": members})

    def put_message(self, cid, message_id, sender, text, created_at=1764590400000):
        self.put({"pk": "CONV#" + cid, "sk": "MSG#" + message_id, "type": "message",
                  "conversationId": cid, "messageId": message_id, "sender": sender,
                  "text": text, "createdAt": created_at, "clientMessageId": "c-" + message_id,
                  "userPk": "USERMSG#" + sender, "userSk": message_id})

    def item(self, pk, sk):
        return self.ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                 ConsistentRead=True).get("Item")

    def items(self, pk, prefix=""):
        """Every item of the partition (all pages), or those whose sk starts with `prefix`."""
        args = {"TableName": TABLE, "ConsistentRead": True,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": pk}}}
        if prefix:
            args["KeyConditionExpression"] += " AND begins_with(sk, :s)"
            args["ExpressionAttributeValues"][":s"] = {"S": prefix}
        out = []
        while True:
            page = self.ddb.query(**args)
            out += page["Items"]
            if "LastEvaluatedKey" not in page:
                return out
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class Client:
    """One WebSocket connection; every frame it receives is kept in `frames` (parsed)."""

    def __init__(self, stack, username):
        self.stack, self.username = stack, username
        self.frames = []

    async def __aenter__(self):
        self.ws = await websockets.connect(self.stack.url_for(self.username))
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self):
        try:
            async for text in self.ws:
                self.frames.append(json.loads(text))
        except websockets.ConnectionClosed:
            pass

    async def __aexit__(self, *exc):
        await self.ws.close()
        await self.reader

    async def send(self, **frame):
        await self.ws.send(json.dumps(frame))

    def of_type(self, kind, **members):
        return [f for f in self.frames if f.get("type") == kind and
                all(f.get(k) == v for k, v in members.items())]

    def presence_changes(self, username=None):
        """(username, online) of every `presence` frame's users, in arrival order (of
        `username` only, when given)."""
        return [(u["username"], u["online"]) for f in self.of_type("presence")
                for u in f["users"] if username is None or u["username"] == username]

    async def wait_for_presence(self, username, online, seconds=10):
        """Waits until a `presence` frame has said `username` is `online` (True / False)."""
        await wait_until(lambda: (username, online) in self.presence_changes(username),
                         "%s: presence of %s %s in %r" % (self.username, username, online,
                                                         self.of_type("presence")), seconds)

    async def wait_for(self, kind, count=1, seconds=10, **members):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.of_type(kind, **members)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError("%s: no %d %r frame(s) with %r in %r" % (
            self.username, count, kind, members, self.frames))


async def wait_until(predicate, what, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def connections_of(stack, username):
    return [i for i in stack.items("USER#" + username) if i["sk"]["S"].startswith("CONN#")]


# The stack's processes, from /proc.

def children(pid):
    out = []
    for p in pathlib.Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(p.name))
    return out


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        found = children(todo.pop())
        out += found
        todo += found
    return out


def argv(pid):
    try:
        return pathlib.Path("/proc/%d/cmdline" % pid).read_bytes().decode().split("\0")
    except OSError:
        return []


def alive(pid):
    try:
        state = pathlib.Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stack_process(stack, name):
    """The pid of the launcher's living child `name` (emulator, lambda-host, gateway), or
    None."""
    found = [p for p in children(stack.proc.pid)
             if alive(p) and os.path.basename(argv(p)[0]) == name]
    assert len(found) <= 1, (name, [argv(p) for p in children(stack.proc.pid)])
    return found[0] if found else None


def instances(stack, function):
    """The pids of `function`'s instances: bootstraps that the Lambda host started."""
    host = stack_process(stack, "lambda-host")
    return [p for p in children(host or -1)
            if alive(p) and any(a.endswith(function + "/bootstrap") for a in argv(p))]
