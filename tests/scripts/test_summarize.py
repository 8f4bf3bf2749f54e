#!/usr/bin/env python3
"""TAP test of scripts/summarize.py: synthetic testlog.json files, one per way a
test can end (pass, fail, TAP skip points, a TAP skip plan, a TAP program dying
before its plan, a meson ERROR, a non-TAP SKIP, a missing log), each checked
against the counts and lines the script must print.

Usage: test_summarize.py [SOURCE_ROOT]
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
SCRIPT = os.path.join(ROOT, "scripts", "summarize.py")

n = 0
failed = False


def check(desc, cond, detail=""):
    global n, failed
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {desc}")
    if not cond:
        failed = True
        for line in detail.splitlines():
            print(f"#   {line}")


def entry(name, result, stdout=""):
    return {"name": name, "result": result, "stdout": stdout}


def run(tmp, logs):
    """Writes each {label: [entries]} log and runs the script on them."""
    args = []
    for label, entries in logs.items():
        path = os.path.join(tmp, f"{label}.json")
        if entries is not None:
            with open(path, "w", encoding="utf-8") as f:
                for e in entries:
                    f.write(json.dumps(e) + "\n")
        args.append(f"{label}={path}")
    p = subprocess.run([sys.executable, SCRIPT] + args, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout


def last(out):
    lines = out.strip().splitlines()
    return lines[-1] if lines else ""


with tempfile.TemporaryDirectory() as tmp:
    rc, out = run(tmp, {"a": [entry("t1", "OK", "ok 1 - one\nok 2 - two\n1..2\n"),
                              entry("t2", "OK", "")]})
    check("passing TAP points and a passing non-TAP test count 3", last(out) == "3 passed, 0 failed", out)
    check("all passing: exit 0", rc == 0, out)

    rc, out = run(tmp, {"a": [entry("t1", "FAIL", "ok 1 - one\nnot ok 2 - two\n1..2\n"),
                              entry("t2", "FAIL", "")]})
    check("a failing point and a failing non-TAP test count 2 failures", last(out) == "1 passed, 2 failed", out)
    check("a failure: exit 1", rc == 1, out)
    check("a failed test is named", "FAILED: a/t2 (FAIL)" in out, out)
    check("a failed point is named with its test", "FAILED: a/t1: not ok: two" in out, out)
    check("failures come before the closing line", out.strip().splitlines()[-2].startswith("FAILED: "), out)

    tap_skip = "ok 1 - one\nok 2 - IPv6 listen # SKIP no ::1 here\nok 3 # skip tmux missing\n1..3\n"
    rc, out = run(tmp, {"a": [entry("t1", "OK", tap_skip)]})
    check("SKIP points count as skipped, not passed", last(out) == "1 passed, 0 failed, 2 skipped", out)
    check("a skipped point is listed with its test, description and reason",
          "skipped: a/t1: IPv6 listen: no ::1 here" in out, out)
    check("a skipped point without a description is listed with its reason",
          "skipped: a/t1: tmux missing" in out, out)
    check("skips alone: exit 0", rc == 0, out)

    rc, out = run(tmp, {"a": [entry("t1", "SKIP", "1..0 # SKIP sshd not installed\n")]})
    check("a TAP skip plan counts one skip", last(out) == "0 passed, 0 failed, 1 skipped", out)
    check("a TAP skip plan's reason is listed", "skipped: a/t1: sshd not installed" in out, out)

    rc, out = run(tmp, {"a": [entry("t1", "ERROR", "ok 1 - one\nok 2 - two\n")]})
    check("a TAP program dying before its plan adds a failure", last(out) == "2 passed, 1 failed", out)
    check("the dead TAP program is named", "FAILED: a/t1 (ERROR)" in out, out)

    rc, out = run(tmp, {"a": [entry("t1", "ERROR", "ok 1 - one\nnot ok 2 - two\n")]})
    check("a dying TAP program with a failed point is not counted twice", last(out) == "1 passed, 1 failed", out)

    rc, out = run(tmp, {"a": [entry("t1", "ERROR", "1..0 # SKIP exited 77\n")]})
    check("a meson ERROR (exit 77 under TAP) is a failure", last(out) == "0 passed, 1 failed", out)
    check("a meson ERROR fails the run", rc == 1, out)

    rc, out = run(tmp, {"a": [entry("t1", "SKIP", "skip: tmux not found\n")]})
    check("a non-TAP SKIP counts one skip", last(out) == "0 passed, 0 failed, 1 skipped", out)
    check("a non-TAP SKIP's reason is its last line", "skipped: a/t1: skip: tmux not found" in out, out)

    rc, out = run(tmp, {"a": [entry("t1", "TIMEOUT", "")]})
    check("a timeout is a failure", last(out) == "0 passed, 1 failed", out)

    rc, out = run(tmp, {"a": None})
    check("a missing log is a failure", last(out) == "0 passed, 1 failed" and rc == 1, out)

    rc, out = run(tmp, {"debug": [entry("t1", "OK", "ok 1\nok 2\n1..2\n")],
                        "asan+ubsan": [entry("t1", "OK", "ok 1\nnot ok 2\n1..2\n"),
                                       entry("t2", "SKIP", "")]})
    lines = out.strip().splitlines()
    check("each log has its own line", "debug: 2 passed, 0 failed" in lines
          and "asan+ubsan: 1 passed, 1 failed, 1 skipped" in lines, out)
    check("the closing line adds the logs", last(out) == "3 passed, 1 failed, 1 skipped", out)
    check("skips are listed before the closing line",
          any(line.startswith("skipped: asan+ubsan/t2") for line in lines[:-1]), out)

print(f"1..{n}")
sys.exit(1 if failed else 0)
