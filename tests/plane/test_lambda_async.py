"""Event invocations: queued, retried twice (1 minute, then 2 minutes after a failure) on the
plane's clock."""

import json
import time

from conftest import function, wait_for


def scheduled(host, attempt):
    """Waits until the host has scheduled the retry after `attempt` failed: the retry is due a
    delay after the failure, so the clock must not move before that."""
    wait_for(lambda: "failed attempt %d, retrying" % attempt in host.stderr_text())


def attempts(log_path):
    if not log_path.exists():
        return []
    return [json.loads(line) for line in log_path.read_text().splitlines()]


def test_failed_event_is_retried_after_one_then_two_minutes(lambda_host, tmp_path):
    count = tmp_path / "count"
    log = tmp_path / "count.log"
    host = lambda_host([function("flaky", environment={"COUNT_FILE": str(count),
                                                        "FAIL_TIMES": "2"})])
    response = host.client().invoke(FunctionName="flaky", InvocationType="Event",
                                    Payload=b'{"n": 1}')
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["StatusCode"] == 202
    wait_for(lambda: len(attempts(log)) == 1)
    scheduled(host, 1)
    host.clock(59)
    time.sleep(0.3)
    assert len(attempts(log)) == 1  # not yet: a minute has not passed
    host.clock(1.5)
    wait_for(lambda: len(attempts(log)) == 2)
    scheduled(host, 2)
    host.clock(118)
    time.sleep(0.3)
    assert len(attempts(log)) == 2
    host.clock(2.5)
    wait_for(lambda: len(attempts(log)) == 3)
    seen = attempts(log)
    assert [a["attempt"] for a in seen] == [1, 2, 3]
    # Every retry carries the original request id and event.
    assert {a["requestId"] for a in seen} == {request_id}
    assert all(a["event"] == {"n": 1} for a in seen)
    host.clock(600)
    time.sleep(0.3)
    assert len(attempts(log)) == 3  # the third attempt succeeded: nothing more
    assert "failed attempt 2, retrying in 120 s" in host.stderr_text()


def test_event_is_discarded_after_three_failed_attempts(lambda_host, tmp_path):
    count = tmp_path / "count"
    host = lambda_host([function("flaky", environment={"COUNT_FILE": str(count),
                                                        "FAIL_TIMES": "10"})])
    host.client().invoke(FunctionName="flaky", InvocationType="Event", Payload=b"{}")
    log = tmp_path / "count.log"
    wait_for(lambda: len(attempts(log)) == 1)
    scheduled(host, 1)
    host.clock(61)
    wait_for(lambda: len(attempts(log)) == 2)
    scheduled(host, 2)
    host.clock(121)
    wait_for(lambda: len(attempts(log)) == 3)
    wait_for(lambda: "failed 3 attempts, discarded" in host.stderr_text())
    host.clock(3600)
    time.sleep(0.3)
    assert len(attempts(log)) == 3


def test_clock_endpoint_and_offset_flag(lambda_host):
    host = lambda_host([function("echo", timeout=3)], extra_args=["--clock-offset", "3600"])
    clock = host.clock()
    assert clock["offsetMs"] == 3_600_000
    assert abs(clock["nowMs"] - (time.time() * 1000 + 3_600_000)) < 5000
    advanced = host.clock(30)
    assert advanced["offsetMs"] == 3_630_000
    # The runtime's deadline is in its own clock's frame (the system's, without the plane's
    # offset), so that the time it computes as left is the function's timeout.
    response = host.client().invoke(FunctionName="echo", Payload=b"{}")
    deadline = int(json.loads(response["Payload"].read())["headers"]["Lambda-Runtime-Deadline-Ms"])
    assert abs(deadline - (time.time() * 1000 + 3000)) < 1000


def test_advancing_the_clock_past_a_running_invocations_deadline_times_it_out(lambda_host):
    import threading
    host = lambda_host([function("echo", timeout=30)])
    client = host.client()
    client.invoke(FunctionName="echo", Payload=b"{}")  # warm
    result = {}

    def run():
        response = client.invoke(FunctionName="echo", Payload=json.dumps({"sleep": 20}))
        result["body"] = json.loads(response["Payload"].read())

    thread = threading.Thread(target=run)
    start = time.time()
    thread.start()
    time.sleep(0.5)
    host.clock(31)
    thread.join(timeout=10)
    assert time.time() - start < 5
    assert result["body"]["errorType"] == "Sandbox.Timedout"
    assert result["body"]["errorMessage"].endswith("Task timed out after 30.00 seconds")
