#!/bin/sh
# Our mosh against mosh 1.4's Perl launcher (/usr/bin/mosh), live: both run
# with the same arguments and environment, a fake ssh that records its argv and
# answers like a server (MOSH IP, banner, MOSH CONNECT), and a fake client that
# records how it was executed. The ssh argv (with the ProxyCommand's path
# normalised, and our quoted '%h' read as mosh 1.4's bare %h), the client's
# argv and its MOSH_* environment must be identical.
# Remote-ip mode is left out: our SSH_CONNECTION probe is worded differently
# (the unit tests check that it prints the same line).
# Usage: launcher_vs_perl.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
. "$(dirname "$0")/common.sh"
need perl
[ -x /usr/bin/mosh ] && head -1 /usr/bin/mosh | grep -q perl || skip "mosh 1.4's Perl launcher not installed"

cat >"$T/ssh" <<'FAKE'
#!/bin/sh
for a in "$@"; do printf '[%s]\n' "$a"; done >"$OUT/ssh.args"
# Only our fake proxy would have said this; without a ProxyCommand nobody does.
case "$*" in *ProxyCommand=*) echo "MOSH IP 192.0.2.1" >&2 ;; esac
printf 'Welcome\r\n\r\n\nMOSH CONNECT 60007 x0tBXfJGJRuhblYadtF42A\r\nmosh-server banner\r\n'
FAKE
cat >"$T/client" <<'FAKE'
#!/bin/sh
if [ "$1" = -c ]; then echo 256; exit 0; fi
{
	for a in "$@"; do printf '[%s]\n' "$a"; done
	env | grep '^MOSH_' | grep -v '^MOSH_CLIENT_PID=' | sort
	[ -n "${MOSH_CLIENT_PID:-}" ] && echo "MOSH_CLIENT_PID is set"
} >"$OUT/client.args"
FAKE
chmod +x "$T/ssh" "$T/client"

# One comparison: the arguments after --ssh/--client.
compare() {
	_name=$1
	shift
	for who in perl ours; do
		mkdir -p "$T/$who"
		rm -f "$T/$who/"*
		if [ $who = perl ]; then prog=/usr/bin/mosh; else prog=$B/mosh; fi
		env -i PATH=/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 LC_MONETARY=en_DK.UTF-8 \
			MOSH_ESCAPE_KEY='~' OUT="$T/$who" \
			timeout 20 "$prog" --ssh="$T/ssh" --client="$T/client" "$@" \
			>"$T/$who/stdout" 2>"$T/$who/stderr"
		echo $? >"$T/$who/status"
		sed -i "s|'$B/mosh'|'SELF'|; s|'/usr/bin/mosh'|'SELF'|; s| -- '%h' %p]| -- %h %p]|" \
			"$T/$who/ssh.args" 2>/dev/null
	done
	_same=0
	for f in ssh.args client.args stdout status; do
		if ! cmp -s "$T/perl/$f" "$T/ours/$f"; then
			echo "# $_name: $f differs (perl vs ours):"
			diff "$T/perl/$f" "$T/ours/$f" 2>&1 | sed 's/^/#   /'
			_same=1
		fi
	done
	[ -s "$T/ours/client.args" ] || { echo "# $_name: the client did not run"; _same=1; }
	if [ $_same -eq 0 ]; then ok "$_name"; else not_ok "$_name"; fi
}

compare "defaults" host
compare "user and command words" user@host -- sh -c "echo 'it'\''s' \$HOME \`id\`" "" "two words"
compare "options after the host" host --port=60001 ls -a
compare "IPv4 only" -4 host
compare "IPv6 only" -6 host
compare "family all" --family=all host
compare "family in capitals" --family=PREFER-inet6 host
compare "port range" -p 60000:60010 host
compare "bind any" --bind-server=any host
compare "bind address" --bind-server=10.0.0.1 host
compare "no ssh pty" --no-ssh-pty host
compare "server with env" --server="env X=1 mosh-server" host
compare "prediction, overwrite, no init" -a -o --no-init host
compare "prediction never, abbreviated" --predict=never --predict-ov host
compare "single-dash long option" -predict=experimental host
compare "remote ip resolved here" --experimental-remote-ip=local 127.0.0.1
finish
