#!/bin/sh
# shellcheck disable=SC1090,SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# Port forwarding (issue 12): throughput of a -L transfer, and key-to-glyph
# latency with and without a transfer running, for our mosh-client and
# mosh-server, per network profile.
#
# Method: mosh-client -L PORT:127.0.0.1:SRC to mosh-server (bash --norc at the
# prompt "fwd$ " in an 80x24 tmux pane), directly (lan) or through
# tools/mosh-relay (rtt200: 100 ms each way). SRC is tests/tools/tcpblob.py
# serving a deterministic stream.
#   throughput  BYTES (default 20 MB) fetched through -L as fast as the reader
#               can take them, hash-checked; MB/s = BYTES / wall time from
#               connect to close.
#   latency     tests/lib/keylat.py as in bench/latency.sh: TEXT typed one key
#               every 100 ms, the first key not measured; once at an idle
#               session, then again while a much larger stream is read through
#               -L as fast as possible (the frame budget's worst case: the
#               screen must still go first), and as a control while the same
#               stream is read straight from its source, not through mosh (the
#               same kind of CPU load, without the session carrying it).
#
# Usage: bench/forward.sh [BUILD_DIR]
#   PROFILES="lan rtt200"  BYTES=20000000  TEXT=...  POLL=0.25
# Prints per profile: the transfer's time and MB/s, then median, p95, max and
# missed keys idle and during a transfer. Not part of make check.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TESTLIB=$ROOT/tests/lib
MOSHC_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
PROFILES=${PROFILES:-lan rtt200}
BYTES=${BYTES:-20000000}
TEXT=${TEXT:-echo the quick brown fox jumps over the lazy dog}
POLL=${POLL:-0.25}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"
. "$TESTLIB/forward.sh"

test_init bench-forward
require_prog tmux python3 bash
export PS1='fwd$ '
unset SSH_AUTH_SOCK

measure() { # measure NAME: keylat in the current pane, its JSON appended to NAME.json
	python3 "$TESTLIB/keylat.py" type --socket "$(_tmux_sock "$TMUX_SESSION")" \
		--target "$TMUX_SESSION" --prompt 'fwd$ ' --text "$TEXT" --prime 1 --interval 100 \
		--poll "$POLL" >>"$TEST_TMP/$1.json"
	tmux_keys Enter
	sleep 1.5
}

summary() { # summary NAME LABEL
	python3 - "$TEST_TMP/$1.json" "$2" <<'PY'
import json, sys
lat, missed = [], 0
try:
    for line in open(sys.argv[1]):
        j = json.loads(line)
        lat += j["lat"]
        missed += j["missed"]
except (OSError, ValueError):
    pass
lat.sort()
if not lat:
    print("  %-28s no samples (missed %d)" % (sys.argv[2], missed))
    sys.exit(0)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print("  %-28s n=%3d  median %7.1f ms  p95 %7.1f ms  max %7.1f ms  missed %d"
      % (sys.argv[2], len(lat), q(0.5), q(0.95), lat[-1], missed))
PY
}

run_profile() { # run_profile PROFILE
	_prof=$1
	blob_serve "src-$_prof" send --bytes "$BYTES" --seed 3 --timeout 600 || return 1
	_src=$BLOB_PORT
	blob_serve "big-$_prof" send --bytes 20000000000 --seed 4 --timeout 600 || return 1
	_big=$BLOB_PORT
	_l1=$(tcp_free_port)
	_l2=$(tcp_free_port)
	mosh_server_start "$MOSHC_BUILD/mosh-server" -p 0 -- /bin/bash --norc --noprofile || return 1
	_port=$MOSH_SERVER_PORT
	if [ "$_prof" = rtt200 ]; then
		relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" --delay 100 --exit-after 600000 ||
			return 1
		_port=$RELAY_PORT
	fi
	tmux_start "fwd-$_prof" 80 24 "$(mosh_client_cmd "$MOSHC_BUILD/mosh-client" 127.0.0.1 "$_port" \
		-L "$_l1:127.0.0.1:$_src" -L "$_l2:127.0.0.1:$_big")" || return 1
	tmux_wait_for 'fwd$' 30 || return 1
	sleep 3 # SRTT settles on the link

	_t0=$(now_ms)
	blob_fetch "xfer-$_prof" --port "$_l1" --timeout 500 --connect-timeout 10
	blob_wait "$BLOB_PID" 520
	_ms=$(($(now_ms) - _t0))
	echo "$_prof:"
	if blob_result_is "xfer-$_prof" "$(blob_expect "$BYTES" 3)" 2>/dev/null; then
		awk -v b="$BYTES" -v ms="$_ms" \
			'BEGIN { printf "  -L %d bytes: %.2f s, %.2f MB/s\n", b, ms / 1000, b / 1e6 / (ms / 1000) }'
	else
		echo "  -L $BYTES bytes: FAILED after $_ms ms ($(cat "$TEST_TMP/xfer-$_prof" "$TEST_TMP/xfer-$_prof.log" 2>/dev/null | head -n 1))"
	fi

	measure "idle-$_prof"
	blob_fetch "bg-$_prof" --port "$_l2" --timeout 500 --connect-timeout 10
	_bg=$BLOB_PID
	sleep 2 # the transfer is in full flow
	if pid_alive "$_bg" && [ "$(cat "$TEST_TMP/big-$_prof.count")" = 1 ]; then
		measure "busy-$_prof"
	else
		echo "  (no transfer reached the source through -L: no figure during a transfer)"
	fi
	kill "$_bg" 2>/dev/null
	# The control: the same kind of reader and source, straight over loopback, not
	# through mosh, so only their CPU load competes with the session.
	blob_fetch "direct-$_prof" --port "$_big" --timeout 500 --connect-timeout 10
	_bg=$BLOB_PID
	sleep 2
	measure "direct-$_prof"
	kill "$_bg" 2>/dev/null
	summary "idle-$_prof" "key to glyph, idle"
	summary "busy-$_prof" "key to glyph, during a transfer"
	summary "direct-$_prof" "... beside a direct transfer"

	tmux_keys C-^ .
	tmux_wait_exit 20
	mosh_server_wait_exit 20 || kill "$MOSH_SERVER_PID" 2>/dev/null
	[ "$_prof" = lan ] || relay_stop
	tmux_cmd kill-server 2>/dev/null
	return 0
}

for prof in $PROFILES; do
	case $prof in
	lan | rtt200) run_profile "$prof" || echo "$prof: the session did not start" ;;
	*) echo "unknown profile $prof (lan, rtt200)" >&2 ;;
	esac
done
exit 0
