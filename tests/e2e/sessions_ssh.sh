#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; TMUX_SESSION is read by tmux.sh
# `mosh --attach host` through a real (throwaway) sshd on 127.0.0.1 (issue
# 10): a session whose client was killed is detached; the launcher, with a
# bare --attach (the only detached session), logs in with ssh, runs
# `mosh-server attach` there and shows the session's screen (the same shell);
# it drives the shell; `mosh-server kill` then ends it with the kill message.
# The remote mosh-server gets the test's private XDG_RUNTIME_DIR through
# --server='env XDG_RUNTIME_DIR=... mosh-server', as a user would pass any
# variable to a remote mosh-server.
# With MOSH_LAUNCHER_BIN=/usr/bin/mosh (mosh 1.4's Perl launcher, with
# MOSH_CLIENT_BIN=/usr/bin/mosh-client), the attach goes through
# --server='... mosh-server attach w' instead: the words mosh 1.4 sends after
# it ("new -c N -s -l ...") are accepted; mosh 1.4's client is not told why
# the session ended, so only its exit is checked.
# Usage: sessions_ssh.sh [BUILD_DIR]   (TAP; a skip point when tmux, ssh or sshd is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
MOSHC_BUILD=$(cd "$MOSHC_BUILD" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/sessions.sh"
. "$TESTLIB/sshd.sh"

SERVER=$MOSHC_BUILD/mosh-server
CLIENT=$MOSHC_BUILD/mosh-client
MOSH_LAUNCHER_BIN=${MOSH_LAUNCHER_BIN:-$MOSHC_BUILD/mosh}
MOSH_CLIENT_BIN=${MOSH_CLIENT_BIN:-$CLIENT}

test_init sessions_ssh
require_prog tmux python3 "$SERVER" "$CLIENT" "$MOSH_LAUNCHER_BIN" "$MOSH_CLIENT_BIN"
tap_ok "a private XDG_RUNTIME_DIR" sessions_init "$SERVER" || tap_done
at_cleanup sshd_stop
sshd_start "$TEST_TMP/sshd" >"$TEST_TMP/sshd-start.log"
case $? in
0) ;;
77) skip_all "sshd or ssh missing" ;;
*) tap_ok "sshd starts" false; tap_done ;;
esac
export PS1='$ ' HOME="$TEST_TMP" ENV=

tap_ok "mosh-server new --name w starts" \
	mosh_server_start "$SERVER" --name w -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
server_pid=$MOSH_SERVER_PID
tap_ok "a client starts" \
	tmux_start c1 80 24 "$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$MOSH_SERVER_PORT")" || tap_done
tap_ok "the prompt arrives" tmux_wait_for '$' 20 || tap_done
tmux_type 'clear; echo marker-$((6*7)) pid=$$'
tmux_keys Enter
tap_ok "the marker shows" tmux_wait_for marker-42 10 || tap_done
shell_pid=$(tmux_screen | sed -n 's/^marker-42 pid=\([0-9][0-9]*\).*/\1/p')
kill -KILL "$(pane_client_pid)"
tap_ok "after SIGKILL of its client the session is detached (within 15 s)" \
	retry_until 15 session_is w detached || tap_done

remote_server="env XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR $SERVER"
if [ "$MOSH_LAUNCHER_BIN" = "$MOSHC_BUILD/mosh" ]; then
	attach_args="--server='$remote_server' --attach"
else
	attach_args="--server='$remote_server attach w'"
fi
t0=$(now_ms)
tap_ok "$MOSH_LAUNCHER_BIN starts (attach over ssh)" tmux_start c2 80 24 \
	"'$MOSH_LAUNCHER_BIN' --ssh='$SSH_CMD' --client='$MOSH_CLIENT_BIN' $attach_args \
	$SSHD_USER@127.0.0.1"
tap_ok "it shows the session's screen: the same shell ($shell_pid)" \
	tmux_wait_for "marker-42 pid=$shell_pid" 20
tap_diag "attach over ssh to screen shown: $(($(now_ms) - t0)) ms"
tap_ok "the session is attached again" retry_until 5 session_is w attached
tmux_type 'echo over-ssh-$((5*5))'
tmux_keys Enter
tap_ok "it drives the shell" tmux_wait_for over-ssh-25 10
tap_ok "the server is the same process" pid_alive "$server_pid"
tap_ok "mosh-server kill w" sh -c "'$SERVER' kill w >>'$TEST_TMP/kill.log'"
tap_ok "mosh exits" tmux_wait_exit 10
tap_ok "its exit status is 0" test "$(tmux_exit_status)" = 0
if [ "$MOSH_CLIENT_BIN" = "$CLIENT" ]; then
	tap_ok "its last words: [mosh is exiting: session ended by mosh-server kill]" \
		sh -c "tmux -L '$(_tmux_sock c2)' capture-pane -p -S - -t c2 |
			grep -qxF '[mosh is exiting: session ended by mosh-server kill]'"
fi
tap_ok "the server is gone" wait_pid_exit "$server_pid" 10
tap_done
