"""The plane's local CA (plane-ca): a CA and a server certificate that openssl and Python's ssl
module accept for the loopback names and the AWS host names the plane stands in for; the CA
bundle given to functions (lambda-host --ca-file); the launcher's `ready: ca` line."""

import json
import os
import pathlib
import socket
import ssl
import subprocess
import threading

import pytest

from conftest import function

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("CHATSTACK_BIN", REPO / "build" / "bin"))
PLANE_CA_BIN = os.environ.get("PLANE_CA_BIN", str(BIN / "plane-ca"))
SYSTEM_BUNDLE = pathlib.Path("/etc/ssl/certs/ca-certificates.crt")


def plane_ca(*args):
    return subprocess.run([PLANE_CA_BIN, *args], capture_output=True, text=True, timeout=30)


def make_ca(tmp_path, *args):
    r = plane_ca("--dir", str(tmp_path / "tls"), *args)
    assert r.returncode == 0, r.stderr
    paths = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert set(paths) == {"ca", "cert", "key", "bundle"}
    return paths, r.stderr


def openssl_verify(paths, *extra):
    return subprocess.run(["openssl", "verify", "-CAfile", paths["ca"], "-purpose", "sslserver",
                           "-x509_strict", *extra, paths["cert"]], capture_output=True, text=True)


class TlsServer:
    """Answers b"hello over tls" to every TLS client, with the plane's certificate."""

    def __init__(self, cert, key):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"hello over tls")
            except (ssl.SSLError, OSError):
                pass  # the client refused the certificate

    def fetch(self, cafile, server_hostname):
        context = ssl.create_default_context(cafile=cafile)
        # What Python 3.13 sets by default: RFC 5280's rules (key identifiers, critical
        # basicConstraints) are checked here on older Pythons too.
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
                return tls.recv(100)

    def close(self):
        self.sock.close()


