"""Process lifecycle, durability across restarts and crashes, and the raw
HTTP surface (authentication, framing, headers)."""

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import threading
import time
import zlib

import boto3
import pytest

import support
from support import create_table, error_type, expect_error, raw_request

TARGET = "DynamoDB_20120810."


def item_size(item):
    """DynamoDB item size for items made only of S and B attributes."""
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        if "S" in value:
            total += len(value["S"].encode())
        else:
            total += len(value["B"])
    return total


# --------------------------------------------------------------------------
# command line and process
# --------------------------------------------------------------------------

def test_help_exits_zero():
    p = subprocess.run([support.emulator_bin(), "--help"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    assert "--port" in (p.stdout + p.stderr)


def test_startup_log_line(emulator_factory):
    emu = emulator_factory()
    want = f"listening on 127.0.0.1:{emu.port}"
    deadline = time.monotonic() + 3
    while want not in emu.stderr_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert want in emu.stderr_text()


def test_get_root_answers_200(emulator):
    status, _, _ = raw_request(emulator.endpoint, method="GET", sign=False, body=b"")
    assert status == 200


def test_database_lives_in_db_path(emulator_factory):
    emu = emulator_factory()
    client = emu.client()
    create_table(client, "on-disk")
    client.put_item(TableName="on-disk", Item={"id": {"S": "k"}})
    files = [os.path.join(d, f) for d, _, fs in os.walk(emu.db_path) for f in fs]
    assert files, "no database file under --db-path"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_zero(emulator_factory, sig):
    emu = emulator_factory()
    create_table(emu.client(), "before-signal")
    assert emu.stop(sig) == 0


@pytest.mark.slow
def test_short_flag_aliases(emulator_factory):
    emu = emulator_factory(flag_style="short")
    client = emu.client()
    create_table(client, "alias-table")
    client.put_item(TableName="alias-table", Item={"id": {"S": "k"}})
    assert emu.restart() == 0
    assert emu.client().get_item(TableName="alias-table", Key={"id": {"S": "k"}})["Item"] == {"id": {"S": "k"}}


@pytest.mark.slow
@pytest.mark.parametrize("style", ["long", "short"])
def test_in_memory_does_not_persist(emulator_factory, style):
    emu = emulator_factory(in_memory=True, flag_style=style)
    client = emu.client()
    create_table(client, "volatile")
    client.put_item(TableName="volatile", Item={"id": {"S": "k"}})
    assert client.get_item(TableName="volatile", Key={"id": {"S": "k"}})["Item"] == {"id": {"S": "k"}}
    assert emu.restart() == 0
    assert emu.client().list_tables()["TableNames"] == []


@pytest.mark.slow
def test_short_shared_db_flag(emulator_factory):
    emu = emulator_factory(shared_db=True, flag_style="short")
    create_table(emu.client(access_key="AKIDONE"), "shared-short")
    assert emu.client(access_key="AKIDTWO", region="us-west-2").list_tables()["TableNames"] == ["shared-short"]


# --------------------------------------------------------------------------
# durability
# --------------------------------------------------------------------------

ALL_TYPES = {
    "id": {"S": "everything"},
    "s": {"S": "h\u00e9llo"}, "n": {"N": "-12.5"}, "b": {"B": b"\x00\xff"},
    "t": {"BOOL": True}, "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x01"]},
    "l": {"L": [{"S": "x"}, {"M": {"k": {"N": "1"}}}]},
    "m": {"M": {"inner": {"L": [{"BOOL": False}]}}},
}


