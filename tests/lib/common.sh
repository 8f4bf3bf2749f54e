# shellcheck shell=sh
# tests/lib/common.sh: the base of every shell test (POSIX sh, source-able).
#
# Use:
#   TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
#   . "$TESTLIB/common.sh"         # then tmux.sh, mosh.sh, relay.sh as needed
#   test_init NAME                 # private temp dir $TEST_TMP, cleanup trap
#   require_prog tmux /usr/bin/mosh-server   # or skip_all naming what is missing
#   ...
#   tap_ok "the prompt shows" tmux_wait_for '$ ' 10
#   tap_done                       # prints the plan, exits 0 or 1
#
# Model: everything a test starts is recorded (track_pid; tmux.sh records its
# private servers) and the EXIT/INT/TERM/HUP trap kills exactly those, by PID
# (SIGTERM, up to 2 s, then SIGKILL), never by name. Every wait is bounded by a
# timeout in seconds (fractions allowed). $TEST_TMP (mode 700) holds the
# logs; it is removed when the test passes and kept, with its path printed,
# when it fails. With MOSHC_SAN=1 (a sanitizer build under test) every program
# the test starts, daemons included, writes any ASan/UBSan report to
# $TEST_TMP/san.<pid> (log_path: a daemon's stderr is /dev/null) and aborts on
# the first; tap_done turns each report into a failed point. A skip is TAP ("ok N # SKIP reason", then the plan) with exit
# status 0: meson (1.0) takes exit status 77 from a TAP test as an error.
#
# Functions:
#   test_init NAME              make $TEST_TMP (and $XDG_RUNTIME_DIR in it), install the cleanup trap
#   track_pid PID...            kill PID at cleanup (if still running)
#   untrack_pid PID             forget it (it has exited)
#   require_prog PROG...        return when every PROG exists; else skip_all naming it
#   skip_all REASON             skip the rest of the test: one "# SKIP" point with
#                               REASON, the plan, exit 0 (or 1 if a point failed)
#   tap_skip DESC REASON        an "ok N - DESC # SKIP REASON" point
#   tap_ok DESC CMD [ARG...]    run CMD; print "ok N - DESC" or "not ok N - DESC";
#                               returns CMD's success, so "tap_ok ... || tap_done" stops early
#   tap_diag TEXT               a "# TEXT" line
#   tap_done                    print "1..N"; exit 1 if anything failed
#   retry_until TIMEOUT CMD...  run CMD every 0.1 s until it succeeds (0) or TIMEOUT s pass (1)
#   wait_for_file PATH TIMEOUT  until PATH exists and is non-empty (0), else 1
#   wait_pid_exit PID TIMEOUT   until PID has exited (0), else 1
#   pid_alive PID               0 when PID runs (and is not a zombie of ours)
#   free_udp_port               print a UDP port that was free on 127.0.0.1 a moment ago
#                               (racy by nature: prefer "port 0" and a ready file)
#   now_ms                      milliseconds of the monotonic-ish clock (date +%s%3N)
#   sleep_ms MS                 sleep MS milliseconds (none when MS <= 0)

TEST_TMP=${TEST_TMP:-}
TEST_NAME=${TEST_NAME:-test}
_tap_n=0
_tap_failed=0
_tracked_pids=""
_cleanup_hooks=""

test_init() {
	TEST_NAME=$1
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/moshc-$TEST_NAME.XXXXXX") || exit 1
	chmod 700 "$TEST_TMP"
	# The sessions a test starts are its own: never in the user's list, nor
	# in another test's running beside it.
	XDG_RUNTIME_DIR="$TEST_TMP/xdg"
	mkdir -m 700 "$XDG_RUNTIME_DIR" || exit 1
	export XDG_RUNTIME_DIR
	trap '_test_cleanup' EXIT
	trap '_tap_failed=1; exit 1' INT TERM HUP
	if [ "${MOSHC_SAN:-0}" = 1 ]; then
		ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:log_path=$TEST_TMP/san"
		UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$TEST_TMP/san"
		export ASAN_OPTIONS UBSAN_OPTIONS
	fi
}

