#!/usr/bin/env bash
# Builds xpmem.ko for one kernel without touching the source tree:
#   build-module.sh <kernel build dir> <output dir>
# kernel/ is copied into <output dir>/src and built there with
# `make -C <copy> KDIR=<kernel build dir>`, so builds for several kernels
# (and a developer's own `make -C kernel`) never share object files.
# Prints the path of the module on success; the build log is in
# <output dir>/build.log.
set -u

kdir=$1
out=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
# Another module source (a bisect, a known-bad module) can be tried in place.
ksrc=${XPMEM_VM_KERNEL_SRC:-$repo/kernel}
src=$out/src
log=$out/build.log

mkdir -p "$out"
rm -rf "$src"
if [ ! -f "$ksrc/Makefile" ]; then
	echo "no Makefile in $ksrc" >"$log"
	exit 1
fi
# Copy the sources only: objects of an in-tree build belong to another kernel.
mkdir -p "$src"
(cd "$ksrc" && find . -type f \
	! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
	! -name '.*.cmd' ! -name '*.a' ! -name 'modules.order' \
	! -name 'Module.symvers' ! -path './.tmp*' -print0 |
	cpio -0 -pdm --quiet "$src")
# kernel/ may refer to ../kernel/uapi and ../include; keep those reachable.
ln -sfn "$repo/include" "$out/include"

if ! make -C "$src" KDIR="$kdir" -j"$(nproc)" >"$log" 2>&1; then
	exit 1
fi
ko=$(find "$src" -name '*.ko' | head -n 1)
[ -n "$ko" ] || { echo "build produced no .ko" >>"$log"; exit 1; }
echo "$ko"
