#!/usr/bin/env python3
"""ptyrec: run a command in a pseudo-terminal and record everything it writes.

Usage: ptyrec.py [--chunks FILE] COLS ROWS OUTFILE TIMEOUT -- COMMAND [ARG...]

The command gets a new session whose controlling terminal is a pty of
COLS x ROWS; every byte it writes to the terminal is appended to OUTFILE as it
arrives (flushed per read, so a test can read the file while the command
runs). Nothing is typed into it: its input stays open and silent. Ends when the
command has exited and its output is drained, or after TIMEOUT seconds (the
command's process group is then killed); exits with the command's status
(128 + signal when killed by one, 124 on timeout).

With --chunks, FILE gets a line "OFFSET LENGTH MS" per read (the bytes'
place in OUTFILE, and milliseconds since the start): a program writes each
frame at once, so a read that keeps up sees one frame per chunk.

A test tool (tests/e2e/osc8_session.sh records mosh-client with it): what a
terminal emulator would be fed, byte for byte.
"""
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time


def main(argv):
    chunks_path = None
    if len(argv) > 2 and argv[1] == "--chunks":
        chunks_path = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) < 7 or argv[5] != "--":
        sys.stderr.write(
            "usage: ptyrec.py [--chunks FILE] COLS ROWS OUTFILE TIMEOUT -- COMMAND [ARG...]\n")
        return 2
    cols, rows, out_path, timeout = int(argv[1]), int(argv[2]), argv[3], float(argv[4])
    command = argv[6:]

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    pid = os.fork()
    if pid == 0:
        try:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    os.close(slave)

    start = time.monotonic()
    deadline = start + timeout
    status = None
    offset = 0
    chunks = open(chunks_path, "a", buffering=1) if chunks_path else None
    with open(out_path, "ab", buffering=0) as out:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every slave fd is closed
                    data = b""
                if not data:
                    break
                out.write(data)
                if chunks:
                    chunks.write("%d %d %d\n" % (offset, len(data),
                                                 (time.monotonic() - start) * 1000))
                offset += len(data)
            elif status is not None:
                break  # exited, and nothing more came for 0.1 s
            else:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
    while status is None and time.monotonic() < deadline:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
        else:
            time.sleep(0.05)
    os.close(master)
    if chunks:
        chunks.close()
    if status is None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        sys.stderr.write("ptyrec: %s still running after %g s, killed\n" % (command[0], timeout))
        return 124
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
