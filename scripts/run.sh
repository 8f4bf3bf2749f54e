#!/bin/sh
# make run: a live local session: mosh --local with this build's client and
# server (no ssh needed). Needs a terminal; the session is UTF-8, so a
# non-UTF-8 locale is replaced by C.UTF-8 for it.
set -eu
cd "$(dirname "$0")/.."
if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "make run: needs a terminal (run it from an interactive shell)" >&2
	exit 2
fi
if [ "$(locale charmap 2>/dev/null)" != "UTF-8" ]; then
	export LANG=C.UTF-8 LC_ALL=C.UTF-8
fi
exec build/mosh --local --client="$PWD/build/mosh-client" --server="$PWD/build/mosh-server" \
	127.0.0.1
