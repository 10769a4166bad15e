"""Transactions under concurrent clients: several processes move money
between counters with two-action TransactWriteItems (a conditional debit and
a credit) against one private, on-disk emulator, and read all counters at
once with TransactGetItems.

Every answer a client receives is recorded. Afterwards the money is
conserved, no balance is negative, and each balance is exactly its start
plus the acknowledged credits minus the acknowledged debits: every
acknowledged transfer is visible in full and no cancelled one left a trace.
Every TransactGetItems saw the whole sum (no half-applied transfer is ever
visible). The balances also survive a restart.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

import support

N_ACCOUNTS = 10
START_BALANCE = 100
WORKERS = 4
RUN_SECONDS = 4.0
MAX_AMOUNT = 40
# Bound on the whole run of a worker: start-up, its RUN_SECONDS, slow answers.
WORKER_TIMEOUT = 60.0

HERE = pathlib.Path(__file__).resolve().parent

# The worker: a separate Python process with its own boto3 client. argv[1]
# is a JSON object with endpoint, table, seed, start_at, seconds, out.
WORKER = r'''
import json, random, sys, time
import support
from botocore.exceptions import ClientError, BotoCoreError

cfg = json.loads(sys.argv[1])
client = support.make_client(cfg["endpoint"], read_timeout=30)
rng = random.Random(cfg["seed"])
n, table = cfg["accounts"], cfg["table"]
log = {"transfers": [], "reads": []}

def acct(i):
    return {"id": {"S": "acct-%02d" % i}}

while time.time() < cfg["start_at"]:
    time.sleep(0.005)
stop = time.monotonic() + cfg["seconds"]
ops = 0
while time.monotonic() < stop:
    ops += 1
    if ops % 8 == 0:
        try:
            r = client.transact_get_items(TransactItems=[
                {"Get": {"TableName": table, "Key": acct(i)}} for i in range(n)])
            log["reads"].append({"outcome": "ok", "balances": [
                int(x["Item"]["bal"]["N"]) if "Item" in x else None for x in r["Responses"]]})
        except ClientError as e:
            log["reads"].append({"outcome": "error", "code": e.response["Error"].get("Code"),
                                 "message": e.response["Error"].get("Message"),
                                 "reasons": e.response.get("CancellationReasons")})
        except BotoCoreError as e:
            log["reads"].append({"outcome": "transport", "error": repr(e)})
        continue
    a, b = rng.sample(range(n), 2)
    x = rng.randint(1, cfg["max_amount"])
    rec = {"from": a, "to": b, "amount": x}
    try:
        client.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": acct(a),
                        "UpdateExpression": "SET bal = bal - :x",
                        "ConditionExpression": "bal >= :x",
                        "ExpressionAttributeValues": {":x": {"N": str(x)}}}},
            {"Update": {"TableName": table, "Key": acct(b),
                        "UpdateExpression": "SET bal = bal + :x",
                        "ExpressionAttributeValues": {":x": {"N": str(x)}}}}])
        rec["outcome"] = "ok"
    except ClientError as e:
        err = e.response["Error"]
        rec["code"] = err.get("Code")
        rec["message"] = err.get("Message")
        if err.get("Code") == "TransactionCanceledException":
            rec["outcome"] = "cancelled"
            rec["reasons"] = [r.get("Code") for r in e.response.get("CancellationReasons") or []]
        else:
            rec["outcome"] = "error"
    except BotoCoreError as e:
        rec["outcome"] = "transport"
        rec["error"] = repr(e)
    log["transfers"].append(rec)

with open(cfg["out"], "w") as f:
    json.dump(log, f)
'''


def acct(i):
    return {"id": {"S": "acct-%02d" % i}}


def balances(client, table):
    out = []
    for i in range(N_ACCOUNTS):
        item = client.get_item(TableName=table, Key=acct(i), ConsistentRead=True).get("Item")
        assert item is not None, f"account {i} disappeared"
        out.append(int(item["bal"]["N"]))
    return out


def run_workers(emu, table, tmp_path):
    start_at = time.time() + 2.0  # every worker has imported boto3 by then
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE) + os.pathsep + env.get("PYTHONPATH", "")
    procs, outs = [], []
    try:
        for w in range(WORKERS):
            out = tmp_path / f"worker-{w}.json"
            cfg = {"endpoint": emu.endpoint, "table": table, "seed": 1000 + w,
                   "start_at": start_at, "seconds": RUN_SECONDS, "out": str(out),
                   "accounts": N_ACCOUNTS, "max_amount": MAX_AMOUNT}
            procs.append(subprocess.Popen(
                [sys.executable, "-c", WORKER, json.dumps(cfg)], cwd=str(HERE), env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
            outs.append(out)
        deadline = time.monotonic() + WORKER_TIMEOUT
        for w, p in enumerate(procs):
            try:
                text, _ = p.communicate(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pytest.fail(f"worker {w} did not finish within {WORKER_TIMEOUT} s")
            assert p.returncode == 0, f"worker {w} exited {p.returncode}:\n{text.decode(errors='replace')}"
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
    logs = []
    for out in outs:
        with open(out) as f:
            logs.append(json.load(f))
    return logs


@pytest.mark.slow
def test_concurrent_transfers_are_atomic_and_exactly_accounted(emulator_factory, tmp_path):
    emu = emulator_factory()  # on disk (the default)
    client = emu.client()
    table = support.unique_name("bank")
    support.create_table(client, table)
    for i in range(N_ACCOUNTS):
        client.put_item(TableName=table, Item=dict(acct(i), bal={"N": str(START_BALANCE)}))

    logs = run_workers(emu, table, tmp_path)
    transfers = [t for log in logs for t in log["transfers"]]
    reads = [r for log in logs for r in log["reads"]]

    # Every call got a definite answer: acknowledged or cancelled.
    unclear = [t for t in transfers if t["outcome"] not in ("ok", "cancelled")]
    assert not unclear, f"{len(unclear)} transfers without a definite answer, e.g. {unclear[:3]}"
    acked = [t for t in transfers if t["outcome"] == "ok"]
    cancelled = [t for t in transfers if t["outcome"] == "cancelled"]
    assert acked, "no transfer succeeded"
    assert len(transfers) >= 40, f"only {len(transfers)} transfers in {RUN_SECONDS} s x {WORKERS}"

    # A cancelled transfer names a reason for each of its two actions; the
    # debit is the only action with a condition.
    for t in cancelled:
        assert len(t["reasons"]) == 2, t
        assert t["reasons"][0] in ("ConditionalCheckFailed", "TransactionConflict"), t
        assert t["reasons"][1] in ("None", "TransactionConflict"), t

    final = balances(client, table)
    assert sum(final) == N_ACCOUNTS * START_BALANCE, final
    assert min(final) >= 0, final
    expected = [START_BALANCE] * N_ACCOUNTS
    for t in acked:
        expected[t["from"]] -= t["amount"]
        expected[t["to"]] += t["amount"]
    assert final == expected, (
        f"balances {final} differ from start + acknowledged transfers {expected} "
        f"({len(acked)} acknowledged, {len(cancelled)} cancelled)")

    # Every TransactGetItems read saw all accounts and the whole sum.
    bad_reads = [r for r in reads if r["outcome"] != "ok"
                 and not (r["outcome"] == "error" and r.get("code") == "TransactionCanceledException")]
    assert not bad_reads, bad_reads[:3]
    ok_reads = [r["balances"] for r in reads if r["outcome"] == "ok"]
    assert ok_reads, "no TransactGetItems succeeded"
    torn = [b for b in ok_reads if None in b or sum(b) != N_ACCOUNTS * START_BALANCE or min(b) < 0]
    assert not torn, f"{len(torn)} of {len(ok_reads)} reads saw a partial transfer, e.g. {torn[:3]}"

    # Acknowledged means durable: the same balances after a restart.
    emu.restart()
    assert balances(emu.client(), table) == expected
