#!/usr/bin/env bash
# Builds xpmem.ko for one kernel without touching the source tree:
#   build-module.sh <root> <kernel build dir inside root> <output dir>
# kernel/Makefile's O_DIR mode copies the sources to <output dir>/src and
# builds there, so builds for several kernels (and a developer's own
# `make -C kernel`) never share objects or feature-test results. When
# <root> is not /, the build runs chrooted in that build root (its gcc and
# glibc), with kernel/ and <output dir> bind-mounted into it.
#
# Builds with W=1: any compiler warning fails the build. A module already
# built from the same sources for the same kernel is reused. Prints the
# module's path on success; the build log is <output dir>/build.log.
set -u

. "$(dirname "$0")/lib.sh"

root=$1
kdir=$2
out=$3
src=$vm_repo/kernel

mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log
if [ ! -f "$src/Makefile" ]; then
	echo "no kernel/Makefile in $vm_repo" >"$log"
	exit 1
fi

# What the module is built from: every source file and the kernel.
fingerprint() {
	{
		echo "$root $kdir"
		(cd "$src" && find . -type f ! -name '*.o' ! -name '*.ko' \
			! -path './.conftest/*' ! -name 'xpmem_conftest.h' \
			! -name '.*.cmd' -print0 | sort -z | xargs -0 sha1sum)
		sha1sum "${root%/}$kdir/.config" 2>/dev/null
	} | sha1sum | cut -d' ' -f1
}

stamp=$(fingerprint)
if [ -f "$out/xpmem.ko" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out/xpmem.ko"
	exit 0
fi
rm -f "$out/xpmem.ko" "$out/stamp"

if [ "$root" = / ]; then
	make -C "$src" KDIR="$kdir" O_DIR="$out" W=1 >"$log" 2>&1
else
	if [ "$(id -u)" -ne 0 ]; then
		echo "building in the build root $root needs root (chroot)" >"$log"
		exit 1
	fi
	mkdir -p "$root/mnt/xpmem-src" "$root/mnt/xpmem-out"
	unshare -m --propagation private sh -c '
		root=$1 src=$2 out=$3 kdir=$4
		mount --bind "$src" "$root/mnt/xpmem-src" &&
		mount -o remount,bind,ro "$root/mnt/xpmem-src" &&
		mount --bind "$out" "$root/mnt/xpmem-out" &&
		mount -t proc proc "$root/proc" &&
		exec chroot "$root" make -C /mnt/xpmem-src KDIR="$kdir" \
			O_DIR=/mnt/xpmem-out W=1' \
		sh "$root" "$src" "$out" "$kdir" >"$log" 2>&1
fi
rc=$?
if [ $rc -ne 0 ]; then
	exit 1
fi
if grep -q 'warning:' "$log"; then
	echo "build-module: the build warned (W=1 must be clean)" >>"$log"
	exit 1
fi
[ -f "$out/xpmem.ko" ] || { echo "the build left no $out/xpmem.ko" >>"$log"; exit 1; }
echo "$stamp" >"$out/stamp"
echo "$out/xpmem.ko"
