"""A stand-in for the Lambda host's Invoke API, used only by the gateway's own tests.

It answers POST /2015-03-31/functions/{name}/invocations (RequestResponse) by running a Python
handler chosen per function name, and records every event it received, so that the gateway's
end-to-end tests can check the events API Gateway would send and script the functions'
answers. It is not the Lambda host: the end-to-end runs against the real host
(services/lambda) come later and use the same gateway flags.

A handler that raises becomes a function error (200 with X-Amz-Function-Error: Unhandled and
Lambda's {"errorMessage", "errorType"} payload); an unknown function is 404
ResourceNotFoundException, as Lambda answers.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2015-03-31/functions/"
SUFFIX = "/invocations"


class FakeLambda:
    def __init__(self):
        self.handlers = {}
        self.events = []  # (function name, event) in arrival order
        self.cond = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                path = self.path.split("?")[0]
                if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
                    return self.reply(404, {"message": "not found"})
                name = path[len(PREFIX):-len(SUFFIX)]
                handler = fake.handlers.get(name)
                if handler is None:
                    return self.reply(404, {
                        "Type": "User",
                        "message": "Function not found: arn:aws:lambda:us-east-1:"
                                   "123456789012:function:" + name},
                        {"x-amzn-ErrorType": "ResourceNotFoundException"})
                event = json.loads(body)
                with fake.cond:
                    fake.events.append((name, event))
                    fake.cond.notify_all()
                try:
                    result = handler(event)
                except Exception as e:  # the function's error, as Lambda reports it
                    return self.reply(200, {"errorMessage": str(e),
                                            "errorType": type(e).__name__},
                                      {"X-Amz-Function-Error": "Unhandled"})
                return self.reply(200, result)

            def reply(self, status, payload, headers=None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def on(self, name, handler):
        self.handlers[name] = handler

    def received(self, name=None, event_type=None):
        with self.cond:
            return [e for n, e in self.events
                    if (name is None or n == name)
                    and (event_type is None or e["requestContext"]["eventType"] == event_type)]

    def wait_for(self, count, name=None, event_type=None, timeout=10.0, connection_id=None):
        """Waits until at least `count` matching events arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [e for n, e in self.events
                         if (name is None or n == name)
                         and (event_type is None
                              or e["requestContext"]["eventType"] == event_type)
                         and (connection_id is None
                              or e["requestContext"]["connectionId"] == connection_id)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("expected %d events (%s %s), got %d: %r"
                                         % (count, name, event_type, len(found), found))
                self.cond.wait(left)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
