#!/usr/bin/env bash
# Runs the module's tests in qemu on every installed kernel:
#
#   run-vm-tests.sh --results FILE [--kernels "5.10 6.1 ..."]
#                   [--build DIR] [--tests "area/name ..."]
#
# DIR defaults to $BUILD, else build; the kernels default to every kernel of
# kernels.conf that is ready (find-kernels.sh).
# For each kernel: builds xpmem.ko against it (build-module.sh, in its build
# root where it has one; reused by the interop suite), packs an initramfs with the
# module, busybox and the test programs of DIR/tests/{xpmem,kernel}, boots
# it under TCG (KVM is not available on the CI machines), and records one
# line per test in FILE, in the format of tests/run-tests.sh:
#   PASS|FAIL|SKIP vm-<kernel>/<area>/<name>
# plus vm-<kernel>/kernel-log, which fails on any kernel report in the
# guest's log (see check-log.sh), a module that does not load or unload,
# counters that are not back to zero, or a guest that does not finish.
# Logs go to DIR/vm/<kernel>/. Without qemu or any kernel: one SKIP line.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
results=build/results.log
kernels=$(kernel_names)
# `make BUILD=dir check-vm` passes its build directory down this way.
build=${BUILD:-build}
only=""

while [ $# -gt 0 ]; do
	case "$1" in
	--results) results=$2; shift 2 ;;
	--kernels) kernels=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--tests) only=$2; shift 2 ;;
	*) echo "run-vm-tests.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

results=$(results_path "$results")
cd "$repo" || exit 1
if [ ! -d "$build" ]; then
	echo "run-vm-tests.sh: no build directory $build (run make first)" >&2
	exit 2
fi
build=$(cd "$build" && pwd)

qemu=$(command -v qemu-system-x86_64 || true)
found=$("$here/find-kernels.sh" "$kernels")
if [ -z "$qemu" ] || [ -z "$found" ]; then
	why="qemu-system-x86_64 not installed"
	[ -n "$qemu" ] && why="none of the kernels \"$kernels\" is installed"
	record SKIP vm "$why (scripts/install-deps.sh --vm)"
	exit 0
fi

# Per-kernel settings: the debug kernels are about four times slower (their
# make/attach/detach cycle a hundred times), and they are the ones with
# kmemleak and fault injection. They also run the API tests on the
# user-space backend and with allocation failures injected.
vm_limit() { case "$1" in *-debug) echo 1500 ;; *) echo 420 ;; esac; }
# kmemleak's scans, the slowest part of the debug run, grow with memory.
vm_memory() { case "$1" in *-debug) echo 1024 ;; *) echo 2048 ;; esac; }
test_limit() { case "$1" in *-debug) echo 240 ;; *) echo 90 ;; esac; }
# Tests of the command's own logic (option parsing, its attachment cache,
# timing loops) exercise the module no differently from the rest; on the
# slow debug kernel they run only on the stock kernels. So do the memory
# tier tests that exercise only user space: filling the HBM-like node,
# Debian's memkind as the reference and the OpenMP runtime.
debug_skip=xpmem/tool_usage,xpmem/tool_bench,xpmem/tool_cache
debug_skip=$debug_skip,tier/full,tier/placement_memkind,tier/omp_alloc
extra_passes() { case "$1" in *-debug) echo "user failinject" ;; esac; }
extra_append() {
	local p

	case "$1" in
	*-debug) echo "kmemleak=on vmtest.kmemleak=1 vmtest.stress=10" \
		"vmtest.cycles=1000 vmtest.scale=25 vmtest.skip=$debug_skip" ;;
	*) echo "vmtest.stress=10" ;;
	esac
	for p in $(extra_passes "$1"); do
		echo "vmtest.$p=1"
	done
}

