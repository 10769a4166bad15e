"""The chat stack under a steady load while its processes die: `kill -9` of the emulator, the
gateway, the Lambda host or one function instance (chat-fanout's, chat-send's), each while a
few senders write every ~20 ms to conversations of several participants. The launcher starts
the dead process again (scripts/launch.py); afterwards every acked message is in history and
reached every participant, a client that de-duplicates by messageId sees each once, and nothing
reached anyone that was neither acked nor stored. The stream mapping resumes from its
checkpoint (what was delivered well before the kill is not delivered again), and a restarted
gateway makes the clients reconnect (the terminal client, scripts/chat, with its backoff).

The load runs on a thread of its own (an asyncio loop holding every connection); the test's
thread kills processes and checks. Each participant is one connection that reconnects with
backoff and reads its conversations' history after each (re)connect, as the clients do."""

import asyncio
import collections
import itertools
import json
import os
import re
import signal
import threading
import time

import pytest
import websockets

from chat_stack import ChatStack, instances, stack_process

SECONDS = 30  # every bounded wait: generous for a loaded 2-core machine
_ids = itertools.count(1)


def wait(predicate, what, seconds=SECONDS):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.05)


# Clients.

class Participant:
    """One user's connection, kept open: it reconnects with backoff when it drops and, on each
    (re)connect, reads the history of its conversations (what it missed while away). Every
    message it learns of is in `seen` (by messageId: the client's de-duplication); `pushed`
    holds the `message` frames in arrival order, with the connection number they came on."""

    def __init__(self, stack, username, conversations):
        self.stack, self.username, self.conversations = stack, username, conversations
        self.ws = None
        self.connections = 0  # upgrades that succeeded
        self.ready = asyncio.Event()  # connected and history read
        self.pending = {}  # requestId -> future of the reply
        self.seen = {}  # messageId -> the message
        self.pushed = []  # (connection number, frame)
        self.arrived = {}  # messageId -> time.monotonic() of its first push
        self.stopping = False

    async def run(self):
        delay = 0.1
        while not self.stopping:
            try:
                async with websockets.connect(self.stack.url_for(self.username)) as ws:
                    self.ws, delay = ws, 0.1
                    self.connections += 1
                    reader = asyncio.ensure_future(self._read(ws, self.connections))
                    try:
                        for cid in self.conversations:
                            await self._catch_up(cid)
                        self.ready.set()
                        await reader
                    finally:
                        reader.cancel()
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError):
                pass
            finally:
                self.ws = None
                self.ready.clear()
                for f in self.pending.values():
                    if not f.done():
                        f.set_exception(ConnectionError("connection closed"))
                self.pending.clear()
            if not self.stopping:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2)

    async def _read(self, ws, number):
        try:
            async for text in ws:
                frame = json.loads(text)
                future = self.pending.pop(frame.get("requestId"), None)
                if future and not future.done():
                    future.set_result(frame)
                if frame.get("type") == "message":
                    self.pushed.append((number, frame))
                    self.arrived.setdefault(frame["messageId"], time.monotonic())
                    self.seen.setdefault(frame["messageId"], frame)
        except websockets.ConnectionClosed:
            pass

    async def request(self, action, seconds=10, **members):
        ws = self.ws
        if ws is None:
            raise ConnectionError("not connected")
        rid = "r%d" % next(_ids)
        future = asyncio.get_running_loop().create_future()
        self.pending[rid] = future
        await ws.send(json.dumps(dict(members, action=action, requestId=rid)))
        try:
            return await asyncio.wait_for(future, seconds)
        finally:
            self.pending.pop(rid, None)

    async def _catch_up(self, cid):
        """Every page of the conversation's history into `seen`; retried while the backend
        cannot answer (the emulator or the host being restarted)."""
        cursor = None
        while True:
            page = await self.request("getHistory", conversationId=cid, limit=100, cursor=cursor)
            if page.get("type") != "history":
                await asyncio.sleep(0.2)
                continue
            for m in page["messages"]:
                self.seen.setdefault(m["messageId"], dict(m, type="message"))
            cursor = page["cursor"]
            if cursor is None:
                return


