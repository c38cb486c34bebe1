#!/usr/bin/env bash
# Builds the Debian packages (debian/) from the work tree as it is, committed
# or not, and checks them with lintian:
#
#   scripts/build-packages.sh [OUTDIR]        (default build/package)
#
# The tree is copied to OUTDIR/src (build output, .git and the kernel's
# in-tree objects left out) and built there with
# `dpkg-buildpackage -b -us -uc`, so the .deb files land in OUTDIR and the
# work tree stays clean. lintian's report is OUTDIR/lintian.log; any error
# or warning that debian/*lintian-overrides does not justify fails the
# build (exit 3: the packages are there, lintian objects). Needs dpkg-dev,
# debhelper, dh-dkms, libjemalloc-dev and lintian
# (scripts/install-deps.sh --pkg).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/build/package}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in dpkg-buildpackage dh dh_dkms lintian; do
	command -v "$tool" >/dev/null || {
		echo "build-packages: $tool is missing (scripts/install-deps.sh --pkg)" >&2
		exit 2
	}
done

rm -rf "$out/src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$out/src"
tar -C "$repo" --exclude=./.git --exclude=./build --exclude='./build-*' \
	--exclude=./kernel/.conftest --exclude=./kernel/xpmem_conftest.h \
	--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' -cf - . |
	tar -C "$out/src" -xf -

start=$(date +%s)
if ! (cd "$out/src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "build-packages: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
fi
echo "build-packages: built in $(($(date +%s) - start)) s:"
(cd "$out" && ls -s --block-size=K ./*.deb | sed 's/^/  /')

changes=$(ls "$out"/*.changes)
rc=0
lintian --fail-on error,warning --info --display-info "$changes" \
	>"$out/lintian.log" 2>&1 || rc=$?
grep -v "running with root privileges" "$out/lintian.log" | sed "s/^/  lintian: /"
[ $rc -eq 0 ] || { echo "build-packages: lintian found problems" >&2; exit 3; }
echo "build-packages: lintian clean"