def test_openssl_verifies_the_server_certificate_against_the_ca(tmp_path):
    paths, err = make_ca(tmp_path)
    assert paths["ca"] == str(tmp_path / "tls" / "ca.pem")
    assert "created the CA" in err and "issued the server certificate" in err
    r = openssl_verify(paths)
    assert r.returncode == 0 and r.stdout.strip() == paths["cert"] + ": OK", r.stdout + r.stderr
    # Against the system's CAs alone it does not verify: the test can fail.
    if SYSTEM_BUNDLE.exists():
        r = subprocess.run(["openssl", "verify", "-CAfile", str(SYSTEM_BUNDLE), paths["cert"]],
                           capture_output=True, text=True)
        assert r.returncode != 0
    text = subprocess.run(["openssl", "x509", "-in", paths["cert"], "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    assert "TLS Web Server Authentication" in text
    for name in ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1",
                 "DNS:*.execute-api.us-east-1.amazonaws.com", "DNS:dynamodb.us-east-1.amazonaws.com",
                 "DNS:streams.dynamodb.us-east-1.amazonaws.com"]:
        assert name in text
    assert oct(os.stat(paths["key"]).st_mode & 0o777) == "0o600"
    assert oct(os.stat(tmp_path / "tls" / "ca.key").st_mode & 0o777) == "0o600"


def test_a_second_run_reuses_the_files(tmp_path):
    first, _ = make_ca(tmp_path)
    before = {k: pathlib.Path(v).read_bytes() for k, v in first.items()}
    second, err = make_ca(tmp_path)
    assert second == first
    assert {k: pathlib.Path(v).read_bytes() for k, v in second.items()} == before
    assert err == ""


@pytest.mark.parametrize("hostname", ["localhost", "abcdefghij.execute-api.us-east-1.amazonaws.com",
                                      "dynamodb.us-east-1.amazonaws.com",
                                      "streams.dynamodb.us-east-1.amazonaws.com", "127.0.0.1"])
def test_python_accepts_a_tls_handshake_for_each_name(tmp_path, hostname):
    paths, _ = make_ca(tmp_path)
    server = TlsServer(paths["cert"], paths["key"])
    try:
        assert server.fetch(paths["ca"], hostname) == b"hello over tls"
        # The bundle (the system's CAs and the local one) works as well.
        assert server.fetch(paths["bundle"], hostname) == b"hello over tls"
    finally:
        server.close()


def test_python_refuses_other_names_and_other_regions(tmp_path):
    paths, _ = make_ca(tmp_path, "--region", "eu-west-1", "--name", "chat.test")
    server = TlsServer(paths["cert"], paths["key"])
    try:
        assert server.fetch(paths["ca"], "dynamodb.eu-west-1.amazonaws.com") == b"hello over tls"
        assert server.fetch(paths["ca"], "chat.test") == b"hello over tls"
        for wrong in ["dynamodb.us-east-1.amazonaws.com", "example.com",
                      "a.b.execute-api.eu-west-1.amazonaws.com"]:
            with pytest.raises(ssl.SSLCertVerificationError, match="match"):
                server.fetch(paths["ca"], wrong)
        # Without the local CA the chain is not trusted.
        with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
            server.fetch(None, "localhost")
    finally:
        server.close()


def test_the_bundle_is_the_system_cas_then_the_local_ca(tmp_path):
    paths, _ = make_ca(tmp_path)
    bundle = pathlib.Path(paths["bundle"]).read_text()
    ca = pathlib.Path(paths["ca"]).read_text()
    assert bundle.endswith(ca)
    if SYSTEM_BUNDLE.exists():
        assert bundle.startswith(SYSTEM_BUNDLE.read_text())


def test_garbage_is_replaced_and_said(tmp_path):
    paths, _ = make_ca(tmp_path)
    ca = pathlib.Path(paths["ca"]).read_bytes()
    pathlib.Path(paths["cert"]).write_text("not a certificate\n")
    again, err = make_ca(tmp_path)
    assert f"plane-ca: {paths['cert']}: not a PEM certificate" in err and "re-issued" in err
    assert pathlib.Path(again["ca"]).read_bytes() == ca
    assert openssl_verify(again).returncode == 0


def test_bad_input_gets_a_clear_error(tmp_path):
    r = plane_ca()
    assert r.returncode == 2 and "--dir is required" in r.stderr and "usage:" in r.stderr
    r = plane_ca("--dir", str(tmp_path), "--bogus", "1")
    assert r.returncode == 2 and "unknown flag --bogus" in r.stderr
    r = plane_ca("--dir", str(tmp_path), "--name", "not a name")
    assert r.returncode == 1 and '"not a name" is neither a DNS name' in r.stderr
    (tmp_path / "file").write_text("x")
    r = plane_ca("--dir", str(tmp_path / "file" / "tls"))
    assert r.returncode == 1 and str(tmp_path / "file" / "tls") in r.stderr
    assert "cannot create the folder" in r.stderr


def test_the_ca_bundle_reaches_every_function(tmp_path, lambda_host):
    paths, _ = make_ca(tmp_path)
    host = lambda_host([function("env")], extra_args=["--ca-file", paths["bundle"]])
    response = host.client().invoke(FunctionName="env", Payload=b"{}")
    env = json.loads(response["Payload"].read())["env"]
    assert env["AWS_CA_BUNDLE"] == paths["bundle"]
    assert env["SSL_CERT_FILE"] == paths["bundle"]
    assert env["NODE_EXTRA_CA_CERTS"] == paths["bundle"]


def test_without_the_flag_functions_get_none_of_the_variables(tmp_path, lambda_host):
    host = lambda_host([function("env")])
    response = host.client().invoke(FunctionName="env", Payload=b"{}")
    env = json.loads(response["Payload"].read())["env"]
    assert not {"AWS_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"} & set(env)


def test_lambda_host_refuses_a_ca_file_it_cannot_read(tmp_path):
    from conftest import LAMBDA_HOST_BIN
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"stackName": "t", "region": "us-east-1",
                                "accountId": "123456789012", "functions": []}))
    r = subprocess.run([LAMBDA_HOST_BIN, "--plan", str(plan), "--ca-file",
                        str(tmp_path / "missing.pem")], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "cannot read --ca-file " + str(tmp_path / "missing.pem") in r.stderr


def test_the_launcher_prints_the_ca_and_gives_the_bundle_to_the_host(tmp_path):
    from test_launch import Stack
    stack = Stack(tmp_path)  # --in-memory, --data-dir tmp_path/data
    try:
        assert stack.ready["ca"] == str(tmp_path / "data" / "tls" / "ca.pem")
        assert (tmp_path / "data" / "tls" / "bundle.pem").exists()
        commands = [pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                    for pid in stack.children()]
        host = next(c for c in commands if c[0].endswith(b"lambda-host"))
        bundle = str(tmp_path / "data" / "tls" / "bundle.pem").encode()
        assert host[host.index(b"--ca-file") + 1] == bundle
    finally:
        stack.stop()
