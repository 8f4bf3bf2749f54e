# A throwaway sshd on 127.0.0.1 for tests. Source this file, then:
#
#   sshd_start DIR    start sshd with keys and config under DIR (created if
#                     missing); returns 77 if ssh, ssh-keygen or sshd is missing,
#                     1 if it does not come up. On success it sets
#                       SSHD_PORT  the TCP port it listens on (127.0.0.1 only)
#                       SSHD_PID   its process id
#                       SSHD_USER  the user to log in as (the current one)
#                       SSHD_KEY   the private key that logs in
#                       SSH_CMD    an ssh command line (one string, for --ssh=)
#                                  that logs in without prompts or host-key checks
#                       SSHD_TAG   a token sshd puts in every session's
#                                  environment (MOSHC_SSHD_TAG), so whatever a
#                                  session leaves running (a detached
#                                  mosh-server) can be found and killed by PID
#   sshd_stop         kill every process that carries SSHD_TAG, then sshd
#                     itself, by PID, and wait for it (bounded)
#   kill_tagged VAR VALUE
#                     kill (by PID) every process whose environment holds
#                     VAR=VALUE; for tests that tag what they start
#
# sshd_stop is safe to call from a trap even if sshd_start failed. Nothing here
# waits without a bound.

SSHD_BIN=/usr/sbin/sshd

sshd_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

kill_tagged() {
	for _e in /proc/[0-9]*/environ; do
		_pid=${_e#/proc/}
		_pid=${_pid%/environ}
		[ "$_pid" = "$$" ] && continue
		if tr '\0' '\n' 2>/dev/null <"$_e" | grep -qxF "$1=$2"; then
			kill "$_pid" 2>/dev/null
		fi
	done
}

sshd_start() {
	_d=$1
	for _p in ssh ssh-keygen python3; do
		command -v "$_p" >/dev/null 2>&1 || { echo "# sshd.sh: $_p not installed"; return 77; }
	done
	[ -x "$SSHD_BIN" ] || { echo "# sshd.sh: $SSHD_BIN not installed"; return 77; }
	mkdir -p "$_d" || return 1
	# sshd's privilege separation needs this directory; root may create it.
	[ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null || true
	rm -f "$_d/host_key" "$_d/host_key.pub" "$_d/user_key" "$_d/user_key.pub"
	ssh-keygen -q -t ed25519 -N '' -f "$_d/host_key" >/dev/null || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$_d/user_key" >/dev/null || return 1
	cp "$_d/user_key.pub" "$_d/authorized_keys" && chmod 600 "$_d/authorized_keys"
	SSHD_USER=$(id -un)
	SSHD_KEY=$_d/user_key
	SSHD_TAG=moshc-sshd-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	SSHD_PID=
	for _try in 1 2 3; do
		SSHD_PORT=$(sshd_free_port) || return 1
		cat >"$_d/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $_d/host_key
AuthorizedKeysFile $_d/authorized_keys
PidFile $_d/sshd.pid
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PrintMotd no
PrintLastLog no
LogLevel ERROR
SetEnv MOSHC_SSHD_TAG=$SSHD_TAG
CONF
		"$SSHD_BIN" -D -e -f "$_d/sshd_config" 2>>"$_d/sshd.log" &
		SSHD_PID=$!
		SSH_CMD="ssh -F /dev/null -p $SSHD_PORT -i $SSHD_KEY -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=5"
		# Ready when a real login works: at most 10 s.
		_i=0
		while [ $_i -lt 50 ]; do
			if ! kill -0 "$SSHD_PID" 2>/dev/null; then
				break
			fi
			if $SSH_CMD "$SSHD_USER@127.0.0.1" true </dev/null >/dev/null 2>&1; then
				return 0
			fi
			sleep 0.2
			_i=$((_i + 1))
		done
		sshd_stop
	done
	echo "# sshd.sh: sshd did not start; its log:"
	sed 's/^/#   /' "$_d/sshd.log" 2>/dev/null
	return 1
}

sshd_stop() {
	[ -n "${SSHD_PID:-}" ] || return 0
	kill_tagged MOSHC_SSHD_TAG "$SSHD_TAG"
	kill "$SSHD_PID" 2>/dev/null
	_i=0
	while kill -0 "$SSHD_PID" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}
