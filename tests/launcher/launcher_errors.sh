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
check "ssh to a closed port: ssh's failure is reported" \
	grep -q "mosh: ssh to 127.0.0.1 failed (status 255): see ssh's message above" "$T/closed.out"
check "ssh to a closed port: no talk of installing mosh" \
	sh -c "! grep -q 'installed mosh' '$T/closed.out'"

TERM=xterm timeout 10 "$B/mosh" --client=/nonexistent/mosh-client 127.0.0.1 >"$T/client.out" 2>&1
rc=$?
check "a client that cannot run: exit 255 ($rc)" [ $rc -eq 255 ]
check "a client that cannot run: named" grep -q "cannot run /nonexistent/mosh-client" "$T/client.out"

# Fake ssh programs: one fails like ssh itself, one runs the remote command
# here (so the remote shell's statuses come back as ssh would pass them on).
cat >"$T/ssh-fails" <<'FAKE'
#!/bin/sh
echo "ssh: connect to host example.invalid port 22: Connection refused" >&2
exit 255
FAKE
cat >"$T/ssh-runs" <<'FAKE'
#!/bin/sh
: >"$(dirname "$0")/ssh-ran"
for last in "$@"; do :; done
PATH="$(dirname "$0")/remote-bin:$PATH" exec sh -c "$last"
FAKE
# The "remote" mosh-server found on that PATH fails after saying why.
mkdir "$T/remote-bin"
cat >"$T/remote-bin/mosh-server" <<'FAKE'
#!/bin/sh
echo "mosh-server: trouble"
exit 3
FAKE
chmod +x "$T/ssh-fails" "$T/ssh-runs" "$T/remote-bin/mosh-server"

# $1 name, $2 expected status, $3 expected line (fixed string), then mosh's arguments.
expect() {
	e_name=$1 e_want=$2 e_line=$3
	shift 3
	TERM=xterm timeout 30 "$B/mosh" --client=/usr/bin/mosh-client "$@" >"$T/out" 2>&1
	e_rc=$?
	sed 's/^/#   /' "$T/out"
	check "$e_name: exit $e_want ($e_rc)" [ "$e_rc" -eq "$e_want" ]
	check "$e_name: says so" grep -qF -- "$e_line" "$T/out"
	check "$e_name: no talk of installing mosh" sh -c "! grep -q 'installed mosh' '$T/out'"
}
expect "ssh fails" 255 "mosh: ssh to me@example.invalid failed (status 255): see ssh's message above" \
	--ssh="$T/ssh-fails" me@example.invalid
expect "remote server missing" 255 \
	"mosh: /nonexistent/mosh-server not found on me@example.invalid: install mosh there, or pass --server=PATH" \
	--ssh="$T/ssh-runs" --server=/nonexistent/mosh-server me@example.invalid
expect "remote server fails" 255 "mosh: mosh-server exited with status 3 on me@example.invalid: see its message above" \
	--ssh="$T/ssh-runs" me@example.invalid
check "remote server fails: its own message is shown" grep -q "mosh-server: trouble" "$T/out"
expect "local server missing" 255 \
	"mosh: /nonexistent/mosh-server not found on this machine: install mosh, or pass --server=PATH" \
	--local --server=/nonexistent/mosh-server 127.0.0.1

# A client that cannot start is found before ssh runs (our client, from beside
# the launcher, so no --client): nothing is started on the server's side.
# $1 name, $2 expected line, then the environment for mosh (stdin: $STDIN).
preflight() {
	p_name=$1 p_line=$2
	shift 2
	rm -f "$T/ssh-ran"
	env "$@" timeout 30 "$B/mosh" --ssh="$T/ssh-runs" me@example.invalid <"$STDIN" >"$T/out" 2>&1
	p_rc=$?
	sed 's/^/#   /' "$T/out"
	check "$p_name: exit 255 ($p_rc)" [ "$p_rc" -eq 255 ]
	check "$p_name: says so" grep -qF -- "$p_line" "$T/out"
	check "$p_name: ssh never ran" [ ! -e "$T/ssh-ran" ]
}
# The checks run in the client's order (locale, TERM, terminal), so standard
# input may stay /dev/null until the last one.
STDIN=/dev/null
preflight "no UTF-8 locale" "mosh-client needs a UTF-8 native locale to run." \
	LANG=C LC_ALL= LC_CTYPE= TERM=xterm
preflight "unknown TERM" "mosh: no terminfo entry for TERM=no-such-term: " \
	LANG=C.UTF-8 TERM=no-such-term
preflight "TERM unset" "mosh: TERM is not set" LANG=C.UTF-8 TERM=
preflight "input not a terminal" "mosh: standard input is not a terminal" LANG=C.UTF-8 TERM=xterm

# A bad forwarding spec is refused before ssh runs, with the reason and the usage.
rm -f "$T/ssh-ran"
TERM=xterm LANG=C.UTF-8 timeout 10 "$B/mosh" --ssh="$T/ssh-runs" -R 8080:h:80 -L 0:h:80 \
	me@example.invalid </dev/null >"$T/out" 2>&1
rc=$?
sed 's/^/#   /' "$T/out"
check "bad -L: exit 255 ($rc)" [ $rc -eq 255 ]
check "bad -L: says why" grep -qF 'mosh: -L "0:h:80": port 0 is out of range 1..65535' "$T/out"
check "bad -L: shows the usage" grep -q '^Usage: mosh ' "$T/out"
check "bad -L: ssh never ran" [ ! -e "$T/ssh-ran" ]

sshd_start "$T/sshd"
case $? in
0)
	TERM=xterm timeout 30 "$B/mosh" --ssh="$SSH_CMD" --client=/usr/bin/mosh-client \
		--server=/nonexistent/mosh-server "$SSHD_USER@127.0.0.1" >"$T/server.out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T/server.out"
	check "missing remote server: exit 255 ($rc)" [ $rc -eq 255 ]
	check "missing remote server: named with the fix" \
		grep -q "mosh: /nonexistent/mosh-server not found on $SSHD_USER@127.0.0.1: install mosh there, or pass --server=PATH" "$T/server.out"
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