@pytest.mark.slow
def test_clean_restart_keeps_everything(emulator_factory):
    emu = emulator_factory()
    c = emu.client()
    create_table(c, "keep-hash")
    create_table(c, "keep-range", hash_key=("pk", "N"), range_key=("sk", "B"),
                 billing="PROVISIONED", rcu=2, wcu=3)
    c.put_item(TableName="keep-hash", Item=ALL_TYPES)
    for i in range(20):
        c.put_item(TableName="keep-hash", Item={"id": {"S": f"k{i}"}, "v": {"S": "x" * i}})
    c.delete_item(TableName="keep-hash", Key={"id": {"S": "k3"}})
    c.put_item(TableName="keep-range", Item={"pk": {"N": "1.50"}, "sk": {"B": b"\x01"}})
    create_table(c, "dropped")
    c.delete_table(TableName="dropped")
    before = {t: c.describe_table(TableName=t)["Table"] for t in ("keep-hash", "keep-range")}

    assert emu.stop(signal.SIGTERM) == 0
    emu.start()
    c = emu.client()

    assert c.list_tables()["TableNames"] == ["keep-hash", "keep-range"]
    for t, old in before.items():
        new = c.describe_table(TableName=t)["Table"]
        for field in ("TableId", "TableArn", "CreationDateTime", "KeySchema", "ItemCount",
                      "TableSizeBytes", "TableStatus"):
            assert new[field] == old[field], field
        assert new["ProvisionedThroughput"]["ReadCapacityUnits"] == old["ProvisionedThroughput"]["ReadCapacityUnits"]
        assert new["ProvisionedThroughput"]["WriteCapacityUnits"] == old["ProvisionedThroughput"]["WriteCapacityUnits"]
    assert before["keep-hash"]["ItemCount"] == 20
    got = c.get_item(TableName="keep-hash", Key={"id": {"S": "everything"}})["Item"]
    assert support.canon(got) == support.canon(ALL_TYPES)
    for i in range(20):
        r = c.get_item(TableName="keep-hash", Key={"id": {"S": f"k{i}"}})
        if i == 3:
            assert "Item" not in r
        else:
            assert r["Item"] == {"id": {"S": f"k{i}"}, "v": {"S": "x" * i}}
    assert c.get_item(TableName="keep-range", Key={"pk": {"N": "1.5"}, "sk": {"B": b"\x01"}})["Item"] == \
        {"pk": {"N": "1.5"}, "sk": {"B": b"\x01"}}
    expect_error(c.describe_table, "ResourceNotFoundException",
                 "Requested resource not found: Table: dropped not found", TableName="dropped")
    # Still writable after the restart.
    c.put_item(TableName="keep-hash", Item={"id": {"S": "after"}})
    assert c.describe_table(TableName="keep-hash")["Table"]["ItemCount"] == 21


@pytest.mark.slow
def test_restart_keeps_namespaces_apart(emulator_factory):
    emu = emulator_factory()
    a = emu.client(access_key="AKIDNSA")
    b = emu.client(access_key="AKIDNSB", region="eu-central-1")
    create_table(a, "ns-a")
    create_table(b, "ns-b")
    assert emu.restart() == 0
    assert emu.client(access_key="AKIDNSA").list_tables()["TableNames"] == ["ns-a"]
    assert emu.client(access_key="AKIDNSB", region="eu-central-1").list_tables()["TableNames"] == ["ns-b"]
    assert emu.client(access_key="AKIDNSB").list_tables()["TableNames"] == []


THREADS = 8
PER_THREAD = 200


