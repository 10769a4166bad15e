#!/usr/bin/env python3
"""The chat stack under load (issue 16): starts the whole stack with the launcher
(scripts/launch.py, schemas/chat.yaml; durable unless --in-memory, data in a temporary folder,
every port free), runs bench/chatload against its WebSocket API, and samples the CPU seconds and
peak RSS of every process of the stack (the launcher, its children and theirs, from /proc).
Not a test: the machines are shared and noisy.

    scripts/bench chat [--quick] [--in-memory] [--scenarios a,b,c,d] [--clients N] [--group G]
                       [--rate R] [--seconds T] [--lobby-clients N] [--lobby-rate R]
                       [--idle-connections N] [--reps K] [--no-record]

Scenarios: (a) N clients in conversations of G at R msg/s for T s; (b) the lobby of N clients
at 10 msg/s; (c) the highest rate at which p99 delivery stays under 200 ms; (d) start-up time,
idle RSS, the gateway's memory per idle connection, the cost of one lobby broadcast.
Results: bench/results/<date>-chat.md (unless --quick or --no-record), raw in
bench/results/last-chat-raw.json.
"""
import argparse, datetime, json, os, pathlib, shutil, signal, statistics, subprocess, sys
import tempfile, threading, time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(os.environ.get("CHATSTACK_BIN", ROOT / "build" / "bin"))
CHATLOAD = pathlib.Path(os.environ.get("CHATLOAD_BIN", BIN / "chatload"))
FUNCTIONS = pathlib.Path(os.environ.get("CHAT_FUNCTIONS_DIR", BIN.parent / "functions"))
LAUNCHER = pathlib.Path(os.environ.get("CHAT_LAUNCHER", ROOT / "scripts" / "launch.py"))
HZ = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def proc_stat(pid):
    """(ppid, cpu seconds) of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / HZ
    except (OSError, IndexError, ValueError):
        return None


def proc_mem_kb(pid):
    """(RSS, peak RSS) in KB."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def proc_name(pid):
    """The stack's name for a process: emulator, gateway, lambda-host, or a function's name
    (the folder of its bootstrap)."""
    try:
        argv0 = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode()
    except OSError:
        return "?"
    p = pathlib.Path(argv0)
    return p.parent.name if p.name == "bootstrap" else p.name


class Sampler:
    """The launcher and every process below it, sampled every `interval` seconds: CPU seconds (the
    last value seen, so a process that exited keeps its total) and peak RSS (VmHWM)."""

    def __init__(self, root_pid, interval=0.25):
        self.root, self.interval = root_pid, interval
        self.procs = {}  # pid -> {"name", "cpu", "hwm", "rss"}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.sample()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def descendants(self):
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                st = proc_stat(int(entry))
                if st:
                    children.setdefault(st[0], []).append(int(entry))
        out, todo = [self.root], [self.root]  # the launcher too: it passes their logs on
        while todo:
            pid = todo.pop()
            for child in children.get(pid, []):
                out.append(child)
                todo.append(child)
        return out

    def sample(self):
        for pid in self.descendants():
            st = proc_stat(pid)
            if not st:
                continue
            rss, hwm = proc_mem_kb(pid)
            with self.lock:
                name = "launcher" if pid == self.root else proc_name(pid)
                p = self.procs.setdefault(pid, {"name": name, "cpu": 0, "hwm": 0})
                p["cpu"], p["rss"], p["hwm"] = st[1], rss, max(p["hwm"], hwm)

    def _run(self):
        while not self.stopped.wait(self.interval):
            self.sample()

    def snapshot(self, launcher=True):
        """name -> {"cpu": seconds, "hwm_kb", "rss_kb", "count"} (processes of one name
        summed: the instances of a function); without the launcher's for memory figures."""
        self.sample()
        out = {}
        with self.lock:
            for p in self.procs.values():
                if p["name"] == "launcher" and not launcher:
                    continue
                s = out.setdefault(p["name"], {"cpu": 0.0, "hwm_kb": 0, "rss_kb": 0, "count": 0})
                s["cpu"] += p["cpu"]
                s["hwm_kb"] += p["hwm"]
                s["rss_kb"] += p.get("rss", 0)
                s["count"] += 1
        return out

    def stop(self):
        self.stopped.set()


