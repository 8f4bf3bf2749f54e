#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; TMUX_SESSION is read by tmux.sh
# ssh-agent forwarding end to end (issue 12). On the client's side a test
# ssh-agent (ssh-agent -D -a SOCK) holds a fresh ed25519 key; a throwaway sshd
# on 127.0.0.1 (tests/lib/sshd.sh) accepts that key. In the session, scripts
# written here run with the environment the server gave the shell. One PART
# per run:
#
#   agent    `mosh -A` through our launcher and the sshd: the shell's
#            SSH_AUTH_SOCK is the server's, not the test agent's; `ssh-add -l`
#            lists the key; `ssh-add -D` (remove all) and adding a key are
#            refused, and the agent still holds exactly its key; 20
#            `ssh -o BatchMode=yes` logins through the forwarded agent succeed
#            (while the same login without an agent fails: the control).
#   relay    our mosh-client -A and mosh-server (new -l MOSH_FORWARD_AGENT=1,
#            what the launcher sends) through tools/mosh-relay at 200 ms RTT and
#            10 % loss each way: `ssh-add -l` lists the key and 20 logins succeed.
#   mosh14   `mosh -A` against Debian's mosh-server (1.4): the client says "mosh:
#            the server does not support forwarding; continuing without
#            -A/-L/-R", the session works and the shell has MOSH_FORWARD_AGENT=1
#            (mosh 1.4 sets -l variables in its environment) but no agent.
#   mosh14-client
#            Debian's mosh-client (1.4) against our mosh-server started with
#            -l MOSH_FORWARD_AGENT=1 and the rogue-channel test hook (see
#            forward_tcp.sh): the session works; `ssh-add -l` in it ends within
#            10 s and lists no key (no channel can reach a mosh 1.4 client, and
#            the shell's programs must not hang on the agent socket).
#
# A missing tmux, ssh-agent, sshd or Debian mosh is a TAP skip.
# Usage: forward_agent.sh PART [BUILD_DIR]
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
PART=${1:-agent}
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
LOGINS=20

test_init "forward-agent-$PART"
require_prog tmux python3 ssh ssh-agent ssh-add ssh-keygen "$SERVER" "$CLIENT" "$LAUNCHER"
export PS1='agent$ ' ENV=
unset SSH_AUTH_SOCK SSH_AGENT_PID

# The test agent with its key, and the sshd that accepts that key.
start_agent_and_sshd() {
	AGENT_SOCK=$TEST_TMP/agent.sock
	ssh-keygen -q -t ed25519 -N '' -C moshc-forward-test -f "$TEST_TMP/agent_key" ||
		skip_all "ssh-keygen cannot make an ed25519 key"
	ssh-keygen -q -t ed25519 -N '' -C moshc-other -f "$TEST_TMP/other_key"
	FINGERPRINT=$(ssh-keygen -lf "$TEST_TMP/agent_key.pub" | awk '{ print $2 }')
	ssh-agent -D -a "$AGENT_SOCK" >"$TEST_TMP/agent.log" 2>&1 </dev/null &
	track_pid $!
	tap_ok "the test agent starts" wait_for_socket "$AGENT_SOCK" || tap_done
	tap_ok "it holds the test key" \
		env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -q "$TEST_TMP/agent_key" || tap_done
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
	cat "$TEST_TMP/agent_key.pub" >>"$TEST_TMP/sshd/authorized_keys"
	LOGIN_CMD="ssh -F /dev/null -p $SSHD_PORT -o IdentitiesOnly=no -o StrictHostKeyChecking=no \
-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=20 \
$SSHD_USER@127.0.0.1 true"
	tap_ok "control: the login fails without an agent" sh -c "! env -u SSH_AUTH_SOCK $LOGIN_CMD </dev/null >/dev/null 2>&1"
	tap_ok "control: the login works with the test agent here" \
		env SSH_AUTH_SOCK="$AGENT_SOCK" sh -c "$LOGIN_CMD </dev/null"
	write_scripts
}

_is_socket() {
	[ -S "$1" ]
}

wait_for_socket() {
	retry_until 10 _is_socket "$1"
}

