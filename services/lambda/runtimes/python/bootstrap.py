"""The plane's runtime interface client for python3.x: what Lambda's /var/runtime/bootstrap.py
does, on the machine's /usr/bin/python3. lambda-host starts it as `python3 bootstrap.py` in the
function's code folder, with the environment of a managed runtime.

- Speaks the Runtime API (AWS_LAMBDA_RUNTIME_API): next, response, error, init/error.
  https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
- Loads _HANDLER ("app.handler", "pkg/mod.func") from LAMBDA_TASK_ROOT as Lambda does, once;
  the module stays loaded between invocations.
  https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
- print() goes to the log as it is; the logging module's root logger gets Lambda's handler:
  "[LEVEL]\\tTIMESTAMP\\tREQUEST_ID\\tmessage".
  https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html
- Errors in Lambda's shape: {errorMessage, errorType, requestId, stackTrace}.
- boto3/botocore clients created without an endpoint use AWS_ENDPOINT_URL_<SERVICE> and
  AWS_ENDPOINT_URL, as botocore does from 1.31 on (Debian's 1.29 does not): see plane_aws.py.
- Connections to the AWS host names the stack stands in for go to the local services: see
  plane_aws.py.
"""
import decimal
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
# The function's code first, as on Lambda; this folder is not the function's to import from.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != RUNTIME_DIR]
sys.path.insert(0, RUNTIME_DIR)
import plane_aws  # noqa: E402

sys.path.pop(0)
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
sys.path.insert(0, TASK_ROOT)

_request_id = None


class FaultException(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, trace


def make_error(message, error_type, stack_trace, request_id=None):
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id if request_id is not None else "",
            "stackTrace": stack_trace or []}


def log_error(error):
    """The [ERROR] record Lambda writes for an error: one log event (lines joined by \\r)."""
    first = "[ERROR]"
    if error.get("errorType"):
        first += " " + error["errorType"]
    if error.get("errorMessage"):
        first += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [first, "Traceback (most recent call last):"]
    for element in error.get("stackTrace") or []:
        # Lambda indents with no-break spaces, so that the log keeps the indentation.
        for line in element.splitlines():
            stripped = line.lstrip(" ")
            lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")
    sys.stdout.flush()


class LambdaFormatterFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        return True


class Unbuffered:
    """stdout and stderr written through at once, as on Lambda (so that lines are in the log
    before the invocation's END)."""

    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def write(self, text):
        n = self.stream.write(text)
        self.stream.flush()
        return n

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()


def setup_logging():
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.terminator = ""
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(LambdaFormatterFilter())
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:
        logging.getLogger().setLevel(level)
    logging.getLogger().addHandler(handler)


def get_handler(handler):
    """Lambda's loading rules and messages (Runtime.MalformedHandlerName, ImportModuleError,
    UserCodeSyntaxError, HandlerNotFound)."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName",
                             "Bad handler '{}': {}".format(handler, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException("Runtime.BuiltInModuleConflict",
                                 "Cannot use built-in module {} as a handler module"
                                 .format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError",
                             "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError",
                             "Syntax error in module '{}': {}".format(modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound",
                             "Handler '{}' missing on module '{}'".format(fname, modname))


class CognitoIdentity:
    def __init__(self, identity):
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class Client:
    def __init__(self, client):
        client = client or {}
        self.installation_id = client.get("installation_id")
        self.app_title = client.get("app_title")
        self.app_version_name = client.get("app_version_name")
        self.app_version_code = client.get("app_version_code")
        self.app_package_name = client.get("app_package_name")


class ClientContext:
    def __init__(self, context):
        self.client = Client(context.get("client"))
        self.custom = context.get("custom")
        self.env = context.get("env")


class LambdaContext:
    """The context object of Lambda's Python runtime."""

    def __init__(self, request_id, client_context, identity, deadline_ms, arn):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = arn
        self.client_context = ClientContext(client_context) if client_context else None
        self.identity = CognitoIdentity(identity)
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return ("LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},"
                "function_name={},memory_limit_in_mb={},function_version={},"
                "invoked_function_arn={},client_context={},identity={}])").format(
            self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
            self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
            self.client_context, self.identity)


class RuntimeApi:
    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port))

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            try:
                self.conn.request(method, "/2018-06-01/runtime/" + path, body=body,
                                  headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # a dropped keep-alive connection: once more on a new one
                if attempt:
                    raise

    def post_error(self, path, error):
        self.call("POST", path, json.dumps(error).encode(),
                  {"Content-Type": "application/json",
                   "Lambda-Runtime-Function-Error-Type": error["errorType"]})


def _decimal(o):
    if isinstance(o, decimal.Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def traceback_frames(tb):
    """The handler's frames (the runtime's own are left out, as Lambda's are)."""
    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if os.path.abspath(frame.filename) != os.path.abspath(__file__):
            return traceback.format_list(frames[i:])
    return []


def handle(api, handler, status, headers, body):
    global _request_id
    h = {k.lower(): v for k, v in headers}
    request_id = h.get("lambda-runtime-aws-request-id", "")
    _request_id = request_id
    if h.get("lambda-runtime-trace-id"):
        os.environ["_X_AMZN_TRACE_ID"] = h["lambda-runtime-trace-id"]
    error = None
    try:
        def header_json(name, what):
            try:
                return json.loads(h[name]) if h.get(name) else None
            except ValueError as e:
                raise FaultException("Runtime.LambdaContextUnmarshalError",
                                     "Unable to parse {} JSON: {}".format(what, e))
        context = LambdaContext(request_id,
                                header_json("lambda-runtime-client-context", "Client Context"),
                                header_json("lambda-runtime-cognito-identity",
                                            "Cognito Identity"),
                                int(h.get("lambda-runtime-deadline-ms", "0")),
                                h.get("lambda-runtime-invoked-function-arn"))
        try:
            event = json.loads(body) if body else None
        except ValueError as e:
            raise FaultException("Runtime.UnmarshalError",
                                 "Unable to unmarshal input: {}".format(e))
        result = handler(event, context)
        try:
            payload = json.dumps(result, default=_decimal).encode()
        except (TypeError, ValueError) as e:
            raise FaultException("Runtime.MarshalError",
                                 "Unable to marshal response: {}".format(e))
    except FaultException as e:
        error = make_error(e.message, e.error_type, e.trace, request_id)
    except Exception as e:
        error = make_error(str(e), type(e).__name__, traceback_frames(sys.exc_info()[2]),
                           request_id)
    if error is not None:
        log_error(error)
        api.post_error("invocation/%s/error" % request_id, error)
    else:
        api.call("POST", "invocation/%s/response" % request_id, payload,
                 {"Content-Type": "application/json"})


def main():
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    setup_logging()
    error = None
    try:
        plane_aws.install()
        handler = get_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.message, e.error_type, e.trace)
    except Exception as e:
        error = make_error(str(e), type(e).__name__, traceback_frames(sys.exc_info()[2]))
    if error is not None:
        log_error(error)
        api.post_error("init/error", error)
        sys.exit(1)
    while True:
        status, headers, body = api.call("GET", "invocation/next")
        if status != 200:
            sys.exit(0)  # the environment is shutting down
        handle(api, handler, status, headers, body)


if __name__ == "__main__":
    main()
