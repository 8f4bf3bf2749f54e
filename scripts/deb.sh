#!/bin/sh
# make deb: the Debian package mosh-c_VERSION_ARCH.deb, built offline with
# dpkg-deb from this tree (no debhelper, no debian/ source directory).
#   - what `meson install` installs (the three programs, their manual pages,
#     the bash completion for mosh), built in OUT/build with --prefix=/usr and
#     Debian's hardening flags (dpkg-buildflags); programs stripped, manual
#     pages compressed (gzip -9n);
#   - the ufw application profile /etc/ufw/applications.d/mosh-c (a
#     conffile), the copyright file and the changelog (pkg/deb/);
#   - Depends computed by dpkg-shlibdeps from the binaries, plus
#     openssh-client (the launcher runs ssh); Provides, Conflicts and Replaces
#     mosh, whose three programs have the same names.
# Usage: scripts/deb.sh [OUT]   (default build-deb); prints the .deb's path last.
set -eu
cd "$(dirname "$0")/.."
umask 022
OUT=${1:-build-deb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

version=$(sed -n "s/^  version : '\([^']*\)',\$/\1/p" meson.build)
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "deb.sh: no version in meson.build" >&2; exit 1; }
# dpkg-shlibdeps expects the tree at debian/PACKAGE below where it runs.
root=$OUT/tree/debian/mosh-c
deb=$OUT/mosh-c_${version}_${arch}.deb

# Hardening (PIE, RELRO, BIND_NOW, fortify, stack protector) as Debian builds it.
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
if [ ! -f "$OUT/build/build.ninja" ]; then
	meson setup "$OUT/build" --prefix=/usr --buildtype=plain -Db_pie=true >/dev/null
fi
ninja -C "$OUT/build" mosh mosh-server mosh-client >/dev/null

rm -rf "$root"
meson install -C "$OUT/build" --no-rebuild --quiet --destdir "$root"
for p in mosh mosh-server mosh-client; do
	strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/$p"
done
gzip -9n "$root"/usr/share/man/man1/*.1
doc=$root/usr/share/doc/mosh-c
mkdir -p "$doc" "$root/etc/ufw/applications.d"
install -m 0644 pkg/deb/copyright "$doc/copyright"
gzip -9n <pkg/deb/changelog >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
install -m 0644 pkg/deb/ufw-mosh-c "$root/etc/ufw/applications.d/mosh-c"

# dpkg-shlibdeps finds the package's root by its DEBIAN directory, and wants a
# debian/control naming the package: a scratch one.
mkdir -p "$root/DEBIAN"
printf 'Source: mosh-c\n\nPackage: mosh-c\nArchitecture: any\n' >"$OUT/tree/debian/control"
shlibs=$(cd "$OUT/tree" && dpkg-shlibdeps -O -edebian/mosh-c/usr/bin/mosh \
	-edebian/mosh-c/usr/bin/mosh-server -edebian/mosh-c/usr/bin/mosh-client |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb.sh: dpkg-shlibdeps found no libraries" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
	-e "s/@DEPENDS@/$shlibs, openssh-client/" pkg/deb/control.in >"$root/DEBIAN/control"
echo /etc/ufw/applications.d/mosh-c >"$root/DEBIAN/conffiles"
(cd "$root" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/"*

dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