class Load:
    """The participants on an asyncio loop of its own thread, and the senders: one message
    every `interval` seconds, round robin over (sender, conversation), each waiting for its
    ack on its own. `acked` maps messageId -> message, `unacked` lists the sends that got no
    ack (an error frame, a timeout, a connection that dropped)."""

    def __init__(self, stack, members, senders, interval=0.02):
        self.stack, self.members, self.interval = stack, members, interval
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        users = sorted({u for who in members.values() for u in who})
        self.people = {u: Participant(stack, u, sorted(c for c, who in members.items()
                                                       if u in who)) for u in users}
        self.tasks = [self.call_soon(p.run()) for p in self.people.values()]
        self.pairs = [(s, c) for s in senders for c in sorted(members) if s in members[c]]
        self.acked, self.unacked, self.in_flight = {}, [], set()
        self.sending = None

    def call_soon(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro, seconds=SECONDS):
        return self.call_soon(coro).result(seconds)

    def wait_ready(self):
        async def ready():
            await asyncio.gather(*[p.ready.wait() for p in self.people.values()])
        self.call(ready())

    def start(self):
        self.running = True
        self.sending = self.call_soon(self._send_loop())

    def stop(self):
        """Stops sending and waits for the answers to what was sent."""
        self.running = False
        self.sending.result(SECONDS)
        wait(lambda: not self.in_flight, "the last acks")

    async def _send_loop(self):
        n = 0
        next_at = time.monotonic()
        while self.running:
            sender, cid = self.pairs[n % len(self.pairs)]
            n += 1
            asyncio.ensure_future(self._send(sender, cid, "%s in %s #%d" % (sender, cid, n)))
            next_at += self.interval
            await asyncio.sleep(max(0, next_at - time.monotonic()))

    async def _send(self, sender, cid, text):
        cmid = "c%d" % next(_ids)
        self.in_flight.add(cmid)
        try:
            reply = await self.people[sender].request("sendMessage", conversationId=cid,
                                                      text=text, clientMessageId=cmid)
            if reply.get("type") == "ack":
                assert reply["clientMessageId"] == cmid, reply
                self.acked[reply["messageId"]] = {
                    "conversationId": cid, "messageId": reply["messageId"], "sender": sender,
                    "text": text, "createdAt": reply["createdAt"], "clientMessageId": cmid,
                    "ackedAt": time.monotonic()}
            else:
                self.unacked.append((cmid, reply))
        except (ConnectionError, asyncio.TimeoutError, websockets.WebSocketException) as e:
            self.unacked.append((cmid, repr(e)))
        finally:
            self.in_flight.discard(cmid)

    def close(self):
        async def close():
            for p in self.people.values():
                p.stopping = True
                if p.ws is not None:
                    await p.ws.close()
        try:
            self.call(close())
            for t in self.tasks:
                t.result(SECONDS)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(SECONDS)


def stored(stack, cid):
    """The conversation's messages in the table, by messageId."""
    return {i["messageId"]["S"]: {
        "conversationId": i["conversationId"]["S"], "messageId": i["messageId"]["S"],
        "sender": i["sender"]["S"], "text": i["text"]["S"], "createdAt": int(i["createdAt"]["N"]),
        "clientMessageId": i["clientMessageId"]["S"]}
        for i in stack.items("CONV#" + cid, "MSG#")}


def without(message, *keys):
    return {k: v for k, v in message.items() if k not in keys}


USERS = ["ann", "ben", "cal", "dan", "eve"]
SENDERS = ["ann", "cal", "eve", "ben"]


def conversations(stack):
    """The lobby, two groups and a direct conversation, created through the backend."""
    async def create():
        import chat_stack
        async with chat_stack.Client(stack, "ann") as ann, chat_stack.Client(stack, "cal") as cal:
            out = {"lobby": set(USERS)}
            for client, kind, others, name in ((ann, "group", ["ben", "cal"], "abc"),
                                               (cal, "group", ["dan", "eve"], "cde"),
                                               (ann, "direct", ["ben"], "")):
                rid = "r%d" % next(_ids)
                await client.send(action="createConversation", kind=kind, members=others,
                                  name=name, requestId=rid)
                reply = (await client.wait_for("conversation", seconds=SECONDS, requestId=rid))[0]
                out[reply["conversationId"]] = set(reply["members"])
            return out
    return asyncio.run(create())


