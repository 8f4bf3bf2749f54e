# shellcheck shell=sh
# shellcheck disable=SC2034 # RELAY_* are read by the test that sources this
# tests/lib/relay.sh: put tools/mosh-relay between a client and a server
# (POSIX sh, source-able; needs common.sh first).
#
# The relay listens on $RELAY_LISTEN (default 127.0.0.1:0; port 0 picks one);
# its ready file gives the chosen port, so no sleep is needed. Its program is
# $MOSH_RELAY (a netns_wrap script runs it in a namespace), or
# $MOSHC_BUILD/tools/mosh-relay (MOSHC_BUILD defaults to ./build).
#
# Functions:
#   relay_start OPTION...   start the relay with --target etc. (see mosh-relay --help);
#                           sets RELAY_PORT, RELAY_PID (tracked), RELAY_STATS
#   relay_rebind            SIGUSR2: new upstream source port (the client "roams")
#   relay_blackout          SIGUSR1: toggle a blackout in both directions
#   relay_stat KEY          print a counter (e.g. up.dropped_loss) after writing the
#                           stats afresh (SIGHUP; bounded wait)
#   relay_stop              SIGTERM and wait (5 s); 0 when it exited and wrote its stats

RELAY_PORT=""
RELAY_PID=""
RELAY_STATS=""

relay_start() {
	_relay=${MOSH_RELAY:-${MOSHC_BUILD:-build}/tools/mosh-relay}
	_rn=$((${_relay_n:-0} + 1))
	_relay_n=$_rn
	_ready="$TEST_TMP/relay$_rn.ready"
	RELAY_STATS="$TEST_TMP/relay$_rn.stats"
	"$_relay" --listen "${RELAY_LISTEN:-127.0.0.1:0}" --ready-file "$_ready" --stats "$RELAY_STATS" "$@" \
		>"$TEST_TMP/relay$_rn.log" 2>&1 </dev/null &
	RELAY_PID=$!
	track_pid "$RELAY_PID"
	if ! wait_for_file "$_ready" 5; then
		echo "relay_start: $_relay did not become ready:" >&2
		sed 's/^/| /' "$TEST_TMP/relay$_rn.log" >&2
		return 1
	fi
	RELAY_PORT=$(cat "$_ready")
}

relay_rebind() {
	kill -USR2 "$RELAY_PID"
}

relay_blackout() {
	kill -USR1 "$RELAY_PID"
}

relay_stat() {
	# The relay writes the file by rename, so its reappearance means a complete write.
	if pid_alive "$RELAY_PID"; then
		rm -f "$RELAY_STATS"
		kill -HUP "$RELAY_PID"
		wait_for_file "$RELAY_STATS" 3 || return 1
	fi
	sed -n "s/^$1=//p" "$RELAY_STATS"
}

relay_stop() {
	kill -TERM "$RELAY_PID" 2>/dev/null
	wait_pid_exit "$RELAY_PID" 5 || return 1
	wait "$RELAY_PID" 2>/dev/null
	_relay_rc=$?
	untrack_pid "$RELAY_PID"
	[ "$_relay_rc" -eq 0 ] && [ -s "$RELAY_STATS" ]
}
