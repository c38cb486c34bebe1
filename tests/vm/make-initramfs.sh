#!/usr/bin/env bash
# Builds the test VM's initramfs (an uncompressed newc cpio archive):
#   make-initramfs.sh <output file> <module.ko> <build dir> [<modules dir>]
# It holds busybox-static with its applets in /bin, /init (guest-init.sh),
# the module in /xpmem/module, the test programs of tests/xpmem,
# tests/kernel and tests/tier and the libraries of <build dir>, laid out
# as in the build tree so that their $ORIGIN run paths still resolve, and
# every shared library they need from the host (found with ldd), the
# dynamic loader included. No compression: unpacking is faster than
# gunzip under TCG.
# With the kernel's <modules dir> (a Debian image's lib/modules/<release>),
# the modules the tests need that such kernels build as modules (zram and
# its compressors, loop) go in /lib/modules/xpmem, uncompressed, with a file
# `order` that lists them dependencies first: /init loads them.
set -eu

out=$1
ko=$2
build=$3
kmods=${4:--}
# Modules of the kernel the tests use where they exist (zram: swap tests;
# loop: a block device for the O_DIRECT tests).
wanted_kmods="zram lz4_compress lz4hc_compress lzo_rle loop"
# Soft-RoCE (tests/xpmem/rdma_reg): a veth pair and rxe with the user verbs
# device, which 7.3's rdma_rxe no longer depends on; before 6.14 rxe asks
# the crypto API for "crc32" when a device is added, which no module
# dependency names. ib_core and the UDP tunnels come in as dependencies.
wanted_kmods="$wanted_kmods veth ib_uverbs crc32_generic rdma_rxe"
here=$(cd "$(dirname "$0")" && pwd)
root=$out.d

busybox=$(command -v busybox || true)
[ -n "$busybox" ] || busybox=/bin/busybox
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "make-initramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib64,xpmem/module,xpmem/tests}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$here/guest-init.sh" "$root/init"
install -m 0644 "$here/guest-lib.sh" "$root/xpmem/guest-lib.sh"
cp "$ko" "$root/xpmem/module/"
chmod 0644 "$root/xpmem/module/"*.ko

# Numeric ids need no /etc, but `id` and `ls -l` read nicer with these.
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Programs and libraries, stripped of debug info to keep the image small.
copy_elf() {
	mkdir -p "$(dirname "$2")"
	cp -P "$1" "$2"
	[ -L "$2" ] || strip --strip-debug "$2" 2>/dev/null || true
}
elves=""
if [ -d "$build/lib" ]; then
	mkdir -p "$root/xpmem/lib"
	for f in "$build"/lib/*.so*; do
		[ -e "$f" ] || continue
		copy_elf "$f" "$root/xpmem/lib/$(basename "$f")"
		[ -L "$f" ] || elves="$elves $f"
	done
fi
for area in xpmem kernel tier; do
	for f in "$build/tests/$area"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		copy_elf "$f" "$root/xpmem/tests/$area/$(basename "$f")"
		elves="$elves $f"
	done
done
if [ -x "$build/bin/xpmem" ]; then
	copy_elf "$build/bin/xpmem" "$root/xpmem/bin/xpmem"
	elves="$elves $build/bin/xpmem"
fi

# Soft-RoCE's user space, where the host has it (else the RDMA test skips in
# the guest): iproute2's ip (busybox's cannot name a veth peer) and rdma in
# /usr/sbin, where they do not shadow busybox's ip, and the rxe provider
# that libibverbs loads with dlopen (so ldd cannot see it) with the driver
# file that names it. guest-lib.sh's rdma_setup uses them.
for tool in ip rdma; do
	path=$(PATH=$PATH:/usr/sbin:/sbin command -v "$tool" || true)
	[ -n "$path" ] && "$path" -V 2>&1 | grep -q iproute2 || continue
	copy_elf "$(readlink -f "$path")" "$root/usr/sbin/$tool"
	elves="$elves $path"
done
for rxe in /usr/lib/*/libibverbs/librxe-rdmav*.so; do
	[ -f "$rxe" ] && [ -f /etc/libibverbs.d/rxe.driver ] || continue
	copy_elf "$rxe" "$root$rxe"
	elves="$elves $rxe"
	mkdir -p "$root/etc/libibverbs.d"
	cp /etc/libibverbs.d/rxe.driver "$root/etc/libibverbs.d/"
done

# Host libraries at the paths ldd names. libgcc_s is loaded with dlopen by
# glibc (thread cancellation, backtraces), so ldd does not list it.
build_abs=$(cd "$build" && pwd)
hostlibs=$(for f in $elves; do ldd "$f" 2>/dev/null; done |
	sed -nE 's/.*[[:space:]](\/[^[:space:]]+) \(0x[0-9a-f]+\)$/\1/p' |
	grep -v "^$build_abs/" | sort -u)
gcc_s=$(ldconfig -p 2>/dev/null | awk '/libgcc_s.so.1 .*x86-64/ { print $NF; exit }')
for lib in $hostlibs $gcc_s; do
	dest=$root$lib
	mkdir -p "$(dirname "$dest")"
	cp -L "$lib" "$dest"
done

# The path of a module of the kernel, by name ('-' and '_' are the same).
kmod_path() {
	find "$kmods" -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" |
		head -n 1
}

# Copies module $1 after the modules it depends on; each once.
add_kmod() {
	local path dep

	grep -qx "$1" "$root/lib/modules/xpmem/order" 2>/dev/null && return 0
	path=$(kmod_path "$1")
	[ -n "$path" ] || return 0
	for dep in $(modinfo -F depends "$path" 2>/dev/null | tr , ' '); do
		add_kmod "$dep"
	done
	case $path in
	*.xz) xz -dc "$path" ;;
	*.zst) zstd -qdc "$path" ;;
	*.gz) gzip -dc "$path" ;;
	*) cat "$path" ;;
	esac >"$root/lib/modules/xpmem/$1.ko"
	echo "$1" >>"$root/lib/modules/xpmem/order"
}

if [ "$kmods" != - ] && [ -d "$kmods" ]; then
	mkdir -p "$root/lib/modules/xpmem"
	for m in $wanted_kmods; do
		add_kmod "$m"
	done
fi

(cd "$root" && find . -print0 | sort -z |
	cpio -0 -o -H newc -R 0:0 --quiet) >"$out"
rm -rf "$root"
