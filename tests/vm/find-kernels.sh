#!/usr/bin/env bash
# Lists the kernels the VM tests can boot, one per line:
#   <name> <vmlinuz> <kernel build dir>
# for each name asked for (default: 6.1 6.12 6.1-debug) that is installed.
# Debian's kernels are found by glob, so a point release or a new ABI number
# needs no change here; when several match, the newest wins. The debug kernel
# lives in shared/kernels/6.1-debug beside the repository (CI clones the
# repository with shared/ next to it).
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
names=${1:-"6.1 6.12 6.1-debug"}
debug_dir=${XPMEM_DEBUG_KERNEL_DIR:-$repo/../shared/kernels/6.1-debug}

# Debian release "6.1.0-56-amd64" or "6.12.117+deb12-amd64": the newest
# installed image whose release starts with the given series and whose
# headers (the kbuild tree) are present too.
find_debian() {
	local series=$1 img rel kdir best=""

	for img in /boot/vmlinuz-"$series".*-amd64; do
		[ -r "$img" ] || continue
		rel=${img#/boot/vmlinuz-}
		kdir=/lib/modules/$rel/build
		[ -f "$kdir/Makefile" ] || kdir=/usr/src/linux-headers-$rel
		[ -f "$kdir/Makefile" ] || continue
		best="$best$rel $img $kdir"$'\n'
	done
	[ -n "$best" ] || return 1
	printf '%s' "$best" | sort -V | tail -n 1 | cut -d' ' -f2-
}

for name in $names; do
	case "$name" in
	*-debug)
		[ -r "$debug_dir/vmlinuz" ] && [ -f "$debug_dir/build/Makefile" ] &&
			dir=$(cd "$debug_dir" && pwd) &&
			echo "$name $dir/vmlinuz $dir/build"
		;;
	*)
		found=$(find_debian "$name") && echo "$name $found"
		;;
	esac
done
exit 0
