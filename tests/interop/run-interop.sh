#!/usr/bin/env bash
# A real client on our XPMEM: Debian's UCX, built by its own build system
# against our installed libxpmem, run on our module in qemu.
#
#   run-interop.sh --results FILE [--kernels "5.10 6.1 ..."]
#                  [--build DIR]
#   run-interop.sh --build DIR --prebuild-start
#
# --prebuild-start returns at once, leaving UCX building in the background
# (against a copy of the library built in DIR/interop/libbuild and installed
# into the same prefix), so that `make check` overlaps the slow UCX build
# with the VM tests; a later full run waits for it and finds UCX cached.
#
# On the host: `make install` into DIR/interop/prefix, the pkg-config files
# checked under both names, UCX fetched and built (tests/interop/build-ucx.sh,
# cached in DIR/interop). Then for each kernel tests/vm's harness boots:
# the module built for it (tests/vm/build-module.sh), tests/vm's initramfs
# with UCX and this directory's guest script laid over it, booted under TCG;
# the guest runs the cases of cases.sh (guest-interop.sh says how). Results
# go to FILE in the format of tests/run-tests.sh:
#   PASS|FAIL|SKIP interop/<host check>
#   PASS|FAIL|SKIP interop-<kernel>/<name>
# plus interop-<kernel>/kernel-log from tests/vm/check-log.sh. The perftest
# figures of xpmem and of the comparison transport are printed as a table and
# kept in DIR/interop/vm/<kernel>/perf.txt.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm=$repo/tests/vm
. "$vm/lib.sh"
results=build/results.log
kernels=$(kernel_names)
build=build
mode=full

while [ $# -gt 0 ]; do
	case "$1" in
	--prebuild-start) mode=prebuild-start; shift ;;
	--prebuild) mode=prebuild; shift ;;
	--results) results=$2; shift 2 ;;
	--kernels) kernels=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	*) echo "run-interop.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

results=$(results_path "$results")
cd "$repo" || exit 1
mkdir -p "$build/interop"
build=$(cd "$build" && pwd)
work=$build/interop
prefix=$work/prefix
ucx=$work/ucx
total_start=$(now)

. "$here/cases.sh"

prebuild_pid=$work/prebuild.pid

# The background half of --prebuild-start. Its own build directory keeps it
# off the files the foreground make is writing; the prefix is the same, so
# build-ucx.sh's cache matches the full run's.
prebuild() {
	make --no-print-directory BUILD="$work/libbuild" PREFIX="$prefix" \
		install >"$work/prebuild-install.log" 2>&1 &&
		"$here/build-ucx.sh" "$work" "$prefix"
}

# A full run first lets a background prebuild finish: both write $work.
wait_for_prebuild() {
	local pid

	[ -f "$prebuild_pid" ] || return 0
	pid=$(cat "$prebuild_pid")
	if kill -0 "$pid" 2>/dev/null; then
		echo "interop: waiting for the UCX build started earlier (pid $pid)"
		while kill -0 "$pid" 2>/dev/null; do
			sleep 2
		done
	fi
	rm -f "$prebuild_pid"
}

case $mode in
prebuild)
	prebuild
	exit $?
	;;
prebuild-start)
	wait_for_prebuild
	setsid "$0" --build "$build" --prebuild >"$work/prebuild.log" 2>&1 \
		</dev/null &
	echo $! >"$prebuild_pid"
	echo "interop: UCX build started in the background (log: $work/prebuild.log)"
	exit 0
	;;
esac
wait_for_prebuild


# The comparison with another transport measures speed, which the debug
# kernels' checkers make meaningless: they run the correctness cases only.
compares() {
	case $1 in
	*-debug) return 1 ;;
	esac
}

expected_results() {
	local kernel=$1 who name

	echo no-module-control
	echo ucx-info
	for who in $(interop_users | awk '{ print $1 }'); do
		for name in $(interop_cases | awk '{ print $1 }'); do
			echo "$who/$name"
		done
	done
	if compares "$kernel"; then
		for name in $interop_compare_cases; do
			echo "compare/$name"
		done
	fi
	echo rmmod
}

# --- host side -------------------------------------------------------------

# The library as users get it: `make install` into a prefix.
install_xpmem() {
	rm -rf "$prefix"
	if ! make --no-print-directory BUILD="$build" PREFIX="$prefix" install \
		>"$work/install.log" 2>&1; then
		record FAIL interop/install "make install failed, see $work/install.log"
		tail -n 20 "$work/install.log" | sed 's/^/    /'
		return 1
	fi
	record PASS interop/install
}

