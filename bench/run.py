#!/usr/bin/env python3
"""Benchmark harness: the emulator (durable and in memory) side by side with dynalite (in
memory) and a no-op server on the same Beast front end (the machine's ceiling), alternating
servers within each repetition. Prints a table of medians and ratios and writes it to
bench/results/<date>.md. Not a test: the machines are shared and noisy.

    scripts/bench [--seconds S] [--reps R] [--quick] [--ops ...] [--servers ...] [--conns ...]
                  [--baseline OTHER_EMULATOR_BINARY]
"""
import argparse, datetime, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
NODE_DIR = os.path.join(ROOT, ".bench")
OPS = ["get", "put", "query", "batch", "update", "transact"]
CONNS = [1, 64]
HZ = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ  # utime + stime


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_ready(port, proc, timeout=30):
    """Seconds from now until the server answers its first request."""
    t0 = time.monotonic()
    body = b"{}"
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, method="POST", headers={
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Date": "20260101T000000Z",
                "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"})
            urllib.request.urlopen(req, timeout=1).read()
            return time.monotonic() - t0
        except urllib.error.HTTPError:
            return time.monotonic() - t0  # an answer, even a refusal, means it is serving
        except Exception:
            time.sleep(0.001)
    raise RuntimeError("server did not answer")


class Server:
    def __init__(self, name, argv_fn):
        self.name, self.argv_fn, self.proc, self.tmp = name, argv_fn, None, None

    def start(self):
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix="bench-")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv_fn(self.port, self.tmp), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_ready(self.port, self.proc)
        self.startup_ms = (time.monotonic() - t0) * 1000
        time.sleep(0.2)
        self.idle_rss_kb = rss_kb(self.proc.pid)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def loadgen(port, op, conns=1, seconds=2.0, setup=False, requests=0, table="bench"):
    argv = [os.path.join(BIN, "loadgen"), "--port", str(port), "--op", op, "--conns", str(conns),
            "--seconds", str(seconds), "--table", table]
    if setup:
        argv.append("--setup")
    if requests:
        argv += ["--requests", str(requests)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if setup:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def install_dynalite():
    cli = os.path.join(NODE_DIR, "node_modules", "dynalite", "cli.js")
    if not os.path.exists(cli):
        os.makedirs(NODE_DIR, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", NODE_DIR, "--no-audit", "--no-fund", "dynalite@3"],
                       check=True, stdout=subprocess.DEVNULL)
    return cli


def servers(with_dynalite, baseline=None):
    emu = os.path.join(BIN, "emulator")
    out = [
        Server("emulator", lambda p, d: [emu, "--port", str(p), "--db-path", d]),
        Server("emulator-mem", lambda p, d: [emu, "--port", str(p), "--in-memory"]),
        Server("noop", lambda p, d: [emu, "--port", str(p), "--noop"]),
    ]
    if baseline:  # another build of the emulator (before a change), measured in the same run
        out[2:2] = [
            Server("baseline", lambda p, d: [baseline, "--port", str(p), "--db-path", d]),
            Server("baseline-mem", lambda p, d: [baseline, "--port", str(p), "--in-memory"]),
        ]
    if with_dynalite:
        cli = install_dynalite()
        out.append(Server("dynalite", lambda p, d: ["node", cli, "--port", str(p)]))
    return out


def measure(all_servers, seconds, reps):
    results = {}  # (server, op, conns) -> list of runs
    for s in all_servers:
        s.start()
        for op in ("get", "query"):
            if s.name != "noop":
                loadgen(s.port, op, setup=True)
    try:
        for rep in range(reps):
            for op in OPS:
                for conns in CONNS:
                    for s in all_servers:  # alternate servers within each repetition
                        cpu0 = cpu_seconds(s.proc.pid)
                        r = loadgen(s.port, op, conns, seconds)
                        cpu = cpu_seconds(s.proc.pid) - cpu0
                        total = max(1, r["requests"] / 0.8)  # the warm-up fifth is not counted
                        r["cpu_us_per_req"] = cpu / total * 1e6
                        results.setdefault((s.name, op, conns), []).append(r)
                        print(f"  rep {rep + 1} {op:8} c={conns:<2} {s.name:13} {r['rps']:9.0f} req/s "
                              f"p50 {r['p50_us']:7.0f} us  p99 {r['p99_us']:7.0f} us  "
                              f"cpu {r['cpu_us_per_req']:6.1f} us/req  errors {r['errors']}", flush=True)
    finally:
        for s in all_servers:
            s.stop()
    return results


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def big_load(items=1_000_000):
    """RSS and database size after loading `items` chat messages with BatchWriteItem."""
    emu = os.path.join(BIN, "emulator")
    s = Server("emulator", lambda p, d: [emu, "--port", str(p), "--db-path", d])
    s.start()
    try:
        loadgen(s.port, "put", setup=True)  # creates the table
        t0 = time.monotonic()
        r = loadgen(s.port, "batch", conns=16, requests=items // 25 // 16)
        if r["errors"]:
            raise RuntimeError(f"load failed: {r}")
        secs = time.monotonic() - t0
        size = os.path.getsize(os.path.join(s.tmp, "emulator.mdb"))
        return {"items": items, "seconds": secs, "rss_mb": rss_kb(s.proc.pid) / 1024,
                "db_mb": size / 1e6}
    finally:
        s.stop()


def ttl_rate(items=50_000):
    """Expired items deleted per second, each with its stream record."""
    import boto3
    emu = os.path.join(BIN, "emulator")
    s = Server("emulator", lambda p, d: [emu, "--port", str(p), "--db-path", d, "--ttl-interval-ms", "100"])
    s.start()
    try:
        c = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{s.port}", region_name="us-east-1",
                         aws_access_key_id="bench", aws_secret_access_key="bench")
        c.create_table(TableName="presence", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                       StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        c.update_time_to_live(TableName="presence", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        exp = str(int(time.time()) + 3600)
        for base in range(0, items, 25):
            c.batch_write_item(RequestItems={"presence": [
                {"PutRequest": {"Item": {"id": {"S": f"u{i}"}, "exp": {"N": exp}}}} for i in range(base, base + 25)]})
        req = urllib.request.Request(f"http://127.0.0.1:{s.port}/emulator/clock",
                                     data=json.dumps({"advanceSeconds": 7200}).encode(), method="POST")
        t0 = time.monotonic()
        urllib.request.urlopen(req).read()
        while c.describe_table(TableName="presence")["Table"]["ItemCount"] > 0:
            time.sleep(0.02)
        secs = time.monotonic() - t0
        return {"items": items, "seconds": secs, "per_second": items / secs}
    finally:
        s.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="no dynalite, no 1M load")
    ap.add_argument("--ops", default=",".join(OPS), help="comma-separated subset of " + ",".join(OPS))
    ap.add_argument("--servers", default="", help="comma-separated subset of server names")
    ap.add_argument("--conns", default="1,64", help="comma-separated connection counts")
    ap.add_argument("--baseline", default="", help="an emulator binary to measure beside this build "
                    "(servers baseline and baseline-mem), e.g. one built before a change")
    args = ap.parse_args()
    partial = (bool(args.servers) or args.ops != ",".join(OPS) or args.conns != "1,64"
               or bool(args.baseline))
    OPS[:] = [op for op in args.ops.split(",") if op]
    CONNS[:] = [int(c) for c in args.conns.split(",") if c]
    all_servers = servers(not args.quick and "dynalite" in (args.servers or "dynalite"),
                          os.path.abspath(args.baseline) if args.baseline else None)
    if args.servers:
        keep = args.servers.split(",")
        all_servers = [s for s in all_servers if s.name in keep]
    print("measuring (servers alternate within each repetition)...", flush=True)
    results = measure(all_servers, args.seconds, args.reps)
    with open(os.path.join(ROOT, "bench", "results", "last-raw.json"), "w") as f:
        json.dump({f"{k[0]}|{k[1]}|{k[2]}": v for k, v in results.items()}, f)
    names = [s.name for s in all_servers]
    startup = {s.name: s.startup_ms for s in all_servers}
    idle = {s.name: s.idle_rss_kb / 1024 for s in all_servers}

    lines = [f"# Benchmark {datetime.date.today().isoformat()}", "",
             f"{os.cpu_count()} cores; medians of {args.reps} runs of {args.seconds:g} s "
             "(first fifth of each run is warm-up); servers alternate within each repetition; "
             "the load generator shares the cores.", "",
             "| op | conns | server | req/s | p50 us | p99 us | p99.9 us | server CPU us/req | vs dynalite | vs no-op |"
             + (" vs baseline |" if args.baseline else ""),
             "|---|---|---|---|---|---|---|---|---|---|" + ("---|" if args.baseline else "")]
    for op in OPS:
        for conns in CONNS:
            base_d = results.get(("dynalite", op, conns))
            base_n = results.get(("noop", op, conns))
            for name in names:
                runs = results[(name, op, conns)]
                rps = median(runs, "rps")
                if rps == 0:
                    kind = next((r.get("error_type") for r in runs if r.get("error_type")), "errors")
                    lines.append(f"| {op} | {conns} | {name} | unsupported ({kind}) | | | | | | |")
                    continue
                d_rps = median(base_d, "rps") if base_d else 0
                n_rps = median(base_n, "rps") if base_n else 0
                vs_d = (f"{rps / d_rps:.1f}x" if d_rps else "n/a") if base_d and name != "dynalite" else ""
                vs_n = f"{rps / n_rps:.0%}" if n_rps and name != "noop" else ""
                row = (f"| {op} | {conns} | {name} | {rps:.0f} | {median(runs, 'p50_us'):.0f} | "
                       f"{median(runs, 'p99_us'):.0f} | {median(runs, 'p999_us'):.0f} | "
                       f"{median(runs, 'cpu_us_per_req'):.1f} | {vs_d} | {vs_n} |")
                if args.baseline:
                    twin = {"emulator": "baseline", "emulator-mem": "baseline-mem"}.get(name)
                    base_b = results.get((twin, op, conns)) if twin else None
                    b_rps = median(base_b, "rps") if base_b else 0
                    row += f" {rps / b_rps:.2f}x |" if b_rps else " |"
                lines.append(row)
    lines += ["", "| server | start to first answer (ms) | idle RSS (MB) |", "|---|---|---|"]
    lines += [f"| {n} | {startup[n]:.1f} | {idle[n]:.1f} |" for n in names]
    if not args.quick and not partial:
        big = big_load()
        lines += ["", f"After {big['items']:,} items (BatchWriteItem, durable): load took {big['seconds']:.1f} s, "
                  f"RSS {big['rss_mb']:.0f} MB, database file {big['db_mb']:.0f} MB."]
        t = ttl_rate()
        lines += ["", f"TTL: {t['items']:,} expired items (stream enabled) deleted in {t['seconds']:.2f} s = "
                  f"{t['per_second']:,.0f} items/s, each with its REMOVE record."]
    text = "\n".join(lines) + "\n"
    print(text)
    if partial:
        return  # a focused run: printed, not recorded
    out = os.path.join(ROOT, "bench", "results", f"{datetime.date.today().isoformat()}.md")
    with open(out, "w") as f:
        f.write(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
