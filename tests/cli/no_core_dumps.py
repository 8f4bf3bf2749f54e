#!/usr/bin/env python3
"""The three programs keep the session key out of core dumps (TAP).

Each program is started as it holds (or is about to hold) a key: mosh-client
with MOSH_KEY and an unreachable 127.0.0.1 port on a pty, the mosh launcher
waiting for an ssh that never answers, and mosh-server's detached daemon.
From /proc we then read, for each: the soft core-size limit must be 0
(/proc/PID/limits) and the process must not be dumpable. The kernel makes the
/proc/PID files of a non-dumpable process belong to root, so the programs run
as a user other than root: as root we run them as nobody (copies of the
binaries in a private 0755 directory), otherwise as ourselves. They start with
their soft core limit raised to the hard limit, so a program that does not
lower it shows a non-zero one.

Every process is started here and killed by PID; every wait is bounded.
Usage: no_core_dumps.py BUILD_DIR
"""
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
NOBODY = 65534

n = 0
failed = False
pids = []


def point(cond, what, detail=""):
    global n, failed
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {what}")
    if not cond:
        failed = True
        for line in detail.splitlines():
            print(f"#   {line}")
    sys.stdout.flush()


def skip(what, reason):
    global n
    n += 1
    print(f"ok {n} - {what} # SKIP {reason}")


def as_user():
    """In the child before exec: raise the soft core limit, drop root."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def env_for(tmp):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "xterm", "HOME": tmp,
           "SHELL": "/bin/sh"}
    return env


def soft_core_limit(pid):
    with open(f"/proc/{pid}/limits", encoding="ascii") as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4]
    return None


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return None


def observe(pid, name, timeout=5.0):
    """Waits (bounded) until PID runs NAME with core dumps off; returns the
    last (soft core limit, /proc owner uid, process uid) seen."""
    deadline = time.monotonic() + timeout
    seen = (None, None, None)
    while time.monotonic() < deadline:
        if comm(pid) == name[:15]:
            try:
                owner = os.stat(f"/proc/{pid}/status").st_uid
                with open(f"/proc/{pid}/status", encoding="ascii") as f:
                    uid = int(re.search(r"^Uid:\s+(\d+)", f.read(), re.M).group(1))
                seen = (soft_core_limit(pid), owner, uid)
            except (OSError, AttributeError):
                pass
            if seen[0] == "0" and seen[1] == 0 and seen[2] != 0:
                break
        time.sleep(0.05)
    return seen


def check(name, pid, hard):
    limit, owner, uid = observe(pid, name)
    if hard == "0":
        skip(f"{name}: soft core limit 0", "the hard core limit is 0 here: nothing to lower")
    else:
        point(limit == "0", f"{name}: soft core limit 0", f"soft core limit {limit}")
    point(owner == 0 and uid not in (None, 0), f"{name}: not dumpable (/proc/PID/status owned by root)",
          f"/proc/{pid}/status owner {owner}, process uid {uid}")


def children(pid):
    out = []
    for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                out += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def kill(pid):
    for c in children(pid):
        kill(c)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def reap(pid):
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def test_client(bindir, tmp, hard):
    env = env_for(tmp)
    env["MOSH_KEY"] = "A" * 21 + "A"
    pid, fd = pty.fork()
    if pid == 0:
        try:
            as_user()
            os.execve(f"{bindir}/mosh-client", ["mosh-client", "127.0.0.1", "9"], env)
        finally:
            os._exit(127)
    pids.append(pid)
    check("mosh-client", pid, hard)
    kill(pid)
    reap(pid)
    os.close(fd)


def test_launcher(bindir, tmp, hard):
    p = subprocess.Popen([f"{bindir}/mosh", "--ssh=sh -c 'sleep 30'",
                          f"--client={bindir}/mosh-client", "127.0.0.1"],
                         env=env_for(tmp), preexec_fn=as_user, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pids.append(p.pid)
    check("mosh", p.pid, hard)
    kill(p.pid)
    p.wait(timeout=10)


def test_server(bindir, tmp, hard):
    p = subprocess.run([f"{bindir}/mosh-server", "new", "-i", "127.0.0.1", "-p", "0", "--",
                        "/bin/sh"], env=env_for(tmp), preexec_fn=as_user,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    m = re.search(r"detached, pid = (\d+)", p.stdout + p.stderr)
    point(m is not None, "mosh-server new detaches and names its pid", p.stdout + p.stderr)
    if m is None:
        return
    pid = int(m.group(1))
    pids.append(pid)
    check("mosh-server", pid, hard)
    kill(pid)


def main():
    with open("/proc/self/limits", encoding="ascii") as f:
        hard = next(line.split()[5] for line in f if line.startswith("Max core file size"))
    tmp = tempfile.mkdtemp(prefix="moshc-nocore.")
    try:
        os.chmod(tmp, 0o755)
        for prog in ("mosh", "mosh-server", "mosh-client"):
            shutil.copy(os.path.join(BUILD, prog), tmp)
        test_client(tmp, tmp, hard)
        test_launcher(tmp, tmp, hard)
        test_server(tmp, tmp, hard)
    finally:
        for pid in pids:
            kill(pid)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