# Both pkg-config names must give flags that build and link a program
# calling xpmem_init (UCX's configure probe) against the installed library.
check_pkg_config() {
	local name flags ok=1 prog=$work/pc-probe

	for name in xpmem cray-xpmem; do
		flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig \
			pkg-config --cflags --libs "$name" 2>&1) || {
			echo "    pkg-config $name: $flags"
			ok=0
			continue
		}
		# shellcheck disable=SC2086 # the flags are words
		printf '#include <xpmem.h>\nint main(void) { return xpmem_init() < -1; }\n' |
			cc -x c -o "$prog" - $flags 2>"$work/pc-$name.log" || {
			echo "    $name: cc - $flags failed:"
			sed 's/^/      /' "$work/pc-$name.log"
			ok=0
		}
		case " $flags " in
		*" -L$prefix/lib "*) ;;
		*) echo "    $name: libs do not point at $prefix/lib: $flags"; ok=0 ;;
		esac
	done
	rm -f "$prog"
	if [ $ok = 1 ]; then
		record PASS interop/pkg-config
	else
		record FAIL interop/pkg-config
	fi
}

build_ucx() {
	if ! "$here/build-ucx.sh" "$work" "$prefix"; then
		record FAIL interop/ucx-build "see $work/logs"
		tail -n 20 "$work/logs/make.log" 2>/dev/null | sed 's/^/    /'
		return 1
	fi
	record PASS interop/ucx-build
}

# UCX's xpmem module must need our libxpmem and find every symbol in it: a
# missing symbol would only show when UCX loads the module, and UCX then
# quietly runs without it.
check_ucx_links() {
	local mod=$ucx/lib/ucx/libuct_xpmem.so.0 out

	out=$(LD_LIBRARY_PATH=$prefix/lib ldd -r "$mod" 2>&1)
	if ! readelf -d "$mod" | grep -q 'NEEDED.*\[libxpmem.so.0\]'; then
		record FAIL interop/ucx-links-libxpmem "$mod does not need libxpmem.so.0"
	elif echo "$out" | grep -q 'undefined symbol'; then
		record FAIL interop/ucx-links-libxpmem "undefined symbols"
		echo "$out" | grep 'undefined symbol' | sed 's/^/    /'
	elif ! echo "$out" | grep -q "libxpmem.so.0 => $prefix/lib/"; then
		record FAIL interop/ucx-links-libxpmem "does not resolve to $prefix/lib"
	else
		record PASS interop/ucx-links-libxpmem
	fi
}

build_helpers() {
	local p

	mkdir -p "$work/bin"
	for p in runas check-hello; do
		cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow \
			-Wstrict-prototypes -Wmissing-prototypes \
			-o "$work/bin/$p" "$here/$p.c" || return 1
	done
}

# --- the guest image -------------------------------------------------------

