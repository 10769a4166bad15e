"""The managed runtimes (nodejs*.x, python3.x: services/lambda/runtimes) driven through the real
lambda-host: Lambda's loading rules (CommonJS and ES modules, nested paths, packages), the
instance kept between invocations, the context object, log lines with the request id, and
errors in each runtime's own shape, Runtime.ImportModuleError / HandlerNotFound /
UserCodeSyntaxError included. Handlers: tests/plane/apps/node-handlers and python-handlers."""

import json
import pathlib
import re
import shutil

import pytest

from conftest import function

APPS = pathlib.Path(__file__).resolve().parent / "apps"
NODE_DIR = str(APPS / "node-handlers")
PYTHON_DIR = str(APPS / "python-handlers")
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node (Node.js) is not on PATH")


def node(name, handler, runtime="nodejs20.x", **props):
    return function(name, runtime=runtime, handler=handler, codeUri=NODE_DIR, **props)


def python(name, handler, runtime="python3.11", **props):
    return function(name, runtime=runtime, handler=handler, codeUri=PYTHON_DIR, **props)


def invoke(host, name, event=None):
    r = host.client().invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    return r.get("FunctionError"), json.loads(r["Payload"].read())


def log_text(host):
    # Bytes as written: a log event's \r must not become a line break (as text mode and
    # splitlines() would make it).
    return host.log_path.read_bytes().decode("utf-8", "replace")


def log_of(host, request_id):
    return [line for line in log_text(host).split("\n") if request_id in line]


# ---- Node.js ---------------------------------------------------------------------------------

