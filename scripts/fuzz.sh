#!/bin/sh
# make fuzz: run each libFuzzer target for FUZZ_SECONDS (default 60) on its
# seed corpus in fuzz/corpus/<target>/, keeping new inputs in build-fuzz/corpus.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
found=0
for t in "$dir"/fuzz/fuzz_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	found=1
	name=$(basename "$t")
	mkdir -p "$dir/corpus/$name"
	dict=""
	[ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
	echo "== $name ($secs s)"
	"$t" $dict -max_total_time="$secs" "$dir/corpus/$name" "fuzz/corpus/$name"
done
[ $found -eq 1 ] || { echo "make fuzz: no fuzz targets built" >&2; exit 2; }
