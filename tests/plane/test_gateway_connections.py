"""The @connections management API through boto3's apigatewaymanagementapi client: POST, GET,
DELETE, and GoneException (410) for every id that is not an open connection."""

import datetime
import json
import threading

import botocore.exceptions
import pytest
import websockets

from gateway_support import (API_ID, STAGE, RawClient, chat_api, fake, gateway,  # noqa
                             gateway_factory,
                             run)


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"], \
        excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_post_get_delete(gateway, fake):
    api = gateway.management()

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            cid = fake.received("connect")[0]["requestContext"]["connectionId"]
            assert cid.endswith("=")  # sent as %3D in the path
            api.post_to_connection(ConnectionId=cid, Data=b'{"hello": "world"}')
            assert await ws.recv() == '{"hello": "world"}'
            info = api.get_connection(ConnectionId=cid)
            assert info["ResponseMetadata"]["HTTPStatusCode"] == 200
            assert info["Identity"]["SourceIp"] == "127.0.0.1"
            assert "websockets" in info["Identity"]["UserAgent"]
            connected_at = fake.received("connect")[0]["requestContext"]["connectedAt"]
            assert info["ConnectedAt"] == datetime.datetime.fromtimestamp(
                connected_at / 1000, datetime.timezone.utc)
            assert info["LastActiveAt"] >= info["ConnectedAt"]
            response = api.delete_connection(ConnectionId=cid)
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.code == 1000
            return cid
    cid = run(go())
    (disconnect,) = fake.wait_for(1, "disconnect")
    assert disconnect["requestContext"]["connectionId"] == cid
    assert disconnect["requestContext"]["disconnectStatusCode"] == 1000
    # Closed: every operation is now Gone.
    for call in (lambda: api.post_to_connection(ConnectionId=cid, Data=b"x"),
                 lambda: api.get_connection(ConnectionId=cid),
                 lambda: api.delete_connection(ConnectionId=cid)):
        with pytest.raises(api.exceptions.GoneException) as info:
            call()
        assert error_code(info) == ("GoneException", 410)


def test_raw_response_headers(gateway, fake):
    status, headers, body = gateway.http("POST", "/%s/@connections/neverSeen1234%%3D" % STAGE,
                                         b"x")
    assert status == 410
    assert headers["x-amzn-ErrorType"] == "GoneException"
    assert "message" in json.loads(body)
    status, headers, body = gateway.http("GET", "/nostage/@connections/abc%3D")
    assert status == 403
    assert headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert json.loads(body) == {"message": "Forbidden"}


def test_never_seen_id_is_gone(gateway):
    api = gateway.management()
    for call in (lambda: api.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"x"),
                 lambda: api.get_connection(ConnectionId="AAAAAAAAAAAAAAA="),
                 lambda: api.delete_connection(ConnectionId="AAAAAAAAAAAAAAA=")):
        with pytest.raises(api.exceptions.GoneException):
            call()


def test_still_connecting_id_is_gone(gateway, fake):
    api = gateway.management()
    seen = {}

    def connect(event):
        cid = event["requestContext"]["connectionId"]
        try:
            api.post_to_connection(ConnectionId=cid, Data=b"too early")
            seen["post"] = "accepted"
        except api.exceptions.GoneException:
            seen["post"] = "gone"
        return {"statusCode": 200}
    fake.on("connect", connect)

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send('{"action": "echo"}')
            # The first frame is the echo: the early post went nowhere.
            return await ws.recv()
    assert run(go()) == 'echo:{"action": "echo"}'
    assert seen["post"] == "gone"


def test_payload_too_large(gateway, fake):
    api = gateway.management()

    async def go():
        async with websockets.connect(gateway.url(), max_size=None) as ws:
            cid = fake.received("connect")[0]["requestContext"]["connectionId"]
            with pytest.raises(api.exceptions.PayloadTooLargeException) as info:
                api.post_to_connection(ConnectionId=cid, Data=b"x" * (128 * 1024 + 1))
            assert error_code(info) == ("PayloadTooLargeException", 413)
            # Exactly 128 KB goes through.
            api.post_to_connection(ConnectionId=cid, Data=b"y" * (128 * 1024))
            assert len(await ws.recv()) == 128 * 1024
    run(go())


