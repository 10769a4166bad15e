"""chat-fanout against its deadline: a gateway that takes @connections requests and never
answers (stopped with SIGSTOP: the kernel still accepts its connections) costs each post its
attempts' timeouts. The fanout must answer before its Timeout all the same, reporting the
record as failed, so that the stream mapping sends it again instead of the host killing a
timed-out instance; once the gateway answers again, everyone gets the message."""

import asyncio
import os
import re
import signal
import time

import pytest

from chat_stack import ChatStack, Client, connections_of, stack_process, wait_until
from conftest import TEMPLATE
from test_fanout import ulid

CLIENTS = 60
TIMEOUT = 10  # seconds: room for one post (three attempts) and the start of a second


def short_template(tmp_path):
    text = TEMPLATE.read_text()
    fanout = text.index("FunctionName: chat-fanout")
    at = text.index("Timeout: 30", fanout)
    path = tmp_path / "chat.yaml"
    path.write_text(text[:at] + "Timeout: %d" % TIMEOUT + text[at + len("Timeout: 30"):])
    return path


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
