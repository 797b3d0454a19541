#!/bin/sh
# Builds the Debian package of this tree: a copy of the files git knows
# (the working tree's versions) with deploy/debian as its debian/, then
# dpkg-buildpackage (binary only, unsigned). Needs debhelper and the
# build dependencies of deploy/debian/control (deploy/install-deps.sh).
# Usage: deploy/debian/build.sh OUTDIR   (the .deb ends up there)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/aftr-0.1.0"
(cd "$root" && git ls-files -z | xargs -0 tar cf - --) | tar xf - -C "$work/aftr-0.1.0"
cp -r "$root/deploy/debian" "$work/aftr-0.1.0/debian"
(cd "$work/aftr-0.1.0" && dpkg-buildpackage -us -uc -b -j2) >"$work/build.log" 2>&1 || {
	tail -40 "$work/build.log"
	exit 1
}
cp "$work"/aftr_*.deb "$out/"
ls "$out"/aftr_*.deb
