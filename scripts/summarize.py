#!/usr/bin/env python3
"""Counts test results from meson's testlog.json files and prints the closing line.

Model: a TAP program counts once per test point: "ok" passes, "not ok" fails,
"ok ... # SKIP reason" is skipped. A TAP program that meson did not accept
(it died before its plan, exited non-zero, broke its numbering) while none of
its points failed adds one failure, so a crash is never hidden behind the
points it printed first. Any other test counts once by its meson result
(OK passes, SKIP is skipped, anything else fails).

Output: one line per log ("LABEL: N passed, M failed[, K skipped]"), then every
skipped test or point with its reason, every failed test with the names of its
failed points (CI may show only the end of a run's output, so what failed must
be there), and last the closing line "N passed, M failed[, K skipped]" over all
logs, which CI reads.
Exit status 1 when anything failed.

Usage: summarize.py LABEL=path/testlog.json ...
"""
import json
import re
import sys

POINT = re.compile(r"^(not ok|ok)\b(?:[ \t]+\d+)?(?:[ \t]*-)?[ \t]*(.*)$", re.M)
SKIP = re.compile(r"#\s*skip\S*\s*(.*)$", re.I)
GOOD = ("OK", "SKIP")


class Counts:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def add(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped

    def line(self):
        s = f"{self.passed} passed, {self.failed} failed"
        if self.skipped:
            s += f", {self.skipped} skipped"
        return s


def skip_reason(out):
    """The reason a whole test gave for skipping: its "1..0 # SKIP reason"
    plan or "# SKIP" line if it printed one, else its last line of output."""
    for line in out.splitlines():
        m = SKIP.search(line)
        if m:
            return m.group(1).strip() or "no reason given"
    lines = out.strip().splitlines()
    return lines[-1].strip() if lines else "no reason given"


def count_test(t, name, counts, skips, failures):
    """Adds one testlog.json entry to counts; appends to skips and failures."""
    out = t.get("stdout") or ""
    result = t.get("result", "ERROR")
    points = list(POINT.finditer(out))
    if points:
        failed_points = []
        for p in points:
            if p.group(1) == "not ok":
                counts.failed += 1
                failed_points.append(p.group(2).strip())
                continue
            m = SKIP.search(p.group(2))
            if m:
                counts.skipped += 1
                desc = p.group(2)[: m.start()].strip()
                reason = m.group(1).strip() or "no reason given"
                skips.append(f"{name}: {desc}: {reason}" if desc else f"{name}: {reason}")
            else:
                counts.passed += 1
        if result not in GOOD:
            if not failed_points:
                counts.failed += 1
            failures.append(f"{name} ({result})")
        failures.extend(f"{name}: not ok: {d or '(no description)'}" for d in failed_points)
    elif result == "OK":
        counts.passed += 1
    elif result == "SKIP":
        counts.skipped += 1
        skips.append(f"{name}: {skip_reason(out)}")
    else:
        counts.failed += 1
        failures.append(f"{name} ({result})")


def count_log(label, path, skips, failures):
    counts = Counts()
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as e:
        failures.append(f"{label}: no test log ({e})")
        counts.failed += 1
        return counts
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            t = json.loads(line)
        except ValueError:
            failures.append(f"{label}: {path}:{n} is not JSON")
            counts.failed += 1
            continue
        count_test(t, f"{label}/{t.get('name', '?')}", counts, skips, failures)
    return counts


def main(args):
    total = Counts()
    skips, failures = [], []
    for arg in args:
        label, _, path = arg.partition("=")
        counts = count_log(label, path, skips, failures)
        print(f"{label}: {counts.line()}")
        total.add(counts)
    for s in skips:
        print(f"skipped: {s}")
    for f in failures:
        print(f"FAILED: {f}")
    print(total.line())
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
