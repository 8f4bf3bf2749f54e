#!/usr/bin/env python3
"""Counts test results from meson's testlog.json files and prints the closing line.

A TAP program counts once per test point ("ok"/"not ok", "# SKIP" as skipped);
a TAP program that died before its plan adds one failure. Any other test counts
once by its meson result. Usage: summarize.py LABEL=path/testlog.json ...
"""
import json
import re
import sys

passed = failed = skipped = 0
for arg in sys.argv[1:]:
    label, _, path = arg.partition("=")
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as e:
        print(f"{label}: no test log ({e})")
        failed += 1
        continue
    for line in lines:
        t = json.loads(line)
        out = t.get("stdout") or ""
        points = re.findall(r"^(not ok|ok)\b[^\n]*", out, re.M)
        if points:
            for p in points:
                if p.startswith("not ok"):
                    failed += 1
                elif "# SKIP" in p:
                    skipped += 1
                else:
                    passed += 1
            if t["result"] not in ("OK", "SKIP") and not any(p.startswith("not ok") for p in points):
                failed += 1
            bad = t["result"] not in ("OK", "SKIP")
        elif t["result"] == "OK":
            passed += 1
            bad = False
        elif t["result"] == "SKIP":
            skipped += 1
            reason = out.strip().splitlines()[-1] if out.strip() else "no reason given"
            print(f"skipped: {label}/{t['name']}: {reason}")
            bad = False
        else:
            failed += 1
            bad = True
        if bad:
            print(f"FAILED: {label}/{t['name']} ({t['result']})")

line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