# Scripts the session's shell runs: each writes its result to a file, then a
# marker line that the test waits for.
write_scripts() {
	cat >"$TEST_TMP/list.sh" <<EOF
ssh-add -l >'$TEST_TMP/list.out' 2>&1
echo "rc=\$?" >>'$TEST_TMP/list.out'
echo "sock=\$SSH_AUTH_SOCK" >'$TEST_TMP/sock.out'
echo "forward=\${MOSH_FORWARD_AGENT-unset}" >>'$TEST_TMP/sock.out'
EOF
	cat >"$TEST_TMP/tamper.sh" <<EOF
ssh-add -D >'$TEST_TMP/remove.out' 2>&1
echo "rc=\$?" >>'$TEST_TMP/remove.out'
ssh-add '$TEST_TMP/other_key' >'$TEST_TMP/add.out' 2>&1 </dev/null
echo "rc=\$?" >>'$TEST_TMP/add.out'
EOF
	cat >"$TEST_TMP/logins.sh" <<EOF
i=0 ok=0
while [ \$i -lt $LOGINS ]; do
	i=\$((i + 1))
	$LOGIN_CMD </dev/null >>'$TEST_TMP/logins.log' 2>&1 && ok=\$((ok + 1))
done
echo "ok=\$ok" >'$TEST_TMP/logins.out'
EOF
}

# run_in_session NAME TIMEOUT: run NAME.sh in the session's shell and wait for its end.
run_in_session() {
	tmux_type "sh '$TEST_TMP/$1.sh'; echo $1-done-\$((6*7))"
	tmux_keys Enter
	tmux_wait_for "$1-done-42" "$2"
}

lists_the_key() {
	grep -qF "$FINGERPRINT" "$TEST_TMP/list.out" && grep -qx 'rc=0' "$TEST_TMP/list.out"
}

sock_is_the_servers() {
	_s=$(sed -n 's/^sock=//p' "$TEST_TMP/sock.out")
	[ -n "$_s" ] && [ "$_s" != "$AGENT_SOCK" ]
}

# refused NAME: NAME.out says the request failed while the forwarded agent lists the key
# (so the failure is a refusal, not a missing agent).
refused() {
	lists_the_key && [ -s "$TEST_TMP/$1.out" ] && ! grep -qx 'rc=0' "$TEST_TMP/$1.out"
}

agent_holds_exactly_its_key() {
	env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -l >"$TEST_TMP/real.out" 2>&1
	grep -qF "$FINGERPRINT" "$TEST_TMP/real.out" && [ "$(wc -l <"$TEST_TMP/real.out")" -eq 1 ]
}

check_list_and_logins() {
	tap_ok "ssh-add -l runs in the session" run_in_session list 30 || tap_done
	tap_ok "the shell's SSH_AUTH_SOCK is the server's socket" sock_is_the_servers ||
		sed 's/^/# | /' "$TEST_TMP/sock.out"
	tap_ok "ssh-add -l lists the test key through the forwarded agent" lists_the_key ||
		sed 's/^/# | /' "$TEST_TMP/list.out"
	_t0=$(now_ms)
	tap_ok "$LOGINS logins run in the session" run_in_session logins 150 || tap_done
	tap_diag "$LOGINS logins: $(($(now_ms) - _t0)) ms"
	tap_ok "all $LOGINS ssh -o BatchMode=yes logins succeed through the forwarded agent" \
		grep -qx "ok=$LOGINS" "$TEST_TMP/logins.out" ||
		sort "$TEST_TMP/logins.out" "$TEST_TMP/logins.log" | uniq -c | sed 's/^/# | /'
}

part_agent() {
	start_agent_and_sshd
	tap_ok "mosh -A starts through ssh" tmux_start agent 80 24 \
		"SSH_AUTH_SOCK='$AGENT_SOCK' '$LAUNCHER' -A --ssh='$SSH_CMD' --server='$SERVER' \
		$SSHD_USER@127.0.0.1 -- env PS1='agent$ ' /bin/sh" || tap_done
	tap_ok "the prompt arrives" tmux_wait_for 'agent$' 30 || tap_done
	check_list_and_logins
	tap_ok "ssh-add -D and ssh-add KEY run in the session" run_in_session tamper 30 || tap_done
	tap_ok "ssh-add -D (remove all) is refused by the reachable agent" refused remove ||
		sed 's/^/# | /' "$TEST_TMP/remove.out"
	tap_ok "adding a key is refused by the reachable agent" refused add ||
		sed 's/^/# | /' "$TEST_TMP/add.out"
	tap_ok "the agent still holds exactly its key" agent_holds_exactly_its_key ||
		sed 's/^/# | /' "$TEST_TMP/real.out"
}

