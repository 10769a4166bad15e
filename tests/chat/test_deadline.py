"""chat-fanout against its deadline: a gateway that takes @connections requests and never
answers (stopped with SIGSTOP: the kernel still accepts its connections) costs each post its
attempts' timeouts, and a DynamoDB endpoint that never answers costs each read the same. The
fanout must answer before its Timeout all the same, reporting the record as failed, so that the
stream mapping sends it again instead of the host killing a timed-out instance; once the gateway
answers again, everyone gets the message."""

import asyncio
import os
import re
import signal
import socket
import threading
import time

import pytest

from chat_stack import ChatStack, Client, connections_of, stack_process, wait_until
from conftest import TEMPLATE
from test_fanout import ulid

CLIENTS = 60
TIMEOUT = 10  # seconds: room for one post (three attempts) and the start of a second


def short_template(tmp_path, dynamodb_endpoint=None):
    """The chat template with the fanout's Timeout at TIMEOUT, and its DynamoDB endpoint
    replaced when given (AWS_ENDPOINT_URL_DYNAMODB in its own Environment)."""
    text = TEMPLATE.read_text()
    fanout = text.index("FunctionName: chat-fanout")
    at = text.index("Timeout: 30", fanout)
    timeout = "Timeout: %d" % TIMEOUT
    if dynamodb_endpoint:
        timeout += ("\n      Environment:\n        Variables:\n"
                    "          AWS_ENDPOINT_URL_DYNAMODB: %s" % dynamodb_endpoint)
    path = tmp_path / "chat.yaml"
    path.write_text(text[:at] + timeout + text[at + len("Timeout: 30"):])
    return path


class Silent:
    """A TCP server on a free loopback port that accepts connections and never answers."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.url = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.listener.close()
        for c in self.accepted:
            c.close()


def fanout_lines(stack, pattern):
    return re.findall(r"^\[chat-fanout \S+\] .*%s.*$" % pattern, stack.log(), re.M)


def ended_invocations(stack):
    return len(fanout_lines(stack, "REPORT RequestId"))


async def wait_quiet(stack):
    """Until no invocation of the fanout is in flight, and none starts for half a second."""
    def counts():
        return len(fanout_lines(stack, "START RequestId")), ended_invocations(stack)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        before = counts()
        await asyncio.sleep(0.5)
        if counts() == before and before[0] == before[1]:
            return
    raise AssertionError("the fanout never went quiet: " + stack.log())


@pytest.mark.slow
def test_a_fanout_that_cannot_post_answers_before_its_deadline(tmp_path):
    stack = ChatStack(tmp_path, template=short_template(tmp_path))
    try:
        async def go():
            clients = [Client(stack, "u%02d" % i) for i in range(CLIENTS)]
            for c in clients:
                await c.__aenter__()
            try:
                await wait_until(lambda: all(connections_of(stack, c.username) for c in clients),
                                 "every connection stored", 30)
                # The presence broadcasts of the connects are over.
                await wait_until(lambda: all(c.presence_changes() for c in clients),
                                 "presence frames", 30)
                await wait_quiet(stack)
                settled = ended_invocations(stack)
                gateway = stack_process(stack, "gateway")
                os.kill(gateway, signal.SIGSTOP)
                try:
                    mid = ulid()
                    started = time.monotonic()
                    stack.put_message("lobby", mid, "u00", "anyone?")
                    await wait_until(lambda: ended_invocations(stack) > settled,
                                     "the fanout's answer", TIMEOUT + 10)
                    answered = time.monotonic() - started
                finally:
                    os.kill(gateway, signal.SIGCONT)
                assert not fanout_lines(stack, "Status: timeout"), stack.log()
                assert answered < TIMEOUT + 2, answered
                # The record was reported failed, and the retry delivers it.
                for c in clients:
                    await c.wait_for("message", messageId=mid, seconds=30)
                assert not fanout_lines(stack, "Status: timeout"), stack.log()
            finally:
                for c in clients:
                    await c.__aexit__(None, None, None)
        asyncio.run(go())
    finally:
        stack.stop()


@pytest.mark.slow
def test_a_fanout_whose_dynamodb_never_answers_answers_before_its_deadline(tmp_path):
    silent = Silent()
    stack = ChatStack(tmp_path, template=short_template(tmp_path, silent.url))
    try:
        before = ended_invocations(stack)
        started = time.monotonic()
        # A lobby message: its audience is read from the connections index, which the fanout
        # reads from the endpoint that never answers.
        stack.put_message("lobby", ulid(), "u00", "anyone?")
        wait = time.monotonic() + TIMEOUT + 10
        while ended_invocations(stack) == before and time.monotonic() < wait:
            time.sleep(0.1)
        answered = time.monotonic() - started
        assert ended_invocations(stack) > before, stack.log()
        assert not fanout_lines(stack, "Status: timeout"), stack.log()
        assert answered < TIMEOUT + 2, answered
        # The reads gave up for want of time, not after every attempt ran into its timeout, and
        # the record was reported failed (its sequence number, to be sent again).
        assert fanout_lines(stack, "no time left for attempt"), stack.log()
        assert fanout_lines(stack, "record \\d+: the open connections"), stack.log()
        assert silent.accepted
    finally:
        stack.stop()
        silent.close()
