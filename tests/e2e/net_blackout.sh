#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; MOSH_RELAY, RELAY_LISTEN, TMUX_SESSION are read by the libraries
# A 90 s outage of a real (virtual) link: two sessions of ours across the veth
# pair of tests/lib/netns.sh, then the server's end of the link goes down for
# 90 s, so every datagram either way is lost.
#  - Session "keep" (no timeout) survives: its client shows "Last contact"
#    during the outage and, once the link is back, typed text arrives again.
#  - Session "tmout" runs with MOSH_SERVER_NETWORK_TMOUT=30: its server exits
#    cleanly during the outage (PID gone, control socket gone), after 30 s
#    without its client and not before (it is alive at 20 s).
# Both run through the same outage to save time.
# Usage: net_blackout.sh [BUILD_DIR]   (TAP; a skip without root, iproute2 or tmux)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=$(cd "${1:-${MOSHC_BUILD:-build}}" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/sessions.sh"
. "$TESTLIB/netns.sh"

test_init net-blackout
require_prog tmux python3 "$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client"
netns_init
export PS1='$ ' HOME="$TEST_TMP" ENV=
sessions_init "$MOSHC_BUILD/mosh-server"
SERVER=$(netns_wrap "$NETNS_SRV" "$MOSHC_BUILD/mosh-server")
CLIENT=$(netns_wrap "$NETNS_CLI" "$MOSHC_BUILD/mosh-client")

# Start session NAME (server and client) and wait for its prompt.
session_up() {
	mosh_server_start "$SERVER" --name "$1" -i "$NETNS_SRV_IP4" -p 0 -- /bin/sh &&
		tmux_start "$1" 80 24 "$(mosh_client_cmd "$CLIENT" "$NETNS_SRV_IP4" "$MOSH_SERVER_PORT")" &&
		tmux_wait_for '$' 20
}

# Sleep until S seconds after the link went down (at once if that is past).
sleep_until_s() {
	sleep_ms $(($1 * 1000 - ($(now_ms) - down_at)))
}

tap_ok "session keep is up" session_up keep || tap_done
keep_pid=$MOSH_SERVER_PID
MOSH_SERVER_NETWORK_TMOUT=30
export MOSH_SERVER_NETWORK_TMOUT
tap_ok "session tmout (MOSH_SERVER_NETWORK_TMOUT=30) is up" session_up tmout || tap_done
unset MOSH_SERVER_NETWORK_TMOUT
tmout_pid=$MOSH_SERVER_PID
tmout_sock=$(session_socket "$(session_field tmout id)")
tap_ok "its control socket exists" test -S "$tmout_sock"

TMUX_SESSION=keep
tmux_type 'echo before-$((6*7))'
tmux_keys Enter
tap_ok "session keep runs a command" tmux_wait_for before-42 10

tap_ok "the link goes down" netns_link_down || tap_done
down_at=$(now_ms)
tap_ok "session keep's client shows 'Last contact'" tmux_wait_for 'Last contact' 20
sleep_until_s 20
tap_ok "the tmout server is still there 20 s into the outage" pid_alive "$tmout_pid"
tap_ok "the tmout server exits within 60 s of the outage" wait_pid_exit "$tmout_pid" 40
tap_diag "it exited $((($(now_ms) - down_at) / 1000)) s into the outage"
tap_ok "its control socket is gone" retry_until 5 test ! -e "$tmout_sock"
tap_ok "the keep server is alive" pid_alive "$keep_pid"
sleep_until_s 90
tap_ok "the link comes back after 90 s" netns_link_up
tap_ok "session keep's 'Last contact' goes" tmux_wait_gone 'Last contact' 30
tmux_type 'echo after-$((6*7))'
tmux_keys Enter
tap_ok "session keep carries on: a command typed after the outage runs" tmux_wait_for after-42 15
tap_done
