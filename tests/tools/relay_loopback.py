#!/usr/bin/env python3
"""mosh-relay on loopback, between this script (the client) and udp_echo.py.

Checks, as TAP: the ready file and the printed port; round-trip time close to
the configured delay (loose bounds: timers have 1 ms steps and the machine is
shared, so only the lower bound is tight); loss close to the configured rate
and the stats file's counters adding up; SIGUSR1 blackout; a rebind changing
the source port the echo server sees while replies keep coming; a roaming
client; IPv6 listen; SIGTERM ending the relay with the stats written.
Every process is started here, killed by PID in a finally block, and every
wait is bounded.

Usage: relay_loopback.py BUILD_DIR
"""
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
RELAY = os.path.join(BUILD, "tools", "mosh-relay")

procs = []
n_tests = 0
failed = 0
tmp = tempfile.mkdtemp(prefix="relay-test.")


def ok(cond, what, detail=""):
    global n_tests, failed
    n_tests += 1
    if cond:
        print(f"ok {n_tests} - {what}")
    else:
        failed += 1
        print(f"not ok {n_tests} - {what}")
        if detail:
            print(f"# {detail}")
    sys.stdout.flush()


def skip(what, reason):
    """A point that could not run: numbered like the others, counted as a skip."""
    global n_tests
    n_tests += 1
    print(f"ok {n_tests} - {what} # SKIP {reason}")
    sys.stdout.flush()


