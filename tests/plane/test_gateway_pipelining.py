"""@connections calls pipelined on one keep-alive connection (HTTP/1.1, RFC 9112 9.3.2), as
chat-fanout sends them: every request is answered, in order (a 410 in its place), and the
frames reach each WebSocket client in the order they were posted."""

import socket
import urllib.parse

import websockets

from gateway_support import STAGE, fake, gateway, gateway_factory, run  # noqa: F401


def post(port, connection_id, body):
    path = "/%s/@connections/%s" % (STAGE, urllib.parse.quote(connection_id, safe=""))
    return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n\r\n"
            % (path, port, len(body))).encode() + body


def read_answers(sock, n):
    """n HTTP responses from the socket: (status, body) each."""
    data, answers = b"", []
    while len(answers) < n:
        while True:
            head_end = data.find(b"\r\n\r\n")
            if head_end < 0:
                break
            head = data[:head_end].decode()
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(data) < head_end + 4 + length:
                break
            answers.append((int(head.split(" ")[1]), data[head_end + 4:head_end + 4 + length]))
            data = data[head_end + 4 + length:]
        if len(answers) < n:
            chunk = sock.recv(65536)
            assert chunk, "the gateway closed after %d answers" % len(answers)
            data += chunk
    return answers


def test_pipelined_posts_are_answered_in_order(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url()) as a, websockets.connect(gateway.url()) as b:
            ids = [e["requestContext"]["connectionId"] for e in fake.wait_for(2, "connect")]
            requests = []
            for i in range(40):
                requests.append(post(gateway.port, ids[i % 2], b"m%d" % i))
                if i == 20:
                    requests.append(post(gateway.port, "Zm9yZ290dGVu=", b"lost"))
            with socket.create_connection(("127.0.0.1", gateway.port)) as s:
                s.sendall(b"".join(requests))
                statuses = [status for status, _ in read_answers(s, 41)]
                assert statuses[:21] == [200] * 21 and statuses[21] == 410
                assert statuses[22:] == [200] * 19
                # The connection is still good for a request on its own.
                s.sendall(post(gateway.port, ids[0], b"after"))
                assert read_answers(s, 1)[0][0] == 200
            got_a = [await a.recv() for _ in range(21)]
            got_b = [await b.recv() for _ in range(20)]
            assert got_a == ["m%d" % i for i in range(0, 40, 2)] + ["after"]
            assert got_b == ["m%d" % i for i in range(1, 40, 2)]
    run(go())


def test_a_pipelined_request_of_another_kind_is_answered_after_the_posts(gateway, fake):
    async def go():
        async with websockets.connect(gateway.url()) as a:
            cid = fake.wait_for(1, "connect")[0]["requestContext"]["connectionId"]
            clock = b"GET /_plane/clock HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % gateway.port
            with socket.create_connection(("127.0.0.1", gateway.port)) as s:
                s.sendall(post(gateway.port, cid, b"one") + post(gateway.port, cid, b"two") +
                          clock + post(gateway.port, cid, b"three"))
                answers = read_answers(s, 4)
                assert [status for status, _ in answers] == [200, 200, 200, 200]
                assert b"nowMs" in answers[2][1]
            assert [await a.recv() for _ in range(3)] == ["one", "two", "three"]
    run(go())