class Stack:
    """The launcher with schemas/chat.yaml; `startup_s`: its start to its `ready: lambda`."""

    def __init__(self, durable=True):
        self.tmp = tempfile.mkdtemp(prefix="bench-chat-")
        env = dict(os.environ, CHATSTACK_BIN=str(BIN))
        argv = [sys.executable, str(LAUNCHER), "--template",
                str(ROOT / "schemas" / "chat.yaml"), *([] if durable else ["--in-memory"]),
                "--emulator-port", "0", "--gateway-port", "0", "--http-port", "0",
                "--lambda-port", "0", "--web-port", "0", "--stack-name", "chat",
                "--data-dir", os.path.join(self.tmp, "data"),
                "--parameter-overrides", f"FunctionsDir={FUNCTIONS}"]
        self.log = open(os.path.join(self.tmp, "launch.log"), "wb")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env=env)
        self.ready = {}
        deadline = t0 + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("ready: "):
                words = line.split()
                self.ready[" ".join(words[1:-1])] = words[-1]
                if words[1] == "lambda":
                    break
        self.startup_s = time.monotonic() - t0
        if "lambda" not in self.ready:
            log = self.log_text()[-3000:]
            self.stop()
            raise RuntimeError("the stack did not start:\n" + log)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self.ws_url = self.ready["websocket chat"]
        self.sampler = Sampler(self.proc.pid)

    def log_text(self):
        return open(os.path.join(self.tmp, "launch.log"), errors="replace").read()

    def pid_of(self, name):
        return next((pid for pid, p in self.sampler.procs.items() if p["name"] == name), None)

    def stop(self):
        pids = self.sampler.descendants() if hasattr(self, "sampler") else []
        if hasattr(self, "sampler"):
            self.sampler.stop()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in pids:  # whatever outlived the launcher (it was stopping them)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()
        keep = os.environ.get("CHAT_BENCH_LOG")  # where to keep the stack's log (REPORT lines)
        if keep:
            shutil.copyfile(os.path.join(self.tmp, "launch.log"), keep)
        shutil.rmtree(self.tmp, ignore_errors=True)


def chatload(stack, *args, timeout=900):
    """Runs chatload; its JSON, with "phases": the stack's snapshot (Sampler.snapshot) when the
    sends started and when the deliveries were drained (chatload's stderr lines)."""
    argv = [str(CHATLOAD), "--url", stack.ws_url, *map(str, args)]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    phases, errors = {}, []

    def watch():
        for line in p.stderr:
            if line.startswith("chatload: "):
                phases[line.split()[1]] = stack.sampler.snapshot()
            else:
                errors.append(line)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        raise
    t.join(5)
    lines = out.strip().splitlines()
    if p.returncode != 0 or not lines:
        raise RuntimeError(f"chatload failed ({p.returncode}): {''.join(errors)[-2000:]}")
    r = json.loads(lines[-1])
    r["phases"] = phases
    return r


def cpu_delta(before, after):
    return {n: after[n]["cpu"] - before.get(n, {"cpu": 0})["cpu"] for n in after}


def load_run(durable, clients, rate, seconds, group=10, lobby=False, prefix="ld", threads=1):
    """A fresh stack, chatload once, the stack's CPU while it ran (setup and sends)."""
    stack = Stack(durable)
    try:
        args = ["--clients", clients, "--rate", rate, "--seconds", seconds, "--prefix", prefix,
                "--threads", threads, "--settle-max", 900, "--drain", 20, "--quiet", 3]
        args += ["--lobby"] if lobby else ["--group", group]
        r = chatload(stack, *args)
        after = stack.sampler.snapshot()
        # The sends alone: not the connects' presence broadcasts before them.
        phases = r.pop("phases")
        r["cpu"] = cpu_delta(phases.get("sending", {}), phases.get("done", after))
        r["peak_rss_kb"] = {n: v["hwm_kb"] for n, v in after.items()}
        r["instances"] = {n: v["count"] for n, v in after.items()}
        r["startup_s"] = stack.startup_s
        return r
    finally:
        stack.stop()


def report(r):
    d, a = r["delivery"], r["ack"]
    print(f"    sent {r['sent']} acked {r['acked']} delivered {r['delivered']}/{r['expected']} "
          f"lost {r['lost']} dup {r['duplicated']} ooo {r['out_of_order']} errors {r['errors']}"
          f" | delivery p50 {d['p50_ms']:.1f} p99 {d['p99_ms']:.1f} max {d['max_ms']:.0f} ms"
          f" | ack p50 {a['p50_ms']:.1f} p99 {a['p99_ms']:.1f} ms"
          f" | stack CPU {sum(r['cpu'].values()):.1f} s | connect {r['connect_s']:.1f} s, "
          f"presence frames {r['other_frames'].get('presence', 0)} drained in {r['settle_s']:.1f} s",
          flush=True)


