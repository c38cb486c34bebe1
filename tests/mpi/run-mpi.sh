#!/usr/bin/env bash
# MPI applications from Debian's archive, unmodified, on our XPMEM: Debian's
# Open MPI (pml ucx) over our UCX build (tests/interop/build-ucx.sh) over our
# libxpmem and our module, in qemu on the kernels of tests/vm/kernels.conf.
#
#   run-mpi.sh --results FILE [--kernels "6.1 7.3 ..."] [--full "6.1"]
#              [--build DIR]
#
# The guest's root is the cached Debian 12 root of prepare-mpi.sh (Open MPI,
# netpipe-openmpi, hpcc, python3-mpi4py, an unprivileged user), packed once
# into a cpio archive; per kernel a second archive lays the module built for
# it (tests/vm/build-module.sh), libxpmem, UCX and guest-mpi.sh (/init) over
# it, and the kernel boots the pair as its initramfs: the debug kernels have
# no disk driver at all, and every kernel unpacks an initramfs.
#
# Kernels in --full (default 6.1) run the full set: every case of cases.sh
# as root and as the user, the control without the module and NetPIPE's
# curve on xpmem and on UCX_TLS=self,posix,cma (a table of ratios and a
# gnuplot PNG in DIR/mpi/). The others run each application once over
# xpmem, as the user (NetPIPE on the debug kernels up to 1 MiB). Results
# go to FILE in the format of tests/run-tests.sh:
#   PASS|FAIL|SKIP mpi/<host step>
#   PASS|FAIL|SKIP mpi-<kernel>/<name>
# plus mpi-<kernel>/kernel-log from tests/vm/check-log.sh.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm=$repo/tests/vm
. "$vm/lib.sh"
results=build/results.log
kernels=$(kernel_names)
full_kernels=6.1
build=build

while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=$2; shift 2 ;;
	--kernels) kernels=$2; shift 2 ;;
	--full) full_kernels=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	*) echo "run-mpi.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

results=$(results_path "$results")
cd "$repo" || exit 1
mkdir -p "$build/mpi"
build=$(cd "$build" && pwd)
work=$build/mpi
interop=$build/interop
prefix=$interop/prefix
ucx=$interop/ucx
total_start=$(now)

. "$here/cases.sh"

is_full() {
	case " $full_kernels " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# The kind of a kernel for cases.sh: full, stock or debug.
kernel_kind() {
	if is_full "$1"; then
		echo full
	else
		case $1 in
		*-debug) echo debug ;;
		*) echo stock ;;
		esac
	fi
}

expected_results() {
	local kind

	kind=$(kernel_kind "$1")
	if [ "$kind" = full ]; then
		echo no-module/kernel-backend
		echo no-module/default
	fi
	mpi_runs "$kind"
	if [ "$kind" = full ]; then
		echo curve/xpmem
		echo curve/compare
	fi
	echo rmmod
}

# --- host side -------------------------------------------------------------

# The interop suite's UCX, built against the installed library (cached:
# nothing is rebuilt when it is current).
build_ucx() {
	if [ ! -f "$prefix/include/xpmem.h" ] &&
		! make --no-print-directory BUILD="$build" PREFIX="$prefix" install \
			>"$work/install.log" 2>&1; then
		record FAIL mpi/ucx-build "make install failed, see $work/install.log"
		return 1
	fi
	if ! "$repo/tests/interop/build-ucx.sh" "$interop" "$prefix" \
		>"$work/ucx.log" 2>&1; then
		record FAIL mpi/ucx-build "see $work/ucx.log"
		tail -n 20 "$work/ucx.log" | sed 's/^/    /'
		return 1
	fi
	record PASS mpi/ucx-build
}

