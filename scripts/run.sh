#!/bin/sh
# make run: open a live local session (mosh --local) once the programs can.
set -eu
cd "$(dirname "$0")/.."
if ! build/mosh --local --help >/dev/null 2>&1 || ! build/mosh-server new --help >/dev/null 2>&1; then
	echo "make run: the mosh-c programs are built but cannot open a session yet" >&2
	exit 2
fi
exec build/mosh --local 127.0.0.1
