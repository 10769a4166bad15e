"""Bad bytes on the Invoke port and bursts of invocations: clear errors, no crash, no hang."""

import json
import socket
import threading

import pytest

from conftest import function


def raw(port, data, read=True):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


def test_garbage_and_oversized_requests_leave_the_host_serving(lambda_host):
    host = lambda_host([function("echo")])
    raw(host.port, b"\x00\x01\x02 not http at all\r\n\r\n")
    raw(host.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
    raw(host.port, b"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Length: 5\r\n\r\n{", read=False)  # cut short
    answer = raw(host.port, b"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\n"
                            b"Host: x\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413")
    answer = raw(host.port, b"POST /2015-03-31/functions/%ff%00/invocations HTTP/1.1\r\n"
                            b"Host: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 400") and b"ValidationException" in answer
    answer = raw(host.port, b"POST /_plane/clock HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                            b"Connection: close\r\n\r\n[1]")
    assert answer.startswith(b"HTTP/1.1 400")
    response = host.client().invoke(FunctionName="echo", Payload=b'{"still": "alive"}')
    assert json.loads(response["Payload"].read())["event"] == {"still": "alive"}
    assert host.proc.poll() is None


def test_unknown_invocation_type_is_a_validation_error(lambda_host):
    host = lambda_host([function("echo")])
    answer = raw(host.port, b"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\nHost: x\r\n"
                            b"X-Amz-Invocation-Type: Sometimes\r\nContent-Length: 2\r\n"
                            b"Connection: close\r\n\r\n{}")
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"x-amzn-ErrorType: ValidationException" in answer
    assert b"Member must satisfy enum value set: [Event, RequestResponse, DryRun]" in answer


@pytest.mark.slow
def test_a_burst_beyond_max_instances_all_completes(lambda_host):
    host = lambda_host([function("echo", timeout=20)], extra_args=["--max-instances", "4"])
    results = []
    lock = threading.Lock()

    def run(i):
        response = host.client().invoke(FunctionName="echo",
                                        Payload=json.dumps({"i": i, "sleep": 0.2}))
        body = json.loads(response["Payload"].read())
        with lock:
            results.append((i, body))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(i for i, _ in results) == list(range(16))
    assert all(body["event"]["i"] == i for i, body in results)
    assert 1 <= len({body["pid"] for _, body in results}) <= 4


def test_a_payload_nested_a_million_deep_is_an_answer_not_a_crash(lambda_host):
    """The payload is checked as JSON without recursion: 1,000,000 unclosed `[` are a 400, the
    same closed again are valid JSON (a DryRun's 204), and the host goes on serving."""
    host = lambda_host([function("echo")])
    for body, status in ((b"[" * 1000000, b"400"), (b"[" * 500000 + b"]" * 500000, b"204")):
        answer = raw(host.port, b"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\n"
                                b"Host: x\r\nX-Amz-Invocation-Type: DryRun\r\nContent-Length: "
                                + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        assert answer.startswith(b"HTTP/1.1 " + status), answer[:300]
        if status == b"400":
            assert b"InvalidRequestContentException" in answer
    body = b"[" * (4 * 1024 * 1024)  # the clock's body too
    answer = raw(host.port, b"POST /_plane/clock HTTP/1.1\r\nHost: x\r\nContent-Length: "
                            + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    response = host.client().invoke(FunctionName="echo", Payload=b'{"still": "alive"}')
    assert json.loads(response["Payload"].read())["event"] == {"still": "alive"}
    assert host.proc.poll() is None
