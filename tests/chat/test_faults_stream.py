"""A stream consumer that crashes, times out or reports a failure on some records, configured as
chat-fanout's mapping is (BisectBatchOnFunctionError, ReportBatchItemFailures) with
MaximumRetryAttempts 2 (tests/plane/templates/stream_poison.yaml, functions/poison), run by the
launcher: every other record is handled, in order; each failing batch is retried (bisected down
to the poison record, or from the reported one); each poison record is dropped after its
retries with a line naming it, and the shard goes on (a record written afterwards is handled).
tests/plane/test_stream_triggers.py covers each mechanism against an unhandled error; this is
the exit and the timeout, all three together, through the launcher."""

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest

from conftest import REGION, REPO, BIN

TEMPLATE = REPO / "tests" / "plane" / "templates" / "stream_poison.yaml"
SECONDS = 60


def launch(tmp_path, records):
    log = tmp_path / "launch.log"
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "launch.py"), "--template", str(TEMPLATE),
         "--in-memory", "--data-dir", str(tmp_path / "data"), "--emulator-port", "0",
         "--gateway-port", "0", "--lambda-port", "0", "--web-port", "0",
         "--parameter-overrides", "RecordFile=" + str(records)],
        stdout=subprocess.PIPE, stderr=open(log, "wb"), text=True,
        env={"CHATSTACK_BIN": str(BIN), "PATH": "/usr/bin:/bin"})
    ready = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "lambda" not in ready:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("ready: "):
            words = line.split()
            ready[words[1]] = words[-1]
    assert "lambda" in ready, log.read_text()
    return proc, ready, log


@pytest.mark.slow
def test_poison_records_are_retried_then_dropped_and_the_rest_is_handled(tmp_path):
    records = tmp_path / "records.jsonl"
    proc, ready, log = launch(tmp_path, records)
    try:
        ddb = boto3.client("dynamodb", endpoint_url=ready["dynamodb"], region_name=REGION,
                           aws_access_key_id="any", aws_secret_access_key="any")

        def put(id, **flags):
            item = {"id": {"S": id}}
            item.update({k: {"BOOL": True} for k in flags})
            ddb.put_item(TableName="poison-events", Item=item)

        # One batch (BatchSize 10, a 1 s window): good records around three poison ones.
        put("g0")
        put("crash", crash=True)
        put("g1")
        put("hang", hang=True)
        put("g2")
        put("report", report=True)
        put("g3")
        good = ["g0", "g1", "g2", "g3"]

        def handled():
            if not records.exists():
                return []
            return [json.loads(line) for line in records.read_text().splitlines() if line]

        def ids():
            return [i for h in handled() for i in h["ids"]]

        def drops():
            return re.findall(r"dropped (\d+) records? of shard \S+ \(sequence numbers ([^)]*)\): "
                              r"retry attempts exhausted \(2\)", log.read_text())

        def advance(seconds):
            # Retry delays and the function's timeout are on the host's clock: moved along.
            request = urllib.request.Request(ready["lambda"] + "/_plane/clock", method="POST",
                                             data=json.dumps({"advanceSeconds": seconds}).encode())
            urllib.request.urlopen(request).read()

        deadline = time.monotonic() + SECONDS
        while not (set(good) <= set(ids()) and sum(int(n) for n, _ in drops()) >= 3):
            assert time.monotonic() < deadline, (ids(), drops(), log.read_text()[-4000:])
            advance(3)
            time.sleep(0.2)

        text = log.read_text()
        assert re.search(r"mapping ConsumerStream: batch of \d+ records? .* failed \(attempt \d[,)]"
                         r".* function error .*Runtime\.ExitError", text), text[-4000:]
        assert re.search(r"mapping ConsumerStream: batch of \d+ records? .* failed \(attempt \d[,)]"
                         r".* function error .*Sandbox\.Timedout", text), text[-4000:]
        # A function error is bisected down to the poison record, which is dropped alone; a
        # reported failure is retried from the reported record on (the function handled those
        # after it each time), and that rest is what is dropped.
        stream = ddb.describe_table(TableName="poison-events")["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", endpoint_url=ready["dynamodb"],
                               region_name=REGION, aws_access_key_id="any",
                               aws_secret_access_key="any")
        shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(StreamArn=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        seq = {r["dynamodb"]["Keys"]["id"]["S"]: r["dynamodb"]["SequenceNumber"]
               for r in streams.get_records(ShardIterator=iterator)["Records"]}
        dropped = sorted(s.split(", ") for _, s in drops())
        assert dropped == [[seq["crash"]], [seq["hang"]], [seq["report"], seq["g3"]]], drops()
        # The good records: each handled, first in their order; the poison ones never.
        first = list(dict.fromkeys(ids()))
        assert first == good, ids()

        # The shard goes on: a record written now is handled, once, and nothing is retried.
        put("after")
        deadline = time.monotonic() + SECONDS
        while "after" not in ids():
            assert time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.05)
        before = len(handled())
        advance(120)
        time.sleep(1)
        assert len(handled()) == before and ids().count("after") == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
