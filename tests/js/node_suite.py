"""What the pytest drivers of the node:test suites in tests/js share: running node or npm in a
process group of their own, and installing the pinned packages of package-lock.json."""

import os
import pathlib
import shutil
import signal
import subprocess

import pytest

JS_DIR = pathlib.Path(__file__).resolve().parent
REPO = JS_DIR.parents[1]
NPM_CI_TIMEOUT = 300


def run(argv, timeout, cwd=REPO, env=None):
    """Run argv (in cwd, the repository root by default) in a process group of its own;
    returns (exit code, combined output). On timeout the whole group (node --test runs each
    test file in a child process) is killed and the test fails."""
    proc = subprocess.Popen(argv, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{' '.join(argv)} did not finish within {timeout} s\n"
                    f"--- output ---\n{out.decode('utf-8', 'replace')}", pytrace=False)
    return proc.returncode, out.decode("utf-8", "replace")


def ensure_node_modules(packages):
    """`npm ci` in tests/js unless every one of `packages` is installed."""
    missing = [p for p in packages
               if not (JS_DIR / "node_modules" / p / "package.json").is_file()]
    if not missing:
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"node is on PATH but npm is not; cannot install {', '.join(missing)} "
                    f"into {JS_DIR / 'node_modules'}", pytrace=False)
    rc, out = run([npm, "ci", "--no-audit", "--no-fund"], NPM_CI_TIMEOUT, cwd=JS_DIR)
    assert rc == 0, f"npm ci in {JS_DIR} failed with exit code {rc}\n--- output ---\n{out}"
