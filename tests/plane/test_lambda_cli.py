"""lambda-host's flags and plan errors, and HTTP details of the Invoke API."""

import json
import subprocess
import time

from conftest import LAMBDA_HOST_BIN, function


def run(args, tmp_path=None):
    return subprocess.run([LAMBDA_HOST_BIN] + args, capture_output=True, text=True, timeout=10)


def test_missing_plan_and_bad_flags_exit_2_with_usage():
    out = run([])
    assert out.returncode == 2
    assert "--plan is required" in out.stderr and "usage: lambda-host" in out.stderr
    out = run(["--plan", "/nonexistent/plan.json"])
    assert out.returncode == 2 and "cannot read /nonexistent/plan.json" in out.stderr
    out = run(["--max-instances", "zero", "--plan", "x"])
    assert out.returncode == 2 and "--max-instances wants an integer" in out.stderr
    out = run(["--bogus", "1"])
    assert out.returncode == 2 and "unknown flag --bogus" in out.stderr


def test_bad_plan_names_the_member(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"functions": [{"name": "a"}]}))
    out = run(["--plan", str(plan)])
    assert out.returncode == 2
    assert "plan: functions[0].codeUri: missing" in out.stderr


def test_curl_with_expect_100_continue_and_unsigned_requests(lambda_host):
    host = lambda_host([function("echo")])
    payload = json.dumps({"big": "z" * 200000})
    host.client().invoke(FunctionName="echo", Payload=b"{}")  # warm, so timing is the HTTP's
    start = time.time()
    out = subprocess.run(
        ["curl", "-sS", "-X", "POST", "-H", "Expect: 100-continue", "--data-binary", "@-",
         "-w", "\n%{http_code}", host.endpoint + "/2015-03-31/functions/echo/invocations"],
        input=payload, capture_output=True, text=True, timeout=10)
    # curl waits up to a second for "100 Continue" before it sends the body anyway.
    assert time.time() - start < 0.9
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "200"
    assert json.loads(body)["event"] == {"big": "z" * 200000}


def test_unknown_route_is_404(lambda_host):
    host = lambda_host([function("echo")])
    out = subprocess.run(["curl", "-sS", "-i", host.endpoint + "/2015-03-31/nothing"],
                         capture_output=True, text=True, timeout=10)
    assert out.stdout.startswith("HTTP/1.1 404")
    assert "x-amzn-ErrorType: UnknownOperationException" in out.stdout