part_relay() {
	start_agent_and_sshd
	tap_ok "mosh-server new -l MOSH_FORWARD_AGENT=1 starts" \
		mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -l MOSH_FORWARD_AGENT=1 -- /bin/sh ||
		tap_done
	tap_ok "the relay (100 ms and 10 % loss each way) starts" \
		relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" --delay 100 --loss 10 \
		--exit-after 170000 || tap_done
	tap_ok "mosh-client -A starts through the relay" tmux_start agent 80 24 \
		"export SSH_AUTH_SOCK='$AGENT_SOCK' && \
		$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$RELAY_PORT" -A)" || tap_done
	tap_ok "the prompt arrives" tmux_wait_for 'agent$' 30 || tap_done
	check_list_and_logins
	tap_diag "relay: $(relay_stat up.dropped_loss) up and $(relay_stat down.dropped_loss)" \
		"down datagrams lost"
}

part_mosh14_client() {
	require_prog /usr/bin/mosh-client
	start_agent_and_sshd
	MOSH_TEST_ROGUE_CHANNEL=127.0.0.1:$SSHD_PORT
	export MOSH_TEST_ROGUE_CHANNEL
	tap_ok "our mosh-server new -l MOSH_FORWARD_AGENT=1 starts" \
		mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -l MOSH_FORWARD_AGENT=1 -- /bin/sh ||
		tap_done
	unset MOSH_TEST_ROGUE_CHANNEL
	tap_ok "mosh 1.4's client starts (with the test agent in its environment)" \
		tmux_start agent 80 24 "export SSH_AUTH_SOCK='$AGENT_SOCK' && \
		$(mosh_client_cmd /usr/bin/mosh-client 127.0.0.1 "$MOSH_SERVER_PORT")" || tap_done
	tap_ok "the prompt arrives" tmux_wait_for 'agent$' 30 || tap_done
	sed -i "s/^ssh-add -l /timeout 10 ssh-add -l /" "$TEST_TMP/list.sh"
	tap_ok "ssh-add -l in the session ends within 10 s" run_in_session list 20 || tap_done
	tap_ok "it lists no key" sh -c "! grep -qF '$FINGERPRINT' '$TEST_TMP/list.out' &&
		! grep -qx 'rc=124' '$TEST_TMP/list.out'" || sed 's/^/# | /' "$TEST_TMP/list.out"
	tmux_type "echo still-\$((6*7))"
	tmux_keys Enter
	tap_ok "the session still works" tmux_wait_for still-42 20
}

part_mosh14() {
	require_prog /usr/bin/mosh-server
	start_agent_and_sshd
	tap_ok "mosh -A against mosh 1.4's server starts through ssh" tmux_start agent 80 24 \
		"SSH_AUTH_SOCK='$AGENT_SOCK' '$LAUNCHER' -A --ssh='$SSH_CMD' \
		--server=/usr/bin/mosh-server $SSHD_USER@127.0.0.1 -- env PS1='agent$ ' /bin/sh" || tap_done
	# The client's bar shows it for a few seconds from the server's first state.
	tap_ok "the client says: $FWD_UNSUPPORTED" retry_until 30 fwd_said_unsupported
	tap_ok "the prompt arrives" tmux_wait_for 'agent$' 30 || tap_done
	tap_ok "the session works (ssh-add -l runs)" run_in_session list 30 || tap_done
	tap_ok "the shell has MOSH_FORWARD_AGENT=1 (mosh 1.4 sets it as given)" \
		grep -qx 'forward=1' "$TEST_TMP/sock.out"
	tap_ok "and no agent" sh -c "! grep -qF '$FINGERPRINT' '$TEST_TMP/list.out'"
}

case $PART in
agent | relay | mosh14) "part_$PART" ;;
mosh14-client) part_mosh14_client ;;
*)
	echo "usage: $0 agent|relay|mosh14|mosh14-client [BUILD_DIR]" >&2
	exit 2
	;;
esac
tmux_keys C-^ .
tap_ok "Ctrl-^ . ends the client" tmux_wait_exit 20
tap_done
