"""Instances: started on demand, reused while warm, one invocation each at a time, capped by
reserved concurrency (429) or --max-instances (queued)."""

import json
import threading
import time

import pytest

from conftest import function


def invoke_json(client, name, payload):
    response = client.invoke(FunctionName=name, Payload=json.dumps(payload))
    return response, json.loads(response["Payload"].read())


def test_warm_instance_is_reused(lambda_host):
    host = lambda_host([function("echo")])
    client = host.client()
    pids = {invoke_json(client, "echo", {"i": i})[1]["pid"] for i in range(4)}
    assert len(pids) == 1


def run_concurrently(host, name, payloads):
    results = [None] * len(payloads)

    def run(i):
        try:
            results[i] = invoke_json(host.client(), name, payloads[i])
        except Exception as e:  # checked by the caller
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(payloads))]
    for i, t in enumerate(threads):
        t.start()
        time.sleep(0.3 if i == 0 else 0)
    for t in threads:
        t.join()
    return results


@pytest.mark.slow
def test_two_concurrent_invocations_run_on_two_instances(lambda_host):
    host = lambda_host([function("echo", timeout=10)])
    start = time.time()
    results = run_concurrently(host, "echo", [{"sleep": 1.5}, {"sleep": 1.5}])
    elapsed = time.time() - start
    pids = {body["pid"] for _, body in results}
    assert len(pids) == 2
    assert elapsed < 2.9  # in parallel, not one after the other
    # Both stay warm: two more concurrent invocations reuse them.
    results = run_concurrently(host, "echo", [{"sleep": 0.5}, {"sleep": 0.5}])
    assert {body["pid"] for _, body in results} == pids


@pytest.mark.slow
def test_reserved_concurrency_throttles_with_429(lambda_host):
    host = lambda_host([function("echo", timeout=10, reservedConcurrency=1)])
    first, second = run_concurrently(host, "echo", [{"sleep": 1.5}, {"sleep": 0}])
    assert first[1]["event"] == {"sleep": 1.5}
    assert isinstance(second, Exception)
    err = second.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert err["Error"]["Code"] == "TooManyRequestsException"
    assert err["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert err["Error"]["Message"] == "Rate Exceeded."
    # Once the first is done the instance takes the next one.
    assert invoke_json(host.client(), "echo", {"after": 1})[1]["pid"] == first[1]["pid"]


def test_reserved_concurrency_zero_throttles_everything(lambda_host):
    host = lambda_host([function("echo", reservedConcurrency=0)])
    client = host.client()
    with pytest.raises(client.exceptions.TooManyRequestsException):
        client.invoke(FunctionName="echo", Payload=b"{}")


@pytest.mark.slow
def test_max_instances_queues_instead_of_throttling(lambda_host):
    host = lambda_host([function("echo", timeout=10)], extra_args=["--max-instances", "1"])
    start = time.time()
    results = run_concurrently(host, "echo", [{"sleep": 1.0}, {"sleep": 1.0}])
    elapsed = time.time() - start
    assert all(not isinstance(r, Exception) for r in results)
    assert len({body["pid"] for _, body in results}) == 1
    assert elapsed >= 2.0
