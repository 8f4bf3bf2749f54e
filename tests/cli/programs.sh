#!/bin/sh
# The three programs answer --help and --version and refuse bad command lines
# with mosh's exit statuses (mosh-server 1, mosh 255).
# Usage: programs.sh BUILD_DIR
set -u
b=$1
fail=0
n=0
t() {
	n=$((n + 1))
	if "$@"; then echo "ok $n - $*"; else echo "not ok $n - $*"; fail=1; fi
}
for p in mosh mosh-server mosh-client; do
	t sh -c "'$b/$p' --version | grep -q 'mosh-c'"
	t sh -c "'$b/$p' --help | grep -q '^Usage: $p'"
	# One shape for all three: "PROG (mosh-c X) [build mosh-c X]", and a place for bugs.
	t sh -c "'$b/$p' --version | head -1 | grep -q '^$p (mosh-c [^)]*) \[build mosh-c '"
	t sh -c "'$b/$p' --help | grep -q '^Report bugs at '"
done
t sh -c "'$b/mosh-server' new -p 99999 2>&1 | grep -q 'Bad UDP port range'"
t sh -c "'$b/mosh' >/dev/null 2>&1; [ \$? -eq 255 ]"
echo "1..$n"
exit $fail
