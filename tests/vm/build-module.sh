#!/usr/bin/env bash
# Builds xpmem.ko for one kernel without touching the source tree:
#   build-module.sh <kernel build dir> <output dir>
# kernel/Makefile's O_DIR mode copies the sources to <output dir>/src and
# builds there, so builds for several kernels (and a developer's own
# `make -C kernel`) never share objects or feature-test results. Prints the
# module's path on success; the build log is <output dir>/build.log.
set -u

kdir=$1
out=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
log=$out/build.log

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ ! -f "$repo/kernel/Makefile" ]; then
	echo "no kernel/Makefile in $repo" >"$log"
	exit 1
fi
if ! make -C "$repo/kernel" KDIR="$kdir" O_DIR="$out" >"$log" 2>&1; then
	exit 1
fi
[ -f "$out/xpmem.ko" ] || { echo "the build left no $out/xpmem.ko" >>"$log"; exit 1; }
echo "$out/xpmem.ko"
