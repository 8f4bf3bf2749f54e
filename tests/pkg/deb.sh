#!/bin/sh
# make deb's package, checked the way a user and Debian would: scripts/deb.sh
# builds it, lintian must report no error, the control fields must say what
# it replaces and needs, and the programs unpacked from it (dpkg-deb -x) must
# run: --version, and mosh-server starting for real on loopback. The bash
# completion it ships completes options, values and hosts.
# Usage: deb.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/moshc-deb.XXXXXX)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n=0
failed=0
check() {
	c_name=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $c_name"; else echo "not ok $n - $c_name"; failed=1; fi
}
for p in dpkg-deb dpkg-shlibdeps dpkg-buildflags lintian; do
	if ! command -v $p >/dev/null 2>&1; then
		echo "ok 1 - the Debian package # SKIP $p not installed (scripts/deps.sh deb installs it)"
		echo "1..1"
		exit 0
	fi
done

if ! "$SRC/scripts/deb.sh" "$B/deb" >"$T/build.log" 2>&1; then
	sed 's/^/#   /' "$T/build.log"
	echo "not ok 1 - scripts/deb.sh builds the package"
	echo "1..1"
	exit 1
fi
deb=$(tail -1 "$T/build.log")
check "scripts/deb.sh builds $(basename "$deb")" [ -f "$deb" ]

lintian "$deb" >"$T/lintian" 2>&1
sed -n '/^[EWI]: /s/^/#   lintian: /p' "$T/lintian"
check "lintian: no errors" sh -c "! grep -q '^E: ' '$T/lintian'"

field() { dpkg-deb -f "$deb" "$1"; }
check "Package: mosh-c" [ "$(field Package)" = mosh-c ]
check "Provides: mosh" [ "$(field Provides)" = mosh ]
check "Conflicts: mosh" [ "$(field Conflicts)" = mosh ]
check "Replaces: mosh" [ "$(field Replaces)" = mosh ]
depends=$(field Depends)
echo "# Depends: $depends"
for d in libc6 libssl3 libprotobuf-c1 zlib1g libtinfo6 libutempter0 openssh-client; do
	check "Depends names $d" sh -c "echo '$depends' | grep -q '\\b$d\\b'"
done
check "the ufw profile is a conffile" sh -c \
	"dpkg-deb --ctrl-tarfile '$deb' | tar -xOf - ./conffiles | grep -qx /etc/ufw/applications.d/mosh-c"

x=$T/root
dpkg-deb -x "$deb" "$x"
for f in usr/share/man/man1/mosh.1.gz usr/share/man/man1/mosh-server.1.gz \
	usr/share/man/man1/mosh-client.1.gz usr/share/doc/mosh-c/copyright \
	usr/share/doc/mosh-c/changelog.gz usr/share/bash-completion/completions/mosh; do
	check "ships /$f" [ -s "$x/$f" ]
done
check "ufw profile opens UDP 60001:60999" \
	grep -qx 'ports=60001:60999/udp' "$x/etc/ufw/applications.d/mosh-c"
for p in mosh mosh-server mosh-client; do
	check "$p --version runs from the package" \
		sh -c "'$x/usr/bin/$p' --version | head -1 | grep -q '^$p (mosh-c '"
done

# A real server from the package: it must announce itself, then it is ended by its PID.
LANG=C.UTF-8 timeout 10 "$x/usr/bin/mosh-server" new -i 127.0.0.1 -- /bin/true \
	>"$T/server.out" 2>&1
server_pid=$(sed -n 's/.*\[mosh-server detached, pid = \([0-9]*\)\].*/\1/p' "$T/server.out")
check "mosh-server from the package starts" grep -q '^MOSH CONNECT 6[0-9]* [A-Za-z0-9/+]\{22\}' "$T/server.out"
check "mosh-server from the package detaches with its PID" [ -n "$server_pid" ]

# The completion, with hosts from a throwaway ~/.ssh (bash-completion itself may be absent).
mkdir -p "$T/home/.ssh"
printf 'alpha.example.org,192.0.2.7 ssh-ed25519 AAAA\n|1|hashed= ssh-ed25519 AAAA\n' \
	>"$T/home/.ssh/known_hosts"
printf 'Host gamma *.wild\n  HostName g.example.org\n' >"$T/home/.ssh/config"
complete_words() {
	HOME="$T/home" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _mosh
		echo "${COMPREPLY[*]}"' sh "$x/usr/share/bash-completion/completions/mosh" "$@"
}
check "completion: options" [ "$(complete_words mosh --pre)" = "--predict= --predict-overwrite" ]
check "completion: option values" [ "$(complete_words mosh --predict = al)" = "always" ]
check "completion: hosts from known_hosts" [ "$(complete_words mosh me@al)" = "me@alpha.example.org" ]
check "completion: hosts from ssh config" [ "$(complete_words mosh -4 ga)" = "gamma" ]

echo "1..$n"
exit $failed