# The tests the guest should report, as [pass/]area/name.
expected_tests() {
	local name=$1 area f p

	for area in xpmem kernel tier; do
		for f in "$build/tests/$area"/*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			case " $only " in
			"  "|*" $area/$(basename "$f") "*) ;;
			*) continue ;;
			esac
			echo "$area/$(basename "$f")"
			[ $area = xpmem ] || continue
			for p in $(extra_passes "$name"); do
				echo "$p/$area/$(basename "$f")"
			done
		done
	done
}

# hmat_lb NODE NS BANDWIDTH: HMAT's latency and bandwidth from node 0's
# CPUs to NODE.
hmat_lb() {
	echo "-numa hmat-lb,initiator=0,target=$1,hierarchy=memory,data-type=access-latency,latency=$2" \
		"-numa hmat-lb,initiator=0,target=$1,hierarchy=memory,data-type=access-bandwidth,bandwidth=$3"
}

# Boots one kernel; the console goes to $dir/console.log, the guest's
# events channel to $dir/events.log. Returns qemu's status (124: timeout).
boot() {
	local name=$1 vmlinuz=$2 initrd=$3 dir=$4

	local mem hbm ddr

	mem=$(vm_memory "$name")
	hbm=$((mem / 16))
	ddr=$(((mem - hbm) * 2 / 5))
	rm -f "$dir/console.log" "$dir/events.log"
	# A tiered memory machine described by ACPI HMAT, for the memory
	# kinds (tests/tier): node 0 DDR with both CPUs (one socket), node 1
	# small and fast (HBM-like), node 2 large and slow (CXL-like), both
	# memory-only. Page migration between nodes 0 and 1 is tested under a
	# live attachment (tests/kernel).
	timeout -k 5 "$(vm_limit "$name")" "$qemu" \
		-accel tcg -cpu "$vm_cpu" -smp 2,sockets=1,cores=2,threads=1 -m "$mem" \
		-machine hmat=on \
		-object memory-backend-ram,id=m0,size=${ddr}M \
		-object memory-backend-ram,id=m1,size=${hbm}M \
		-object memory-backend-ram,id=m2,size=$((mem - ddr - hbm))M \
		-numa node,nodeid=0,cpus=0-1,memdev=m0 \
		-numa node,nodeid=1,memdev=m1,initiator=0 \
		-numa node,nodeid=2,memdev=m2,initiator=0 \
		$(hmat_lb 0 10 100G) $(hmat_lb 1 20 400G) $(hmat_lb 2 80 50G) \
		-nographic -no-reboot -monitor none \
		-serial "file:$dir/console.log" -serial "file:$dir/events.log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 log_buf_len=8M vmtest.timeout=$(test_limit "$name") $(extra_append "$name" | tr '\n' ' ')${only:+ vmtest.only=$(echo $only | tr ' ' ,)}" \
		</dev/null >"$dir/qemu.log" 2>&1
}

# Turns the guest's VMRESULT lines into result lines; a test the guest never
# reported (it hung the guest, or the guest died) fails.
record_tests() {
	local name=$1 dir=$2 t verdict rc line

	for t in $(expected_tests "$name"); do
		# The events channel first; the console as a fallback.
		line=$(guest_result "$dir" "$t")
		if [ -z "$line" ]; then
			record FAIL "vm-$name/$t" "no result from the guest"
			continue
		fi
		verdict=$(echo "$line" | cut -d' ' -f2)
		rc=$(echo "$line" | cut -d' ' -f4)
		case $verdict in
		FAIL)
			record FAIL "vm-$name/$t" "exit $rc"
			tr -d '\r' <"$dir/console.log" |
				awk -v t="$t" '$0 == "VMSTART " t { on = 1; next }
					on && /^VMSTART / { exit }
					on && /^VMOUT / { print "    " substr($0, 7) }'
			;;
		SKIP) record SKIP "vm-$name/$t" ;;
		*) record PASS "vm-$name/$t" ;;
		esac
	done
}

run_kernel() {
	local name=$1 vmlinuz=$2 root=$3 kdir=$4 kmods=$5
	local dir=$build/vm/$name ko start secs rc

	rm -rf "$dir"
	mkdir -p "$dir"
	start=$(now)
	if ! ko=$("$here/build-module.sh" "$root" "$kdir" "$build/modules/$name"); then
		record FAIL "vm-$name/module-build" "see $build/modules/$name/build.log"
		tail -n 30 "$build/modules/$name/build.log" | sed 's/^/    /'
		return
	fi
	record PASS "vm-$name/module-build"
	echo "vm-$name: module built in $(($(now) - start)) s"
	if ! "$here/make-initramfs.sh" "$dir/initramfs.cpio" "$ko" "$build" \
		"$kmods"; then
		record FAIL "vm-$name/kernel-log" "could not build the initramfs"
		return
	fi

	start=$(now)
	boot "$name" "$vmlinuz" "$dir/initramfs.cpio" "$dir"
	rc=$?
	secs=$(($(now) - start))
	[ $rc -eq 124 ] && echo "vm-$name: qemu killed after $secs s"
	echo "vm-$name: boot and tests took $secs s (logs in $dir)"

	record_tests "$name" "$dir"
	record_kernel_log "vm-$name" "$dir"
	rm -f "$dir/initramfs.cpio"
}

# A kernel of the table that is not ready is a failure, not a quiet gap.
for name in $kernels; do
	grep -q "^$name " <<<"$found" ||
		record FAIL "vm-$name/kernel" "not prepared (scripts/install-deps.sh --vm)"
done

total_start=$(now)
while read -r name vmlinuz root kdir kmods; do
	echo "== vm-$name: $vmlinuz"
	kernel_start=$(now)
	run_kernel "$name" "$vmlinuz" "$root" "$kdir" "$kmods"
	echo "-- vm-$name: $(($(now) - kernel_start)) s"
done <<<"$found"
echo "-- vm: all kernels took $(($(now) - total_start)) s, $record_failures failed"
[ "$record_failures" -eq 0 ]