def median_of(runs, *path):
    vals = []
    for r in runs:
        v = r
        for p in path:
            v = v[p]
        vals.append(v)
    return statistics.median(vals)


def cpu_table(runs, lines, title):
    """Per process: CPU seconds (median), peak RSS (median), CPU per delivered message."""
    names = sorted({n for r in runs for n in r["cpu"]})
    lines += ["", f"{title}: CPU and peak RSS by process (medians)", "",
              "| process | CPU s | peak RSS MB | CPU us per delivery |", "|---|---|---|---|"]
    for n in names:
        cpu = statistics.median(r["cpu"].get(n, 0) for r in runs)
        hwm = statistics.median(r["peak_rss_kb"].get(n, 0) for r in runs) / 1024
        per = statistics.median(r["cpu"].get(n, 0) / max(1, r["delivered"]) * 1e6 for r in runs)
        lines.append(f"| {n} | {cpu:.2f} | {hwm:.1f} | {per:.1f} |")
    total = statistics.median(sum(r["cpu"].values()) / max(1, r["delivered"]) * 1e6 for r in runs)
    lines.append(f"| whole stack | {statistics.median(sum(r['cpu'].values()) for r in runs):.2f} "
                 f"| | {total:.1f} |")


def result_row(name, runs):
    d = lambda k: median_of(runs, "delivery", k)
    return (f"| {name} | {len(runs)} | {median_of(runs, 'sent'):.0f} | "
            f"{median_of(runs, 'delivered'):.0f}/{median_of(runs, 'expected'):.0f} | "
            f"{max(r['lost'] for r in runs)} | {max(r['duplicated'] for r in runs)} | "
            f"{max(r['out_of_order'] for r in runs)} | {median_of(runs, 'ack', 'p50_ms'):.1f} | "
            f"{median_of(runs, 'ack', 'p99_ms'):.1f} | {d('p50_ms'):.1f} | {d('p90_ms'):.1f} | "
            f"{d('p99_ms'):.1f} | {d('p999_ms'):.1f} | {d('max_ms'):.0f} | "
            f"{statistics.median(sum(r['cpu'].values()) / max(1, r['delivered']) * 1e6 for r in runs):.0f} |")


