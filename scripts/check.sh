#!/bin/sh
# make check: build the debug tree (gcc) and the sanitizer tree (clang with
# ASan+UBSan), run every suite in the first and, in the second, the unit suite
# and the whole-session tests (suite san-e2e, tests/e2e/meson.build); then
# print the counts of each tree, the skipped tests with their reasons and one
# closing line "N passed, M failed[, K skipped]" (scripts/summarize.py).
# --san-only: just the sanitizer tree (make san).
set -u
cd "$(dirname "$0")/.."

BUILD=build
SAN=build-san
status=0

if [ "${1:-}" != "--san-only" ]; then
	[ -f $BUILD/build.ninja ] || meson setup $BUILD >/dev/null || exit 1
	ninja -C $BUILD || exit 1
fi
[ -f $SAN/build.ninja ] || CC=clang meson setup $SAN -Db_sanitize=address,undefined \
	-Db_lundef=false >/dev/null || exit 1
ninja -C $SAN || exit 1

# Sanitizer findings must fail the run, not scroll past.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

logs=""
if [ "${1:-}" != "--san-only" ]; then
	# Three at once on two cores: the parallel tests mostly wait (tests/e2e/meson.build).
	meson test -C $BUILD --print-errorlogs --num-processes 3 || status=1
	logs="$logs debug=$BUILD/meson-logs/testlog.json"
fi
meson test -C $SAN --suite unit --suite san-e2e --print-errorlogs --num-processes 2 || status=1
logs="$logs asan+ubsan=$SAN/meson-logs/testlog.json"

echo
# shellcheck disable=SC2086
python3 scripts/summarize.py $logs || status=1
exit $status
