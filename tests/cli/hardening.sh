#!/bin/sh
# The programs are built hardened as Debian builds its packages (meson.build):
# read from each ELF, with readelf, that it is position-independent (type
# DYN), binds every symbol at start (BIND_NOW or FLAGS_1 NOW), has a
# read-only-after-relocation segment (GNU_RELRO), calls __stack_chk_fail
# (-fstack-protector-strong) and at least one fortified __*_chk function
# (_FORTIFY_SOURCE=2; an -O0 or sanitizer build has none: those points skip).
# Usage: hardening.sh BUILD_DIR   (TAP; a skip without readelf)
set -u
b=$1
n=0
fail=0
point() {
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
check() {
	_desc=$1
	shift
	if "$@"; then point ok "$_desc"; else point fail "$_desc"; fi
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
if ! command -v readelf >/dev/null 2>&1; then
	skip "hardened ELF" "readelf not installed (apt-get install binutils)"
	echo "1..$n"
	exit 0
fi
# Whether meson.build fortifies this build: optimised and without sanitizers.
unfortified=$(python3 -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(open(sys.argv[1]))}
if o.get("optimization") in ("0", "g"):
    print("an -O0 build")
elif o.get("b_sanitize", "none") != "none":
    print("a sanitizer build")
elif o.get("fuzz"):
    print("a fuzz build")' "$b/meson-info/intro-buildoptions.json") || unfortified="no build options"
for p in mosh mosh-server mosh-client; do
	f=$b/$p
	check "$p: PIE (ELF type DYN)" sh -c "readelf -hW '$f' | grep -q 'Type: *DYN'"
	check "$p: BIND_NOW" sh -c "readelf -dW '$f' | grep -Eq 'BIND_NOW|FLAGS_1.*NOW'"
	check "$p: GNU_RELRO segment" sh -c "readelf -lW '$f' | grep -q GNU_RELRO"
	check "$p: stack protector (__stack_chk_fail)" \
		sh -c "readelf -sW --dyn-syms '$f' | grep -q '__stack_chk_fail'"
	if [ -z "$unfortified" ]; then
		check "$p: fortified libc calls (__*_chk)" \
			sh -c "readelf -sW --dyn-syms '$f' | grep -v __stack_chk | grep -Eq '__[a-z0-9_]+_chk'"
	else
		skip "$p: fortified libc calls (__*_chk)" "$unfortified has no _FORTIFY_SOURCE"
	fi
done
echo "1..$n"
exit $fail
