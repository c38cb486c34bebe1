#!/usr/bin/env bash
# The packages installed the way users install them, on a freshly
# bootstrapped Debian 12 booted under qemu with systemd:
#
#   run-install.sh --results FILE [--build DIR] [--keep]
#
# 1. `make package` (scripts/build-packages.sh): the .deb files, lintian.
# 2. The packaged module source builds with `dkms build` against the other
#    kernel series' headers, in their build roots (5.10: bullseye, 7.3:
#    trixie; kernels.conf, prepare-kernels.sh).
# 3. A disk image (ext4, mke2fs -d) of the cached Debian 12 minbase root
#    (prepare-install.sh: systemd, udev, linux-image-amd64 and headers,
#    dkms, Debian's libmemkind-dev), with an unprivileged user, the .deb
#    files and a systemd unit that runs guest-install.sh at boot.
# 4. Boot 1, Debian's 6.1 kernel: `apt-get install ./xpmem-dkms_*.deb
#    ./libxpmem0_*.deb ./xpmem-tools_*.deb ...` builds the module through
#    DKMS for the running kernel; the -dev packages and pkg-config clients;
#    a program built against Debian's memkind before runs after.
# 5. Boot 2, the same kernel: the module is loaded at boot, /dev/xpmem is
#    0666, `xpmem info` and `xpmem demo` as the user use the kernel backend.
# 6. linux-image-6.12-amd64 and its headers (bookworm-security) installed
#    into the image, chrooted on this machine (the VM would spend minutes
#    on initramfs and a second TCG build): the kernel's own hooks run DKMS
#    for it.
# 7. Boot 3, the 6.12 kernel: the checks of boot 2, then every package
#    purged: the module unloaded, nothing left on disk.
#
# Result lines PASS|FAIL|SKIP install/...; each boot's console log is
# checked by tests/vm/check-log.sh (install/<boot>/kernel-log). Logs stay in
# DIR/install/ (DIR: build). The image is deleted unless --keep.
# Without qemu, root or the packaging tools: one SKIP line.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm/lib.sh"
repo=$vm_repo

# Internal: run one step with the image mounted at $2, in a private mount
# namespace (nothing stays mounted, whatever happens).
if [ "${1:-}" = --in-image ]; then
	img=$2 mnt=$3 step=$4
	shift 4
	mount -o loop "$img" "$mnt" || exit 1
	. "$here/image-steps.sh"
	"step_$step" "$mnt" "$@"
	rc=$?
	umount "$mnt"
	exit $rc
fi

results=build/results.log
build=${BUILD:-build}
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--results) results=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "run-install.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
results=$(results_path "$results")
cd "$repo" || exit 1
mkdir -p "$build"
build=$(cd "$build" && pwd)
work=$build/install
pkgdir=$build/package
total_start=$(now)

skip() {
	record SKIP install "$1"
	exit 0
}

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, loop mounts)"
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 not installed (scripts/install-deps.sh --vm)"
for tool in dpkg-buildpackage dh_dkms lintian mke2fs debootstrap; do
	command -v $tool >/dev/null ||
		skip "$tool not installed (scripts/install-deps.sh --vm)"
done

rm -rf "$work"
mkdir -p "$work"

# 1. The packages.
start=$(now)
"$repo/scripts/build-packages.sh" "$pkgdir" >"$work/package.log" 2>&1
rc=$?
sed 's/^/  /' "$work/package.log"
case $rc in
0) record PASS install/package; record PASS install/lintian ;;
3) record PASS install/package
   record FAIL install/lintian "see $pkgdir/lintian.log" ;;
