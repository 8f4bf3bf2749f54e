#!/bin/sh
# The long fuzz campaign (issue 13): run every libFuzzer target of a
# -Dfuzz=true tree for SECONDS each, JOBS at a time, then minimise what each
# found against its seed corpus.
#
#   scripts/fuzz-campaign.sh [-j JOBS] [-t SECONDS] [-n NICE] [DIR [TARGET...]]
#
# Defaults: 2 jobs, 600 s, nice 0, DIR build-fuzz, every DIR/fuzz/fuzz_*.
# Per target NAME, all under DIR:
#   corpus/NAME/     work corpus (new inputs; the seeds in fuzz/corpus/NAME stay
#                    untouched)
#   artifacts/NAME/  crashes, leaks, timeouts, OOMs
#   logs/NAME.log    the libFuzzer run with -print_final_stats=1
#   new/NAME/        the inputs a -merge=1 over the seeds kept that are not
#                    seeds already, smallest first, at most 30 files and
#                    200 KiB: cp DIR/new/NAME/* fuzz/corpus/NAME/ to keep them
#   logs/summary.tsv one line per target: seconds, execs, execs/s, cov, ft,
#                    seed count, seeds + new, findings
# Workers claim targets with mkdir, so a slow target never leaves a core idle.
# Renicing the workers (renice -n 10 -p PID) also renices the targets they
# start later.
set -eu
cd "$(dirname "$0")/.."

jobs=2
secs=600
nice=0
while getopts j:t:n: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	t) secs=$OPTARG ;;
	n) nice=$OPTARG ;;
	*)
		echo "usage: $0 [-j JOBS] [-t SECONDS] [-n NICE] [DIR [TARGET...]]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
dir=${1:-build-fuzz}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
	for t in "$dir"/fuzz/fuzz_*; do
		[ -f "$t" ] && [ -x "$t" ] && set -- "$@" "$(basename "$t")"
	done
fi
[ $# -gt 0 ] || {
	echo "$0: no fuzz targets in $dir/fuzz (build with -Dfuzz=true)" >&2
	exit 2
}

mkdir -p "$dir/logs"
claims=$dir/logs/claims.$$
mkdir "$claims"
summary=$dir/logs/summary.tsv
[ -f "$summary" ] ||
	printf 'target\tseconds\texecs\texecs/s\tcov\tft\tseeds\tseeds+new\tfindings\n' >"$summary"

# The value of "stat::KEY: N" in a libFuzzer log.
stat() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

# The value of "KEY: N" on the last status line ("#N ... cov: X ft: Y ...").
status() {
	grep '^#[0-9]' "$2" | tail -n 1 | sed -n "s/.* $1: \([0-9]*\).*/\1/p"
}

# Keep in new/NAME the smallest inputs that add coverage over the seeds.
minimise() {
	name=$1
	merged=$dir/merged/$name
	new=$dir/new/$name
	rm -rf "$merged" "$new"
	mkdir -p "$merged" "$new"
	cp "fuzz/corpus/$name"/* "$merged"/
	"$dir/fuzz/$name" -merge=1 -timeout=10 "$merged" "$dir/corpus/$name" \
		>"$dir/logs/$name.merge.log" 2>&1 || return 0
	seeds=$(for f in "fuzz/corpus/$name"/*; do sha1sum <"$f"; done)
	count=0
	bytes=0
	for f in "$merged"/*; do
		printf '%s %s\n' "$(wc -c <"$f")" "$f"
	done | sort -n | while read -r size f; do
		echo "$seeds" | grep -qF "$(sha1sum <"$f")" && continue
		if [ $count -ge 30 ] || [ $((bytes + size)) -gt 204800 ]; then
			break
		fi
		cp "$f" "$new"/
		count=$((count + 1))
		bytes=$((bytes + size))
	done
}

run_one() {
	name=$1
	log=$dir/logs/$name.log
	art=$dir/artifacts/$name
	mkdir -p "$dir/corpus/$name" "$art"
	dict=
	[ -f "fuzz/$name.dict" ] && dict=-dict=fuzz/$name.dict
	before=$(find "$art" -type f | wc -l)
	start=$(date +%s)
	rc=0
	# shellcheck disable=SC2086
	nice -n "$nice" "$dir/fuzz/$name" $dict -max_total_time="$secs" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$art/" \
		"$dir/corpus/$name" "fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
	end=$(date +%s)
	minimise "$name"
	findings=$(($(find "$art" -type f | wc -l) - before))
	[ $rc -eq 0 ] || findings="$findings (exit $rc)"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" $((end - start)) \
		"$(stat number_of_executed_units "$log")" \
		"$(stat average_exec_per_sec "$log")" \
		"$(status cov "$log")" "$(status ft "$log")" \
		"$(find "fuzz/corpus/$name" -type f | wc -l)" \
		$(($(find "fuzz/corpus/$name" -type f | wc -l) + $(find "$dir/new/$name" -type f | wc -l))) \
		"$findings" >>"$summary"
	echo "== $name done after $((end - start)) s, exit $rc"
}

worker() {
	for name in "$@"; do
		mkdir "$claims/$name" 2>/dev/null || continue
		run_one "$name"
	done
}

i=0
while [ $i -lt "$jobs" ]; do
	worker "$@" &
	i=$((i + 1))
done
wait
rm -rf "$claims"
