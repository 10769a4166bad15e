"""DynamoDB stream triggers end to end: the real emulator and the real lambda-host, items written
with boto3, and what the recorder function (functions/recorder) was given: batches in order across
a shard rollover, LATEST and TRIM_HORIZON, bisect, partial batch failures, filters, record age and
retries on the plane's clock, latency, resuming after kill -9 of the host, and ParallelizationFactor
(batches of one shard at once, each item in order)."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.request

import boto3
import pytest

from conftest import ACCOUNT, REGION, REPO, LambdaHost, function

EMULATOR_BIN = os.environ.get("EMULATOR_BIN", str(REPO / "build/bin/emulator"))


class Emulator:
    def __init__(self, tmp_path):
        if not os.path.exists(EMULATOR_BIN):
            pytest.skip("the emulator is not built")
        self.log_path = tmp_path / "emulator.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([EMULATOR_BIN, "--port", "0", "--in-memory", "--shared-db"],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 10
        while True:
            match = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.log_path.read_text())
            if match:
                break
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("emulator did not start: " + self.log_path.read_text())
            time.sleep(0.02)
        self.endpoint = "http://127.0.0.1:" + match.group(1)
        self.ddb = boto3.client("dynamodb", region_name=REGION, endpoint_url=self.endpoint,
                                aws_access_key_id="x", aws_secret_access_key="y")
        self.streams = boto3.client("dynamodbstreams", region_name=REGION,
                                    endpoint_url=self.endpoint, aws_access_key_id="x",
                                    aws_secret_access_key="y")

    def advance(self, seconds):
        request = urllib.request.Request(self.endpoint + "/emulator/clock", method="POST",
                                         data=json.dumps({"advanceSeconds": seconds}).encode())
        urllib.request.urlopen(request).read()

    def offset_ms(self):
        with urllib.request.urlopen(self.endpoint + "/emulator/clock") as response:
            return json.loads(response.read())["offsetMs"]

    def create_table(self, name="events"):
        self.ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "NEW_AND_OLD_IMAGES"})

    def put(self, id, table="events", **attrs):
        item = {"id": {"S": id}}
        for k, v in attrs.items():
            item[k] = {"BOOL": v} if isinstance(v, bool) else \
                {"N": str(v)} if isinstance(v, int) else {"S": v}
        self.ddb.put_item(TableName=table, Item=item)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def emulator(tmp_path):
    e = Emulator(tmp_path)
    e.create_table()
    yield e
    e.stop()


def mapping(logical_id="RecorderStream", fn="recorder", table="events", **props):
    m = {"logicalId": logical_id, "function": fn, "tableLogicalId": "Events", "tableName": table,
         "eventSourceArn": "arn:aws:dynamodb:%s:%s:table/%s/stream/1970-01-01T00:00:00.000"
                           % (REGION, ACCOUNT, table),
         "startingPosition": "TRIM_HORIZON", "batchSize": 100,
         "maximumBatchingWindowInSeconds": 0, "maximumRetryAttempts": -1,
         "maximumRecordAgeInSeconds": -1, "bisectBatchOnFunctionError": False,
         "functionResponseTypes": [], "filterCriteria": None, "enabled": True,
         "parallelizationFactor": 1}
    m.update(props)
    return m


class Stack:
    """An emulator, a host running recorder functions with the given mappings, their records."""

    def __init__(self, tmp_path, emulator, mappings, functions=("recorder",), extra_args=(),
                 env=None):
        self.tmp, self.emulator, self.mappings = tmp_path, emulator, mappings
        self.functions = [function(name, folder="recorder", timeout=10,
                                   environment=dict({"RECORD_FILE": str(self.record_file(name))},
                                                    **(env or {})))
                          for name in functions]
        self.extra_args = list(extra_args)
        self.host = None

    def record_file(self, name="recorder"):
        return self.tmp / (name + ".jsonl")

    def start(self):
        run = self.tmp / ("host%d" % time.monotonic_ns())
        run.mkdir()
        plan = {"stackName": "test", "region": REGION, "accountId": ACCOUNT, "partition": "aws",
                "tables": [], "functions": self.functions, "websocketApis": [],
                "eventSourceMappings": self.mappings}
        self.host = LambdaHost(run, [], ["--dynamodb-endpoint", self.emulator.endpoint]
                               + self.extra_args, plan=plan)
        return self.host

    def calls(self, name="recorder"):
        path = self.record_file(name)
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def ids(self, name="recorder"):
        return [i for c in self.calls(name) for i in c["ids"]]

    def ended(self, name="recorder"):
        """The invocations that have run to their end, from $RECORD_FILE.times."""
        path = self.tmp / (name + ".jsonl.times")
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def wait(self, predicate, what, seconds=10, advance=0):
        """Polls predicate(); `advance` moves the host's clock that far on each round (retry
        delays are on the plane's clock) once an invocation has ended and while none runs:
        the functions' timeouts are on that clock too."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return
            ended = len(self.ended())
            if advance and ended and ended == len(self.calls()):
                self.host.clock(advance)
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s; calls %s\n%s" % (
            what, [c["ids"] for c in self.calls()], self.host.stderr_text()))

    def stop(self):
        if self.host:
            self.host.stop()


