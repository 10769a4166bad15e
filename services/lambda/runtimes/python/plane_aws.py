"""What makes handlers written for AWS reach the plane's services unchanged (python3.x).

1. Endpoints from the environment for botocore < 1.31. botocore 1.31 and later read
   AWS_ENDPOINT_URL_<SERVICE> (the service id, spaces as underscores, upper case) and then
   AWS_ENDPOINT_URL for a client created without endpoint_url, unless
   AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true:
   https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
   Debian's python3-botocore (1.29) does not, so when botocore.session is imported its
   Session.create_client is wrapped to do the same.

2. Host names. lambda-host gives _PLANE_AWS_HOSTS = "NAME=URL,...": the region's execute-api
   host of each of the stack's APIs (https://127.0.0.1:GATEWAY_PORT: the gateway speaks TLS,
   with a certificate the plane's CA signed, which AWS_CA_BUNDLE and SSL_CERT_FILE trust) and
   dynamodb / streams.dynamodb (http://127.0.0.1:EMULATOR_PORT: plain HTTP, so this process
   terminates TLS for it on a loopback port of its own, with _PLANE_TLS_CERT/_PLANE_TLS_KEY).
   socket.getaddrinfo is wrapped: NAME with port 443 resolves to the local address and port,
   so that every client (botocore's urllib3, http.client, urllib, asyncio) connects there while
   it still sends NAME as the TLS server name and checks the certificate against it. Any other
   host, or another port, resolves as before.
"""
import importlib.abc
import importlib.util
import os
import select
import socket
import ssl
import sys
import threading
from urllib.parse import urlsplit

_original_getaddrinfo = socket.getaddrinfo


def parse_routes(text):
    routes = {}
    for entry in (text or "").split(","):
        name, sep, url = entry.partition("=")
        if not sep or not name:
            continue
        u = urlsplit(url)
        routes[name.lower()] = (u.hostname, u.port, u.scheme == "http")
    return routes


def _pump(client, upstream):
    """Bytes both ways until either side closes (one thread: an SSL socket is not read and
    written from two at once)."""
    try:
        sockets = [client, upstream]
        while True:
            ready = [client] if client.pending() else select.select(sockets, [], [], 300)[0]
            if not ready:
                return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (upstream if s is client else client).sendall(data)
    except (OSError, ssl.SSLError):
        return
    finally:
        for s in (client, upstream):
            try:
                s.close()
            except OSError:
                pass


def _terminator(host, port, cert, key):
    """A loopback TLS listener passing the decrypted bytes to host:port; returns its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def serve_one(raw):
        try:
            raw.settimeout(30)
            client = context.wrap_socket(raw, server_side=True)
            client.settimeout(None)
            upstream = socket.create_connection((host, port))
        except (OSError, ssl.SSLError):
            raw.close()
            return
        _pump(client, upstream)

    def accept():
        while True:
            raw, _ = listener.accept()
            threading.Thread(target=serve_one, args=(raw,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def install_routing(routes):
    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        route = routes.get(str(name or "").lower().rstrip("."))
        if route and str(port) in ("443", "https"):
            return _original_getaddrinfo(route[0], route[1], *args, **kwargs)
        return _original_getaddrinfo(host, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def _endpoint_from_environment(session, service_name):
    if os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    try:
        service_id = str(session.get_service_model(service_name).service_id)
    except Exception:
        return None
    specific = "AWS_ENDPOINT_URL_" + service_id.replace(" ", "_").upper()
    return os.environ.get(specific) or os.environ.get("AWS_ENDPOINT_URL") or None


def patch_botocore_session(module):
    import botocore

    version = tuple(int(p) for p in botocore.__version__.split(".")[:2] if p.isdigit())
    if version >= (1, 31):
        return  # it reads the variables itself
    original = module.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        # endpoint_url is the sixth parameter after service_name's.
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            url = _endpoint_from_environment(self, service_name)
            if url:
                kwargs["endpoint_url"] = url
        return original(self, service_name, *args, **kwargs)

    module.Session.create_client = create_client


class _PatchOnImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs `patch` on botocore.session right after it is imported (importing botocore
    eagerly would cost every function its load time)."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "botocore.session":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                self._loader = spec.loader
                spec.loader = self
                return spec
        return None

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        sys.meta_path.remove(self)
        patch_botocore_session(module)


def install():
    env = os.environ
    routes = parse_routes(env.pop("_PLANE_AWS_HOSTS", ""))
    cert, key = env.pop("_PLANE_TLS_CERT", ""), env.pop("_PLANE_TLS_KEY", "")
    terminators = {}
    for name, (host, port, plain) in list(routes.items()):
        if not plain:
            continue
        if not cert or not key:
            del routes[name]
            continue
        if (host, port) not in terminators:
            terminators[(host, port)] = _terminator(host, port, cert, key)
        routes[name] = ("127.0.0.1", terminators[(host, port)], False)
    if routes:
        install_routing(routes)
    if "botocore.session" in sys.modules:
        patch_botocore_session(sys.modules["botocore.session"])
    else:
        sys.meta_path.insert(0, _PatchOnImport())