@needs_node
def test_node_context_logs_and_one_instance_across_invocations(lambda_host):
    host = lambda_host([node("ctx", "cjs.context", memorySize=256, timeout=7)])
    error, first = invoke(host, "ctx", {"tag": "one"})
    assert error is None, first
    error, second = invoke(host, "ctx", {"tag": "two"})
    assert (first["count"], second["count"]) == (1, 2)  # the module stayed loaded
    assert first["pid"] == second["pid"]
    assert first["functionName"] == "ctx" and first["functionVersion"] == "$LATEST"
    assert first["invokedFunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx"
    assert first["memoryLimitInMB"] == "256"  # a string, as Lambda's Node.js runtime gives it
    assert first["logGroupName"] == "/aws/lambda/ctx"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", first["logStreamName"])
    assert 6000 < first["remaining"] <= 7000
    assert first["callbackWaitsForEmptyEventLoop"] is True
    assert first["executionEnv"] == "AWS_Lambda_nodejs20.x"
    assert first["plumbing"] == []  # the plane's own variables are not the function's
    rid = first["awsRequestId"]
    assert re.fullmatch(r"[0-9a-f-]{36}", rid) and rid != second["awsRequestId"]
    # TIMESTAMP\tREQUEST_ID\tLEVEL\tmessage; a message's newline becomes \r (one log event).
    lines = log_of(host, rid)
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert any(re.search(stamp + "\t" + rid + "\tINFO\tcontext for one$", l) for l in lines), lines
    assert any(l.endswith("\t" + rid + "\tWARN\ta warning\ron two lines") for l in lines), lines
    assert any(l.endswith("\t" + rid + "\tERROR\tan error line") for l in lines), lines
    # What the module printed while loading has no request id yet: Lambda prints "undefined".
    assert re.search(stamp + "\tundefined\tINFO\tloading cjs.js", log_text(host))


@needs_node
def test_node_module_kinds_and_nested_paths(lambda_host):
    host = lambda_host([node("mjs", "esm.handler"), node("pkg", "esm-pkg/app.handler"),
                        node("cjs", "src/nested/app.handler"),
                        node("deep", "cjs.nested.deeper.handler")])
    assert invoke(host, "mjs", {"a": 1}) == (None, {"module": "esm.mjs", "type": "undefined",
                                                     "event": {"a": 1}})
    assert invoke(host, "pkg") == (None, {"module": "app.js", "type": "undefined"})
    assert invoke(host, "cjs") == (None, {"module": "src/nested/app.cjs", "type": "function"})
    assert invoke(host, "deep") == (None, "nested property")


@needs_node
def test_node_callback_handlers_wait_for_the_event_loop_unless_told_not_to(lambda_host):
    host = lambda_host([node("cb", "cjs.callback"), node("nowait", "cjs.callbackNoWait"),
                        node("cberr", "cjs.callbackError"),
                        node("none", "cjs.returnsWithoutCallback")])
    assert invoke(host, "cb") == (None, {"via": "callback", "timerRan": True})
    assert invoke(host, "nowait") == (None, {"via": "callback", "timerRan": False})
    # Neither a promise nor a callback: null, once the event loop is empty.
    assert invoke(host, "none") == (None, None)
    error, payload = invoke(host, "cberr")
    assert error == "Unhandled"
    assert payload["errorType"] == "RangeError" and payload["errorMessage"] == "out of range"
    assert payload["trace"][0] == "RangeError: out of range"


@needs_node
def test_node_errors_in_lambdas_shape_and_logged(lambda_host):
    host = lambda_host([node("throws", "cjs.throws"), node("str", "cjs.throwsString")])
    error, payload = invoke(host, "throws")
    assert error == "Unhandled"
    assert set(payload) == {"errorType", "errorMessage", "trace"}
    # A subclass without its own name is an "Error", as on Lambda.
    assert payload["errorType"] == "Error"
    assert payload["errorMessage"] == "the table is on fire"
    assert payload["trace"][0] == "Error: the table is on fire"
    assert any("cjs.js" in frame for frame in payload["trace"][1:])
    assert re.search(r"\tERROR\tInvoke Error \t\{\"errorType\":\"Error\",\"errorMessage\":\"the "
                     r"table is on fire\",\"stack\":\[", log_text(host))
    assert invoke(host, "str") == ("Unhandled", {"errorType": "string",
                                                 "errorMessage": "just a string", "trace": []})
    # The instance survives its handler's errors.
    assert invoke(host, "throws")[0] == "Unhandled"
    assert log_text(host).count("Init Duration") == 2


@needs_node
def test_node_exceptions_nothing_caught_end_the_invocation_and_the_instance(lambda_host):
    host = lambda_host([node("later", "cjs.throwsLater"), node("reject", "cjs.rejectsUnhandled")])
    error, payload = invoke(host, "later")
    assert error == "Unhandled"
    assert (payload["errorType"], payload["errorMessage"]) == ("Error", "thrown from a timer")
    assert re.search(r"\tERROR\tUncaught Exception \t\{\"errorType\":\"Error\"", log_text(host))
    error, payload = invoke(host, "reject")
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert payload["errorMessage"] == "Error: nobody waits for me"
    assert payload["reason"]["errorMessage"] == "nobody waits for me"
    # The process exited: the next invocation starts a new instance.
    assert invoke(host, "later")[0] == "Unhandled"
    assert log_text(host).count("Init Duration") == 3


@needs_node
def test_node_load_failures_are_lambdas_init_errors(lambda_host):
    host = lambda_host([node("missing", "missing.handler"), node("noexport", "cjs.nothing"),
                        node("notfn", "cjs.notAFunction"), node("syntax", "syntax.handler"),
                        node("dep", "needs-dependency.handler"), node("bad", "nodots"),
                        node("atload", "throws-at-load.handler"),
                        node("esmdep", "esm-needs-dependency.handler")])
    error, payload = invoke(host, "missing")
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert payload["errorMessage"].startswith("Error: Cannot find module 'missing'\nRequire stack:")
    assert payload["trace"][0] == "Runtime.ImportModuleError: Error: Cannot find module 'missing'"
    assert invoke(host, "noexport")[1]["errorMessage"] == "cjs.nothing is undefined or not exported"
    assert invoke(host, "noexport")[1]["errorType"] == "Runtime.HandlerNotFound"
    assert invoke(host, "notfn")[1]["errorMessage"] == "cjs.notAFunction is not a function"
    error, payload = invoke(host, "syntax")
    assert payload["errorType"] == "Runtime.UserCodeSyntaxError"
    assert payload["errorMessage"].startswith("SyntaxError: ")
    error, payload = invoke(host, "dep")
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert "Cannot find module 'left-pad-that-is-not-installed'" in payload["errorMessage"]
    # An ES module's missing package is Node's own error, as on Lambda (not ImportModuleError),
    # and the log line carries its code.
    error, payload = invoke(host, "esmdep")
    assert payload["errorType"] == "Error"
    assert payload["errorMessage"].startswith(
        "Cannot find package 'left-pad-that-is-not-installed' imported from ")
    assert re.search(r"\[esmdep\] .*\tUncaught Exception \t\{\"errorType\":\"Error\",.*"
                     r"\"code\":\"ERR_MODULE_NOT_FOUND\",\"stack\":", log_text(host))
    assert invoke(host, "bad")[1]["errorType"] == "Runtime.MalformedHandlerName"
    assert invoke(host, "atload")[1]["errorType"] == "TypeError"
    # The reason is in the log, as Lambda logs it, and the host reports an init error.
    log = log_text(host)
    assert re.search(r"\[missing\] \S+\tundefined\tERROR\tUncaught Exception \t\{\"errorType\":"
                     r"\"Runtime.ImportModuleError\"", log), log
    assert "Error Type: Runtime.InitError" in log


# ---- Python ----------------------------------------------------------------------------------

def test_python_context_logs_and_one_instance_across_invocations(lambda_host):
    host = lambda_host([python("ctx", "app.context", memorySize=512, timeout=9)])
    error, first = invoke(host, "ctx", {"tag": "one"})
    assert error is None, first
    error, second = invoke(host, "ctx", {"tag": "two"})
    assert (first["count"], second["count"]) == (1, 2)
    assert first["pid"] == second["pid"]
    assert first["function_name"] == "ctx" and first["function_version"] == "$LATEST"
    assert first["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx"
    assert first["memory_limit_in_mb"] == "512"
    assert first["log_group_name"] == "/aws/lambda/ctx"
    assert first["log_stream_name"].startswith(first["log_stream_name"][:10] + "/[$LATEST]")
    assert 8000 < first["remaining"] <= 9000
    assert first["execution_env"] == "AWS_Lambda_python3.11"
    assert first["plumbing"] == []
    rid = first["aws_request_id"]
    lines = log_of(host, rid)
    # print() is written as it is (the host's prefix names the request); logging records get
    # Lambda's "[LEVEL]\tTIMESTAMP\tREQUEST_ID\tmessage".
    assert "[ctx %s] context for one" % rid in lines, lines
    assert any(re.fullmatch(r"\[ctx %s\] \[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t%s\tan "
                            r"info record" % (rid, rid), l) for l in lines), lines
    assert "[ctx] loading app.py" in log_text(host)


def test_python_packages_and_json_of_decimals(lambda_host):
    host = lambda_host([python("pkg", "pkg/mod.handler"), python("dec", "app.decimals"),
                        python("unser", "app.unserializable")])
    assert invoke(host, "pkg") == (None, {"module": "pkg.mod"})
    assert invoke(host, "dec") == (None, {"price": 1.5, "count": 3})
    error, payload = invoke(host, "unser")
    assert error == "Unhandled" and payload["errorType"] == "Runtime.MarshalError"
    assert payload["errorMessage"].startswith("Unable to marshal response: ")


def test_python_errors_in_lambdas_shape_and_logged(lambda_host):
    host = lambda_host([python("fail", "app.fail")])
    r = host.client().invoke(FunctionName="fail", Payload=b"{}")
    rid = r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    payload = json.loads(r["Payload"].read())
    assert r["FunctionError"] == "Unhandled"
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert payload["errorMessage"] == "the table is on fire"
    assert payload["errorType"] == "DatabaseError"
    assert payload["requestId"] == rid
    # Only the handler's frames, formatted as traceback.format_list does.
    assert len(payload["stackTrace"]) == 1
    assert re.fullmatch(r'  File "%s/app.py", line \d+, in fail\n    raise DatabaseError\("the '
                        r'table is on fire"\)\n' % re.escape(PYTHON_DIR), payload["stackTrace"][0])
    assert any(l.startswith("[fail %s] [ERROR] DatabaseError: the table is on fire\rTraceback "
                            "(most recent call last):\r\u00a0\u00a0File" % rid)
               for l in log_of(host, rid)), log_text(host)


def test_python_load_failures_are_lambdas_init_errors(lambda_host):
    host = lambda_host([python("missing", "missing.handler"), python("nofn", "app.nothing"),
                        python("syntax", "syntax.handler"),
                        python("dep", "needs_dependency.handler"),
                        python("bad", "nodots"), python("builtin", "sys.handler")])
    assert invoke(host, "missing") == ("Unhandled", {
        "errorMessage": "Unable to import module 'missing': No module named 'missing'",
        "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []})
    assert invoke(host, "nofn") == ("Unhandled", {
        "errorMessage": "Handler 'nothing' missing on module 'app'",
        "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []})
    error, payload = invoke(host, "syntax")
    assert payload["errorType"] == "Runtime.UserCodeSyntaxError"
    assert payload["errorMessage"].startswith("Syntax error in module 'syntax': ")
    assert payload["stackTrace"][0].startswith('  File "%s/syntax.py" Line 1' % PYTHON_DIR)
    assert invoke(host, "dep")[1]["errorMessage"] == (
        "Unable to import module 'needs_dependency': No module named "
        "'requests_that_are_not_installed'")
    assert invoke(host, "bad")[1]["errorMessage"] == (
        "Bad handler 'nodots': not enough values to unpack (expected 2, got 1)")
    assert invoke(host, "builtin")[1]["errorType"] == "Runtime.BuiltInModuleConflict"
    log = log_text(host)
    assert ("[missing] [ERROR] Runtime.ImportModuleError: Unable to import module 'missing': No "
            "module named 'missing'\rTraceback (most recent call last):") in log
    assert "Error Type: Runtime.InitError" in log


def test_a_runtime_the_host_does_not_know_runs_as_a_custom_runtime(lambda_host):
    # java21 without a bootstrap: Lambda's answer for a custom runtime without one.
    host = lambda_host([function("java", runtime="java21", handler="a::b", codeUri=PYTHON_DIR)])
    error, payload = invoke(host, "java")
    assert payload["errorType"] == "Runtime.InvalidEntrypoint"
    assert "runtime java21 is run as a custom runtime" in log_text(host)