@pytest.fixture
def stacks(tmp_path):
    made = []

    def make(*args, **kwargs):
        s = Stack(tmp_path, *args, **kwargs)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()


def test_batches_in_order_across_a_shard_rollover(emulator, stacks):
    s = stacks(emulator, [mapping(batchSize=2)])
    s.start()
    for i in range(3):
        emulator.put("a%d" % i)
    s.wait(lambda: len(s.ids()) == 3, "the first shard's records")
    emulator.advance(4 * 3600 + 1)  # the open shard is 4 hours old: the next write rolls over
    for i in range(3):
        emulator.put("b%d" % i)
    s.wait(lambda: len(s.ids()) == 6, "the child shard's records")
    assert s.ids() == ["a0", "a1", "a2", "b0", "b1", "b2"]
    assert all(len(c["ids"]) <= 2 for c in s.calls())
    seqs = [int(q) for c in s.calls() for q in c["seqs"]]
    assert seqs == sorted(seqs)
    arn = emulator.ddb.describe_table(TableName="events")["Table"]["LatestStreamArn"]
    shards = emulator.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) == 2 and shards[1]["ParentShardId"] == shards[0]["ShardId"]
    record = s.calls()[0]["event"]["Records"][0]
    assert record["eventSourceARN"] == arn
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventName"] == "INSERT"
    assert record["awsRegion"] == REGION
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert record["dynamodb"]["NewImage"] == {"id": {"S": "a0"}}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], (int, float))
    assert "userIdentity" not in record


def test_latest_skips_earlier_records_and_trim_horizon_reads_them(emulator, stacks):
    emulator.put("before")
    s = stacks(emulator, [mapping("Latest", "latest", startingPosition="LATEST"),
                          mapping("Horizon", "horizon", startingPosition="TRIM_HORIZON")],
               functions=("latest", "horizon"))
    host = s.start()
    s.wait(lambda: "mapping Latest: LATEST is shard" in host.stderr_text(), "LATEST chosen")
    emulator.put("after")
    s.wait(lambda: s.ids("horizon") == ["before", "after"], "TRIM_HORIZON's records")
    s.wait(lambda: s.ids("latest") == ["after"], "LATEST's record")
    time.sleep(0.2)
    assert s.ids("latest") == ["after"]


