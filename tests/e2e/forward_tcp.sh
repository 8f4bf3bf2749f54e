#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; TMUX_SESSION is read by tmux.sh
# Port forwarding end to end (issue 12): byte streams through -L and -R,
# judged by count and sha256 (tests/tools/tcpblob.py). One PART per run:
#
#   clean    `mosh -L ... -R ...` through our launcher and a throwaway sshd on
#            127.0.0.1 (tests/lib/sshd.sh), four transfers at once: 20 MB arrive
#            hash-identical through -L from a local server, 20 MB go up through
#            -L to a sink that answers with their hash, and the same two through
#            -R (whose upload names its target "localhost", as users do: the
#            sink listens on 127.0.0.1 only, so a connect must try each address
#            of the name).
#   roam     mosh-client -L/-R to our server through tools/mosh-relay (20 ms
#            each way, so the transfers take seconds): as soon as a 20 MB
#            download through -L and one through -R have started, the client's
#            address changes (the relay's new source port) and the link is
#            black for 20 s; both still arrive hash-identical.
#   rogue    the server, started with MOSH_TEST_ROGUE_CHANNEL=127.0.0.1:P (a
#            test-only hook: once a client that speaks channels is attached, the
#            server opens one tcp channel to that target), opens a channel to P
#            that the client did not ask for, while the client has a -R of its
#            own. The client must refuse it and say so in its bar ("refused a
#            channel to 127.0.0.1:P ..."); nothing connects to P; the session
#            and the requested -R still work.
#   memory   two consumers (one through -L, one through -R) connect and then do
#            not read for 30 s while 32 MB each wait to be sent: the VmRSS of
#            mosh-client and mosh-server stays under their baseline + 12 MiB
#            throughout, and afterwards every byte arrives.
#   mosh14   our launcher and client with -L against Debian's mosh-server (1.4)
#            through the sshd: the client says "mosh: the server does not
#            support forwarding; continuing without -A/-L/-R" and the session
#            works.
#
# FWD_BYTES overrides the 20 MB. A missing tmux, sshd or Debian mosh is a TAP skip.
# Usage: forward_tcp.sh PART [BUILD_DIR]
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
PART=${1:-clean}
MOSHC_BUILD=${2:-${MOSHC_BUILD:-build}}
MOSHC_BUILD=$(cd "$MOSHC_BUILD" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"
. "$TESTLIB/sshd.sh"
. "$TESTLIB/forward.sh"

SERVER=$MOSHC_BUILD/mosh-server
CLIENT=$MOSHC_BUILD/mosh-client
LAUNCHER=$MOSHC_BUILD/mosh
BYTES=${FWD_BYTES:-20000000}

test_init "forward-tcp-$PART"
require_prog tmux python3 "$SERVER" "$CLIENT" "$LAUNCHER"
export PS1='fwd$ ' HOME="$TEST_TMP" ENV=
unset SSH_AUTH_SOCK MOSH_TEST_ROGUE_CHANNEL

# A download target (send) and an upload target (sink) on this side.
start_targets() {
	tap_ok "a $BYTES-byte source listens" blob_serve src send --bytes "$BYTES" --seed 11 --timeout 170 ||
		tap_done
	SRC_PORT=$BLOB_PORT
	tap_ok "a sink listens" blob_serve sink sink --timeout 170 || tap_done
	SINK_PORT=$BLOB_PORT
}

start_sshd() {
	at_cleanup sshd_stop
	sshd_start "$TEST_TMP/sshd" >"$TEST_TMP/sshd-start.log"
	case $? in
	0) ;;
	77) skip_all "sshd or ssh missing (apt-get install openssh-server openssh-client)" ;;
	*)
		tap_ok "sshd starts" false
		tap_done
		;;
	esac
}

# shell_works NAME: the session's shell runs a command typed into it.
shell_works() {
	tmux_type "echo $1-\$((6*7))"
	tmux_keys Enter
	tmux_wait_for "$1-42" 20
}

# transfer DESC OUT WANT ARG...: one blocking fetch, its line compared with WANT.
transfer() {
	_desc=$1
	_out=$2
	_want=$3
	shift 3
	_t0=$(now_ms)
	blob_fetch "$_out" --timeout 120 "$@"
	blob_wait "$BLOB_PID" 130
	tap_ok "$_desc" blob_result_is "$_out" "$_want"
	tap_diag "$_desc: $(($(now_ms) - _t0)) ms"
}

