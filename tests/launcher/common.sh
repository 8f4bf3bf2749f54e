# Shared by the launcher e2e scripts: tmux helpers and cleanup. Source after
# setting B (the build directory). Every process started here is killed by
# PID (or, for tmux, by its private socket name) from the EXIT trap.

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LIB/sshd.sh"

T=$(mktemp -d /tmp/moshc-launcher.XXXXXX)
# One private tmux server per session (tmux_new_server): reusing a socket name
# right after kill-server can reach the dying server and lose the new session.
TMUX_SOCK=moshc-launcher-$$
TMUX_SOCKS=$TMUX_SOCK
export LANG=C.UTF-8
TEST_TAG=moshc-test-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')

cleanup() {
	for s in $TMUX_SOCKS; do
		tmux -L "$s" kill-server 2>/dev/null
	done
	# Whatever the sessions started here left behind (a mosh-server run with
	# --local) carries TEST_TAG; through sshd, sshd_stop finds its own.
	kill_tagged MOSHC_TEST_TAG "$TEST_TAG"
	sshd_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Skip the rest of the test: a "# SKIP" point and the plan, exit 0 (or 1 if a
# point failed); meson (1.0) takes exit status 77 from a TAP test as an error.
skip() {
	skip_check "${0##*/}" "$*"
	finish
}

need() {
	for p in "$@"; do
		if [ "${p#/}" != "$p" ]; then
			[ -x "$p" ] || skip "$p not installed"
		else
			command -v "$p" >/dev/null 2>&1 || skip "$p not installed"
		fi
	done
}

# Switch later tmux commands to a fresh private server named after $1.
tmux_new_server() {
	TMUX_SOCK=moshc-launcher-$$-$1
	TMUX_SOCKS="$TMUX_SOCKS $TMUX_SOCK"
}

# Run the script file $1 in a private tmux server, 80x24, with the environment
# a user's terminal would give it.
tmux_run() {
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x 80 -y 24 \
		"env LANG=C.UTF-8 MOSHC_TEST_TAG=$TEST_TAG sh '$1'"
}

# Wait up to $2 seconds for the screen to contain $1; prints the screen on failure.
wait_screen() {
	_n=0
	while [ $_n -lt $(($2 * 10)) ]; do
		if tmux -L "$TMUX_SOCK" capture-pane -p 2>/dev/null | grep -q -- "$1"; then
			return 0
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
	echo "# screen after ${2}s without '$1':"
	tmux -L "$TMUX_SOCK" capture-pane -p 2>/dev/null | sed 's/^/#   /'
	return 1
}

# Wait up to $2 seconds for file $1 to be non-empty.
wait_file() {
	_n=0
	while [ $_n -lt $(($2 * 10)) ]; do
		[ -s "$1" ] && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $1"
}
# An "ok N - DESC # SKIP REASON" point: a check that could not run.
skip_check() {
	ok "$1 # SKIP $2"
}
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}
finish() {
	echo "1..$n"
	exit $failed
}
