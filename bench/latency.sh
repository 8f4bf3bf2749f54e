#!/bin/sh
# shellcheck disable=SC1090,SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# Key-to-glyph latency per network profile, for our mosh-client + mosh-server,
# Debian's mosh 1.4 (/usr/bin/mosh-client + /usr/bin/mosh-server) and ssh
# (a throwaway sshd on 127.0.0.1, LAN only: the relay carries UDP only).
#
# Method (tests/lib/keylat.py): bash --norc at the prompt "lat$ " in an 80x24
# tmux pane; TEXT is typed one key every 100 ms through a tmux control
# connection, and after each key capture-pane is polled every ~1 ms until the
# prompt line shows everything typed so far. The first key is not measured:
# it is waited for and followed by 600 ms, which confirms the prediction
# engine's epoch (by design it shows only after a round trip). Latency = time
# from just before the key's send-keys command to just before the first
# capture that shows it; so it includes tmux's reading of the client's output.
# Missed = keys not shown within 3 s.
#
# Profiles: lan (no relay), rtt50 (relay, 25 ms each way), rtt200loss2
# (relay, 100 ms each way, 2 % loss each way).
#
# Usage: bench/latency.sh [BUILD_DIR]
#   IMPLS="ours mosh14 ssh" (also: ours-always, mosh14-always: MOSH_PREDICTION_DISPLAY=always)  PROFILES="lan rtt50 rtt200loss2"  TEXT=...  ROUNDS=1
#   KEEP_JSON=1 prints each round's raw figures on stderr
#   SSHD_LIB=path/to/sshd.sh (default tests/lib/sshd.sh; ssh is skipped without it)
# Prints one line per implementation and profile: median, p95, max, missed.
# Not part of make check.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TESTLIB=$ROOT/tests/lib
MOSHC_BUILD=$(cd "${1:-$ROOT/build}" && pwd)
IMPLS=${IMPLS:-ours mosh14 ssh}
PROFILES=${PROFILES:-lan rtt50 rtt200loss2}
TEXT=${TEXT:-echo the quick brown fox jumps over the lazy dog}
ROUNDS=${ROUNDS:-1}
POLL=${POLL:-0.25}
SSHD_LIB=${SSHD_LIB:-$TESTLIB/sshd.sh}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"

test_init bench-latency
require_prog tmux python3 bash
export PS1='lat$ '
SHELL_CMD='/bin/bash --norc --noprofile'

relay_args() {
	case $1 in
	rtt50) echo "--delay 25" ;;
	rtt200loss2) echo "--delay 100 --loss 2" ;;
	*) echo "" ;;
	esac
}

measure() { # measure NAME: run keylat in the current tmux session, append the JSON to NAME.json
	python3 "$TESTLIB/keylat.py" type --socket "$(_tmux_sock "$TMUX_SESSION")" \
		--target "$TMUX_SESSION" --prompt 'lat$ ' --text "$TEXT" --prime 1 --interval 100 --poll "$POLL" \
		>>"$TEST_TMP/$1.json"
	[ -n "${KEEP_JSON:-}" ] && tail -n 1 "$TEST_TMP/$1.json" >&2
	# Run the line and wait for a fresh prompt: erasing it instead (Ctrl-U) would
	# leave the next round's first keys in an epoch that has to prove itself anew.
	tmux_keys Enter
	sleep 1.5
}

run_mosh() { # run_mosh IMPL PROFILE SERVER CLIENT
	_name="$1-$2"
	mosh_server_start "$3" -p 0 -- $SHELL_CMD || return 1
	_port=$MOSH_SERVER_PORT
	if [ "$2" != lan ]; then
		# shellcheck disable=SC2046
		relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" $(relay_args "$2") \
			--exit-after 600000 || return 1
		_port=$RELAY_PORT
	fi
	tmux_start "$_name" 80 24 "$(mosh_client_cmd "$4" 127.0.0.1 "$_port")" || return 1
	tmux_wait_for 'lat$' 30 || return 1
	sleep 3 # SRTT settles on the link
	_r=0
	while [ $_r -lt "$ROUNDS" ]; do
		measure "$_name"
		_r=$((_r + 1))
	done
	tmux_keys C-^ .
	tmux_wait_exit 20
	mosh_server_wait_exit 20 || kill "$MOSH_SERVER_PID" 2>/dev/null
	[ "$2" = lan ] || relay_stop
	tmux_cmd kill-server 2>/dev/null
	return 0
}

run_ssh() { # run_ssh PROFILE
	[ "$1" = lan ] || return 0
	[ -f "$SSHD_LIB" ] || { echo "# ssh: $SSHD_LIB not found, skipped"; return 0; }
	. "$SSHD_LIB"
	sshd_start "$TEST_TMP/sshd" >/dev/null || { echo "# ssh: sshd did not start, skipped"; return 0; }
	at_cleanup "sshd_stop"
	tmux_start "ssh-$1" 80 24 \
		"$SSH_CMD -tt $SSHD_USER@127.0.0.1 env PS1=\"'lat\$ '\" LANG=C.UTF-8 $SHELL_CMD" ||
		return 1
	tmux_wait_for 'lat$' 30 || return 1
	sleep 1
	_r=0
	while [ $_r -lt "$ROUNDS" ]; do
		measure "ssh-$1"
		_r=$((_r + 1))
	done
	tmux_type 'exit'
	tmux_keys Enter
	tmux_wait_exit 10
	tmux_cmd kill-server 2>/dev/null
	sshd_stop
}

summary() { # summary NAME
	python3 - "$TEST_TMP/$1.json" "$1" <<'PY'
import json, sys
lat, missed = [], 0
for line in open(sys.argv[1]):
    j = json.loads(line)
    lat += j["lat"]
    missed += j["missed"]
lat.sort()
if not lat:
    print("%-20s no samples (missed %d)" % (sys.argv[2], missed))
    sys.exit(0)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print("%-20s n=%3d  median %7.1f ms  p95 %7.1f ms  max %7.1f ms  missed %d"
      % (sys.argv[2], len(lat), q(0.5), q(0.95), lat[-1], missed))
PY
}

for prof in $PROFILES; do
	for impl in $IMPLS; do
		case $impl in
		ours) run_mosh ours "$prof" "$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client" ;;
		ours-always)
			export MOSH_PREDICTION_DISPLAY=always
			run_mosh ours-always "$prof" "$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client"
			unset MOSH_PREDICTION_DISPLAY
			;;
		mosh14-always)
			export MOSH_PREDICTION_DISPLAY=always
			run_mosh mosh14-always "$prof" /usr/bin/mosh-server /usr/bin/mosh-client
			unset MOSH_PREDICTION_DISPLAY
			;;
		mosh14) run_mosh mosh14 "$prof" /usr/bin/mosh-server /usr/bin/mosh-client ;;
		ssh) run_ssh "$prof" ;;
		esac
		[ -f "$TEST_TMP/$impl-$prof.json" ] && summary "$impl-$prof"
	done
done
exit 0
