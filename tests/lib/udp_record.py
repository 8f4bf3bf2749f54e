#!/usr/bin/env python3
"""A UDP forwarder that records what the client sends, and a replayer.

Model: `forward` sits between one client and one server on loopback, like
tools/mosh-relay without impairments: datagrams from the client (the latest
source address wins) leave from one upstream socket connected to the target,
replies go back to the client. Every client datagram is appended to the
record file as a 4-byte big-endian length and the bytes, flushed at once, so
the file is complete whenever the forwarder is killed. With --record-down,
the server's datagrams to the client go to a second file the same way.
SIGUSR1 toggles a hold: client datagrams are still recorded but no longer
forwarded, so the record holds datagrams the server never saw.

With --replay-record and --replay-to, the forwarder also acts as an attacker
timed by this client: --replay-after ms after it has forwarded the client's
first datagram, it sends every datagram of that (other) record to that
address, again and again, for --replay-for ms, from a socket of its own.
That hits the moment right after the server has first heard this client
(when, say, an older link is being retired), which a separate process could
not aim at. The number of datagrams sent goes to --replay-count-file.

`replay` sends every recorded datagram once, in order, to one address.
Everything is bounded: the forwarder exits by itself after --exit-after s.

Usage:
  udp_record.py forward --target HOST:PORT --record FILE --ready-file FILE
                        [--record-down FILE] [--exit-after S]
                        [--replay-record FILE --replay-to HOST:PORT
                        --replay-count-file FILE [--replay-after MS] [--replay-for MS]]
  udp_record.py replay --record FILE --to HOST:PORT     (prints the count sent)
"""
import argparse
import os
import select
import signal
import socket
import struct
import sys
import time


def hostport(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def read_record(path):
    with open(path, "rb") as f:
        blob = f.read()
    out = []
    pos = 0
    while pos + 4 <= len(blob):
        (n,) = struct.unpack(">I", blob[pos:pos + 4])
        out.append(blob[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out


def send_all(sock, datagrams, to):
    sent = 0
    for data in datagrams:
        try:
            sock.sendto(data, to)
            sent += 1
        except OSError:
            pass  # nobody listens on a closed port: the ICMP error is expected
        time.sleep(0.0005)
    return sent


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


class Attack:
    """The timed replay: idle until armed, then busy for a fixed span."""

    def __init__(self, args):
        self.datagrams = read_record(args.replay_record) if args.replay_record else []
        self.to = hostport(args.replay_to) if args.replay_to else None
        self.after = args.replay_after / 1000.0
        self.span = args.replay_for / 1000.0
        self.count_file = args.replay_count_file
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.start = None
        self.sent = 0
        self.done = self.to is None

    def arm(self, now):
        if self.start is None:
            self.start = now + self.after

    def busy(self, now):
        return not self.done and self.start is not None and now >= self.start

    def step(self, now):
        if now < self.start + self.span:
            self.sent += send_all(self.sock, self.datagrams, self.to)
            return
        self.done = True
        if self.count_file:
            write_atomically(self.count_file, "%d\n" % self.sent)


def forward(args):
    held = [False]

    def toggle_hold(_sig, _frame):
        held[0] = not held[0]

    signal.signal(signal.SIGUSR1, toggle_hold)
    attack = Attack(args)
    down = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    down.bind(("127.0.0.1", 0))
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.connect(hostport(args.target))
    write_atomically(args.ready_file, "%d\n" % down.getsockname()[1])
    client = None
    deadline = time.monotonic() + args.exit_after
    rec_down = open(args.record_down, "ab", buffering=0) if args.record_down else None
    with open(args.record, "ab", buffering=0) as rec:
        while time.monotonic() < deadline:
            wait = 0 if attack.busy(time.monotonic()) else 0.01
            ready, _, _ = select.select([down, up], [], [], wait)
            for s in ready:
                try:
                    if s is down:
                        data, client = down.recvfrom(65536)
                        rec.write(struct.pack(">I", len(data)) + data)
                        if not held[0]:
                            up.send(data)
                            attack.arm(time.monotonic())
                    else:
                        data = up.recv(65536)
                        if rec_down is not None:
                            rec_down.write(struct.pack(">I", len(data)) + data)
                        if client is not None:
                            down.sendto(data, client)
                except OSError:
                    pass  # a refused send (ICMP) or a full buffer: like a lossy link
            if attack.busy(time.monotonic()):
                attack.step(time.monotonic())
    return 0


def replay(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    print(send_all(sock, read_record(args.record), hostport(args.to)))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("forward")
    f.add_argument("--target", required=True)
    f.add_argument("--record", required=True)
    f.add_argument("--ready-file", required=True)
    f.add_argument("--record-down")
    f.add_argument("--exit-after", type=float, default=120)
    f.add_argument("--replay-record")
    f.add_argument("--replay-to")
    f.add_argument("--replay-count-file")
    f.add_argument("--replay-after", type=float, default=50)
    f.add_argument("--replay-for", type=float, default=1500)
    r = sub.add_parser("replay")
    r.add_argument("--record", required=True)
    r.add_argument("--to", required=True)
    args = p.parse_args()
    return forward(args) if args.mode == "forward" else replay(args)


if __name__ == "__main__":
    sys.exit(main())