# The root as a cpio archive, without documentation, manual pages,
# translations and apt's lists; made again when the root changed.
#   pack_root ROOT OUT
pack_root() {
	local root=$1 out=$2 p prune=""

	if [ -s "$out" ] && [ "$out" -nt "$root/var/lib/dpkg/status" ] &&
		[ "$out" -nt "$root/etc/passwd" ] &&
		[ "$out" -nt "$here/run-mpi.sh" ]; then
		return 0
	fi
	for p in proc sys dev tmp run usr/share/doc usr/share/man \
		usr/share/locale usr/share/info var/lib/apt/lists var/cache/apt; do
		prune="$prune -o -path ./$p"
	done
	# shellcheck disable=SC2086 # find's words
	(cd "$root" && find . \( -false $prune \) -prune -printf '%p\n' -o -print |
		sort | cpio -o -H newc -R 0:0 --quiet) >"$out.new" &&
		mv "$out.new" "$out"
}

# What is laid over the root: the module, libxpmem, UCX, this suite.
make_overlay() {
	local out=$1 ko=$2 top=$1.d

	rm -rf "$top"
	mkdir -p "$top/xpmem/module" "$top/xpmem/lib" "$top/opt/ucx/lib/ucx" \
		"$top/opt/ucx/bin" "$top/mpi"
	install -m 0755 "$here/guest-mpi.sh" "$top/init"
	install -m 0644 "$vm/guest-lib.sh" "$top/xpmem/guest-lib.sh"
	install -m 0644 "$ko" "$top/xpmem/module/"
	cp -P "$build"/lib/libxpmem.so* "$top/xpmem/lib/"
	install -m 0644 "$here/cases.sh" "$here/hpccinf.txt" \
		"$here/mpi4py-check.py" "$top/mpi/"
	install -m 0755 "$ucx/bin/ucx_info" "$top/opt/ucx/bin/"
	cp -P "$ucx"/lib/lib*.so* "$top/opt/ucx/lib/"
	cp -P "$ucx"/lib/ucx/*.so* "$top/opt/ucx/lib/ucx/"
	find "$top/opt/ucx" "$top/xpmem/lib" -type f \
		-exec strip --strip-debug {} + 2>/dev/null
	(cd "$top" && find . -print0 | sort -z |
		cpio -0 -o -H newc -R 0:0 --quiet) >"$out"
	rm -rf "$top"
}

boot() {
	local name=$1 vmlinuz=$2 initrd=$3 dir=$4 kind limit=300 total=900

	kind=$(kernel_kind "$name")
	[ "$kind" = full ] && total=1800
	[ "$kind" = debug ] && limit=600
	timeout -k 5 "$total" qemu-system-x86_64 \
		-accel tcg -cpu "$vm_cpu" -smp 2 -m 3072 \
		-nographic -no-reboot -monitor none -nic none \
		-serial "file:$dir/console.log" -serial "file:$dir/events.log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 log_buf_len=8M mpi.timeout=$limit mpi.kind=$kind" \
		</dev/null >"$dir/qemu.log" 2>&1
}

# NetPIPE's curves: the data files, the table of ratios and the picture.
curves() {
	local name=$1 dir=$2 x=$2/netpipe-xpmem.dat c=$2/netpipe-compare.dat
	local png=$work/netpipe-$name.png

	for t in xpmem compare; do
		tr -d '\r' <"$dir/events.log" |
			awk -v t=$t '$1 == "VMNP" && $2 == t { print $3, $4 }' \
			>"$dir/netpipe-$t.dat"
	done
	[ -s "$x" ] && [ -s "$c" ] || return 0
	{
		printf '%-10s %14s %14s %8s\n' bytes "xpmem Mbps" \
			"$mpi_compare_tls" ratio
		for size in 65536 1048576 16777216; do
			awk -v s=$size 'FNR == 1 { f++ } $1 == s { v[f] = $2 }
				END {
					if (v[1] > 0 && v[2] > 0)
						printf "%-10s %14.1f %14.1f %7.2fx\n", s, v[1],
							v[2], v[1] / v[2]
					else
						printf "%-10s %14s %14s %8s\n", s, "-", "-", "-"
				}' "$x" "$c"
		done
		echo "(NetPIPE ping-pong bandwidth of Open MPI over UCX in one TCG guest;"
		echo " TCG timings are not hardware timings: compare ratios only)"
	} >"$dir/ratios.txt"
	echo "mpi-$name: NetPIPE inside the VM"
	sed 's/^/    /' "$dir/ratios.txt"
	command -v gnuplot >/dev/null || {
		echo "mpi-$name: gnuplot is not installed (scripts/install-deps.sh --mpi): no picture"
		return 0
	}
	gnuplot <<-EOF 2>"$dir/gnuplot.log" &&
	set terminal pngcairo size 960,600 noenhanced
	set output "$png"
	set title "NetPIPE (NPopenmpi, Open MPI 4.1 pml ucx) in one qemu TCG guest, kernel $name\nTCG timings, not hardware timings: compare the curves, not the figures"
	set xlabel "message size"
	set ylabel "bandwidth (Mbps)"
	set logscale x 2
	set xtics ("1 B" 1, "64 B" 64, "4 KiB" 4096, "64 KiB" 65536, "1 MiB" 1048576, "16 MiB" 16777216)
	set grid
	set key top left
	plot "$x" using 1:2 with linespoints title "UCX_TLS=self,xpmem", \
	     "$c" using 1:2 with linespoints title "UCX_TLS=$mpi_compare_tls"
	EOF
		echo "mpi-$name: curve in $png"
}

run_kernel() {
	local name=$1 vmlinuz=$2 root=$3 kdir=$4 dir=$work/vm/$1 ko start rc base

	rm -rf "$dir"
	mkdir -p "$dir"
	if ! ko=$("$vm/build-module.sh" "$root" "$kdir" "$build/modules/$name"); then
		record FAIL "mpi-$name/module-build" "see $build/modules/$name/build.log"
		tail -n 20 "$build/modules/$name/build.log" | sed 's/^/    /'
		return
	fi
	if ! make_overlay "$dir/overlay.cpio" "$ko"; then
		record FAIL "mpi-$name/kernel-log" "could not build the initramfs"
		return
	fi
	cat "$work/root.cpio" "$dir/overlay.cpio" >"$dir/initramfs.cpio"
	rm -f "$dir/overlay.cpio"
	start=$(now)
	boot "$name" "$vmlinuz" "$dir/initramfs.cpio" "$dir"
	rc=$?
	echo "mpi-$name: boot and runs took $(($(now) - start)) s" \
		"(qemu status $rc, logs in $dir)"
	rm -f "$dir/initramfs.cpio"
	record_guest_results "mpi-$name" "$dir" \
		< <(expected_results "$name")
	record_kernel_log "mpi-$name" "$dir"
	tr -d '\r' <"$dir/console.log" | grep '^VMTIME ' | sed 's/^VMTIME /    /' |
		awk '{ printf "    %-22s %6.1f s\n", $1, $2 }'
	is_full "$name" && curves "$name" "$dir"
	return 0
}

skip() {
	record SKIP mpi "$1"
	exit 0
}

[ "$(id -u)" -eq 0 ] || skip "needs root (chroot, the cached root)"
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 not installed (scripts/install-deps.sh --vm)"
command -v debootstrap >/dev/null ||
	skip "debootstrap not installed (scripts/install-deps.sh --vm)"

if ! root=$("$here/prepare-mpi.sh" 2>"$work/prepare.log"); then
	cat "$work/prepare.log"
	record FAIL mpi/root "see $work/prepare.log"
	exit 0
fi
record PASS mpi/root
build_ucx || exit 0
start=$(now)
if ! pack_root "$root" "$work/root.cpio"; then
	record FAIL mpi/root-archive "cpio of $root failed"
	exit 0
fi
rm -f "$work/root-reduced.cpio"
echo "mpi: root archive ready in $(($(now) - start)) s" \
	"($(du -m "$work/root.cpio" | cut -f1) MB)"

found=$("$vm/find-kernels.sh" "$kernels")
for name in $kernels; do
	grep -q "^$name " <<<"$found" || record FAIL "mpi-$name/kernel" \
		"not prepared (scripts/install-deps.sh --vm)"
done
while read -r name vmlinuz root kdir _; do
	[ -n "$name" ] || continue
	echo "== mpi-$name: $vmlinuz"
	kernel_start=$(now)
	run_kernel "$name" "$vmlinuz" "$root" "$kdir"
	echo "-- mpi-$name: $(($(now) - kernel_start)) s"
done <<<"$found"
echo "-- mpi: took $(($(now) - total_start)) s"
exit 0
