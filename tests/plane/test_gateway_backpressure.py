"""A client that floods the gateway: at most --max-pending-messages route invocations per
connection wait for their function, the rest are answered with API Gateway's "Too Many Requests"
frame on a connection that stays open; and $disconnect is never queued behind such a flood."""

import json
import threading

import websockets

from gateway_support import chat_api, fake, gateway_factory, run  # noqa: F401


def blocking_route(fake, name, release):
    def handler(event):
        release.wait(20)
        return {"statusCode": 200, "body": "done:" + json.loads(event["body"])["n"]}
    fake.on(name, handler)


def test_messages_beyond_the_pending_limit_get_too_many_requests(gateway_factory, fake):
    release = threading.Event()
    blocking_route(fake, "echo", release)
    gateway = gateway_factory(args=["--max-pending-messages", "3"])

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            for n in range(8):
                await ws.send(json.dumps({"action": "echo", "n": str(n)}))
            refused = [json.loads(await ws.recv()) for _ in range(5)]
            assert {r["message"] for r in refused} == {"Too Many Requests"}
            assert all(r["connectionId"] and r["requestId"] for r in refused)
            release.set()
            done = sorted([await ws.recv() for _ in range(3)])
            assert done == ["done:0", "done:1", "done:2"]
            # Answered: the connection takes messages again.
            await ws.send(json.dumps({"action": "echo", "n": "9"}))
            assert await ws.recv() == "done:9"
    run(go())
    assert len(fake.received("echo")) == 4


def test_disconnect_runs_ahead_of_queued_messages(gateway_factory, fake):
    release = threading.Event()
    blocking_route(fake, "echo", release)
    # One worker: everything the gateway invokes waits in one queue.
    gateway = gateway_factory(args=["--workers", "1"])

    async def go():
        # Both connected first: a $connect would wait behind the flood too.
        leaving = await websockets.connect(gateway.url())
        async with websockets.connect(gateway.url()) as flooding:
            for n in range(6):
                await flooding.send(json.dumps({"action": "echo", "n": str(n)}))
            fake.wait_for(1, "echo")  # the first is running, five wait behind it
            # The gateway answers the close after it queued $disconnect.
            await leaving.close()
            release.set()
            assert sorted([await flooding.recv() for _ in range(6)]) == \
                ["done:%d" % n for n in range(6)]
    release_later = threading.Timer(15, release.set)  # never hang the suite
    release_later.start()
    try:
        run(go())
    finally:
        release_later.cancel()
    order = [name for name, _ in fake.events if name in ("echo", "disconnect")]
    # The first echo was running; the $disconnect went ahead of the five queued after it.
    assert order.index("disconnect") <= 1, order
