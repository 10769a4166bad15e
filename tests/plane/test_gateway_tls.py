"""wss:// and https:// on the gateway's port, beside ws:// and http://, with the certificate of
the plane's local CA (plane-ca): the WebSocket API, @connections through boto3 with the CA as
its bundle, the AWS host name the certificate also names, and clients that do not trust it."""

import json
import os
import pathlib
import socket
import ssl
import subprocess

import boto3
import botocore.config
import pytest
import websockets

from gateway_support import (API_ID, STAGE, fake, gateway_factory, run)  # noqa: F401

REPO = pathlib.Path(__file__).resolve().parents[2]
PLANE_CA_BIN = os.environ.get("PLANE_CA_BIN", str(REPO / "build" / "bin" / "plane-ca"))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    out = subprocess.run([PLANE_CA_BIN, "--dir", str(folder)], check=True,
                         capture_output=True, text=True).stdout
    paths = dict(line.split(": ", 1) for line in out.splitlines())
    return paths  # ca, cert, key, bundle


@pytest.fixture
def tls_gateway(gateway_factory, certificates):
    return gateway_factory(args=["--tls-cert", certificates["cert"],
                                 "--tls-key", certificates["key"]])


def client_context(certificates):
    return ssl.create_default_context(cafile=certificates["ca"])


def test_wss_and_ws_on_one_port(tls_gateway, fake, certificates):
    async def go():
        url = "wss://localhost:%d/%s" % (tls_gateway.port, STAGE)
        async with websockets.connect(url, ssl=client_context(certificates)) as secure:
            await secure.send(json.dumps({"action": "echo", "n": 1}))
            assert await secure.recv() == 'echo:{"action": "echo", "n": 1}'
        async with websockets.connect(tls_gateway.url()) as plain:
            await plain.send(json.dumps({"action": "echo", "n": 2}))
            assert await plain.recv() == 'echo:{"action": "echo", "n": 2}'
    run(go())
    first, second = fake.wait_for(2, "connect")
    assert first["headers"]["X-Forwarded-Proto"] == "https"
    assert second["headers"]["X-Forwarded-Proto"] == "http"
    assert fake.wait_for(2, "disconnect")


def test_connections_api_over_https_with_boto3(tls_gateway, fake, certificates):
    api = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url="https://127.0.0.1:%d/%s" % (tls_gateway.port, STAGE),
        region_name="us-east-1", aws_access_key_id="AKIDTEST", aws_secret_access_key="secret",
        verify=certificates["ca"], config=botocore.config.Config(retries={"max_attempts": 1}))

    async def go():
        url = "wss://127.0.0.1:%d/%s" % (tls_gateway.port, STAGE)
        async with websockets.connect(url, ssl=client_context(certificates)) as ws:
            cid = fake.received("connect")[0]["requestContext"]["connectionId"]
            api.post_to_connection(ConnectionId=cid, Data=b"over https")
            assert await ws.recv() == "over https"
            assert api.get_connection(ConnectionId=cid)["Identity"]["SourceIp"] == "127.0.0.1"
            api.delete_connection(ConnectionId=cid)
            with pytest.raises(api.exceptions.GoneException):
                api.post_to_connection(ConnectionId=cid, Data=b"gone")
    run(go())


def test_the_certificate_names_the_aws_endpoint(tls_gateway, certificates):
    # What a handler that builds https://{apiId}.execute-api.{region}.amazonaws.com/{stage}
    # reaches once that name resolves to the plane: the certificate is valid for it.
    name = "%s.execute-api.us-east-1.amazonaws.com" % API_ID
    with socket.create_connection(("127.0.0.1", tls_gateway.port), timeout=10) as raw:
        with client_context(certificates).wrap_socket(raw, server_hostname=name) as tls:
            tls.sendall(("GET /%s/@connections/none HTTP/1.1\r\nHost: %s\r\n"
                         "Connection: close\r\n\r\n" % (STAGE, name)).encode())
            answer = b""
            while chunk := tls.recv(4096):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 410 "), answer[:200]


def test_a_client_that_does_not_trust_the_ca_is_refused_and_the_port_keeps_serving(
        tls_gateway, fake):
    with socket.create_connection(("127.0.0.1", tls_gateway.port), timeout=10) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")

    # A client that opens a connection and sends a broken handshake: dropped, nothing else.
    with socket.create_connection(("127.0.0.1", tls_gateway.port), timeout=10) as raw:
        raw.sendall(b"\x16\x03\x01\x00\x05hello")
        raw.settimeout(10)
        try:
            assert raw.recv(4096) is not None
        except ConnectionResetError:
            pass

    async def still_serving():
        async with websockets.connect(tls_gateway.url()) as ws:
            await ws.send(json.dumps({"action": "echo"}))
            assert (await ws.recv()).startswith("echo:")
    run(still_serving())


def test_without_a_certificate_a_tls_client_gets_no_handshake(gateway_factory, certificates):
    gateway = gateway_factory()
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as raw:
        with pytest.raises((ssl.SSLError, ConnectionResetError, OSError)):
            client_context(certificates).wrap_socket(raw, server_hostname="localhost")