part_clean() {
	start_targets
	start_sshd
	L1=$(tcp_free_port) L2=$(tcp_free_port) R1=$(tcp_free_port) R2=$(tcp_free_port)
	tap_ok "mosh -L -L -R -R starts through ssh" tmux_start fwd 80 24 \
		"'$LAUNCHER' --ssh='$SSH_CMD' --server='$SERVER' \
		-L $L1:127.0.0.1:$SRC_PORT -L 127.0.0.1:$L2:127.0.0.1:$SINK_PORT \
		-R $R1:127.0.0.1:$SRC_PORT -R 127.0.0.1:$R2:localhost:$SINK_PORT \
		$SSHD_USER@127.0.0.1 -- env PS1='fwd$ ' /bin/sh" || tap_done
	tap_ok "the prompt arrives" tmux_wait_for 'fwd$' 30 || tap_done
	tap_ok "the session's shell works" shell_works up || tap_done
	want=$(blob_expect "$BYTES" 11)
	t0=$(now_ms)
	# All four at once: the session shares its budget among them.
	blob_fetch l-down --timeout 150 --port "$L1" --connect-timeout 15
	pids=$BLOB_PID
	blob_fetch l-up --timeout 150 --port "$L2" --connect-timeout 15 --send "$BYTES" --seed 11
	pids="$pids $BLOB_PID"
	blob_fetch r-down --timeout 150 --port "$R1" --connect-timeout 15
	pids="$pids $BLOB_PID"
	blob_fetch r-up --timeout 150 --port "$R2" --connect-timeout 15 --send "$BYTES" --seed 11
	pids="$pids $BLOB_PID"
	for pid in $pids; do
		blob_wait "$pid" 160
	done
	tap_diag "four transfers of $BYTES bytes at once: $(($(now_ms) - t0)) ms"
	tap_ok "-L: $BYTES bytes arrive hash-identical" blob_result_is l-down "$want"
	tap_ok "-L: $BYTES bytes go up hash-identical" blob_result_is l-up "$want"
	tap_ok "-R: $BYTES bytes arrive hash-identical" blob_result_is r-down "$want"
	tap_ok "-R: $BYTES bytes go up hash-identical" blob_result_is r-up "$want"
	tap_ok "the shell still works" shell_works after
	tap_ok "the source saw 2 connections (one per forwarding)" \
		test "$(cat "$TEST_TMP/src.count")" = 2
}

# A session of our client and server, through the relay when RELAY_ARGS is set.
start_direct() {
	tap_ok "mosh-server starts" mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh ||
		tap_done
	port=$MOSH_SERVER_PORT
	if [ -n "${RELAY_ARGS:-}" ]; then
		# shellcheck disable=SC2086
		tap_ok "the relay starts ($RELAY_ARGS)" \
			relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" $RELAY_ARGS \
			--exit-after 170000 || tap_done
		port=$RELAY_PORT
	fi
	tap_ok "mosh-client $* starts" \
		tmux_start fwd 80 24 "$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$port" "$@")" || tap_done
	tap_ok "the prompt arrives" tmux_wait_for 'fwd$' 30 || tap_done
	tap_ok "the session's shell works" shell_works up || tap_done
}

src_asked_twice() {
	[ "$(cat "$TEST_TMP/src.count")" = 2 ]
}

# both_running LPID RPID: the source was asked twice and neither fetch has ended.
both_running() {
	src_asked_twice &&
		pid_alive "$1" && [ ! -s "$TEST_TMP/l-down" ] &&
		pid_alive "$2" && [ ! -s "$TEST_TMP/r-down" ]
}

part_roam() {
	start_targets
	L1=$(tcp_free_port) R1=$(tcp_free_port)
	RELAY_ARGS="--delay 20"
	start_direct -L "$L1:127.0.0.1:$SRC_PORT" -R "$R1:127.0.0.1:$SRC_PORT"
	want=$(blob_expect "$BYTES" 11)
	blob_fetch l-down --timeout 150 --port "$L1" --connect-timeout 15
	lpid=$BLOB_PID
	blob_fetch r-down --timeout 150 --port "$R1" --connect-timeout 15
	rpid=$BLOB_PID
	# The link goes as soon as both streams have started.
	retry_until 15 src_asked_twice
	relay_blackout
	relay_rebind
	tap_ok "both transfers are under way when the link goes" \
		both_running "$lpid" "$rpid"
	t0=$(now_ms)
	sleep 20
	relay_blackout
	tap_diag "black for $(($(now_ms) - t0)) ms, the client's source port changed"
	blob_wait "$lpid" 130
	blob_wait "$rpid" 10
	tap_ok "-L: $BYTES bytes arrive hash-identical across the roam and the outage" \
		blob_result_is l-down "$want"
	tap_ok "-R: $BYTES bytes arrive hash-identical across the roam and the outage" \
		blob_result_is r-down "$want"
	tap_ok "the shell still works" shell_works after
}