# Adds UCX, the helpers and the guest script to tests/vm's image, as a second
# cpio archive appended to the first: the kernel unpacks both, and /init
# from the second wins.
make_overlay() {
	local out=$1 root=$1.d f lib

	rm -rf "$root"
	mkdir -p "$root/interop/bin" "$root/opt/ucx/bin" "$root/opt/ucx/lib/ucx"
	install -m 0755 "$here/guest-interop.sh" "$root/init"
	install -m 0644 "$here/cases.sh" "$root/interop/cases.sh"
	install -m 0755 "$work/bin/runas" "$work/bin/check-hello" "$root/interop/bin/"
	install -m 0755 "$ucx/bin/ucx_info" "$ucx/bin/ucx_perftest" \
		"$ucx/examples/ucp_hello_world" "$root/opt/ucx/bin/"
	cp -P "$ucx"/lib/lib*.so* "$root/opt/ucx/lib/"
	cp -P "$ucx"/lib/ucx/*.so* "$root/opt/ucx/lib/ucx/"
	find "$root/opt/ucx" -type f -exec strip --strip-debug {} + 2>/dev/null
	# Host libraries UCX needs beyond tests/vm's (libnuma, libgomp, ...).
	for lib in $(for f in "$root"/opt/ucx/bin/* "$root"/opt/ucx/lib/ucx/*.so \
			"$root"/interop/bin/*; do
			LD_LIBRARY_PATH=$root/opt/ucx/lib:$prefix/lib ldd "$f" 2>/dev/null
		done | sed -nE 's/.*[[:space:]](\/[^[:space:]]+) \(0x[0-9a-f]+\)$/\1/p' |
		grep -vE "^($root|$prefix)/" | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	(cd "$root" && find . -print0 | sort -z |
		cpio -0 -o -H newc -R 0:0 --quiet) >"$out"
}

# UCX's shared-memory transports signal through AF_UNIX sockets and its
# tools exchange addresses over TCP: a kernel without them cannot run UCX.
kernel_lacks() {
	local config=$1/.config opt missing=""

	[ -r "$config" ] || return 1
	for opt in CONFIG_NET CONFIG_UNIX CONFIG_INET; do
		grep -q "^$opt=y" "$config" || missing="$missing $opt"
	done
	[ -n "$missing" ] && echo "${missing# }"
}

boot() {
	local name=$1 vmlinuz=$2 initrd=$3 dir=$4 compare=1

	compares "$name" || compare=0
	timeout -k 5 900 qemu-system-x86_64 \
		-accel tcg -cpu "$vm_cpu" -smp 2 -m 2048 \
		-nographic -no-reboot -monitor none \
		-serial "file:$dir/console.log" -serial "file:$dir/events.log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 log_buf_len=8M interop.timeout=60 interop.compare=$compare" \
		</dev/null >"$dir/qemu.log" 2>&1
}

# perftest's Final line: iterations, then latency (usec: percentile,
# average of the last report, overall), bandwidth (MB/s: last report,
# overall) and message rate. The table compares the overall figures, which
# cover the whole measured run; latency tests by latency, the others by
# bandwidth. UCT cases have no comparison run.
perf_table() {
	local dir=$1 name kind x c

	printf '%-12s %16s %16s %8s\n' case xpmem "$interop_compare_tls" ratio
	for name in $(interop_cases | awk '$2 ~ /^perf-/ { print $1 }'); do
		x=$(perf_value "$dir" xpmem "$name")
		c=$(perf_value "$dir" cma "$name")
		case $name in
		*lat*) kind=usec ;;
		*) kind=MB/s ;;
		esac
		awk -v n="$name" -v x="$x" -v c="$c" -v k="$kind" 'BEGIN {
			xs = (x == "") ? "-" : sprintf("%.2f %s", x, k)
			cs = (c == "") ? "-" : sprintf("%.2f %s", c, k)
			r = "-"
			if (x > 0 && c > 0)
				r = sprintf("%.2fx", (k == "usec") ? c / x : x / c)
			printf "%-12s %16s %16s %8s\n", n, xs, cs, r }'
	done
	echo "(ratio: how many times better xpmem is; TCG timings, compare ratios only)"
}

perf_value() {
	tr -d '\r' <"$1/events.log" | awk -v tl="$2" -v n="$3" '
		$1 == "VMPERF" && $2 == tl && $3 == n {
			v = (n ~ /lat/) ? $7 : $9 }
		END { print v }'
}

run_kernel() {
	local name=$1 vmlinuz=$2 root=$3 kdir=$4 kmods=$5 dir=$work/vm/$1
	local ko lacks start rc

	if lacks=$(kernel_lacks "${root%/}$kdir"); then
		record SKIP "interop-$name/all" \
			"kernel built without $lacks (UCX needs them)"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	# The module tests/vm built for this kernel, if it is current.
	if ! ko=$("$vm/build-module.sh" "$root" "$kdir" "$build/modules/$name"); then
		record FAIL "interop-$name/module-build" "see $build/modules/$name/build.log"
		tail -n 20 "$build/modules/$name/build.log" | sed 's/^/    /'
		return
	fi
	if ! "$vm/make-initramfs.sh" "$dir/base.cpio" "$ko" "$build" "$kmods" ||
		! make_overlay "$dir/overlay.cpio"; then
		record FAIL "interop-$name/kernel-log" "could not build the initramfs"
		return
	fi
	cat "$dir/base.cpio" "$dir/overlay.cpio" >"$dir/initramfs.cpio"
	rm -rf "$dir/base.cpio.d" "$dir/overlay.cpio.d" "$dir/base.cpio" \
		"$dir/overlay.cpio"

	start=$(now)
	boot "$name" "$vmlinuz" "$dir/initramfs.cpio" "$dir"
	rc=$?
	echo "interop-$name: boot and runs took $(($(now) - start)) s" \
		"(qemu status $rc, logs in $dir)"
	rm -f "$dir/initramfs.cpio"
	record_guest_results "interop-$name" "$dir" < <(expected_results "$name")
	record_kernel_log "interop-$name" "$dir"
	compares "$name" || return 0
	perf_table "$dir" >"$dir/perf.txt"
	echo "interop-$name: perftest inside the VM"
	sed 's/^/    /' "$dir/perf.txt"
}

host_side() {
	install_xpmem || return 1
	check_pkg_config
	build_ucx || return 1
	check_ucx_links
	build_helpers || { record FAIL interop/helpers "cc failed"; return 1; }
}

if ! host_side; then
	echo "-- interop: stopped after the host checks"
	exit 0
fi

found=""
command -v qemu-system-x86_64 >/dev/null && found=$("$vm/find-kernels.sh" "$kernels")
if [ -z "$found" ]; then
	record SKIP interop-vm "qemu or the kernels \"$kernels\" are not installed (scripts/install-deps.sh --vm)"
else
	for name in $kernels; do
		grep -q "^$name " <<<"$found" || record FAIL "interop-$name/kernel" \
			"not prepared (scripts/install-deps.sh --vm)"
	done
	while read -r name vmlinuz root kdir kmods; do
		echo "== interop-$name: $vmlinuz"
		kernel_start=$(now)
		run_kernel "$name" "$vmlinuz" "$root" "$kdir" "$kmods"
		echo "-- interop-$name: $(($(now) - kernel_start)) s"
	done <<<"$found"
fi
echo "-- interop: took $(($(now) - total_start)) s"
exit 0