def invocations(stack, function):
    """(started, ended) invocations of `function`, from the host's START and REPORT lines."""
    log = stack.log()
    return (len(re.findall(r"^\[%s \S+\] START " % function, log, re.M)),
            len(re.findall(r"^\[%s \S+\] REPORT " % function, log, re.M)))


def kill_mid_invocation(stack, function):
    """kill -9 of the function's instances while one runs an invocation: they are stopped
    (SIGSTOP) until the host hands one of them an invocation, which cannot then end."""
    stopped = set(wait(lambda: instances(stack, function), function + "'s instances"))
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)

    def in_flight():
        # The host may start another instance meanwhile (the others are busy to it): it is
        # stopped too, so that the invocation in flight is on an instance killed below.
        for pid in set(instances(stack, function)) - stopped:
            os.kill(pid, signal.SIGSTOP)
            stopped.add(pid)
        started, ended = invocations(stack, function)
        return started > ended
    try:
        wait(in_flight, "an invocation of " + function + " in flight")
    finally:
        for pid in stopped | set(instances(stack, function)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def kill_process(stack, name):
    pid = stack_process(stack, name)
    assert pid, stack.log()
    os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["emulator", "gateway", "lambda-host", "chat-fanout",
                                    "chat-send"])
def test_kill_9_under_load_loses_no_acked_message(tmp_path, victim):
    stack = ChatStack(tmp_path, durable=True)
    load = None
    try:
        members = conversations(stack)
        load = Load(stack, members, SENDERS)
        load.wait_ready()
        load.start()
        wait(lambda: len(load.acked) >= 40, "the first acks")
        time.sleep(1)  # the fanout keeps up: what was acked by now is delivered, checkpointed
        settled = {m for m, v in load.acked.items() if v["ackedAt"] < time.monotonic() - 0.5}
        if victim.startswith("chat-"):
            kill_mid_invocation(stack, victim)
        else:
            kill_process(stack, victim)
        killed_at = time.monotonic()
        if not victim.startswith("chat-"):
            wait(lambda: "launch: %s exited with status -9; restarting it" % victim in stack.log(),
                 "the launcher to notice")
            wait(lambda: re.search(r"launch: %s restarted \(pid \d+" % victim, stack.log()),
                 "the restart")
            assert stack.proc.poll() is None
        acked_before = len(load.acked)
        wait(lambda: len(load.acked) >= acked_before + 40, "acks after the restart")
        load.stop()

        # Every acked message is in history; nothing but acked or stored reached anyone.
        history = {}
        for cid in members:
            history.update(stored(stack, cid))
        assert set(load.acked) <= set(history), set(load.acked) - set(history)
        for mid, m in load.acked.items():
            assert history[mid] == without(m, "ackedAt"), (history[mid], m)
        unacked_stored = set(history) - set(load.acked)
        assert len(unacked_stored) <= len(load.unacked), (unacked_stored, load.unacked)

        # Each participant learns of every message of its conversations (pushed or, for what
        # was sent while it was away, from history on reconnecting), each once by messageId.
        def audience(user):
            return {mid for mid, m in load.acked.items()
                    if user in members[m["conversationId"]]}

        def complete():
            return all(audience(u) <= set(p.seen) for u, p in load.people.items())
        try:
            wait(complete, "every participant to have every acked message")
        except AssertionError:
            raise AssertionError({u: sorted(audience(u) - set(p.seen))[:5]
                                  for u, p in load.people.items()}) from None
        for user, p in load.people.items():
            mine = {mid for mid, m in history.items() if user in members[m["conversationId"]]}
            assert set(p.seen) <= mine, (user, set(p.seen) - mine)
            for _, frame in p.pushed:
                assert without(frame, "type") == history[frame["messageId"]], frame
            # Per connection, a conversation's messages arrive in history order (ids are
            # ULIDs, committed in id order per conversation), a repeat aside.
            for number in {n for n, _ in p.pushed}:
                for cid in p.conversations:
                    got = [f["messageId"] for n, f in p.pushed
                           if n == number and f["conversationId"] == cid]
                    firsts = list(dict.fromkeys(got))
                    assert firsts == sorted(firsts), (user, cid, got)

        if victim == "gateway":
            # Every participant reconnected, got the rest pushed on its new connection.
            for user, p in load.people.items():
                assert p.connections >= 2, user
                late = [mid for mid, m in load.acked.items()
                        if m["ackedAt"] > killed_at + 5 and user in members[m["conversationId"]]]
                assert {f["messageId"] for n, f in p.pushed if n >= 2} >= set(late), user
        else:
            # Nobody was disconnected, so every acked message was pushed to everyone.
            for user, p in load.people.items():
                assert p.connections == 1, (user, p.connections)
                assert audience(user) <= {f["messageId"] for _, f in p.pushed}, (
                    user, sorted(audience(user) - {f["messageId"] for _, f in p.pushed})[:5])
            # The mapping resumed from its checkpoint: what had long been delivered before the
            # kill is not delivered again (at most the batches in flight are).
            for user, p in load.people.items():
                counts = collections.Counter(f["messageId"] for _, f in p.pushed)
                again = {m for m in settled if counts[m] > 1}
                assert not again, (user, sorted(again)[:5])
        if victim.startswith("chat-"):
            assert re.search(r"\[%s \S+\] REPORT .*Status: error\tError Type: Runtime.ExitError"
                             % victim, stack.log()), stack.log()[-3000:]
        if victim == "chat-fanout":
            # Its batch failed and was retried (bisected: chat.yaml's mapping).
            assert re.search(r"mapping FanoutFunctionTableStream: batch of \d+ records? .* "
                             r"failed \(attempt 1[,)].*Runtime.ExitError", stack.log()), \
                stack.log()[-3000:]
        if victim == "lambda-host":
            assert re.search(r"mapping \S+: resuming \S+ from its checkpoint", stack.log()), \
                stack.log()[-3000:]
    finally:
        if load:
            load.close()
        stack.stop()


