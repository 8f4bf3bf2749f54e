#!/bin/sh
# make bench: run every benchmark program built from bench/, then every
# bench/*.sh end-to-end benchmark (given the build directory), and print
# their figures.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
found=0
for b in "$dir"/bench/bench_*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	found=1
	"$b"
done
[ $found -eq 1 ] || { echo "make bench: no benchmarks built yet" >&2; exit 2; }
for s in bench/*.sh; do
	[ -f "$s" ] || continue
	echo
	# 77: a peer it needs (tmux, Debian's mosh) is missing; it said which.
	sh "$s" "$dir" || [ $? -eq 77 ]
done
