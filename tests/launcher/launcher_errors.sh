#!/bin/sh
# The launcher's failure paths against real programs: a missing server on the
# remote side, ssh to a closed port, a client that cannot run. Each must end
# with a message naming the cause and a non-zero status, within a bound.
# Usage: launcher_errors.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
. "$(dirname "$0")/common.sh"
need timeout ssh /usr/bin/mosh-client

# A closed port: bind, note the port, and close again (nothing listens there).
closed=$(sshd_free_port) || skip "python3 missing"
ssh_closed="ssh -F /dev/null -p $closed -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5"

TERM=xterm timeout 30 "$B/mosh" --ssh="$ssh_closed" --client=/usr/bin/mosh-client \
	--server=/usr/bin/mosh-server 127.0.0.1 >"$T/closed.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/closed.out"
check "ssh to a closed port: non-zero exit, not a timeout ($rc)" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
check "ssh to a closed port: the proxy's connect error is shown" \
	grep -q "could not connect to 127.0.0.1 port $closed" "$T/closed.out"
check "ssh to a closed port: ssh's failure is reported" grep -q "mosh: ssh failed" "$T/closed.out"

TERM=xterm timeout 10 "$B/mosh" --client=/nonexistent/mosh-client 127.0.0.1 >"$T/client.out" 2>&1
rc=$?
check "a client that cannot run: exit 255 ($rc)" [ $rc -eq 255 ]
check "a client that cannot run: named" grep -q "cannot run /nonexistent/mosh-client" "$T/client.out"

sshd_start "$T/sshd"
case $? in
0)
	TERM=xterm timeout 30 "$B/mosh" --ssh="$SSH_CMD" --client=/usr/bin/mosh-client \
		--server=/nonexistent/mosh-server "$SSHD_USER@127.0.0.1" >"$T/server.out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T/server.out"
	check "missing remote server: exit 255 ($rc)" [ $rc -eq 255 ]
	check "missing remote server: the startup message is missed" \
		grep -q "Did not find mosh server startup message" "$T/server.out"
	check "missing remote server: the remote shell's error is shown" \
		grep -q "/nonexistent/mosh-server" "$T/server.out"

	# A server that rejects port ranges (mosh before 1.2.5): its complaint is translated.
	TERM=xterm timeout 30 "$B/mosh" --ssh="$SSH_CMD" --client=/usr/bin/mosh-client \
		--server="echo 'Bad UDP port range'; exit 1;" -p 60000:60010 \
		"$SSHD_USER@127.0.0.1" >"$T/range.out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T/range.out"
	check "old server and a port range: exit 255 ($rc)" [ $rc -eq 255 ]
	check "old server and a port range: explained" \
		grep -q "Server does not support UDP port range option" "$T/range.out"

	# Something that answers, but not like a mosh server.
	TERM=xterm timeout 30 "$B/mosh" --ssh="$SSH_CMD" --client=/usr/bin/mosh-client \
		--server="echo MOSH CONNECT 60001 not-a-key; exit 0;" \
		"$SSHD_USER@127.0.0.1" >"$T/bad.out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T/bad.out"
	check "malformed MOSH CONNECT: exit 255 ($rc)" [ $rc -eq 255 ]
	check "malformed MOSH CONNECT: named" grep -q "bad MOSH CONNECT line" "$T/bad.out"
	;;
77)
	for c in "missing remote server: exit 255" "missing remote server: the startup message is missed" \
		"missing remote server: the remote shell's error is shown" \
		"old server and a port range: exit 255" "old server and a port range: explained" \
		"malformed MOSH CONNECT: exit 255" "malformed MOSH CONNECT: named"; do
		skip_check "$c" "sshd or ssh not installed"
	done
	;;
*) not_ok "sshd starts" ;;
esac
finish
