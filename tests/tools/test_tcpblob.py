#!/usr/bin/env python3
"""tcpblob.py on loopback, so the forwarding tests can trust their judge.

Checks, as TAP: a download equals `expect` for its size and seed and differs
for another seed or one byte less; an upload to a sink is answered with the
same line; a paused fetch still gets everything; the count file counts
connections; a fetch from a closed port fails (status 1, a message) within
its connect timeout; a fetch from a server that stalls ends at --timeout.
Every process is started here, killed by PID in a finally block, and every
wait is bounded.

Usage: test_tcpblob.py
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TCPBLOB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tcpblob.py")
procs = []
n_tests = 0
failed = 0
tmp = tempfile.mkdtemp(prefix="tcpblob-test.")


def ok(cond, what, detail=""):
    global n_tests, failed
    n_tests += 1
    if cond:
        print(f"ok {n_tests} - {what}")
    else:
        failed += 1
        print(f"not ok {n_tests} - {what}")
        for line in str(detail).splitlines():
            print(f"# {line}")


def run(*args, timeout=60):
    return subprocess.run([sys.executable, TCPBLOB, *args], capture_output=True, text=True,
                          timeout=timeout)


def serve(name, *args):
    ready = os.path.join(tmp, name + ".ready")
    p = subprocess.Popen([sys.executable, TCPBLOB, "serve", "--port", "0", "--ready-file", ready,
                          "--count-file", os.path.join(tmp, name + ".count"), "--timeout", "60",
                          *args])
    procs.append(p)
    deadline = time.monotonic() + 10
    while not os.path.exists(ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    with open(ready) as f:
        return int(f.read())


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    size = 3_000_000
    want = run("expect", "--bytes", str(size), "--seed", "9").stdout.strip()
    ok(want.startswith(f"{size} ") and len(want.split()[1]) == 64, "expect prints COUNT SHA256",
       want)
    ok(run("expect", "--bytes", str(size), "--seed", "8").stdout.strip() != want,
       "another seed gives another stream")
    ok(run("expect", "--bytes", str(size - 1), "--seed", "9").stdout.split()[1] != want.split()[1],
       "one byte less gives another hash")

    src = serve("src", "--bytes", str(size), "--seed", "9")
    got = run("fetch", "--port", str(src))
    ok(got.returncode == 0 and got.stdout.strip() == want, "a download equals expect",
       got.stdout + got.stderr)
    t0 = time.monotonic()
    got = run("fetch", "--port", str(src), "--pause", "1")
    ok(got.stdout.strip() == want and time.monotonic() - t0 >= 1,
       "a fetch paused for 1 s still gets everything", got.stdout + got.stderr)
    with open(os.path.join(tmp, "src.count")) as f:
        count = f.read().strip()
    ok(count == "2", "the count file counts the connections", count)

    sink = serve("sink", "--mode", "sink")
    got = run("fetch", "--port", str(sink), "--send", str(size), "--seed", "9")
    ok(got.returncode == 0 and got.stdout.strip() == want, "the sink answers an upload with expect",
       got.stdout + got.stderr)

    t0 = time.monotonic()
    got = run("fetch", "--port", str(closed_port()), "--connect-timeout", "1")
    ok(got.returncode == 1 and "cannot connect" in got.stderr and time.monotonic() - t0 < 10,
       "a closed port fails with a message within the connect timeout", got.stderr)

    # A server that accepts and never sends nor closes: --timeout ends the fetch.
    stall = socket.socket()
    stall.bind(("127.0.0.1", 0))
    stall.listen(1)
    t0 = time.monotonic()
    got = run("fetch", "--port", str(stall.getsockname()[1]), "--timeout", "1")
    stall.close()
    ok(got.returncode == 1 and time.monotonic() - t0 < 10, "a stalled transfer ends at --timeout",
       got.stderr)


try:
    main()
finally:
    for p in procs:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
    shutil.rmtree(tmp, ignore_errors=True)
print(f"1..{n_tests}")
sys.exit(1 if failed or n_tests == 0 else 0)