def wait_file(path, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read()
            if text.endswith("\n"):
                return text
        time.sleep(0.01)
    raise RuntimeError(f"{path} did not appear within {timeout} s")


def start(args, ready):
    p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    procs.append(p)
    return p, int(wait_file(ready).strip())


def start_echo():
    ready = os.path.join(tmp, f"echo.{len(procs)}")
    return start([sys.executable, os.path.join(HERE, "udp_echo.py"), "--ready-file", ready,
                  "--exit-after", "60"], ready)


def start_relay(target_port, *opts, listen="127.0.0.1:0"):
    ready = os.path.join(tmp, f"relay.{len(procs)}")
    stats = os.path.join(tmp, f"stats.{len(procs)}")
    p, port = start([RELAY, "--listen", listen, "--target", f"127.0.0.1:{target_port}",
                     "--ready-file", ready, "--stats", stats, "--exit-after", "60000",
                     *opts], ready)
    return p, port, stats


def stop(p, timeout=5.0):
    """SIGTERM, then wait (bounded); returns the exit status or None."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def read_stats(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                out[k] = int(v)
    return out


def client(family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    return s


def recv_all(s, until, limit=None):
    """Replies (payload, echo-seen port, arrival time) until the monotonic time `until`
    or `limit` replies; `until` None takes only what is already there."""
    got = []
    s.settimeout(0.0 if until is None else 0.05)
    while limit is None or len(got) < limit:
        if until is not None and time.monotonic() >= until:
            break
        try:
            data = s.recv(65536)
        except (socket.timeout, BlockingIOError):
            if until is None:
                break
            continue
        body, _, port = data.rpartition(b"|")
        got.append((body, int(port), time.monotonic()))
    return got


def test_delay(echo_port):
    relay, port, stats = start_relay(echo_port, "--delay", "50", "--seed", "1")
    line = relay.stdout.readline()
    ok(line.strip() == f"listening on 127.0.0.1:{port}", "prints the listen port", line)
    s = client()
    addr = ("127.0.0.1", port)
    sent = {}
    rtts = []
    # Sequential pings measure each round trip without queueing effects.
    for i in range(20):
        sent[i] = time.monotonic()
        s.sendto(b"d:%d" % i, addr)
        for body, _, t in recv_all(s, time.monotonic() + 0.5, limit=1):
            seq = int(body.split(b":")[1])
            rtts.append((t - sent[seq]) * 1000)
    rtts.sort()
    med = statistics.median(rtts) if rtts else 0
    ok(len(rtts) == 20, "every ping answered without loss configured", f"{len(rtts)}/20")
    # Two 50 ms hops with 1 ms timer steps: never below 98 ms; above is scheduling noise.
    ok(rtts and rtts[0] >= 98.0 and med <= 125.0,
       f"RTT close to 2 x 50 ms (min {rtts[0] if rtts else 0:.1f}, median {med:.1f}, "
       f"max {rtts[-1] if rtts else 0:.1f})")
    print(f"# rtt ms: min {rtts[0]:.1f} median {med:.1f} max {rtts[-1]:.1f}")
    ok(stop(relay) == 0, "SIGTERM ends the relay with status 0")
    st = read_stats(stats)
    ok(st.get("up.forwarded") == 20 and st.get("down.forwarded") == 20,
       "stats written on SIGTERM count every datagram", str(st))
    s.close()


def test_loss(echo_port):
    relay, port, stats = start_relay(echo_port, "--loss", "10", "--seed", "7")
    s = client()
    addr = ("127.0.0.1", port)
    n = 1000
    got = []
    for i in range(n):
        s.sendto(b"l:%d" % i, addr)
        if i % 20 == 19:
            time.sleep(0.002)  # keep well under the loopback socket buffers
            got += recv_all(s, None)
    got += recv_all(s, time.monotonic() + 0.5)
    os.kill(relay.pid, signal.SIGHUP)
    time.sleep(0.2)
    st = read_stats(stats)
    # Survival 0.9 x 0.9 = 0.81: sigma = sqrt(1000 x 0.81 x 0.19) = 12.4; 5 sigma = 62.
    ok(abs(len(got) - 810) <= 62, f"10 % loss each way: {len(got)} of {n} answered (810 +- 62)")
    print(f"# loss: {n - len(got)} of {n} round trips lost, expected 190")
    ok(st["up.received"] == n and
       st["up.dropped_loss"] + st["up.forwarded"] == n and
       st["down.received"] == st["up.forwarded"] and
       st["down.dropped_loss"] + st["down.forwarded"] == st["down.received"] and
       st["down.forwarded"] == len(got),
       "counters add up (SIGHUP writes them)", str(st))
    ok(abs(st["up.dropped_loss"] - 100) <= 48, f"up loss {st['up.dropped_loss']} of 1000 (100 +- 48)")
    stop(relay)
    s.close()


def test_blackout(echo_port):
    relay, port, stats = start_relay(echo_port)
    s = client()
    addr = ("127.0.0.1", port)
    s.sendto(b"b:0", addr)
    before = recv_all(s, time.monotonic() + 0.3)
    os.kill(relay.pid, signal.SIGUSR1)
    time.sleep(0.2)
    for i in range(5):
        s.sendto(b"b:%d" % (i + 1), addr)
    during = recv_all(s, time.monotonic() + 0.3)
    os.kill(relay.pid, signal.SIGUSR1)
    time.sleep(0.2)
    s.sendto(b"b:9", addr)
    after = recv_all(s, time.monotonic() + 0.3)
    stop(relay)
    st = read_stats(stats)
    ok(len(before) == 1 and len(during) == 0 and len(after) == 1 and
       st["up.dropped_blackout"] == 5, "SIGUSR1 toggles a blackout", f"{before} {during} {after} {st}")
    s.close()


def test_rebind_and_roam(echo_port):
    relay, port, stats = start_relay(echo_port)
    s = client()
    addr = ("127.0.0.1", port)
    s.sendto(b"r:0", addr)
    first = recv_all(s, time.monotonic() + 0.3)
    os.kill(relay.pid, signal.SIGUSR2)
    ports = set()
    end = time.monotonic() + 3.0
    i = 1
    while time.monotonic() < end:
        s.sendto(b"r:%d" % i, addr)
        i += 1
        got = recv_all(s, time.monotonic() + 0.05)
        ports.update(p for _, p, _ in got)
        if ports and first and first[0][1] not in ports:
            break
    ok(first and ports and first[0][1] not in ports,
       f"SIGUSR2: the echo server sees a new source port ({first[0][1] if first else '-'} -> "
       f"{sorted(ports)}) and replies keep coming")
    # The client roams: the relay answers its latest source address.
    s2 = client()
    s2.sendto(b"r:roam", addr)
    roamed = recv_all(s2, time.monotonic() + 0.3)
    ok(len(roamed) == 1 and roamed[0][0] == b"r:roam", "a roaming client gets the replies")
    ok(stop(relay) == 0, "SIGTERM after rebinds")
    st = read_stats(stats)
    ok(st["rebinds"] == 1 and st["client_changes"] == 1 and
       st["upstream_port"] in ports, "stats record the rebind and the roam", str(st))
    s.close()
    s2.close()


def test_rebind_every(echo_port):
    relay, port, stats = start_relay(echo_port, "--rebind-every", "100")
    s = client()
    addr = ("127.0.0.1", port)
    ports = set()
    replies = 0
    for i in range(12):
        s.sendto(b"e:%d" % i, addr)
        got = recv_all(s, time.monotonic() + 0.05)
        replies += len(got)
        ports.update(p for _, p, _ in got)
    stop(relay)
    ok(len(ports) >= 3 and replies >= 10,
       f"--rebind-every 100: {len(ports)} source ports over 0.6 s, {replies}/12 replies")
    s.close()


def burst(relay_port, count, size=8, tag=b"x", wait=1.0, gap=0.002, expect=None):
    """Send count datagrams back to back; returns the replies (arrival order) once
    `expect` replies came (default count) or `wait` seconds passed."""
    s = client()
    addr = ("127.0.0.1", relay_port)
    sent = {}
    for i in range(count):
        sent[i] = time.monotonic()
        s.sendto((b"%s:%d:" % (tag, i)).ljust(size, b"."), addr)
        time.sleep(gap)
    got = recv_all(s, time.monotonic() + wait, limit=count if expect is None else expect)
    s.close()
    return [(int(b.split(b":")[1]), (t - sent[int(b.split(b":")[1])]) * 1000, t)
            for b, _, t in got]


def test_direction_options(echo_port):
    # Asymmetric delays with jitter: the plain option sets both, the prefixed ones override.
    relay, port, _ = start_relay(echo_port, "--jitter", "10", "--up-delay", "60",
                                 "--down-delay", "20", "--seed", "3")
    got = burst(port, 50)
    stop(relay)
    rtts = sorted(r for _, r, _ in got)
    order = [i for i, _, _ in got]
    med = statistics.median(rtts) if rtts else 0
    # 60 +- 10 up plus 20 +- 10 down: 60..100 ms, median 80; the floor is hard
    # (less 2 ms of clock steps), the top only scheduling noise, so not checked.
    ok(len(got) == 50 and rtts[0] >= 58.0 and 70.0 <= med <= 95.0,
       f"--up-delay 60 --down-delay 20 --jitter 10: RTT min {rtts[0]:.1f}, median {med:.1f}, "
       f"max {rtts[-1]:.1f} ms (60..100, median 80)")
    ok(order != sorted(order), "jitter of 10 ms reorders datagrams sent 2 ms apart")

    relay, port, _ = start_relay(echo_port, "--delay", "40", "--jitter", "10", "--no-reorder",
                                 "--seed", "3")
    got = burst(port, 50)
    stop(relay)
    order = [i for i, _, _ in got]
    ok(len(got) == 50 and order == sorted(order), "--no-reorder keeps FIFO order despite jitter")

    relay, port, stats = start_relay(echo_port, "--up-dup", "100")
    got = burst(port, 10, expect=21)  # one more than due, to catch extra copies
    stop(relay)
    st = read_stats(stats)
    ok(len(got) == 20 and st["up.duplicated"] == 10 and st["down.duplicated"] == 0,
       f"--up-dup 100 duplicates only upward ({len(got)} replies to 10)")

    # 800 kbit/s down = 100 bytes/ms: each 1006-byte reply takes 10.06 ms of link time,
    # so the 10th reaches us at least 9 x 10.06 ms after the 1st, less 2 ms for the
    # relay's millisecond clock. Measured between arrivals, so a late send (a loaded
    # machine) can only lengthen it.
    relay, port, stats = start_relay(echo_port, "--down-rate", "800")
    got = burst(port, 10, size=1000, gap=0)
    stop(relay)
    arrived = {i: t for i, _, t in got}
    span = (arrived[9] - arrived[0]) * 1000 if 0 in arrived and 9 in arrived else 0
    ok(len(got) == 10 and 88.5 <= span <= 1000.0,
       f"--down-rate 800: the 10th 1006-byte reply arrives {span:.1f} ms after the 1st "
       "(>= 9 x 10.06 - 2 ms)")

    relay, port, stats = start_relay(echo_port, "--blackout", "0:400")
    early = burst(port, 5, wait=0.1)
    time.sleep(0.4)
    late = burst(port, 5, wait=0.3)
    stop(relay)
    st = read_stats(stats)
    ok(len(early) == 0 and len(late) == 5 and st["up.dropped_blackout"] == 5,
       "--blackout 0:400 drops the first 400 ms only")


def test_ipv6(echo_port):
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        skip("IPv6 literal listen address relays to an IPv4 target", "no ::1 on this machine")
        return
    relay, port, _ = start_relay(echo_port, listen="[::1]:0")
    line = relay.stdout.readline()
    s = client(socket.AF_INET6)
    s.sendto(b"v6", ("::1", port))
    got = recv_all(s, time.monotonic() + 0.5)
    stop(relay)
    ok(line.strip() == f"listening on [::1]:{port}" and len(got) == 1,
       "IPv6 literal listen address relays to an IPv4 target", line)
    s.close()


def test_bad_usage():
    r = subprocess.run([RELAY, "--listen", "127.0.0.1:0", "--target", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=5)
    r2 = subprocess.run([RELAY, "--listen", "127.0.0.1", "--target", "127.0.0.1:9"],
                        capture_output=True, text=True, timeout=5)
    ok(r.returncode != 0 and "port must not be 0" in r.stderr, "a target port of 0 is refused",
       r.stderr)
    ok(r2.returncode != 0 and "ADDR:PORT" in r2.stderr, "an address without port is refused",
       r2.stderr)
    r3 = subprocess.run([RELAY, "--listen", "127.0.0.1:0", "--target", "127.0.0.1:9",
                         "--up-delay", "soon"], capture_output=True, text=True, timeout=5)
    ok(r3.returncode == 2 and "--up-delay wants milliseconds" in r3.stderr,
       "a bad per-direction value is refused by its own name", r3.stderr)
    r4 = subprocess.run([RELAY, "--help"], capture_output=True, text=True, timeout=5)
    ok(r4.returncode == 0 and r4.stdout.startswith("Usage: mosh-relay") and
       "--down-NAME" in r4.stdout and "SIGUSR2" in r4.stdout, "--help documents the options")


def main():
    try:
        echo, echo_port = start_echo()
        test_delay(echo_port)
        test_loss(echo_port)
        test_blackout(echo_port)
        test_rebind_and_roam(echo_port)
        test_rebind_every(echo_port)
        test_direction_options(echo_port)
        test_ipv6(echo_port)
        test_bad_usage()
    except Exception as e:  # a harness failure is a test failure, with its reason
        ok(False, f"harness: {e!r}")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(5)
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    print(f"1..{n_tests}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