def test_a_ttl_deletion_carries_lambdas_user_identity(emulator, stacks):
    emulator.ddb.update_time_to_live(TableName="events", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    s = stacks(emulator, [mapping()])
    s.start()
    emulator.put("ttl", expires=int(time.time()) + 60)
    emulator.advance(120)
    s.wait(lambda: len(s.ids()) == 2, "the TTL deletion", seconds=15)
    record = s.calls()[-1]["event"]["Records"][-1]
    assert record["eventName"] == "REMOVE"
    assert record["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_bisect_isolates_the_failing_record(emulator, stacks):
    for i in range(4):
        emulator.put("r%d" % i, fail=(i == 2))
    s = stacks(emulator, [mapping(batchSize=4, bisectBatchOnFunctionError=True,
                                  maximumRetryAttempts=2)])
    host = s.start()
    s.wait(lambda: len(s.calls()) == 7, "the bisected batches", advance=5)
    # Splitting does not count against the retries: r2 alone gets its attempt and two retries.
    assert [c["ids"] for c in s.calls()] == [
        ["r0", "r1", "r2", "r3"], ["r0", "r1"], ["r2", "r3"], ["r2"], ["r2"], ["r2"], ["r3"]]
    seq = s.calls()[3]["seqs"][0]
    assert re.search(r"dropped 1 record of shard \S+ \(sequence numbers %s\): retry attempts "
                     r"exhausted \(2\)" % seq, host.stderr_text())


def test_partial_batch_failure_retries_from_the_lowest_reported_record(emulator, stacks):
    for i in range(5):
        emulator.put("r%d" % i, partial=(i in (2, 4)))
    s = stacks(emulator, [mapping(functionResponseTypes=["ReportBatchItemFailures"])])
    s.start()
    s.wait(lambda: len(s.calls()) == 2, "the retry of the reported records", advance=5)
    assert [c["ids"] for c in s.calls()] == [["r0", "r1", "r2", "r3", "r4"], ["r2", "r3", "r4"]]
    time.sleep(0.2)
    assert len(s.calls()) == 2


def test_filters_skip_records_without_retrying_them(emulator, stacks):
    criteria = {"Filters": [
        {"Pattern": json.dumps({"eventName": ["INSERT"],
                                "dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "keep"}]}}}})},
        {"Pattern": json.dumps({"dynamodb": {"NewImage": {"n": {"N": ["5"]},
                                                          "kind": {"S": [{"anything-but":
                                                                          ["no"]}]}}}})}]}
    s = stacks(emulator, [mapping(filterCriteria=criteria)])
    s.start()
    emulator.put("keep-insert", kind="keep1")
    emulator.put("other", kind="other")
    emulator.put("five", kind="x", n=5)
    emulator.put("five-no", kind="no", n=5)
    emulator.put("keep-insert", kind="keep2")  # a MODIFY: the first filter wants INSERT
    emulator.put("last", kind="keeper")
    s.wait(lambda: "last" in s.ids(), "the last record")
    assert s.ids() == ["keep-insert", "five", "last"]


def test_records_older_than_the_maximum_age_are_dropped(emulator, stacks):
    s = stacks(emulator, [mapping(maximumRecordAgeInSeconds=60)])
    host = s.start()
    emulator.put("poison", fail=True)
    s.wait(lambda: len(s.calls()) >= 1, "the first attempt")
    host.clock(61)
    s.wait(lambda: "older than the maximum record age (60 s)" in host.stderr_text(), "the drop",
           advance=2)
    # The emulator's clock catches up with the host's: a new record is young again.
    emulator.advance((host.clock()["offsetMs"] - emulator.offset_ms()) // 1000 + 1)
    emulator.put("next")
    s.wait(lambda: s.ids()[-1:] == ["next"], "the next record")
    assert set(s.ids()) == {"poison", "next"}


def test_retries_run_out_and_the_shard_moves_on(emulator, stacks):
    s = stacks(emulator, [mapping(maximumRetryAttempts=1)])
    # Written before the host starts, so that one read finds both.
    emulator.put("poison", fail=True)
    emulator.put("next")
    host = s.start()
    # The first batch holds both; after one retry it is dropped and the shard moves on.
    s.wait(lambda: "retry attempts exhausted (1)" in host.stderr_text(), "the drop", advance=5)
    assert [c["ids"] for c in s.calls()] == [["poison", "next"], ["poison", "next"]]
    emulator.put("after")
    s.wait(lambda: s.ids()[-1:] == ["after"], "the record after the drop")


def test_a_new_record_arrives_within_tens_of_milliseconds(emulator, stacks):
    s = stacks(emulator, [mapping()])
    s.start()
    emulator.put("warm")  # the first invocation starts the instance
    s.wait(lambda: len(s.ids()) == 1, "the warm-up record")
    time.sleep(0.3)  # the shard is idle: polled at its slowest
    latencies = []
    for i in range(5):
        start = time.monotonic()
        emulator.put("x%d" % i)
        s.wait(lambda: len(s.ids()) == 2 + i, "record %d" % i)
        latencies.append(time.monotonic() - start)
        time.sleep(0.1)
    assert sorted(latencies)[2] < 0.15, latencies


def test_resumes_after_kill_9_without_skipping_a_record(emulator, stacks, tmp_path):
    s = stacks(emulator, [mapping(batchSize=2)], extra_args=["--state-dir", str(tmp_path / "state")],
               env={"SLEEP_SECONDS": "0.1"})
    for i in range(12):
        emulator.put("r%02d" % i)
    host = s.start()
    s.wait(lambda: len(s.ids()) >= 4, "a few batches")
    host.proc.send_signal(signal.SIGKILL)
    host.proc.wait()
    before = s.ids()
    assert len(before) < 12
    assert list((tmp_path / "state").iterdir())  # the checkpoint file
    s.start()
    s.wait(lambda: set(s.ids()) == {"r%02d" % i for i in range(12)}, "every record")
    after = s.ids()[len(before):]
    # Nothing skipped, order kept, and at most the batch in flight (2 records) delivered twice.
    redelivered = [i for i in after if i in before]
    assert len(redelivered) <= 2, (before, after)
    assert before + [i for i in after if i not in before] == ["r%02d" % i for i in range(12)]


def test_parallelization_factor_runs_batches_of_a_shard_at_once_each_item_in_order(emulator,
                                                                                    stacks):
    """ParallelizationFactor 3: up to three batches of the one shard at once on the function's
    instances, the records of each item (its key) in order, every record once."""
    for version in range(3):
        for k in range(12):
            emulator.put("k%02d" % k, v=version)
    s = stacks(emulator, [mapping(batchSize=2, parallelizationFactor=3)],
               env={"SLEEP_SECONDS": "0.3"})
    s.start()
    s.wait(lambda: len(s.ids()) >= 36, "every record", seconds=30)
    time.sleep(0.3)
    calls = s.calls()
    seqs = [q for c in calls for q in c["seqs"]]
    assert len(seqs) == 36 and len(set(seqs)) == 36  # each record once
    assert all(len(c["seqs"]) <= 2 for c in calls)
    # Each item's versions in order, invocations taken in the order they started.
    versions = {}
    for c in sorted(calls, key=lambda c: c["start"]):
        for record in c["event"]["Records"]:
            image = record["dynamodb"]["NewImage"]
            versions.setdefault(image["id"]["S"], []).append(int(image["v"]["N"]))
    assert versions == {"k%02d" % k: [0, 1, 2] for k in range(12)}
    # More than one batch at once, never more than three.
    times = s.ended()
    assert len(times) == len(calls)
    def at_once(t):
        return sum(1 for o in times if o["start"] <= t < o["end"])
    most = max(at_once(t["start"]) for t in times)
    assert 2 <= most <= 3, times


def test_the_launcher_runs_a_templates_stream_trigger_with_its_checkpoints(tmp_path):
    """scripts/run --template: the table created, the host given --state-dir DATA/lambda."""
    import sys
    records = tmp_path / "records.jsonl"
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "launch.py"), "--template",
         str(REPO / "tests" / "plane" / "templates" / "stream_triggers.yaml"),
         "--data-dir", str(data), "--emulator-port", "0", "--gateway-port", "0",
         "--lambda-port", "0", "--web-port", "0",
         "--parameter-overrides", "RecordFile=" + str(records)],
        stdout=subprocess.PIPE, stderr=open(tmp_path / "launch.log", "wb"), text=True)
    try:
        ready = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "lambda" not in ready:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("ready: "):
                words = line.split()
                ready[words[1]] = words[-1]
        assert "lambda" in ready, (tmp_path / "launch.log").read_text()
        ddb = boto3.client("dynamodb", endpoint_url=ready["dynamodb"], region_name=REGION,
                           aws_access_key_id="any", aws_secret_access_key="any")
        ddb.put_item(TableName="stream-events", Item={"id": {"S": "one"}})
        ddb.put_item(TableName="stream-events", Item={"id": {"S": "one"}, "v": {"N": "2"}})
        ddb.put_item(TableName="stream-events", Item={"id": {"S": "two"}})
        deadline = time.monotonic() + 10
        ids = []
        while time.monotonic() < deadline:
            if records.exists():
                ids = [i for line in records.read_text().splitlines()
                       for i in json.loads(line)["ids"]]
            if ids == ["one", "two"]:
                break
            time.sleep(0.05)
        assert ids == ["one", "two"], (tmp_path / "launch.log").read_text()  # the MODIFY filtered
        # The mapping's two checkpoint files, written in turn: the newest save is the position.
        saves = [json.loads(f.read_text())
                 for f in (data / "lambda").glob("RecorderStream.json*")]
        checkpoint = max(saves, key=lambda c: c["saves"])
        # The real stream (the plan's placeholder label resolved through the table).
        assert ":table/stream-events/stream/" in checkpoint["streamArn"]
        assert not checkpoint["streamArn"].endswith("1970-01-01T00:00:00.000")
        assert list(checkpoint["shards"].values())[0]["after"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
