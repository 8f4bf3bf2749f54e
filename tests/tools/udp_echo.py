#!/usr/bin/env python3
"""A UDP echo server for relay tests: answers each datagram with the datagram
followed by b"|<source port>", so the sender can see which port the server saw
(a relay rebind changes it). Writes its port to --ready-file once bound; exits
on SIGTERM or after --exit-after seconds (a safety bound for tests).

Usage: udp_echo.py [--bind ADDR] [--ready-file PATH] [--exit-after SECONDS]
"""
import argparse
import os
import select
import signal
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--ready-file")
    ap.add_argument("--exit-after", type=float, default=60.0)
    a = ap.parse_args()

    fam = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((a.bind, 0))
    port = s.getsockname()[1]
    if a.ready_file:
        tmp = a.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.rename(tmp, a.ready_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    deadline = time.monotonic() + a.exit_after
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([s], [], [], left)
        if r:
            data, src = s.recvfrom(65536)
            s.sendto(data + b"|%d" % src[1], src)


if __name__ == "__main__":
    main()
