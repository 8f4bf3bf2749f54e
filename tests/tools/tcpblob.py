#!/usr/bin/env python3
"""Deterministic TCP byte streams for the forwarding tests (stdlib only).

Model: the stream for (N, SEED) is the first N bytes of random.Random(SEED)'s
randbytes drawn in CHUNK-byte pieces, so every side can make or check it
without storing it. A transfer is judged by its byte count and sha256, printed
as one line "COUNT SHA256" (`expect` prints the line the stream should give).
Every socket operation and every command is bounded by --timeout seconds; a
command that runs out of time or meets an error prints why on stderr and exits
1, so a test fails clearly instead of hanging.

Commands:
  serve  --port P [--host H] [--mode send|sink] [--bytes N --seed S]
         [--ready-file F] [--count-file F] [--timeout T]
         Listen (port 0 picks one; the ready file gets the port once listening).
         send: each connection gets the stream (N, S), then a close.
         sink: each connection is read to its end, then answered with
               "COUNT SHA256\n" and closed (for uploads).
         The count file holds the number of connections accepted so far
         (rewritten by rename after each). Runs until --timeout, or SIGTERM.
  fetch  --port P [--host H] [--pause SEC] [--connect-timeout T] [--timeout T]
         Connect (retrying a refused connection for up to --connect-timeout
         seconds: a forwarding listener may not be up yet), optionally wait
         --pause seconds before reading anything (a consumer that stops), then
         read to the end and print "COUNT SHA256" of what arrived.
  fetch  --send N --seed S [--port P ...]
         Upload: send the stream (N, S), half-close, and print the sink's
         answer "COUNT SHA256".
  expect --bytes N --seed S
         Print "N SHA256" of the stream (N, S).
"""
import argparse
import hashlib
import os
import random
import signal
import socket
import sys
import threading
import time

CHUNK = 65536


def stream(nbytes, seed):
    """Yield the stream (nbytes, seed) in pieces of at most CHUNK bytes."""
    rng = random.Random(seed)
    left = nbytes
    while left > 0:
        piece = rng.randbytes(CHUNK)
        yield piece[:left]
        left -= min(left, CHUNK)


def expect_line(nbytes, seed):
    h = hashlib.sha256()
    for piece in stream(nbytes, seed):
        h.update(piece)
    return f"{nbytes} {h.hexdigest()}"


def fail(msg):
    print(f"tcpblob: {msg}", file=sys.stderr)
    sys.exit(1)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def read_all(conn, deadline):
    """Read conn to its end; (count, sha256 hex). Raises TimeoutError past deadline."""
    h = hashlib.sha256()
    count = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"still reading after {count} bytes")
        conn.settimeout(left)
        data = conn.recv(CHUNK)
        if not data:
            return count, h.hexdigest()
        h.update(data)
        count += len(data)


def send_stream(conn, nbytes, seed, deadline):
    for piece in stream(nbytes, seed):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("still sending")
        conn.settimeout(left)
        conn.sendall(piece)


def serve(args):
    deadline = time.monotonic() + args.timeout
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(64)
    accepted = 0
    lock = threading.Lock()

    def handle(conn):
        try:
            with conn:
                if args.mode == "send":
                    send_stream(conn, args.bytes, args.seed, deadline)
                else:
                    count, digest = read_all(conn, deadline)
                    conn.settimeout(max(0.1, deadline - time.monotonic()))
                    conn.sendall(f"{count} {digest}\n".encode())
        except (OSError, TimeoutError) as e:
            print(f"tcpblob serve: connection: {e}", file=sys.stderr)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.count_file:
        write_atomic(args.count_file, "0\n")
    if args.ready_file:
        write_atomic(args.ready_file, f"{lsock.getsockname()[1]}\n")
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 0
        lsock.settimeout(min(left, 1.0))
        try:
            conn, _ = lsock.accept()
        except socket.timeout:
            continue
        with lock:
            accepted += 1
            if args.count_file:
                write_atomic(args.count_file, f"{accepted}\n")
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def connect(host, port, connect_timeout):
    deadline = time.monotonic() + connect_timeout
    while True:
        try:
            return socket.create_connection((host, port), timeout=max(0.1, connect_timeout))
        except ConnectionRefusedError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def fetch(args):
    """Print "COUNT SHA256" of what the server sends, read after --pause seconds."""
    deadline = time.monotonic() + args.pause + args.timeout
    try:
        conn = connect(args.host, args.port, args.connect_timeout)
    except OSError as e:
        fail(f"cannot connect to {args.host}:{args.port}: {e}")
    try:
        with conn:
            if args.pause > 0:
                time.sleep(args.pause)
            count, digest = read_all(conn, deadline)
    except (OSError, TimeoutError) as e:
        fail(f"fetch from {args.host}:{args.port}: {e}")
    print(f"{count} {digest}")
    return 0


def upload(args):
    """fetch --send: print the sink's "COUNT SHA256" answer."""
    deadline = time.monotonic() + args.timeout
    try:
        conn = connect(args.host, args.port, args.connect_timeout)
    except OSError as e:
        fail(f"cannot connect to {args.host}:{args.port}: {e}")
    try:
        with conn:
            send_stream(conn, args.send, args.seed, deadline)
            conn.shutdown(socket.SHUT_WR)
            answer = b""
            while not answer.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no answer from the sink")
                conn.settimeout(left)
                data = conn.recv(256)
                if not data or len(answer) > 256:
                    break
                answer += data
    except (OSError, TimeoutError) as e:
        fail(f"upload to {args.host}:{args.port}: {e}")
    text = answer.decode(errors="replace").strip()
    if not text:
        fail(f"upload to {args.host}:{args.port}: the connection closed without an answer")
    print(text)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--mode", choices=["send", "sink"], default="send")
    s.add_argument("--bytes", type=int, default=0)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--ready-file")
    s.add_argument("--count-file")
    s.add_argument("--timeout", type=float, default=300)
    f = sub.add_parser("fetch")
    f.add_argument("--host", default="127.0.0.1")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--pause", type=float, default=0)
    f.add_argument("--send", type=int)
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--connect-timeout", type=float, default=10)
    f.add_argument("--timeout", type=float, default=120)
    e = sub.add_parser("expect")
    e.add_argument("--bytes", type=int, required=True)
    e.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.cmd == "serve":
        return serve(args)
    if args.cmd == "fetch":
        return upload(args) if args.send is not None else fetch(args)
    print(expect_line(args.bytes, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
