#!/bin/sh
# Installs the Debian packages a make verb needs, only when some are missing.
# Usage: scripts/deps.sh build|test|fuzz|run|deb
# As root it runs apt-get itself; otherwise it prints the exact command and fails,
# because a build that silently lacks a dependency is worse than one that stops.
set -eu

build_pkgs="meson ninja-build pkg-config gcc libc6-dev libssl-dev libprotobuf-c-dev
protobuf-c-compiler zlib1g-dev libncurses-dev libutempter-dev"
test_pkgs="clang libclang-rt-14-dev tmux mosh openssh-server openssh-client locales iproute2 procps
less vim dpkg-dev lintian"
fuzz_pkgs="clang libclang-rt-14-dev"
run_pkgs="ncurses-term"
deb_pkgs="dpkg-dev lintian"

case "${1:-build}" in
build) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs" ;;
fuzz) want="$build_pkgs $fuzz_pkgs" ;;
run) want="$build_pkgs $run_pkgs" ;;
deb) want="$build_pkgs $deb_pkgs" ;;
*)
	echo "usage: $0 build|test|fuzz|run|deb" >&2
	exit 2
	;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mosh-c: missing packages:$missing" >&2
	echo "install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "mosh-c: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A machine that has never fetched its package lists cannot install anything.
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing </dev/null