def test_wrong_stage_is_forbidden(gateway, fake):
    api = gateway.management(stage="dev")
    with pytest.raises(api.exceptions.ForbiddenException) as info:
        api.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"x")
    assert error_code(info) == ("ForbiddenException", 403)


def test_api_id_in_the_path(gateway, fake):
    api = gateway.management(prefix="/" + API_ID)

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            cid = fake.received("connect")[0]["requestContext"]["connectionId"]
            api.post_to_connection(ConnectionId=cid, Data=b"via api id")
            return await ws.recv()
    assert run(go()) == "via api id"


def test_function_posts_to_its_own_connection(gateway, fake):
    # The usual chat pattern: a message's function answers through @connections.
    api = gateway.management()

    def reply(event):
        api.post_to_connection(ConnectionId=event["requestContext"]["connectionId"],
                               Data=b"from the function")
        return {"statusCode": 200}
    fake.on("quiet", reply)

    async def go():
        async with websockets.connect(gateway.url()) as ws:
            await ws.send('{"action": "quiet"}')
            return await ws.recv()
    assert run(go()) == "from the function"


def test_another_apis_management_endpoint_does_not_know_the_connection(gateway_factory, fake):
    # Connection ids belong to their API: through another API's @connections they are gone.
    other = chat_api(apiId="zzzzzzzzzz", logicalId="Other", stage="other")
    g = gateway_factory(apis=[chat_api(), other])
    mine, theirs = g.management(), g.management(stage="other")

    async def go():
        async with websockets.connect(g.url()) as ws:
            cid = fake.received("connect")[-1]["requestContext"]["connectionId"]
            for call in (lambda: theirs.post_to_connection(ConnectionId=cid, Data=b"x"),
                         lambda: theirs.get_connection(ConnectionId=cid),
                         lambda: theirs.delete_connection(ConnectionId=cid)):
                with pytest.raises(theirs.exceptions.GoneException):
                    call()
            mine.post_to_connection(ConnectionId=cid, Data=b"still open")
            return await ws.recv()
    assert run(go()) == "still open"


def test_concurrent_posters_keep_their_order(gateway_factory, fake):
    # Several I/O threads: each poster's frames (one keep-alive connection each, one request at
    # a time, as the SDKs post) reach every client in the order posted, whichever thread
    # serves the poster and whichever serves the client; posts to a closed connection are 410.
    gateway = gateway_factory(args=["--io-threads", "4"])
    posters, per_poster, clients = 4, 150, 3
    apis = [gateway.management() for _ in range(posters)]

    async def go():
        sockets = []
        for i in range(clients):
            sockets.append(await websockets.connect(gateway.url()))
        cids = [c["requestContext"]["connectionId"]
                for c in fake.wait_for(clients, "connect")]
        errors = []

        def post(p):
            try:
                for n in range(per_poster):
                    for cid in cids:
                        apis[p].post_to_connection(ConnectionId=cid, Data=b"%d:%d" % (p, n))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
        threads = [threading.Thread(target=post, args=(p,)) for p in range(posters)]
        for t in threads:
            t.start()
        received = []
        for ws in sockets:
            frames = [await ws.recv() for _ in range(posters * per_poster)]
            received.append(frames)
        for t in threads:
            t.join()
        assert errors == []
        for frames in received:
            for p in range(posters):
                mine = [int(f.split(":")[1]) for f in frames if f.startswith("%d:" % p)]
                assert mine == list(range(per_poster))
        await sockets[0].close()
        for ws in sockets[1:]:
            await ws.close()
        return cids
    cids = run(go())
    fake.wait_for(clients, "disconnect")
    with pytest.raises(apis[0].exceptions.GoneException):
        apis[0].post_to_connection(ConnectionId=cids[0], Data=b"late")