HEADER = ["| scenario | runs | sent | delivered/expected | lost | dup | out of order | ack p50 ms | "
          "ack p99 ms | delivery p50 ms | p90 | p99 | p99.9 | max | stack CPU us/delivery |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]


def rate_search(args, durable):
    """The highest rate (groups of G, N clients) whose p99 delivery stays under 200 ms with
    nothing lost: one stack and one set of clients, chatload's phases doubling from
    --search-start, then bisecting between the last good and the first bad rate."""
    stack = Stack(durable)
    try:
        argv = [str(CHATLOAD), "--url", stack.ws_url, "--clients", str(args.clients), "--group",
                str(args.group), "--rate", str(args.search_start), "--seconds",
                str(args.search_seconds), "--search-p99-ms", "200", "--search-max",
                str(args.search_max), "--search-steps", str(args.search_steps), "--prefix", "s",
                "--settle-max", "900", "--drain", "20", "--quiet", "3"]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
        lines = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
        if not lines or "best_rate" not in lines[-1]:
            raise RuntimeError(f"chatload failed ({out.returncode}): {out.stderr[-2000:]}")
    finally:
        stack.stop()
    tried = []
    for r in lines[:-1]:
        good = r["delivery"]["p99_ms"] < 200 and r["lost"] == 0
        tried.append((r["rate"], r, good))
        print(f"  rate {r['rate']:g}: {'ok' if good else 'over'}")
        report(dict(r, cpu={}))
    return lines[-1]["best_rate"], tried


def stack_facts(args, durable):
    """Start-up, idle RSS, gateway memory per idle connection, one lobby broadcast."""
    out = {"startup_s": [], "idle_rss_mb": [], "idle_by_process": None}
    for _ in range(args.reps):
        stack = Stack(durable)
        try:
            out["startup_s"].append(stack.startup_s)
            time.sleep(1.0)
            snap = stack.sampler.snapshot(launcher=False)
            out["idle_rss_mb"].append(sum(v["rss_kb"] for v in snap.values()) / 1024)
            out["idle_by_process"] = {n: v["rss_kb"] / 1024 for n, v in snap.items()}
        finally:
            stack.stop()

    # Idle connections: the gateway's RSS before and after N connections of --idle-users users
    # (few users: a user's first connection is a presence change, sent to every connection).
    stack = Stack(durable)
    try:
        gw = stack.pid_of("gateway")
        time.sleep(0.5)
        rss0 = proc_mem_kb(gw)[0]
        p = subprocess.Popen([str(CHATLOAD), "--url", stack.ws_url, "--clients",
                              str(args.idle_connections), "--users", str(args.idle_users),
                              "--idle", "--prefix", "idle", "--connect-parallel", "128",
                              "--lobby"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        held = json.loads(p.stdout.readline())
        time.sleep(1.0)
        rss1 = proc_mem_kb(gw)[0]
        snap = stack.sampler.snapshot(launcher=False)
        p.stdin.close()
        p.wait(60)
        out["idle_conns"] = {"connected": held["connected"], "connect_s": held["connect_s"],
                             "gateway_rss0_mb": rss0 / 1024, "gateway_rss1_mb": rss1 / 1024,
                             "kb_per_connection": (rss1 - rss0) / max(1, held["connected"]),
                             "stack_rss_mb": sum(v["rss_kb"] for v in snap.values()) / 1024}
    finally:
        stack.stop()

    # One lobby broadcast to N clients, a few times: time to the last client, stack CPU each.
    r = load_run(durable, args.lobby_clients, 2, args.broadcasts / 2, lobby=True, prefix="bc")
    out["broadcast"] = {"clients": args.lobby_clients, "messages": r["sent"],
                        "complete_p50_ms": r["complete"]["p50_ms"],
                        "complete_max_ms": r["complete"]["max_ms"],
                        "delivery_p50_ms": r["delivery"]["p50_ms"],
                        "cpu_ms_per_broadcast": None, "lost": r["lost"]}
    # The stack's CPU during the sends (chatload's phase lines), per broadcast.
    per = lambda name: r["cpu"].get(name, 0) / max(1, r["sent"]) * 1000
    out["broadcast"]["cpu_ms_per_broadcast"] = sum(r["cpu"].values()) / max(1, r["sent"]) * 1000
    out["broadcast"]["fanout_cpu_ms_per_broadcast"] = per("chat-fanout")
    out["broadcast"]["gateway_cpu_ms_per_broadcast"] = per("gateway")
    return out


def main():
    ap = argparse.ArgumentParser(prog="scripts/bench chat")
    ap.add_argument("--quick", action="store_true", help="small runs: 200 clients, 5 s, 1 rep")
    ap.add_argument("--in-memory", action="store_true")
    ap.add_argument("--scenarios", default="a,b,c,d")
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--group", type=int, default=10)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lobby-clients", type=int, default=1000)
    ap.add_argument("--lobby-rate", type=float, default=10)
    ap.add_argument("--idle-connections", type=int, default=10000)
    ap.add_argument("--idle-users", type=int, default=10)
    ap.add_argument("--broadcasts", type=int, default=10)
    ap.add_argument("--search-start", type=int, default=125)
    ap.add_argument("--search-max", type=int, default=4000)
    ap.add_argument("--search-steps", type=int, default=3)
    ap.add_argument("--search-seconds", type=float, default=15)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args()
    defaults = ap.parse_args([])
    if args.quick:
        for k, v in {"clients": 200, "rate": 200, "seconds": 5, "lobby_clients": 200,
                     "idle_connections": 2000, "search_seconds": 5, "search_max": 1000,
                     "reps": 1, "search_steps": 1, "broadcasts": 4}.items():
            if getattr(args, k) == getattr(defaults, k):
                setattr(args, k, v)
    scenarios = [s for s in args.scenarios.split(",") if s]
    durable = not args.in_memory
    mode = "durable" if durable else "in memory"
    if not CHATLOAD.exists():
        sys.exit(f"no {CHATLOAD}: scripts/build chatload")

    lines = [f"# Chat benchmark {datetime.date.today().isoformat()}", "",
             f"{os.cpu_count()} cores shared with other work and with the load generator; the "
             f"stack {mode}; one fresh stack per run; medians of {args.reps} runs unless said. "
             "Latencies from each message's due time on an open-loop schedule.", ""]
    results = {}
    if "a" in scenarios or "b" in scenarios:
        lines += HEADER
    if "a" in scenarios:
        name = f"(a) {args.clients} clients, groups of {args.group}, {args.rate:g} msg/s, {args.seconds:g} s"
        print(name, flush=True)
        runs = []
        for i in range(args.reps):
            runs.append(load_run(durable, args.clients, args.rate, args.seconds, args.group,
                                 prefix=f"a{i}", threads=args.threads))
            report(runs[-1])
        results["a"] = runs
        lines.append(result_row(name, runs))
    if "b" in scenarios:
        name = f"(b) lobby of {args.lobby_clients}, {args.lobby_rate:g} msg/s, {args.seconds:g} s"
        print(name, flush=True)
        runs = []
        for i in range(args.reps):
            runs.append(load_run(durable, args.lobby_clients, args.lobby_rate, args.seconds,
                                 lobby=True, prefix=f"b{i}", threads=args.threads))
            report(runs[-1])
        results["b"] = runs
        lines.append(result_row(name, runs))
    for key in ("a", "b"):
        if key in results:
            runs = results[key]
            lines.append("")
            lines.append(f"({key}) before the sends: {median_of(runs, 'connect_s'):.1f} s to connect, then "
                         f"{statistics.median(r['other_frames'].get('presence', 0) for r in runs):.0f} "
                         f"presence frames (one per stream batch with presence changes, to every connection) drained in "
                         f"{median_of(runs, 'settle_s'):.1f} s.")
    if "a" in results:
        cpu_table(results["a"], lines, "(a)")
    if "b" in results:
        cpu_table(results["b"], lines, "(b)")
    if "c" in scenarios:
        print("(c) rate search", flush=True)
        best, tried = rate_search(args, durable)
        results["c"] = [{"rate": t[0], "ok": t[2], "run": t[1]} for t in tried]
        lines += ["", f"(c) The highest rate with p99 delivery under 200 ms and nothing lost "
                  f"({args.clients} clients, groups of {args.group}, {args.search_seconds:g} s "
                  f"per step, one stack): **{best:g} msg/s** ({best * (args.group - 1):g} "
                  "deliveries/s).", "", "| msg/s | delivery p50 ms | p99 ms | lost | under 200 ms |",
                  "|---|---|---|---|---|"]
        for rate, r, good in sorted(tried, key=lambda t: t[0]):
            lines.append(f"| {rate:g} | {r['delivery']['p50_ms']:.1f} | {r['delivery']['p99_ms']:.1f} "
                         f"| {r['lost']} | {'yes' if good else 'no'} |")
    if "d" in scenarios:
        print("(d) start-up, idle memory, idle connections, one broadcast", flush=True)
        f = stack_facts(args, durable)
        results["d"] = f
        ic, bc = f["idle_conns"], f["broadcast"]
        lines += ["", "| fact | value |", "|---|---|",
                  f"| start to every `ready:` line (launcher, binaries built; median of "
                  f"{len(f['startup_s'])}) | {statistics.median(f['startup_s']) * 1000:.0f} ms |",
                  f"| idle stack RSS, every process but the launcher (median) | "
                  f"{statistics.median(f['idle_rss_mb']) - f['idle_by_process'].get('python3', 0):.1f} MB |",
                  "| idle RSS by process | " + ", ".join(
                      f"{n} {v:.1f} MB" for n, v in sorted(f["idle_by_process"].items())) + " |",
                  f"| gateway memory per idle connection ({ic['connected']} connections of "
                  f"{args.idle_users} users) | {ic['kb_per_connection']:.1f} KB "
                  f"(RSS {ic['gateway_rss0_mb']:.1f} -> {ic['gateway_rss1_mb']:.1f} MB) |",
                  f"| one lobby broadcast to {bc['clients']} clients ({bc['messages']} sent, "
                  f"1 every 0.5 s) | last client after {bc['complete_p50_ms']:.0f} ms (median), "
                  f"stack CPU {bc['cpu_ms_per_broadcast']:.0f} ms per broadcast (chat-fanout "
                  f"{bc['fanout_cpu_ms_per_broadcast']:.0f} ms, gateway "
                  f"{bc['gateway_cpu_ms_per_broadcast']:.0f} ms) |"]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(ROOT / "bench" / "results" / "last-chat-raw.json", "w") as fh:
        json.dump(results, fh)
    if args.no_record or args.quick:
        return
    out = ROOT / "bench" / "results" / f"{datetime.date.today().isoformat()}-chat.md"
    with open(out, "w") as fh:
        fh.write(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
