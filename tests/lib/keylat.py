#!/usr/bin/env python3
"""Key-to-glyph measurements in a tmux pane (shared by tests/e2e and bench/).

Model: one tmux control-mode client (tmux -C attach, no pane output, ignoring
its size) carries both the keystrokes (send-keys -l, one key per command) and
the screen polls (capture-pane -p), so a poll costs a round trip on a pipe
instead of a fork. After each keystroke the pane is captured every --poll ms
until the expected text shows; the latency of that key is the time from just
before its send-keys command was written to just before the first capture
that showed it (an upper bound, within one poll interval plus tmux's own
handling of the capture).

Modes (all print one JSON object on stdout):
  type    type --text one key at a time, --interval ms apart. The first --prime
          keys are not measured: each is waited for and followed by --settle ms
          (an epoch of the prediction engine is confirmed by the first echoed
          key). For the others, key i counts as shown when the line that starts
          with --prompt reads prompt + text[:i+1] (trailing blanks ignored).
          Once the first key has shown, every capture also checks that this line
          reads the prompt plus a prefix of the text ("mangled" counts the captures where it did not).
          Output: {"lat": [ms...], "missed": n, "mangled": n, "captures": n,
                   "final": line, "first_mangled": screen or null}
  secret  type --text one key at a time while capturing throughout; any capture
          that differs from the screen before the first key counts as a leak.
          With --line L, the screen may change (a prompt may arrive), but every
          line that starts with L must read exactly L (trailing blanks ignored).
          Any line holding a --forbid text is a leak too. --enter-first sends
          Enter before the text (typing ahead of a prompt).
          Output: {"captures": n, "leaks": n, "first_leak": screen or null}
"""
import argparse
import json
import os
import select
import subprocess
import sys
import time


class Control:
    def __init__(self, sock, target):
        self.target = target
        self.proc = subprocess.Popen(
            ["tmux", "-L", sock, "-C", "attach", "-t", target, "-f", "no-output,ignore-size"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""
        # Attaching answers with a block of its own: skip blocks up to our marker's.
        self.proc.stdin.write(b"display-message -p keylat-sync\n")
        deadline = time.monotonic() + 5.0
        while self._block(deadline) != [b"keylat-sync"]:
            pass

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("tmux control client did not answer")
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise EOFError("tmux control client ended")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def cmd(self, command, timeout=5.0):
        """Run one command; return its output lines (bytes)."""
        self.proc.stdin.write(command.encode() + b"\n")
        return self._block(time.monotonic() + timeout)

    def _block(self, deadline):
        """The output of our next command. Blocks whose flags are not 1 answer
        commands that did not come from this client (the attach itself) and
        may arrive at any time: skipped."""
        while True:
            while True:
                line = self._line(deadline)
                if line.startswith(b"%begin"):
                    break
            ours = line.split()[-1:] == [b"1"]
            out = []
            while True:
                line = self._line(deadline)
                if line.startswith(b"%end") or line.startswith(b"%error"):
                    break
                out.append(line)
            if ours:
                return out

    def send_key(self, key):
        quoted = key.replace("\\", "\\\\").replace("'", "\\'")
        self.cmd("send-keys -t %s -l '%s'" % (self.target, quoted))

    def screen(self):
        return [l.decode("utf-8", "replace") for l in self.cmd("capture-pane -p -t " + self.target)]

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def prompt_line(screen, prompt):
    """The text after the last line that starts with prompt (None if none)."""
    found = None
    for line in screen:
        line = line.rstrip()
        if line.startswith(prompt.rstrip()):
            found = line[len(prompt):]
    return found


def run_type(ctl, a):
    lat, missed, mangled, captures = [], 0, 0, 0
    first_mangled = None
    seen_any = False
    for i, key in enumerate(a.text):
        want = a.text[:i + 1].rstrip()
        t0 = time.monotonic()
        ctl.send_key(key)
        seen = None
        while time.monotonic() - t0 < a.timeout / 1000.0:
            t = time.monotonic()
            screen = ctl.screen()
            rest = prompt_line(screen, a.prompt)
            captures += 1
            if seen_any and (rest is None or not a.text.startswith(rest)):
                mangled += 1
                if first_mangled is None:
                    first_mangled = repr(screen)
            elif rest == want:
                seen = (t - t0) * 1000.0
                seen_any = True
                break
            time.sleep(a.poll / 1000.0)
        if i < a.prime:
            time.sleep(a.settle / 1000.0)
        elif seen is None:
            missed += 1
        else:
            lat.append(round(seen, 2))
        left = a.interval / 1000.0 - (time.monotonic() - t0)
        if left > 0:
            time.sleep(left)
    time.sleep(a.settle / 1000.0)
    final = prompt_line(ctl.screen(), a.prompt)
    return {"lat": lat, "missed": missed, "mangled": mangled, "captures": captures,
            "final": final, "first_mangled": first_mangled}


def run_secret(ctl, a):
    base = ctl.screen()
    st = {"captures": 0, "leaks": 0, "first_leak": None}

    def leaked(s):
        if any(f in l for f in a.forbid for l in s):
            return True
        if a.line is None:
            return s != base
        return any(l.startswith(a.line) and l.rstrip() != a.line.rstrip() for l in s)

    def watch(until):
        while time.monotonic() < until:
            s = ctl.screen()
            st["captures"] += 1
            if leaked(s):
                st["leaks"] += 1
                if st["first_leak"] is None:
                    st["first_leak"] = "\n".join(s)
            time.sleep(a.poll / 1000.0)

    if a.enter_first:
        ctl.cmd("send-keys -t %s Enter" % a.target)
    for key in a.text:
        t0 = time.monotonic()
        ctl.send_key(key)
        watch(t0 + a.interval / 1000.0)
    watch(time.monotonic() + a.settle / 1000.0)
    return st


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["type", "secret"])
    p.add_argument("--socket", required=True, help="tmux -L socket name")
    p.add_argument("--target", required=True, help="tmux session")
    p.add_argument("--text", required=True)
    p.add_argument("--prompt", default="$ ")
    p.add_argument("--interval", type=float, default=100.0, help="ms between keys")
    p.add_argument("--poll", type=float, default=1.0, help="ms between captures")
    p.add_argument("--prime", type=int, default=0, help="unmeasured leading keys")
    p.add_argument("--settle", type=float, default=600.0, help="ms after a primed key")
    p.add_argument("--line", default=None, help="secret: the line that must not change")
    p.add_argument("--forbid", action="append", default=[],
                   help="secret: text that must never be on screen (repeatable)")
    p.add_argument("--enter-first", action="store_true", help="secret: Enter before the text")
    p.add_argument("--timeout", type=float, default=3000.0, help="ms to wait for a key")
    a = p.parse_args()
    ctl = Control(a.socket, a.target)
    try:
        res = run_type(ctl, a) if a.mode == "type" else run_secret(ctl, a)
    finally:
        ctl.close()
    json.dump(res, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