@pytest.mark.slow
def test_acknowledged_writes_survive_kill9(emulator_factory):
    emu = emulator_factory()
    setup = emu.client()
    create_table(setup, "crash")
    clients = [emu.client() for _ in range(THREADS)]
    errors = []
    expected = {}

    def writer(t):
        try:
            c = clients[t]
            for i in range(PER_THREAD):
                item = {"id": {"S": f"t{t}-{i:04d}"}, "payload": {"S": f"{t}:{i}:" + "p" * (i % 97)}}
                c.put_item(TableName="crash", Item=item)
                expected[item["id"]["S"]] = item  # only after the ack
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    emu.kill9()  # right after the last acknowledgement
    assert not any(th.is_alive() for th in threads), "writers did not finish"
    assert not errors, errors[:3]
    assert len(expected) == THREADS * PER_THREAD

    emu.start()
    c = emu.client()
    missing, wrong = [], []
    for key, item in expected.items():
        r = c.get_item(TableName="crash", Key={"id": {"S": key}})
        if "Item" not in r:
            missing.append(key)
        elif r["Item"] != item:
            wrong.append(key)
    assert not missing, f"{len(missing)} acknowledged items lost, e.g. {missing[:5]}"
    assert not wrong, f"{len(wrong)} items changed, e.g. {wrong[:5]}"
    desc = c.describe_table(TableName="crash")["Table"]
    assert desc["ItemCount"] == THREADS * PER_THREAD
    assert desc["TableSizeBytes"] == sum(item_size(i) for i in expected.values())


@pytest.mark.slow
def test_acknowledged_deletes_and_overwrites_survive_kill9(emulator_factory):
    emu = emulator_factory()
    c = emu.client()
    create_table(c, "crash2")
    create_table(c, "crash2-dropped")
    for i in range(100):
        c.put_item(TableName="crash2", Item={"id": {"S": f"k{i}"}, "v": {"S": "old"}})
    for i in range(0, 100, 2):
        c.delete_item(TableName="crash2", Key={"id": {"S": f"k{i}"}})
    for i in range(1, 100, 4):
        c.put_item(TableName="crash2", Item={"id": {"S": f"k{i}"}, "v": {"S": "new"}})
    c.delete_table(TableName="crash2-dropped")
    create_table(c, "crash2-late")
    emu.kill9()

    emu.start()
    c = emu.client()
    assert c.list_tables()["TableNames"] == ["crash2", "crash2-late"]
    for i in range(100):
        r = c.get_item(TableName="crash2", Key={"id": {"S": f"k{i}"}})
        if i % 2 == 0:
            assert "Item" not in r, f"k{i} was deleted before the crash"
        else:
            assert r["Item"]["v"] == {"S": "new" if i % 4 == 1 else "old"}, f"k{i}"
    desc = c.describe_table(TableName="crash2")["Table"]
    assert desc["ItemCount"] == 50
    assert desc["TableSizeBytes"] == sum(2 + len(f"k{i}") + 1 + 3 for i in range(1, 100, 2))


# --------------------------------------------------------------------------
# raw HTTP
# --------------------------------------------------------------------------

def check_wire_headers(headers, body):
    assert headers.get("x-amzn-RequestId"), "missing x-amzn-RequestId"
    crc = headers.get("x-amz-crc32")
    assert crc is not None, "missing x-amz-crc32"
    assert int(crc) == zlib.crc32(body) & 0xFFFFFFFF


def test_signed_request_succeeds_with_headers(emulator):
    status, headers, body = raw_request(emulator.endpoint, TARGET + "ListTables", b"{}")
    assert status == 200, body
    assert "TableNames" in json.loads(body)
    assert headers.get("Content-Type", "").startswith("application/x-amz-json-1.0")
    check_wire_headers(headers, body)


def test_request_ids_differ(emulator):
    ids = {raw_request(emulator.endpoint, TARGET + "ListTables", b"{}")[1].get("x-amzn-RequestId")
           for _ in range(3)}
    assert len(ids) == 3


def test_missing_authorization(emulator):
    status, headers, body = raw_request(emulator.endpoint, TARGET + "ListTables", b"{}", sign=False)
    assert status == 400
    kind, doc = error_type(body)
    assert kind == "MissingAuthenticationTokenException", body
    assert doc.get("message") == "Request is missing Authentication Token"
    check_wire_headers(headers, body)


@pytest.mark.parametrize("payload", [b'{"TableName": ', b"not json", b'{"Limit": 2,}', b"["],
                         ids=["truncated", "garbage", "trailing_comma", "open_bracket"])