part_rogue() {
	start_targets
	tap_ok "the rogue channel's target listens" blob_serve rogue send --bytes 1000 --timeout 170 ||
		tap_done
	ROGUE_PORT=$BLOB_PORT
	R1=$(tcp_free_port)
	MOSH_TEST_ROGUE_CHANNEL=127.0.0.1:$ROGUE_PORT
	export MOSH_TEST_ROGUE_CHANNEL
	tap_ok "mosh-server starts (with the rogue-channel hook)" \
		mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
	unset MOSH_TEST_ROGUE_CHANNEL
	tap_ok "mosh-client -R starts" tmux_start fwd 80 24 \
		"$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$MOSH_SERVER_PORT" -R "$R1:127.0.0.1:$SRC_PORT")" ||
		tap_done
	# The bar shows it for a few seconds from the moment the channel arrives.
	tap_ok "the client refused the channel the server opened unasked, and says so" \
		tmux_wait_for "refused a channel to 127.0.0.1:$ROGUE_PORT" 15
	tap_ok "the prompt arrives" tmux_wait_for 'fwd$' 30 || tap_done
	sleep 2
	tap_ok "nothing connected to the rogue target" test "$(cat "$TEST_TMP/rogue.count")" = 0
	tap_ok "the shell still works" shell_works after
	transfer "the requested -R still carries $BYTES bytes" r-down "$(blob_expect "$BYTES" 11)" \
		--port "$R1" --connect-timeout 15
}

part_memory() {
	big=32000000
	tap_ok "a 32 MB source listens" blob_serve src send --bytes "$big" --seed 5 --timeout 170 ||
		tap_done
	SRC_PORT=$BLOB_PORT
	L1=$(tcp_free_port) R1=$(tcp_free_port)
	start_direct -L "$L1:127.0.0.1:$SRC_PORT" -R "$R1:127.0.0.1:$SRC_PORT"
	client_pid=$(pane_child_pid)
	server_pid=$MOSH_SERVER_PID
	client_base=$(vmrss_kb "$client_pid")
	server_base=$(vmrss_kb "$server_pid")
	tap_diag "baseline VmRSS: client $client_base kB, server $server_base kB"
	blob_fetch l-down --pause 30 --timeout 100 --port "$L1" --connect-timeout 15
	lpid=$BLOB_PID
	blob_fetch r-down --pause 30 --timeout 100 --port "$R1" --connect-timeout 15
	rpid=$BLOB_PID
	client_max=$client_base server_max=$server_base
	t0=$(now_ms)
	while [ $(($(now_ms) - t0)) -lt 30000 ]; do
		c=$(vmrss_kb "$client_pid") s=$(vmrss_kb "$server_pid")
		[ "$c" -gt "$client_max" ] && client_max=$c
		[ "$s" -gt "$server_max" ] && server_max=$s
		sleep 0.5
	done
	tap_diag "peak VmRSS while the consumers stall: client $client_max kB, server $server_max kB"
	tap_ok "the source was asked twice (both consumers connected)" \
		test "$(cat "$TEST_TMP/src.count")" = 2
	tap_ok "mosh-client stayed alive and under baseline + 12 MiB" \
		test "$(vmrss_kb "$client_pid")" -gt 0 -a "$client_max" -le $((client_base + 12288))
	tap_ok "mosh-server stayed alive and under baseline + 12 MiB" \
		test "$(vmrss_kb "$server_pid")" -gt 0 -a "$server_max" -le $((server_base + 12288))
	blob_wait "$lpid" 80
	blob_wait "$rpid" 80
	want=$(blob_expect "$big" 5)
	tap_ok "-L: after the stall all 32 MB arrive hash-identical" blob_result_is l-down "$want"
	tap_ok "-R: after the stall all 32 MB arrive hash-identical" blob_result_is r-down "$want"
}

part_mosh14() {
	require_prog /usr/bin/mosh-server
	start_targets
	start_sshd
	L1=$(tcp_free_port)
	tap_ok "mosh -L against mosh 1.4's server starts through ssh" tmux_start fwd 80 24 \
		"'$LAUNCHER' --ssh='$SSH_CMD' --server=/usr/bin/mosh-server \
		-L $L1:127.0.0.1:$SRC_PORT $SSHD_USER@127.0.0.1 -- env PS1='fwd$ ' /bin/sh" || tap_done
	# The client's bar shows it for a few seconds from the server's first state.
	tap_ok "the client says: $FWD_UNSUPPORTED" retry_until 30 fwd_said_unsupported
	tap_ok "the prompt arrives" tmux_wait_for 'fwd$' 30 || tap_done
	tap_ok "the session's shell works" shell_works up || tap_done
	blob_fetch l-down --timeout 20 --port "$L1" --connect-timeout 3
	blob_wait "$BLOB_PID" 25
	tap_ok "no byte of the source arrives through the unsupported -L" \
		sh -c "! grep -q '^[1-9]' '$TEST_TMP/l-down'"
	tap_ok "the shell still works" shell_works after
}

case $PART in
clean | roam | rogue | memory | mosh14) "part_$PART" ;;
*)
	echo "usage: $0 clean|roam|rogue|memory|mosh14 [BUILD_DIR]" >&2
	exit 2
	;;
esac
tmux_keys C-^ .
tap_ok "Ctrl-^ . ends the client" tmux_wait_exit 20
tap_done