@pytest.mark.slow
def test_the_terminal_client_reconnects_with_backoff_to_a_restarted_gateway(tmp_path):
    from test_terminal_client import Terminal
    stack = ChatStack(tmp_path)
    tia = None
    try:
        tia = Terminal(stack, "tia")
        tia.wait_for("--- lobby")
        # The launcher held (stopped) so that the gateway stays down for a few attempts.
        os.kill(stack.proc.pid, signal.SIGSTOP)
        try:
            kill_process(stack, "gateway")
            tia.wait_for("* disconnected; reconnecting in")
            tia.type("typed while away")
            tia.wait_for("* not connected: the message goes out on reconnect")
            wait(lambda: tia.text().count("* disconnected; reconnecting in") >= 3,
                 "three attempts")
        finally:
            os.kill(stack.proc.pid, signal.SIGCONT)
        # The pauses: 0.5 s, then doubling (at most 30 s), each jittered by half either way.
        pauses = [float(p) for p in re.findall(r"reconnecting in ([\d.]+) s", tia.text())]
        for base, pause in zip((0.5, 1, 2), pauses):
            assert base / 2 <= pause <= base * 1.5, pauses
        wait(lambda: tia.text().count("* connected as tia") == 2, "the reconnection")
        assert "launch: gateway restarted" in stack.log()
        tia.wait_for("tia: typed while away")  # resent on reconnecting, stored once

        async def other():
            import chat_stack
            async with chat_stack.Client(stack, "una") as una:
                await una.send(action="sendMessage", conversationId="lobby",
                               text="welcome back", clientMessageId="c-una")
                await una.wait_for("ack", seconds=SECONDS)
        asyncio.run(other())
        tia.wait_for("una: welcome back")
        lobby = stored(stack, "lobby")
        assert [m["text"] for m in lobby.values()].count("typed while away") == 1
        assert tia.text().count("tia: typed while away") == 1
    finally:
        if tia:
            tia.close()
        stack.stop()
