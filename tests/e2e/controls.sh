#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2153 # libraries sourced by path; typed text is for the remote shell; MOSH_SERVER_PID is set by mosh.sh
# Negative controls for the server's timeouts (loopback): each timeout ends
# the server only when it should.
#  - SIGUSR1 with MOSH_SERVER_SIGNAL_TMOUT=60 and a client that has just typed
#    does not end the server; the session carries on.
#  - MOSH_SERVER_NETWORK_TMOUT=6: after its client is killed the server is
#    still alive at 3 s, and gone by 15 s.
#  - MOSH_SERVER_CONNECT_TMOUT=3 (ours): a server nobody connects to exits
#    within 10 s; without it, a server nobody connects to is still alive after
#    10 s (then the test kills it).
# The waits overlap (the connect-timeout servers start first) to save time.
# MOSH_SERVER_BIN / MOSH_CLIENT_BIN choose the programs (default: this build's).
# Usage: controls.sh [BUILD_DIR]   (TAP; a skip when tmux is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/sessions.sh"

MOSH_SERVER_BIN=${MOSH_SERVER_BIN:-$MOSHC_BUILD/mosh-server}
MOSH_CLIENT_BIN=${MOSH_CLIENT_BIN:-$MOSHC_BUILD/mosh-client}

test_init controls
require_prog tmux "$MOSH_SERVER_BIN" "$MOSH_CLIENT_BIN"
export PS1='$ ' HOME="$TEST_TMP" ENV=

# Start a server with the environment assignment VAR=VALUE (or none: "").
server_with() {
	[ -z "$1" ] || export "${1?}"
	mosh_server_start "$MOSH_SERVER_BIN" -i 127.0.0.1 -p 0 -- /bin/sh
	_rc=$?
	[ -z "$1" ] || unset "${1%%=*}"
	return $_rc
}

t0=$(now_ms)
tap_ok "a server with MOSH_SERVER_CONNECT_TMOUT=3 starts" \
	server_with MOSH_SERVER_CONNECT_TMOUT=3 || tap_done
quick_pid=$MOSH_SERVER_PID
tap_ok "a server without it starts" server_with "" || tap_done
patient_pid=$MOSH_SERVER_PID

tap_ok "mosh-server (MOSH_SERVER_SIGNAL_TMOUT=60) starts" \
	server_with MOSH_SERVER_SIGNAL_TMOUT=60 || tap_done
tap_ok "its client connects" \
	tmux_start usr1 80 24 "$(mosh_client_cmd "$MOSH_CLIENT_BIN" 127.0.0.1 "$MOSH_SERVER_PORT")" ||
	tap_done
tap_ok "the prompt arrives" tmux_wait_for '$' 20
tmux_type 'echo typed-$((6*7))'
tmux_keys Enter
tap_ok "the client types" tmux_wait_for typed-42 10
kill -USR1 "$MOSH_SERVER_PID"
sleep 3
tap_ok "SIGUSR1 with an active client does not end the server" pid_alive "$MOSH_SERVER_PID"
tmux_type 'echo after-usr1-$((6*7))'
tmux_keys Enter
tap_ok "the session carries on after SIGUSR1" tmux_wait_for after-usr1-42 10

usr1_pid=$MOSH_SERVER_PID
tap_ok "mosh-server (MOSH_SERVER_NETWORK_TMOUT=6) starts" \
	server_with MOSH_SERVER_NETWORK_TMOUT=6 || tap_done
tap_ok "its client connects" \
	tmux_start net 80 24 "$(mosh_client_cmd "$MOSH_CLIENT_BIN" 127.0.0.1 "$MOSH_SERVER_PORT")" ||
	tap_done
tap_ok "the prompt arrives" tmux_wait_for '$' 20
kill -KILL "$(pane_client_pid)"
killed_at=$(now_ms)

# The connect-timeout pair: by now at least a few seconds have passed.
tap_ok "the server nobody connected to exits (MOSH_SERVER_CONNECT_TMOUT=3)" \
	wait_pid_exit "$quick_pid" $((10 - ($(now_ms) - t0) / 1000 + 1))
tap_diag "it exited $((($(now_ms) - t0) / 1000)) s after it started (bound 10 s)"

sleep_ms $((3000 - ($(now_ms) - killed_at)))
tap_ok "3 s after its client died the NETWORK_TMOUT=6 server is alive" pid_alive "$MOSH_SERVER_PID"
tap_ok "... and gone by 15 s" wait_pid_exit "$MOSH_SERVER_PID" 12

sleep_ms $((10000 - ($(now_ms) - t0)))
tap_ok "without MOSH_SERVER_CONNECT_TMOUT it is still alive after 10 s" pid_alive "$patient_pid"
tap_ok "the SIGUSR1 server is still alive" pid_alive "$usr1_pid"
tap_done
