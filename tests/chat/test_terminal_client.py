"""scripts/chat, the terminal client, driven through pipes against the chat stack (the launcher
with schemas/chat.yaml): two clients exchange messages, history comes oldest first, other users'
control characters are escaped, and /quit and a refused name end it."""

import os
import queue
import subprocess
import sys
import threading
import time

import pytest

from chat_stack import ChatStack
from test_fanout import ulid

CLIENT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "chat")


@pytest.fixture
def stack(tmp_path):
    s = ChatStack(tmp_path)
    yield s
    s.stop()


class Terminal:
    """scripts/chat with stdin and stdout as pipes; every line it prints is kept."""

    def __init__(self, stack, username, *extra):
        self.proc = subprocess.Popen(
            [sys.executable, CLIENT, "--username", username, "--url", stack.ws_url, *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = []
        self.new = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in self.proc.stdout:
            self.lines.append(raw)
            self.new.put(raw)

    def type(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait_for(self, fragment, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for raw in list(self.lines):
                if fragment.encode() in raw:
                    return raw.decode()
            time.sleep(0.05)
        raise AssertionError("no line with %r in:\n%s" % (fragment, self.text()))

    def text(self):
        return b"".join(self.lines).decode(errors="replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


def test_two_clients_exchange_messages_through_pipes(stack):
    # Something in the lobby already: the history shows it, oldest at the top.
    older, newer = ulid(), ulid()
    stack.put_message("lobby", older, "zed", "first of all")
    stack.put_message("lobby", newer, "zed", "second")
    alice = Terminal(stack, "alice")
    bob = None
    try:
        alice.wait_for("--- lobby")  # connected: bob's presence will reach her
        bob = Terminal(stack, "bob")
        bob.wait_for("* connected as bob")
        bob.wait_for("--- lobby: 2 message(s) ---")
        text = bob.text()
        assert text.index("first of all") < text.index("second")
        alice.wait_for("* bob is online")

        alice.type("hello bob")
        line = bob.wait_for("alice: hello bob")
        assert "[lobby]" in line
        alice.wait_for("alice: hello bob")  # her own copy, once
        bob.type("hi alice")
        alice.wait_for("bob: hi alice")
        # Another user's control sequences (clear the screen, a C1 CSI, DEL) are
        # printed escaped. (Written into the table: the stream delivers it as any message.)
        stack.put_message("lobby", ulid(), "mallory", "x \x1b[2J\x9b1m\x7f ok")
        line = alice.wait_for("mallory: x")
        assert "\\x1b[2J\\x9b1m\\x7f ok" in line
        for control in ("\x1b", "\x9b", "\x7f"):
            assert control not in alice.text()
        alice.type("/help")
        alice.wait_for("/react MSGID EMOJI")
        alice.type("/quit")
        assert alice.proc.wait(15) == 0
        assert bob.text().count("alice: hello bob") == 1
        bob.proc.stdin.close()  # the end of its input: it leaves too
        assert bob.proc.wait(15) == 0
    finally:
        alice.close()
        if bob:
            bob.close()


def test_a_direct_conversation_with_dm_and_switch(stack):
    alice, bob = Terminal(stack, "alice"), Terminal(stack, "bob")
    try:
        alice.wait_for("* connected as alice")
        bob.wait_for("* connected as bob")
        alice.type("/dm bob")
        line = alice.wait_for("* conversation dm-")
        cid = line.split()[2]
        alice.wait_for("* now in " + cid)
        alice.type("just us")
        alice.wait_for("[%s] alice: just us" % cid)
        # Bob is a member: the message reaches him in any conversation.
        bob.wait_for("[%s] alice: just us" % cid)
        bob.type("/switch " + cid)
        bob.wait_for("--- %s: 1 message(s) ---" % cid)
        bob.type("/list")
        bob.wait_for("* 1 conversation(s):")
    finally:
        alice.close()
        bob.close()


def test_a_refused_name_ends_the_client(stack):
    t = Terminal(stack, "<script>")
    try:
        assert t.proc.wait(15) == 2
        assert "refused (HTTP 401)" in t.text()
    finally:
        t.close()