# One failed point per sanitizer report (MOSHC_SAN=1), its head on stderr.
_san_reports() {
	for _r in "$TEST_TMP"/san.*; do
		[ -f "$_r" ] || continue
		_tap_n=$((_tap_n + 1))
		_tap_failed=1
		echo "not ok $_tap_n - no sanitizer report ($(basename "$_r"))"
		head -n 30 "$_r" | sed 's/^/# /'
	done
}

# Register a shell command to run at cleanup, before the PIDs are killed.
at_cleanup() {
	_cleanup_hooks="$_cleanup_hooks
$1"
}

track_pid() {
	for _p in "$@"; do
		_tracked_pids="$_tracked_pids $_p"
	done
}

untrack_pid() {
	_np=""
	for _p in $_tracked_pids; do
		[ "$_p" = "$1" ] || _np="$_np $_p"
	done
	_tracked_pids=$_np
}

pid_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	# A zombie child still answers kill -0; /proc tells them apart.
	if [ -r "/proc/$1/stat" ]; then
		_st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
		[ "$_st" != "Z" ] || return 1
	fi
	return 0
}

now_ms() {
	date +%s%3N
}

sleep_ms() {
	[ "$1" -le 0 ] || sleep "$(awk -v ms="$1" 'BEGIN { print ms / 1000 }')"
}

retry_until() {
	_deadline=$(($(now_ms) + $(_secs_to_ms "$1")))
	shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -lt "$_deadline" ] || return 1
		sleep 0.1
	done
}

_secs_to_ms() {
	awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }'
}

_file_ready() {
	[ -s "$1" ]
}

wait_for_file() {
	retry_until "$2" _file_ready "$1"
}

_pid_gone() {
	! pid_alive "$1"
}

wait_pid_exit() {
	retry_until "$2" _pid_gone "$1"
}

free_udp_port() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

require_prog() {
	for _prog in "$@"; do
		command -v "$_prog" >/dev/null 2>&1 ||
			skip_all "$_prog not found (install it to run $TEST_NAME)"
	done
	return 0
}

skip_all() {
	tap_skip "$TEST_NAME" "$*"
	tap_done
}

# A check that cannot run here: counted, reported as a skip, never a pass.
tap_skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

tap_ok() {
	_desc=$1
	shift
	_tap_n=$((_tap_n + 1))
	if "$@"; then
		echo "ok $_tap_n - $_desc"
		return 0
	fi
	_tap_failed=1
	echo "not ok $_tap_n - $_desc"
	return 1
}

tap_diag() {
	echo "# $*"
}

tap_done() {
	[ "${MOSHC_SAN:-0}" != 1 ] || _san_reports
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ] && [ "$_tap_n" -gt 0 ] && exit 0
	_tap_failed=1
	exit 1
}

_test_cleanup() {
	_rc=$?
	[ "$_rc" -eq 0 ] || _tap_failed=1
	trap - EXIT INT TERM HUP
	_old_ifs=$IFS
	IFS='
'
	for _h in $_cleanup_hooks; do
		IFS=$_old_ifs
		eval "$_h" >/dev/null 2>&1
	done
	IFS=$_old_ifs
	for _p in $_tracked_pids; do
		pid_alive "$_p" && kill -TERM "$_p" 2>/dev/null
	done
	for _p in $_tracked_pids; do
		if ! wait_pid_exit "$_p" 2; then
			kill -KILL "$_p" 2>/dev/null
		fi
	done
	if [ -n "$TEST_TMP" ] && [ -d "$TEST_TMP" ]; then
		if [ "$_tap_failed" -eq 0 ]; then
			rm -rf "$TEST_TMP"
		else
			echo "# $TEST_NAME failed: logs kept in $TEST_TMP"
			for _f in "$TEST_TMP"/*.log; do
				[ -f "$_f" ] || continue
				echo "# --- $_f (last 20 lines)"
				tail -n 20 "$_f" | sed 's/^/#   /'
			done
		fi
	fi
	exit "$_rc"
}
