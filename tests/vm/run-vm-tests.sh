#!/usr/bin/env bash
# Runs the module's tests in qemu on every installed kernel:
#
#   run-vm-tests.sh --results FILE [--kernels "6.1 6.12 6.1-debug"]
#                   [--build DIR] [--tests "area/name ..."]
#
# DIR defaults to $BUILD, else build.
# For each kernel: builds xpmem.ko against it, packs an initramfs with the
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
results=build/results.log
kernels="6.1 6.12 6.1-debug"
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

mkdir -p "$(dirname "$results")"
results=$(cd "$(dirname "$results")" && pwd)/$(basename "$results")
cd "$repo" || exit 1
if [ ! -d "$build" ]; then
	echo "run-vm-tests.sh: no build directory $build (run make first)" >&2
	exit 2
fi
build=$(cd "$build" && pwd)

failures=0
record() {
	[ "$1" = FAIL ] && failures=$((failures + 1))
	echo "$1 $2" >>"$results"
	echo "$1 $2${3:+: $3}"
}

qemu=$(command -v qemu-system-x86_64 || true)
found=$("$here/find-kernels.sh" "$kernels")
if [ -z "$qemu" ] || [ -z "$found" ]; then
	why="qemu-system-x86_64 not installed"
	[ -n "$qemu" ] && why="none of the kernels \"$kernels\" is installed"
	record SKIP vm "$why (scripts/install-deps.sh --vm)"
	exit 0
fi

# Per-kernel settings: the debug kernel is about four times slower (its
# make/attach/detach cycle a hundred times), and it is the one with
# kmemleak.
vm_limit() { case "$1" in *-debug) echo 600 ;; *) echo 300 ;; esac; }
# kmemleak's scans, the slowest part of the debug run, grow with memory.
vm_memory() { case "$1" in *-debug) echo 1024 ;; *) echo 2048 ;; esac; }
test_limit() { case "$1" in *-debug) echo 240 ;; *) echo 90 ;; esac; }
# Tests of the command's own logic (option parsing, its attachment cache,
# timing loops) exercise the module no differently from the rest; on the
# slow debug kernel they run only on the stock kernels.
debug_skip=xpmem/tool_usage,xpmem/tool_bench,xpmem/tool_cache
extra_append() {
	case "$1" in
	*-debug) echo "kmemleak=on vmtest.kmemleak=1 vmtest.stress=10" \
		"vmtest.cycles=1000 vmtest.scale=25 vmtest.skip=$debug_skip" ;;
	*) echo "vmtest.stress=10" ;;
	esac
}

# The tests the guest should report, as area/name.
expected_tests() {
	local area f
	for area in xpmem kernel; do
		for f in "$build/tests/$area"/*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			case " $only " in
			"  "|*" $area/$(basename "$f") "*)
				echo "$area/$(basename "$f")" ;;
			esac
		done
	done
}

# Boots one kernel; the console goes to $dir/console.log, the guest's
# events channel to $dir/events.log. Returns qemu's status (124: timeout).
boot() {
	local name=$1 vmlinuz=$2 initrd=$3 dir=$4

	local mem half

	mem=$(vm_memory "$name")
	half=$((mem / 2))
	rm -f "$dir/console.log" "$dir/events.log"
	# Two NUMA nodes, one CPU each, so that page migration between nodes
	# can be tested under a live attachment.
	timeout -k 5 "$(vm_limit "$name")" "$qemu" \
		-accel tcg -cpu max -smp 2 -m "$mem" \
		-object memory-backend-ram,id=m0,size=${half}M \
		-object memory-backend-ram,id=m1,size=$((mem - half))M \
		-numa node,nodeid=0,cpus=0,memdev=m0 \
		-numa node,nodeid=1,cpus=1,memdev=m1 \
		-nographic -no-reboot -monitor none \
		-serial "file:$dir/console.log" -serial "file:$dir/events.log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 log_buf_len=8M vmtest.timeout=$(test_limit "$name") $(extra_append "$name")${only:+ vmtest.only=$(echo $only | tr ' ' ,)}" \
		</dev/null >"$dir/qemu.log" 2>&1
}

# Turns the guest's VMRESULT lines into result lines; a test the guest never
# reported (it hung the guest, or the guest died) fails.
record_tests() {
	local name=$1 dir=$2 t verdict rc line

	for t in $(expected_tests); do
		# The events channel first; the console as a fallback.
		line=$(cat "$dir/events.log" "$dir/console.log" | tr -d '\r' |
			grep -E "^VMRESULT (PASS|FAIL|SKIP) $t [0-9]+$" | head -n 1)
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
	local name=$1 vmlinuz=$2 kdir=$3
	local dir=$build/vm/$name ko start secs rc

	rm -rf "$dir"
	mkdir -p "$dir"
	if ! ko=$("$here/build-module.sh" "$kdir" "$dir/module"); then
		record FAIL "vm-$name/module-build" "see $dir/module/build.log"
		tail -n 30 "$dir/module/build.log" | sed 's/^/    /'
		return
	fi
	record PASS "vm-$name/module-build"
	if ! "$here/make-initramfs.sh" "$dir/initramfs.cpio" "$ko" "$build"; then
		record FAIL "vm-$name/kernel-log" "could not build the initramfs"
		return
	fi

	start=$(date +%s)
	boot "$name" "$vmlinuz" "$dir/initramfs.cpio" "$dir"
	rc=$?
	secs=$(($(date +%s) - start))
	[ $rc -eq 124 ] && echo "vm-$name: qemu killed after $secs s"
	echo "vm-$name: boot and tests took $secs s (logs in $dir)"

	record_tests "$name" "$dir"
	"$here/check-log.sh" "$dir/console.log" "$dir/events.log" \
		>"$dir/check.log" 2>&1
	if [ $? -eq 0 ]; then
		record PASS "vm-$name/kernel-log"
	else
		record FAIL "vm-$name/kernel-log" "see $dir/console.log"
		sed 's/^/    /' "$dir/check.log"
	fi
}

total_start=$(date +%s)
while read -r name vmlinuz kdir; do
	echo "== vm-$name: $vmlinuz"
	run_kernel "$name" "$vmlinuz" "$kdir"
done <<<"$found"
echo "-- vm: all kernels took $(($(date +%s) - total_start)) s, $failures failed"
[ "$failures" -eq 0 ]