def test_malformed_json(emulator, payload):
    status, headers, body = raw_request(emulator.endpoint, TARGET + "ListTables", payload)
    assert status == 400
    kind, _ = error_type(body)
    assert kind == "SerializationException", body
    check_wire_headers(headers, body)


def test_unknown_operation(emulator):
    status, headers, body = raw_request(emulator.endpoint, TARGET + "MakeCoffee", b"{}")
    assert status == 400
    kind, _ = error_type(body)
    assert kind == "UnknownOperationException", body
    check_wire_headers(headers, body)


def test_error_body_shape(emulator):
    status, headers, body = raw_request(emulator.endpoint, TARGET + "DescribeTable",
                                        json.dumps({"TableName": "no-such-table"}))
    assert status == 400
    kind, doc = error_type(body)
    assert kind == "ResourceNotFoundException"
    assert doc["message"] == "Requested resource not found: Table: no-such-table not found"
    check_wire_headers(headers, body)


@pytest.mark.parametrize("body", [
    b"[" * 1_000_000,
    b'{"a":' * 300_000,
    b'{"TableName":"abc","Item":{"a":' + b'{"L":[' * 50_000 + b']}' * 50_000 + b"}}",
], ids=["arrays", "objects", "attribute_values"])
def test_deeply_nested_body_is_refused_not_fatal(emulator, body):
    status, _, raw = raw_request(emulator.endpoint, target=TARGET + "PutItem", body=body)
    assert status == 400
    assert json.loads(raw)["__type"] == "com.amazon.coral.service#SerializationException"
    # The server is still there.
    status, _, raw = raw_request(emulator.endpoint, target=TARGET + "ListTables", body=b"{}")
    assert status == 200, raw


def _in_memory_emulator(port, prelude=""):
    """An in-memory emulator started by a shell that execs it: `$$` in `prelude` is its pid."""
    return subprocess.Popen(
        ["sh", "-c", prelude + 'exec "$0" --in-memory --port "$1"', support.emulator_bin(),
         str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _client(port):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}",
                        region_name="us-east-1", aws_access_key_id="a",
                        aws_secret_access_key="b")


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="in-memory data lives in /dev/shm")
def test_killed_in_memory_emulator_leaves_nothing_in_dev_shm():
    # Its scratch database is unlinked once open: kill -9 cannot leave it behind (each left
    # one would hold its tables' memory until the machine restarts).
    port = support.free_port()
    first = _in_memory_emulator(port)
    try:
        client = _client(port)
        create_table(client, "gone")
        client.put_item(TableName="gone", Item={"id": {"S": "k"}, "blob": {"S": "x" * 300000}})
        assert client.get_item(TableName="gone", Key={"id": {"S": "k"}})["Item"]["blob"]["S"]
        assert not pathlib.Path("/dev/shm/emulator-%d" % first.pid).exists()
    finally:
        first.kill()
        first.wait()
    assert not pathlib.Path("/dev/shm/emulator-%d" % first.pid).exists()


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="in-memory data lives in /dev/shm")
def test_in_memory_starts_empty_where_a_folder_with_its_pid_holds_data(tmp_path):
    # A folder named as the new process's scratch one (left by an older version, or planted)
    # must not be served: the pid is made to repeat by copying a durable emulator's data to the
    # new pid's name before the exec.
    port = support.free_port()
    durable = subprocess.Popen([support.emulator_bin(), "--db-path", str(tmp_path), "--port",
                                str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        create_table(_client(port), "left-behind")
    finally:
        durable.terminate()
        durable.wait()
    port = support.free_port()
    second = _in_memory_emulator(port, 'cp -r "%s" "/dev/shm/emulator-$$" && ' % tmp_path)
    try:
        assert _client(port).list_tables()["TableNames"] == []
    finally:
        second.terminate()
        second.wait()
    assert not pathlib.Path("/dev/shm/emulator-%d" % second.pid).exists()
