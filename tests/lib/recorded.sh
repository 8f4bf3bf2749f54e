# shellcheck shell=sh
# tests/lib/recorded.sh: a session whose client's terminal output is recorded
# byte for byte, for what tmux cannot show (OSC 8 links, frame boundaries).
# POSIX sh, source-able; needs common.sh and mosh.sh first.
#
# mosh-client runs in a pty of its own (tests/tools/ptyrec.py) against a
# server on loopback whose session runs a given program; the recording and
# the program's bytes go through the reference terminal model
# (tests/tools/termcells, mosh-c's emulator) to compare what the user sees.
#
# Needs: MOSH_SERVER_BIN and TERMCELLS (the termcells binary); TESTLIB.
#
# Functions:
#   rec_start DIR CLIENT TERM PROG [ARG...]   (TERM may add "VAR=value ...")
#         a session running "PROG ARG..." on MOSH_SERVER_BIN, CLIENT with TERM in
#         an 80x24 pty recorded in DIR/client.out (DIR/client.chunks: one line
#         "offset length ms" per read); sets REC_PID (tracked)
#   rec_start_client DIR CLIENT TERM PORT
#         the client part alone, for the server that MOSH_SERVER_KEY belongs to,
#         reached at 127.0.0.1:PORT (a forwarder, say)
#   rec_dumps DIR FILE...
#         the model's screens of the files' bytes (the direct terminal) and of
#         the recording, in DIR/direct.txt and DIR/client.txt, without the
#         "open" line (a client's terminal has no link open between frames)
#   rec_same DIR FILE...       rec_dumps, then 0 when the two are equal
#   rec_show_diff DIR          their first differences as TAP comments
#   rec_finish DIR             the session's program has been told to end: wait
#                              (30 s) for the client, return its exit status

REC_PID=""

rec_start() {
	_rec_dir=$1 _rec_client=$2 _rec_term=$3
	shift 3
	mkdir -p "$_rec_dir"
	mosh_server_start "$MOSH_SERVER_BIN" -i 127.0.0.1 -p 0 -- "$@" || return 1
	rec_start_client "$_rec_dir" "$_rec_client" "$_rec_term" "$MOSH_SERVER_PORT"
}

rec_start_client() {
	_rec_cmd=$(mosh_client_cmd "$2" 127.0.0.1 "$4" | sed "s|TERM=xterm-256color|TERM=$3|")
	: >"$1/client.out"
	python3 "$TESTLIB/../tools/ptyrec.py" --chunks "$1/client.chunks" 80 24 "$1/client.out" \
		60 -- sh -c "$_rec_cmd" 2>"$1/ptyrec.log" &
	REC_PID=$!
	track_pid "$REC_PID"
}

rec_dumps() {
	_rec_dir=$1
	shift
	"$TERMCELLS" 80 24 "$@" | grep -v '^open' >"$_rec_dir/direct.txt"
	"$TERMCELLS" 80 24 "$_rec_dir/client.out" | grep -v '^open' >"$_rec_dir/client.txt"
}

rec_same() {
	rec_dumps "$@" && cmp -s "$1/direct.txt" "$1/client.txt"
}

rec_show_diff() {
	diff "$1/direct.txt" "$1/client.txt" | head -n 20 | sed 's/^/# /'
}

rec_finish() {
	wait_pid_exit "$REC_PID" 30 || return 1
	untrack_pid "$REC_PID"
	wait "$REC_PID"
}