*) record FAIL install/package "see $pkgdir/build.log"; exit 1 ;;
esac
echo "install: packages in $(($(now) - start)) s"
version=$(sed -n 's/^VERSION *:= *//p' "$repo/mk/version.mk")
debs=""
for f in "$pkgdir"/*.deb; do
	case $f in *-dbgsym_*) ;; *) debs="$debs $f" ;; esac
done

# 2. DKMS in the other releases' build roots: the packaged source, in a
# DKMS tree of its own under the root's /tmp (the roots are shared with
# the VM tests and stay as they were).
dkms_in_root() {
	local name=$1 env=$vm_cache/kernels/$1.env root rel tmp rc

	if [ ! -r "$env" ]; then
		record FAIL "install/dkms-$name" "kernel $name not prepared (scripts/install-deps.sh --vm)"
		return
	fi
	# shellcheck disable=SC1090 # written by prepare-kernels.sh
	root=$(. "$env" && echo "$root")
	# shellcheck disable=SC1090
	rel=$(. "$env" && echo "$rel")
	if [ ! -x "$root/usr/sbin/dkms" ]; then
		record FAIL "install/dkms-$name" "no dkms in $root (tests/install/prepare-install.sh)"
		return
	fi
	tmp=$(mktemp -d "$root/tmp/xpmem-dkms.XXXXXX")
	dpkg-deb -x "$pkgdir"/xpmem-dkms_*.deb "$tmp/pkg"
	mkdir -p "$tmp/tree"
	in_root "$root" sh -c "
		src=${tmp#"$root"}/pkg/usr/src tree=${tmp#"$root"}/tree
		dkms add -m xpmem -v $version --sourcetree \$src --dkmstree \$tree &&
		dkms build -m xpmem -v $version -k $rel --sourcetree \$src \
			--dkmstree \$tree &&
		ko=\$(find \$tree/xpmem/$version/$rel -name 'xpmem.ko*' | head -n 1) &&
		echo \"built \$ko\" &&
		modinfo -F vermagic \$ko | grep -q '^$rel ' &&
		modinfo -F version \$ko | grep -qx '$version'" \
		>"$work/dkms-$name.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		record PASS "install/dkms-$name"
	else
		record FAIL "install/dkms-$name" "see $work/dkms-$name.log"
		tail -n 20 "$work/dkms-$name.log" | sed 's/^/    /'
	fi
	rm -rf "$tmp"
}

start=$(now)
for name in $(kernel_table | awk '$2 != "bookworm" && $2 != "shared" { print $1 }'); do
	dkms_in_root "$name"
done
echo "install: dkms in the build roots in $(($(now) - start)) s"

# 3. The image.
start=$(now)
if ! root=$("$here/prepare-install.sh" 2>"$work/prepare.log"); then
	cat "$work/prepare.log"
	record FAIL install/root "see $work/prepare.log"
	exit 1
fi
img=$work/disk.img
mnt=$work/mnt
mkdir -p "$mnt"
in_image() {
	unshare -m --propagation private "$here/run-install.sh" --in-image \
		"$img" "$mnt" "$@"
}
# Room for the root, the second kernel, its headers and two builds.
if ! mke2fs -q -F -t ext4 -L root -d "$root" "$img" 6G >"$work/mke2fs.log" 2>&1 ||
	! in_image setup "$here" "$work" $debs >"$work/setup.log" 2>&1; then
	cat "$work/mke2fs.log" "$work/setup.log" | tail -n 30
	record FAIL install/image "see $work/setup.log"
	exit 1
fi
echo "install: image made in $(($(now) - start)) s"

# One boot: the guest's phase, its results and its log.
boot() {
	local label=$1 kernel=$2 phase=$3 limit=$4 dir=$work/$1 t line rc secs
	local expected

	mkdir -p "$dir"
	start=$(now)
	timeout -k 5 "$limit" qemu-system-x86_64 \
		-accel tcg -cpu "$vm_cpu" -smp 2 -m 2048 \
		-nographic -no-reboot -monitor none -nic none \
		-serial "file:$dir/console.log" -serial "file:$dir/events.log" \
		-drive "file=$img,format=raw,if=virtio,cache=unsafe" \
		-kernel "$work/vmlinuz-$kernel" -initrd "$work/initrd-$kernel" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 net.ifnames=0 xpmemtest.phase=$phase" \
		</dev/null >"$dir/qemu.log" 2>&1
	rc=$?
	secs=$(($(now) - start))
	[ $rc -eq 124 ] && echo "install: $label: qemu killed after $secs s"
	echo "install: $label: boot took $secs s (logs in $dir)"

	case $phase in
	install) expected="debian-memkind-before apt-install dkms-build
		debian-memkind-replaced debian-memkind-after apt-install-dev
		pkgconfig-build" ;;
	check) expected="module-loaded dev-mode xpmem-info xpmem-demo
		client-xpmem client-memkind units" ;;
	remove) expected="module-loaded dev-mode xpmem-info xpmem-demo
		client-xpmem client-memkind units purge nothing-left" ;;
	esac
	for t in $expected; do
		line=$(guest_result "$dir" "$kernel/$t")
		case $(echo "$line" | cut -d' ' -f2) in
		PASS) record PASS "install/$kernel/$t" ;;
		SKIP) record SKIP "install/$kernel/$t" ;;
		FAIL)
			record FAIL "install/$kernel/$t" "exit $(echo "$line" | cut -d' ' -f4), see $dir/console.log"
			tr -d '\r' <"$dir/console.log" |
				awk -v t="$kernel/$t" '$0 == "VMSTART " t { on = 1; next }
					on && /^VMSTART / { exit }
					on && /^VMOUT / { print "    " substr($0, 7) }' |
				tail -n 30
			;;
		*) record FAIL "install/$kernel/$t" "no result from the guest" ;;
		esac
	done
	record_kernel_log "install/$label" "$dir"
}

first=$(cd "$root/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
cp "$root/boot/vmlinuz-$first" "$work/vmlinuz-6.1"
cp "$root/boot/initrd.img-$first" "$work/initrd-6.1"

# 4. and 5.
boot 6.1-install 6.1 install 1500
boot 6.1-reboot 6.1 check 480

# 6. The second kernel, as an update would bring it.
start=$(now)
if in_image kernel "$work" >"$work/kernel-6.12.log" 2>&1; then
	record PASS install/6.12/dkms-kernel-hook
else
	record FAIL install/6.12/dkms-kernel-hook "see $work/kernel-6.12.log"
	tail -n 30 "$work/kernel-6.12.log" | sed 's/^/    /'
fi
echo "install: 6.12 installed in the image in $(($(now) - start)) s"

# 7.
if [ -f "$work/vmlinuz-6.12" ]; then
	boot 6.12-remove 6.12 remove 900
fi

[ $keep -eq 1 ] || rm -f "$img"
echo "-- install: $(($(now) - total_start)) s, $record_failures failed"
[ "$record_failures" -eq 0 ]
