#!/bin/sh
# relay_loopback.py on a host without ::1 keeps valid TAP: run it in a network
# namespace this test creates (unshare -rn: loopback up, IPv6 off on lo), and
# check that its points are numbered 1..N without a gap or repeat, that the
# plan says N, and that the IPv6 point is a numbered "# SKIP".
# Usage: relay_no_ipv6.sh BUILD_DIR   (TAP; a skip where namespaces are not allowed)
set -u
b=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

if ! timeout 10 unshare -rn sh -c 'ip link set lo up && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1' \
	>/dev/null 2>&1; then
	echo "ok 1 - relay_loopback.py without ::1 # SKIP cannot make a network namespace without IPv6 here"
	echo "1..1"
	exit 0
fi
timeout 50 unshare -rn sh -c 'ip link set lo up && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1 &&
	exec python3 "$1" "$2"' sh "$here/relay_loopback.py" "$b" >"$out" 2>&1
rc=$?
sed 's/^/#   /' "$out"
fail=0
t() {
	if eval "$2"; then echo "ok $1 - $3"; else echo "not ok $1 - $3"; fail=1; fi
}
t 1 '[ $rc -eq 0 ]' "relay_loopback.py passes without ::1 (status $rc)"
t 2 'awk "/^(not )?ok /{ n++; if (\$(\$1 == \"ok\" ? 2 : 3) != n) bad = 1 }
	/^1\\.\\./{ plan = substr(\$1, 4) } END { exit !(n > 0 && !bad && plan == n) }" "$out"' \
	"its points are numbered 1..N and the plan is N"
t 3 'grep -Eq "^ok [0-9]+ - IPv6 .*# SKIP no ::1" "$out"' "the IPv6 point is a numbered skip"
echo "1..3"
exit $fail
